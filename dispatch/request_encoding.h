// Encodings the providers need to build requests: UTF-8-safe length caps, URL percent-encoding,
// HTTP Basic credentials (cereal's base64) and SHA-1 hex keys (OpenSSL EVP). Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/text_cap.h"

namespace fluxstatus::dispatch {

// CapText (core/text_cap.h) caps a text to a host's character limit.
using core::CapText;

// Percent-encodes everything except RFC 3986 unreserved characters (so '/' becomes %2F):
// for one path segment or one query value.
std::string PercentEncode(std::string_view text);

// Decodes %XX escapes (as found in copied URLs: "My%20Project"); other bytes pass through,
// and a malformed escape is kept literally.
std::string PercentDecode(std::string_view text);

// "Basic " + base64(user ":" password), the Authorization header value.
std::string BasicAuth(std::string_view user, std::string_view password);

// Lower-case hex SHA-1 of `text` (Bitbucket's status key; Flux's sha1String). Throws
// std::runtime_error only if OpenSSL itself fails.
std::string Sha1Hex(std::string_view text);

// ASCII lower-casing (host names compare case-insensitively).
std::string LowerAscii(std::string_view text);

}  // namespace fluxstatus::dispatch
