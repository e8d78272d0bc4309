// Authenticating ingest requests: HMAC `X-Signature` over the raw body (Flux generic-hmac
// Providers) and `Authorization: Bearer` tokens. Verification only; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fluxstatus::ingest {

// The outcome of one authentication check. `reason` is empty when `ok`; otherwise it says why
// the request was refused ("X-Signature does not match", ...). The reason is meant for the 401
// JSON body and for logs, so it never contains the key, the token or any computed digest.
struct AuthVerdict {
  bool ok = false;
  std::string reason;

  explicit operator bool() const { return ok; }
};

// Checks `x_signature` ("<algorithm>=<hex digest>", std::nullopt when the header is absent)
// against the HMAC of `body` keyed with `key`. Algorithms: sha1, sha224, sha256, sha384, sha512
// (names case-insensitive); the hex digest may be upper or lower case. The comparison is
// constant-time. Pass the key exactly as read (ReadSecretFile with trim=false): when it ends
// with "\n" or "\r\n", a signature made with the key without that line ending is accepted too,
// because Flux signs with its secret's bytes verbatim while hand-written key files usually end
// with a newline. Throws std::invalid_argument when `key` is empty (a configuration error: an
// empty key would let anyone sign). Thread-safe.
AuthVerdict CheckHmacSignature(std::string_view body, std::optional<std::string_view> x_signature,
                               std::string_view key);

// CheckHmacSignature for callers that only need yes/no; the header must be present.
bool VerifyHmacSignature(std::string_view body, std::string_view x_signature_header, std::string_view key);

// Checks an `Authorization` header value (std::nullopt when absent) of the form
// "Bearer <token>" (scheme case-insensitive) against `token`, which the caller has already
// trimmed (ReadSecretFile with trim=true). The comparison is constant-time and does not reveal
// the token's length. Throws std::invalid_argument when `token` is empty. Thread-safe.
AuthVerdict CheckBearer(std::optional<std::string_view> authorization, std::string_view token);

// CheckBearer for callers that only need yes/no; the header must be present.
bool VerifyBearer(std::string_view authorization_header, std::string_view token);

}  // namespace fluxstatus::ingest
