// X-Signature and Bearer checks: Flux's own vector, the project's twelve wire samples, every
// supported algorithm, the trailing-newline key rule, and the refusals with their reasons.
#include "ingest/request_auth.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "tests/support/wire_signatures.h"

namespace fluxstatus::ingest {
namespace {

// fluxcd/notification-controller forwarder_test.go TestForwarder_Post, see
// flux-notification-controller.md §1.3.
constexpr std::string_view kFluxKey = "7152fed34dd6149a7c75a276c510da27cb6f82b0";
constexpr std::string_view kFluxBody =
    R"({"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp"},)"
    R"("severity":"info","timestamp":"2022-09-30T06:40:29Z","message":"message","reason":"reason",)"
    R"("metadata":{"test":"metadata"},"reportingController":"source-controller",)"
    R"("reportingInstance":"source-controller-xyz"})";
constexpr std::string_view kFluxSha256 = "sha256=65b018549b1254e7226d1c08f9567ee45bc9de0fc4e7b1a40253f9a018b08be7";

// Computed with `openssl dgst -<alg> -hmac <key>` when the test was written.
constexpr std::string_view kFluxSha1 = "sha1=b6792671e769e3074b0a7a6fbe1c68b05652283a";
constexpr std::string_view kFluxSha224 = "sha224=6e6211e84fb1c4ca63c7d8b297e5356e8947e6bcdcf140e163d8a5b6";
constexpr std::string_view kFluxSha384 =
    "sha384=050905b137839dfca52befc2dcf8d601de980d84d9659f10e98cf2d0d64ecfa872bb89bd96d515caaeb3"
    "5e462c493ef1";
constexpr std::string_view kFluxSha512 =
    "sha512=adcb78591691a4f5239504d5ca0770fcfe92bf2dca3180e42fc282d3abe7d4e3edad99944cc10ddb11c7"
    "0484fad35c02402e1f713767d2ad32d4674cf18b4330";
// The same body keyed with kFluxKey + "\n" and kFluxKey + "\r\n".
constexpr std::string_view kFluxSha256KeyLf = "sha256=e053e98167fc8fc4a2633cfa1c56007b678262a9022cfa38fadae65c58a7b00f";
constexpr std::string_view kFluxSha256KeyCrLf =
    "sha256=4e8a123fe8d8cf10227f0f770d82bed6fc22e43103802f1201565b97a5809a76";

using fluxstatus::testing::kWireSampleHmacKey;
using fluxstatus::testing::kWireSampleSignatures;

const std::filesystem::path kWireDir = std::filesystem::path(FLUXSTATUS_FIXTURES_DIR) / "samples/wire";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A signature with its last hex digit changed.
std::string Flipped(std::string_view signature) {
  std::string out(signature);
  out.back() = out.back() == '0' ? '1' : '0';
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(RequestAuthTest)

BOOST_AUTO_TEST_CASE(flux_vector_verifies) {
  const AuthVerdict verdict = CheckHmacSignature(kFluxBody, kFluxSha256, kFluxKey);
  BOOST_TEST(verdict.ok);
  BOOST_TEST(verdict.reason.empty());
  BOOST_TEST(VerifyHmacSignature(kFluxBody, kFluxSha256, kFluxKey));
}

BOOST_AUTO_TEST_CASE(all_twelve_wire_samples_verify) {
  for (const auto& [file, signature] : kWireSampleSignatures) {
    const std::string body = ReadFile(kWireDir / file);
    BOOST_TEST(VerifyHmacSignature(body, signature, kWireSampleHmacKey), file);
    BOOST_TEST(!VerifyHmacSignature(body + "\n", signature, kWireSampleHmacKey), file << " plus a newline");
  }
}

BOOST_AUTO_TEST_CASE(every_supported_algorithm_verifies) {
  for (std::string_view signature : {kFluxSha1, kFluxSha224, kFluxSha256, kFluxSha384, kFluxSha512}) {
    BOOST_TEST(VerifyHmacSignature(kFluxBody, signature, kFluxKey), signature);
    BOOST_TEST(!VerifyHmacSignature(kFluxBody, Flipped(signature), kFluxKey), signature);
  }
}

BOOST_AUTO_TEST_CASE(upper_case_hex_and_algorithm_are_accepted) {
  BOOST_TEST(VerifyHmacSignature(kFluxBody, Upper(kFluxSha256), kFluxKey));
}

BOOST_AUTO_TEST_CASE(empty_body_verifies) {
  BOOST_TEST(VerifyHmacSignature("", "sha256=de83e151b8cfe2b72dcf0d98235d5f8338dc22e4a3ec81089e81ddefa84bcd55",
                                 kWireSampleHmacKey));
}

BOOST_AUTO_TEST_CASE(wrong_signature_is_refused) {
  const AuthVerdict verdict = CheckHmacSignature(kFluxBody, Flipped(kFluxSha256), kFluxKey);
  BOOST_TEST(!verdict.ok);
  BOOST_TEST(verdict.reason == "X-Signature does not match");
}

BOOST_AUTO_TEST_CASE(wrong_key_is_refused) {
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, kFluxSha256, kWireSampleHmacKey));
}

BOOST_AUTO_TEST_CASE(tampered_body_is_refused) {
  std::string body(kFluxBody);
  body[body.find("info")] = 'I';
  BOOST_TEST(!VerifyHmacSignature(body, kFluxSha256, kFluxKey));
}

BOOST_AUTO_TEST_CASE(digest_of_the_wrong_length_is_refused) {
  const std::string truncated(kFluxSha256.substr(0, kFluxSha256.size() - 2));
  const AuthVerdict verdict = CheckHmacSignature(kFluxBody, truncated, kFluxKey);
  BOOST_TEST(!verdict.ok);
  BOOST_TEST(verdict.reason == "X-Signature is not a valid sha256 digest (expected 64 hex digits)");
  // A SHA-1-sized digest labelled sha256.
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, "sha256=" + std::string(kFluxSha1.substr(5)), kFluxKey));
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, std::string(kFluxSha256) + "00", kFluxKey));
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, "sha256=", kFluxKey));
}

BOOST_AUTO_TEST_CASE(malformed_hex_is_refused) {
  std::string odd(kFluxSha256);
  odd.pop_back();
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, odd, kFluxKey));
  std::string not_hex(kFluxSha256);
  not_hex[10] = 'g';
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, not_hex, kFluxKey));
  // OpenSSL's default separator must not be accepted either.
  std::string with_colon(kFluxSha256);
  with_colon.insert(9, ":");
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, with_colon, kFluxKey));
  std::string with_nul(kFluxSha256);
  with_nul += std::string_view("\0", 1);
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, with_nul, kFluxKey));
}

BOOST_AUTO_TEST_CASE(unknown_algorithm_is_refused_with_its_name) {
  const AuthVerdict md5 = CheckHmacSignature(kFluxBody, "md5=0123456789abcdef0123456789abcdef", kFluxKey);
  BOOST_TEST(!md5.ok);
  BOOST_TEST(md5.reason == "unsupported signature algorithm md5");
  // A name that is not a plain token is not echoed into logs.
  const AuthVerdict odd = CheckHmacSignature(kFluxBody, "x\ny z=00", kFluxKey);
  BOOST_TEST(odd.reason == "unsupported signature algorithm");
}

BOOST_AUTO_TEST_CASE(missing_or_formless_header_is_refused) {
  const AuthVerdict missing = CheckHmacSignature(kFluxBody, std::nullopt, kFluxKey);
  BOOST_TEST(!missing.ok);
  BOOST_TEST(missing.reason == "X-Signature is missing");
  const std::string bare_hex(kFluxSha256.substr(7));
  const AuthVerdict bare = CheckHmacSignature(kFluxBody, bare_hex, kFluxKey);
  BOOST_TEST(bare.reason == "X-Signature is not of the form <algorithm>=<hex digest>");
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, "", kFluxKey));
}

BOOST_AUTO_TEST_CASE(empty_key_is_a_configuration_error) {
  BOOST_CHECK_THROW(CheckHmacSignature(kFluxBody, kFluxSha256, ""), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(key_ending_in_newline_accepts_signatures_with_and_without_it) {
  const std::string lf = std::string(kFluxKey) + "\n";
  const std::string crlf = std::string(kFluxKey) + "\r\n";
  BOOST_TEST(VerifyHmacSignature(kFluxBody, kFluxSha256, lf));       // signed without it
  BOOST_TEST(VerifyHmacSignature(kFluxBody, kFluxSha256KeyLf, lf));  // signed with it
  BOOST_TEST(VerifyHmacSignature(kFluxBody, kFluxSha256, crlf));
  BOOST_TEST(VerifyHmacSignature(kFluxBody, kFluxSha256KeyCrLf, crlf));
  BOOST_TEST(VerifyHmacSignature(kFluxBody, kFluxSha1, lf));  // for every algorithm
}

BOOST_AUTO_TEST_CASE(key_without_newline_refuses_signatures_made_with_one) {
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, kFluxSha256KeyLf, kFluxKey));
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, kFluxSha256KeyCrLf, kFluxKey));
  // Only one line ending is dropped: a key ending in "\n\n" does not match the bare key.
  BOOST_TEST(!VerifyHmacSignature(kFluxBody, kFluxSha256, std::string(kFluxKey) + "\n\n"));
  BOOST_TEST(VerifyHmacSignature(kFluxBody, kFluxSha256KeyLf, std::string(kFluxKey) + "\n\n"));
}

BOOST_AUTO_TEST_CASE(reasons_never_contain_the_key_or_a_digest) {
  const std::string correct_hex(kFluxSha256.substr(7));
  for (std::string_view header :
       {std::string_view("sha256=00"), std::string_view("md5=ab"), std::string_view("garbage")}) {
    const AuthVerdict verdict = CheckHmacSignature(kFluxBody, header, kFluxKey);
    BOOST_TEST(verdict.reason.find(kFluxKey) == std::string::npos);
    BOOST_TEST(verdict.reason.find(correct_hex) == std::string::npos);
  }
  const AuthVerdict mismatch = CheckHmacSignature(kFluxBody, Flipped(kFluxSha256), kFluxKey);
  BOOST_TEST(mismatch.reason.find(correct_hex.substr(0, 16)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bearer_token_good_and_bad) {
  BOOST_TEST(VerifyBearer("Bearer s3cret-token", "s3cret-token"));
  BOOST_TEST(VerifyBearer("bearer s3cret-token", "s3cret-token"));  // scheme is case-insensitive
  BOOST_TEST(VerifyBearer("BEARER  s3cret-token", "s3cret-token"));
  const AuthVerdict wrong = CheckBearer("Bearer s3cret-tokeN", "s3cret-token");
  BOOST_TEST(!wrong.ok);
  BOOST_TEST(wrong.reason == "bearer token does not match");
  BOOST_TEST(!VerifyBearer("Bearer s3cret-toke", "s3cret-token"));    // a prefix
  BOOST_TEST(!VerifyBearer("Bearer s3cret-token2", "s3cret-token"));  // an extension
  BOOST_TEST(!VerifyBearer("Bearer s3cret-token", "S3CRET-TOKEN"));   // tokens are case-sensitive
}

BOOST_AUTO_TEST_CASE(bearer_missing_or_wrong_scheme_is_refused) {
  const AuthVerdict missing = CheckBearer(std::nullopt, "s3cret-token");
  BOOST_TEST(!missing.ok);
  BOOST_TEST(missing.reason == "Authorization is missing");
  const AuthVerdict basic = CheckBearer("Basic czNjcmV0LXRva2Vu", "s3cret-token");
  BOOST_TEST(basic.reason == "Authorization is not a Bearer token");
  BOOST_TEST(!VerifyBearer("Bearer", "s3cret-token"));
  BOOST_TEST(!VerifyBearer("Bearers3cret-token", "s3cret-token"));
  BOOST_TEST(!VerifyBearer("s3cret-token", "s3cret-token"));
  BOOST_TEST(!VerifyBearer("", "s3cret-token"));
  BOOST_TEST(basic.reason.find("s3cret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_bearer_token_is_a_configuration_error) {
  BOOST_CHECK_THROW(CheckBearer("Bearer ", ""), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::ingest
