// Token sources: file rotation (rename, Kubernetes symlink swap, in-place rewrite), the
// environment, and the GitHub App flow against the fake host, which verifies the JWT.
#include "dispatch/token_source.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "core/compact_json.h"
#include "tests/support/fake_git_host.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace dispatch = fluxstatus::dispatch;
namespace fs = std::filesystem;
using fluxstatus::testing::DecodeBase64Url;
using fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::GitHubAppKeys;
using fluxstatus::testing::MakeGitHubAppKeys;
using fluxstatus::testing::TempDir;
using fluxstatus::testing::WriteFile;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;  // any fixed "now": sources never read the clock

// Writes via a new file and rename(), as editors and secret managers do (new inode).
void Replace(const std::string& path, const std::string& content) {
  WriteFile(path + ".new", content);
  fs::rename(path + ".new", path);
}

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no exception)";
}

// One RSA key pair for the whole suite: generation is the slow part under ASan.
// One key pair for the whole suite: generating RSA keys is slow.
const GitHubAppKeys& AppKeys() {
  static const GitHubAppKeys keys = MakeGitHubAppKeys();
  return keys;
}

struct AppFixture {
  TempDir dir;
  FakeGitHost host;
  dispatch::CurlTransport transport{dispatch::TransportOptions{}};
  std::string key_file = dir.File("app.pem");
  int token_requests = 0;

  AppFixture() {
    WriteFile(key_file, AppKeys().private_pem);
    host.SetGitHubApp("4242", AppKeys().public_pem, "ghs_first", kNow + 3600);
  }
  std::unique_ptr<dispatch::GitHubAppTokenSource> Source(const std::string& api_base) {
    return Make({"4242", "77", "", key_file, api_base});
  }
  // The installation found by the account it is installed on.
  std::unique_ptr<dispatch::GitHubAppTokenSource> ByOwner(const std::string& owner, const std::string& api_base) {
    return Make({"4242", "", owner, key_file, api_base});
  }
  std::unique_ptr<dispatch::GitHubAppTokenSource> Make(dispatch::GitHubAppSettings settings) {
    const auto send = [this](const dispatch::HttpCall& call) {
      ++token_requests;
      return transport.Send(call);
    };
    return std::make_unique<dispatch::GitHubAppTokenSource>(std::move(settings), send);
  }
  std::vector<std::string> Targets() const {
    std::vector<std::string> out;
    for (const auto& r : host.Requests()) out.push_back(r.method + " " + r.target);
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(FileTokenSource)

BOOST_AUTO_TEST_CASE(returns_the_trimmed_token_and_the_username) {
  TempDir dir;
  WriteFile(dir.File("token"), "  \tghp_abc123 \r\n\n");
  dispatch::FileTokenSource source(dir.File("token"), "bot");
  const auto creds = source.Get(kNow);
  BOOST_TEST(creds.token == "ghp_abc123");
  BOOST_TEST(creds.username == "bot");
}

BOOST_AUTO_TEST_CASE(rereads_a_replaced_file_on_the_next_get) {
  TempDir dir;
  const std::string path = dir.File("token");
  WriteFile(path, "first\n");
  dispatch::FileTokenSource source(path, "");
  BOOST_TEST(source.Get(kNow).token == "first");
  Replace(path, "second\n");
  BOOST_TEST(source.Get(kNow).token == "second");
  WriteFile(path, "third-longer\n");  // in place, different size
  BOOST_TEST(source.Get(kNow).token == "third-longer");
}

BOOST_AUTO_TEST_CASE(follows_a_kubernetes_secret_symlink_swap) {
  // Kubernetes mounts token -> ..data/token, ..data -> ..<timestamp>/, and rotates by
  // atomically renaming a new ..data symlink over the old one.
  TempDir dir;
  fs::create_directory(dir.path() / "..v1");
  fs::create_directory(dir.path() / "..v2");
  WriteFile(dir.File("..v1/token"), "old-token\n");
  WriteFile(dir.File("..v2/token"), "new-token\n");
  fs::create_directory_symlink("..v1", dir.path() / "..data");
  fs::create_symlink("..data/token", dir.path() / "token");
  dispatch::FileTokenSource source(dir.File("token"), "");
  BOOST_TEST(source.Get(kNow).token == "old-token");

  fs::create_directory_symlink("..v2", dir.path() / "..data_tmp");
  fs::rename(dir.path() / "..data_tmp", dir.path() / "..data");
  BOOST_TEST(source.Get(kNow + 1).token == "new-token");
}

BOOST_AUTO_TEST_CASE(an_in_place_rewrite_of_the_same_size_is_seen_within_a_minute) {
  TempDir dir;
  const std::string path = dir.File("token");
  WriteFile(path, "aaaa");
  dispatch::FileTokenSource source(path, "");
  BOOST_TEST(source.Get(kNow).token == "aaaa");
  WriteFile(path, "bbbb");  // may keep size, inode and (within one clock tick) mtime
  const std::string soon = source.Get(kNow + 1).token;
  BOOST_TEST((soon == "aaaa" || soon == "bbbb"));
  BOOST_TEST(source.Get(kNow + dispatch::FileTokenSource::kRereadSeconds).token == "bbbb");
}

BOOST_AUTO_TEST_CASE(throws_naming_the_file_when_missing_or_blank) {
  TempDir dir;
  dispatch::FileTokenSource missing(dir.File("nope"), "");
  const std::string error = ErrorOf([&] { missing.Get(kNow); });
  BOOST_TEST(error.find(dir.File("nope")) != std::string::npos, error);
  BOOST_TEST(error.find("No such file") != std::string::npos, error);

  WriteFile(dir.File("blank"), " \n\t\n");
  dispatch::FileTokenSource blank(dir.File("blank"), "");
  BOOST_CHECK_THROW(blank.Get(kNow), std::runtime_error);

  WriteFile(dir.File("gone"), "secret-value");
  dispatch::FileTokenSource gone(dir.File("gone"), "");
  BOOST_TEST(gone.Get(kNow).token == "secret-value");
  fs::remove(dir.File("gone"));
  const std::string gone_error = ErrorOf([&] { gone.Get(kNow); });
  BOOST_TEST(gone_error.find("secret-value") == std::string::npos, gone_error);
  BOOST_TEST(gone_error != "(no exception)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(EnvTokenSource)

BOOST_AUTO_TEST_CASE(reads_and_trims_the_variable_and_throws_when_unset) {
  ::setenv("FLUXSTATUS_TEST_TOKEN", " glpat-xyz\n", 1);
  dispatch::EnvTokenSource source("FLUXSTATUS_TEST_TOKEN", "oauth2");
  const auto creds = source.Get(kNow);
  BOOST_TEST(creds.token == "glpat-xyz");
  BOOST_TEST(creds.username == "oauth2");
  ::unsetenv("FLUXSTATUS_TEST_TOKEN");
  const std::string error = ErrorOf([&] { source.Get(kNow); });
  BOOST_TEST(error.find("FLUXSTATUS_TEST_TOKEN") != std::string::npos, error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(GitHubAppTokenSource)

BOOST_FIXTURE_TEST_CASE(mints_a_token_with_a_signed_jwt_and_caches_it, AppFixture) {
  auto source = Source(host.BaseUrl());
  BOOST_TEST(source->Get(kNow).token == "ghs_first");
  BOOST_TEST(source->Get(kNow + 1000).token == "ghs_first");
  BOOST_TEST(source->Get(kNow + 3600 - 301).token == "ghs_first");
  BOOST_TEST(token_requests == 1);

  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 1u);
  const auto& r = requests[0];
  BOOST_TEST(r.method == "POST");
  BOOST_TEST(r.target == "/app/installations/77/access_tokens");
  BOOST_TEST_REQUIRE(r.Header("accept") != nullptr);
  BOOST_TEST(r.Header("accept")->find("application/vnd.github+json") != std::string::npos);
  BOOST_TEST_REQUIRE(r.Header("authorization") != nullptr);
  const std::string jwt = r.Header("authorization")->substr(std::string("Bearer ").size());
  const auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
  BOOST_TEST_REQUIRE(dot1 != dot2);
  BOOST_TEST(jwt.find_first_of("+/=") == std::string::npos);  // base64url without padding
  rapidjson::Document header, claims;
  header.Parse(DecodeBase64Url(jwt.substr(0, dot1)).c_str());
  claims.Parse(DecodeBase64Url(jwt.substr(dot1 + 1, dot2 - dot1 - 1)).c_str());
  BOOST_TEST_REQUIRE((header.IsObject() && claims.IsObject()));
  BOOST_TEST(std::string(header["alg"].GetString()) == "RS256");
  BOOST_TEST(std::string(header["typ"].GetString()) == "JWT");
  BOOST_TEST(claims["iat"].GetInt64() == kNow - 60);
  BOOST_TEST(claims["exp"].GetInt64() == kNow + 540);
  BOOST_TEST(std::string(claims["iss"].GetString()) == "4242");
}

BOOST_FIXTURE_TEST_CASE(refreshes_five_minutes_before_expiry, AppFixture) {
  auto source = Source(host.BaseUrl() + "/api/v3");  // GHES layout
  BOOST_TEST(source->Get(kNow).token == "ghs_first");
  host.SetGitHubApp("4242", AppKeys().public_pem, "ghs_second", kNow + 7200);
  BOOST_TEST(source->Get(kNow + 3600 - 301).token == "ghs_first");
  BOOST_TEST(source->Get(kNow + 3600 - 300).token == "ghs_second");
  BOOST_TEST(source->Get(kNow + 3600 + 60).token == "ghs_second");
  BOOST_TEST(token_requests == 2);
  const auto requests = host.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(requests[1].target == "/api/v3/app/installations/77/access_tokens");
}

BOOST_FIXTURE_TEST_CASE(a_rejected_jwt_throws_without_secrets_and_is_retried, AppFixture) {
  host.SetGitHubApp("4242", AppKeys().public_pem, "ghs_first", kNow + 3600);
  auto source = Source(host.BaseUrl());
  host.FailNext(1, 401, {}, fluxstatus::core::CompactJson([](cereal::JSONOutputArchive& ar) {
                  ar(cereal::make_nvp("message", std::string("A JSON web token could not be decoded")));
                }));
  const std::string error = ErrorOf([&] { source->Get(kNow); });
  BOOST_TEST(error.find("HTTP 401") != std::string::npos, error);
  BOOST_TEST(error.find("A JSON web token could not be decoded") != std::string::npos, error);
  BOOST_TEST(error.find("4242") != std::string::npos, error);
  BOOST_TEST(error.find("Bearer") == std::string::npos, error);
  BOOST_TEST(error.find("eyJ") == std::string::npos, error);  // no JWT (base64 of '{"')
  BOOST_TEST(error.find("PRIVATE KEY") == std::string::npos, error);
  BOOST_TEST(source->Get(kNow).token == "ghs_first");  // nothing cached from the failure
}

BOOST_FIXTURE_TEST_CASE(a_jwt_signed_with_another_key_is_refused_by_the_host, AppFixture) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> other(EVP_RSA_gen(2048), &EVP_PKEY_free);
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  BOOST_TEST_REQUIRE(PEM_write_bio_PUBKEY(bio.get(), other.get()) == 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  host.SetGitHubApp("4242", std::string(data, static_cast<std::size_t>(size)), "ghs_first", kNow + 3600);
  auto source = Source(host.BaseUrl());
  const std::string error = ErrorOf([&] { source->Get(kNow); });
  BOOST_TEST(error.find("HTTP 401") != std::string::npos, error);
}

BOOST_FIXTURE_TEST_CASE(a_transport_failure_throws_and_the_next_get_retries, AppFixture) {
  auto source = Source(host.BaseUrl());
  host.SetDown(true);
  const std::string error = ErrorOf([&] { source->Get(kNow); });
  BOOST_TEST(error.find("token request failed") != std::string::npos, error);
  host.SetDown(false);
  BOOST_TEST(source->Get(kNow).token == "ghs_first");
}

BOOST_FIXTURE_TEST_CASE(an_answer_without_expires_at_throws, AppFixture) {
  auto source = Source(host.BaseUrl());
  host.FailNext(1, 201, {}, fluxstatus::core::CompactJson([](cereal::JSONOutputArchive& ar) {
                  ar(cereal::make_nvp("token", std::string("ghs_no_expiry")));
                }));
  const std::string error = ErrorOf([&] { source->Get(kNow); });
  BOOST_TEST(error.find("expires_at") != std::string::npos, error);
  BOOST_TEST(error.find("ghs_no_expiry") == std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(construction_checks_the_key_file_and_the_installation) {
  TempDir dir;
  const auto send = [](const dispatch::HttpCall&) { return dispatch::TransportResult{}; };
  const auto make = [&](std::string id, std::string owner, std::string key) {
    return ErrorOf([&] { dispatch::GitHubAppTokenSource({"1", id, owner, dir.File(key), "x"}, send); });
  };
  WriteFile(dir.File("bad.pem"), "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
  const std::string bad = make("2", "", "bad.pem");
  BOOST_TEST(bad.find(dir.File("bad.pem")) != std::string::npos, bad);
  BOOST_TEST(bad.find("not a key") == std::string::npos, bad);
  const std::string missing = make("2", "", "none.pem");
  BOOST_TEST(missing.find("cannot open") != std::string::npos, missing);
  WriteFile(dir.File("good.pem"), AppKeys().private_pem);
  const std::string id = make("12/../3", "", "good.pem");
  BOOST_TEST(id.find("github_installation_id") != std::string::npos, id);
  const std::string owner = make("", "acme/../x", "good.pem");
  BOOST_TEST(owner.find("github_app_installation_owner 'acme/../x'") != std::string::npos, owner);
  for (const auto& [i, o] : {std::pair{"", ""}, std::pair{"2", "acme"}}) {
    const std::string neither_or_both = make(i, o, "good.pem");
    BOOST_TEST(
        neither_or_both.find("one of github_installation_id and github_app_installation_owner") != std::string::npos,
        neither_or_both);
  }
  BOOST_TEST(make("", "octo-org_1", "good.pem") == "(no exception)");
}

BOOST_FIXTURE_TEST_CASE(an_installation_on_an_organization_is_found_by_owner_once_and_its_tokens_minted, AppFixture) {
  host.InstallGitHubApp("acme", /*organization=*/true, 9001);
  auto source = ByOwner("acme", host.BaseUrl() + "/api/v3/");  // GHES layout, trailing '/'
  BOOST_TEST(source->Get(kNow).token == "ghs_first");
  host.SetGitHubApp("4242", AppKeys().public_pem, "ghs_second", kNow + 7200);
  BOOST_TEST(source->Get(kNow + 3600 - 300).token == "ghs_second");  // the refresh reuses the id
  BOOST_TEST(Targets() == (std::vector<std::string>{"GET /api/v3/orgs/acme/installation",
                                                    "POST /api/v3/app/installations/9001/access_tokens",
                                                    "POST /api/v3/app/installations/9001/access_tokens"}));
  const auto requests = host.Requests();
  const std::string* auth = requests.at(0).Header("authorization");
  BOOST_TEST_REQUIRE(auth != nullptr);
  BOOST_TEST(auth->rfind("Bearer ey", 0) == 0u, *auth);  // the App's JWT, as for the token
}

BOOST_FIXTURE_TEST_CASE(an_owner_that_is_no_organization_is_looked_up_as_a_user, AppFixture) {
  host.InstallGitHubApp("octo-user", /*organization=*/false, 31);
  auto source = ByOwner("octo-user", host.BaseUrl());
  BOOST_TEST(source->Get(kNow).token == "ghs_first");
  BOOST_TEST(Targets() ==
             (std::vector<std::string>{"GET /orgs/octo-user/installation", "GET /users/octo-user/installation",
                                       "POST /app/installations/31/access_tokens"}));
}

BOOST_FIXTURE_TEST_CASE(an_owner_without_the_app_is_an_error_naming_the_owner_and_the_fix, AppFixture) {
  host.InstallGitHubApp("acme", /*organization=*/true, 9001);
  auto source = ByOwner("acme-typo", host.BaseUrl());
  const std::string error = ErrorOf([&] { source->Get(kNow); });
  BOOST_TEST(error.find("GitHub App 4242 is not installed on 'acme-typo'") != std::string::npos, error);
  const std::string urls = host.BaseUrl() + "/orgs/acme-typo/installation and /users/acme-typo/installation";
  BOOST_TEST(error.find(urls + " answered 404") != std::string::npos, error);
  BOOST_TEST(error.find("install the App on that organization or user, or correct github_app_installation_owner") !=
                 std::string::npos,
             error);
  BOOST_TEST(error.find("eyJ") == std::string::npos, error);     // no JWT
  BOOST_TEST(token_requests == 2);                               // no token request without an id
  BOOST_CHECK_THROW(source->Get(kNow + 1), std::runtime_error);  // looked up again, not cached
  BOOST_TEST(token_requests == 4);
}

BOOST_FIXTURE_TEST_CASE(a_refused_lookup_names_the_status_and_the_host_message, AppFixture) {
  host.InstallGitHubApp("acme", /*organization=*/true, 9001);
  auto source = ByOwner("acme", host.BaseUrl());
  host.FailNext(1, 401, {}, R"({"message":"'Expiration time' claim ('exp') is too far in the future"})");
  const std::string error = ErrorOf([&] { source->Get(kNow); });
  BOOST_TEST(error.find("GitHub App 4242: finding its installation on 'acme': GET " + host.BaseUrl() +
                        "/orgs/acme/installation answered HTTP 401: 'Expiration time' claim") != std::string::npos,
             error);
  BOOST_TEST(token_requests == 1);                     // a 401 is no reason to try the user account
  BOOST_TEST(source->Get(kNow).token == "ghs_first");  // and the next Get tries again
}

BOOST_FIXTURE_TEST_CASE(an_installation_gone_from_its_owner_is_looked_up_again, AppFixture) {
  // Uninstalled and installed again: the same owner, a new installation id.
  host.InstallGitHubApp("acme", /*organization=*/true, 9001);
  auto source = ByOwner("acme", host.BaseUrl());
  BOOST_TEST(source->Get(kNow).token == "ghs_first");
  host.FailNext(1, 404, {}, R"({"message":"Not Found"})");  // the token request for 9001
  const std::string error = ErrorOf([&] { source->Get(kNow + 3600); });
  BOOST_TEST(error.find("installation 9001: token request answered HTTP 404: Not Found") != std::string::npos, error);
  BOOST_TEST(source->Get(kNow + 3600).token == "ghs_first");
  BOOST_TEST(Targets() ==
             (std::vector<std::string>{"GET /orgs/acme/installation", "POST /app/installations/9001/access_tokens",
                                       "POST /app/installations/9001/access_tokens", "GET /orgs/acme/installation",
                                       "POST /app/installations/9001/access_tokens"}));
}

BOOST_AUTO_TEST_SUITE_END()
