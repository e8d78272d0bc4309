#include "ingest/request_auth.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace fluxstatus::ingest {
namespace {

using Digest = std::array<unsigned char, EVP_MAX_MD_SIZE>;

// The longest algorithm name echoed back in a reason; longer or odd names are not repeated,
// so a client cannot stuff arbitrary text into our logs.
constexpr std::size_t kMaxEchoedAlgorithmLength = 16;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

struct Algorithm {
  std::string_view name;  // as written in X-Signature, lower case
  const EVP_MD* (*md)();
};

constexpr std::array<Algorithm, 5> kAlgorithms{{
    {"sha1", &EVP_sha1},
    {"sha224", &EVP_sha224},
    {"sha256", &EVP_sha256},
    {"sha384", &EVP_sha384},
    {"sha512", &EVP_sha512},
}};

const Algorithm* FindAlgorithm(std::string_view name) {
  for (const Algorithm& algorithm : kAlgorithms) {
    if (EqualsIgnoreCase(name, algorithm.name)) return &algorithm;
  }
  return nullptr;
}

std::string UnsupportedAlgorithmReason(std::string_view name) {
  const bool printable =
      !name.empty() && name.size() <= kMaxEchoedAlgorithmLength && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
  return printable ? "unsupported signature algorithm " + std::string(name)
                   : std::string("unsupported signature algorithm");
}

// HMAC(md, key, body). Throws std::runtime_error if OpenSSL fails, which only happens when the
// library itself is broken (e.g. a FIPS provider refusing the digest).
unsigned int Hmac(const EVP_MD* md, std::string_view key, std::string_view body, Digest& out) {
  static const unsigned char kEmpty = 0;
  unsigned int length = 0;
  const auto* data = body.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(body.data());
  if (HMAC(md, key.data(), static_cast<int>(key.size()), data, body.size(), out.data(), &length) == nullptr) {
    throw std::runtime_error("OpenSSL HMAC failed");
  }
  return length;
}

bool MacMatches(const EVP_MD* md, std::string_view key, std::string_view body, const unsigned char* expected,
                std::size_t expected_length) {
  Digest mac{};
  const unsigned int length = Hmac(md, key, body, mac);
  return length == expected_length && CRYPTO_memcmp(mac.data(), expected, length) == 0;
}

// The key without one trailing "\r\n" or "\n", or std::nullopt when it has none.
std::optional<std::string_view> KeyWithoutLineEnding(std::string_view key) {
  if (key.ends_with("\r\n")) return key.substr(0, key.size() - 2);
  if (key.ends_with('\n')) return key.substr(0, key.size() - 1);
  return std::nullopt;
}

AuthVerdict Refuse(std::string reason) { return AuthVerdict{false, std::move(reason)}; }

}  // namespace

AuthVerdict CheckHmacSignature(std::string_view body, std::optional<std::string_view> x_signature,
                               std::string_view key) {
  if (key.empty()) throw std::invalid_argument("HMAC key is empty");
  if (!x_signature) return Refuse("X-Signature is missing");

  const std::string_view header = *x_signature;
  const auto equals = header.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return Refuse("X-Signature is not of the form <algorithm>=<hex digest>");
  }
  const std::string_view algorithm_name = header.substr(0, equals);
  const Algorithm* algorithm = FindAlgorithm(algorithm_name);
  if (algorithm == nullptr) return Refuse(UnsupportedAlgorithmReason(algorithm_name));
  const EVP_MD* md = algorithm->md();

  // OpenSSL decodes the hex (either case) and fails on odd lengths, non-hex characters and
  // digests longer than the buffer. The NUL check keeps c_str() from cutting the value short.
  const std::string hex(header.substr(equals + 1));
  const auto expected_length = static_cast<std::size_t>(EVP_MD_get_size(md));
  Digest expected{};
  std::size_t decoded_length = 0;
  if (hex.find('\0') != std::string::npos ||
      OPENSSL_hexstr2buf_ex(expected.data(), expected.size(), &decoded_length, hex.c_str(), '\0') != 1 ||
      decoded_length != expected_length) {
    ERR_clear_error();  // a malformed header is the client's problem, not a library error
    return Refuse("X-Signature is not a valid " + std::string(algorithm->name) + " digest (expected " +
                  std::to_string(expected_length * 2) + " hex digits)");
  }

  if (MacMatches(md, key, body, expected.data(), expected_length)) return AuthVerdict{true, {}};
  if (const auto trimmed = KeyWithoutLineEnding(key);
      trimmed && !trimmed->empty() && MacMatches(md, *trimmed, body, expected.data(), expected_length)) {
    return AuthVerdict{true, {}};
  }
  return Refuse("X-Signature does not match");
}

bool VerifyHmacSignature(std::string_view body, std::string_view x_signature_header, std::string_view key) {
  return CheckHmacSignature(body, x_signature_header, key).ok;
}

AuthVerdict CheckBearer(std::optional<std::string_view> authorization, std::string_view token) {
  if (token.empty()) throw std::invalid_argument("bearer token is empty");
  if (!authorization) return Refuse("Authorization is missing");

  constexpr std::string_view kScheme = "Bearer";
  const std::string_view value = *authorization;
  if (value.size() <= kScheme.size() || !EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return Refuse("Authorization is not a Bearer token");
  }
  std::string_view presented = value.substr(kScheme.size());
  presented.remove_prefix(std::min(presented.find_first_not_of(" \t"), presented.size()));

  // Comparing SHA-256 digests keeps the comparison constant-time even when the lengths differ,
  // so a timing probe learns neither the token nor its length.
  Digest want{}, got{};
  unsigned int want_length = 0, got_length = 0;
  if (EVP_Digest(token.data(), token.size(), want.data(), &want_length, EVP_sha256(), nullptr) != 1 ||
      EVP_Digest(presented.data(), presented.size(), got.data(), &got_length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  if (CRYPTO_memcmp(want.data(), got.data(), want_length) == 0) return AuthVerdict{true, {}};
  return Refuse("bearer token does not match");
}

bool VerifyBearer(std::string_view authorization_header, std::string_view token) {
  return CheckBearer(authorization_header, token).ok;
}

}  // namespace fluxstatus::ingest
