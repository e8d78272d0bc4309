// Fuzz target: the ingest authentication checks (X-Signature HMAC header parsing, Bearer
// Authorization parsing) with attacker-chosen headers and bodies. Input: byte 0 is the key
// length (0-63), then the key, then the header up to the first '\n', then the body.
// Properties: no crash or exception for a non-empty key; a refusal's reason does not depend on
// the key (so it cannot leak it); a correctly signed body and a correct token are accepted.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "ingest/request_auth.h"

namespace ingest = fluxstatus::ingest;

namespace {

std::string HexHmacSha256(std::string_view key, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static const unsigned char kEmpty = 0;
  const auto* bytes = body.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(body.data());
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes, body.size(), mac, &length);
  std::string hex;
  char two[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(two, sizeof two, "%02x", mac[i]);
    hex += two;
  }
  return hex;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t key_length = std::min<std::size_t>(data[0] % 64, size - 1);
  const std::string_view key = input.substr(1, key_length);
  std::string_view rest = input.substr(1 + key_length);
  const auto newline = rest.find('\n');
  const std::string_view header = rest.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);

  if (key.empty()) {
    bool threw = false;
    try {
      ingest::CheckHmacSignature(body, header, key);
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    FUZZ_CHECK(threw);  // an empty key would let anyone sign: a configuration error
    return 0;
  }
  const std::string other_key = std::string(key) + "\x01other";

  const ingest::AuthVerdict hmac = ingest::CheckHmacSignature(body, header, key);
  const ingest::AuthVerdict hmac_other = ingest::CheckHmacSignature(body, header, other_key);
  if (!hmac.ok) FUZZ_CHECK(!hmac.reason.empty());
  if (!hmac.ok && !hmac_other.ok) FUZZ_CHECK(hmac.reason == hmac_other.reason);
  FUZZ_CHECK(!ingest::CheckHmacSignature(body, std::nullopt, key).ok);
  FUZZ_CHECK(ingest::CheckHmacSignature(body, "sha256=" + HexHmacSha256(key, body), key).ok);

  const ingest::AuthVerdict bearer = ingest::CheckBearer(header, key);
  const ingest::AuthVerdict bearer_other = ingest::CheckBearer(header, other_key);
  if (!bearer.ok && !bearer_other.ok) FUZZ_CHECK(bearer.reason == bearer_other.reason);
  if (!IsBlank(key.front()) && !IsBlank(key.back())) {
    FUZZ_CHECK(ingest::CheckBearer("Bearer " + std::string(key), key).ok);
  }
  return 0;
}
