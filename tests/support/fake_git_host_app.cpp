#include "tests/support/fake_git_host_app.h"

#include <stdexcept>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include <cereal/external/base64.hpp>

#include "core/compact_json.h"
#include "core/rfc3339.h"
#include "tests/support/fake_git_host.h"

namespace fluxstatus::testing::fake {
namespace {

using ingest::HttpResponse;

bool EqualNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Checks a GitHub App JWT the way GitHub does: RS256 over "header.claims" with the app's
// public key, iss naming the app, and a lifetime of at most 10 minutes.
bool VerifyAppJwt(const std::string& jwt, const std::string& public_key_pem, const std::string& app_id) {
  const auto dot1 = jwt.find('.');
  const auto dot2 = dot1 == std::string::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string::npos) return false;
  rapidjson::Document header, claims;
  const std::string header_json = DecodeBase64Url(jwt.substr(0, dot1));
  const std::string claims_json = DecodeBase64Url(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  header.Parse(header_json.c_str());
  claims.Parse(claims_json.c_str());
  const bool parsed = !header.HasParseError() && header.IsObject() && !claims.HasParseError() && claims.IsObject();
  if (!parsed || !header.HasMember("alg") || header["alg"] != "RS256") return false;
  const auto int_claim = [&](const char* name) -> std::optional<std::int64_t> {
    if (!claims.HasMember(name) || !claims[name].IsInt64()) return std::nullopt;
    return claims[name].GetInt64();
  };
  const auto iat = int_claim("iat"), exp = int_claim("exp");
  if (!iat || !exp || *exp <= *iat || *exp - *iat > 660) return false;
  if (!claims.HasMember("iss") || !claims["iss"].IsString() || claims["iss"].GetString() != app_id) return false;

  std::unique_ptr<BIO, int (*)(BIO*)> bio(
      BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr),
                                                     &EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const std::string signature = DecodeBase64Url(jwt.substr(dot2 + 1));
  const bool ok = key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                   signature.size(), reinterpret_cast<const unsigned char*>(jwt.data()), dot2) == 1;
  ERR_clear_error();
  return ok;
}

HttpResponse Token(const GitHubApp& app, const std::string& installation_id) {
  const bool installed = app.installations.empty() ||
                         std::any_of(app.installations.begin(), app.installations.end(),
                                     [&](const AppInstallation& i) { return std::to_string(i.id) == installation_id; });
  if (!installed) return MessageAnswer(404, "Not Found");
  HttpResponse r;
  r.status = 201;
  r.body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("token", app.token),
       cereal::make_nvp("expires_at", core::FormatRfc3339Millis(app.expires_at_s * 1000)));
    ar.setNextName("permissions");
    ar.startNode();
    ar(cereal::make_nvp("statuses", std::string("write")));
    ar.finishNode();
    ar(cereal::make_nvp("repository_selection", std::string("all")));
  });
  return r;
}

// GET orgs/{owner}/installation (organization) or users/{owner}/installation.
HttpResponse Installation(const GitHubApp& app, const std::string& owner, bool organization) {
  const auto found = std::find_if(app.installations.begin(), app.installations.end(), [&](const AppInstallation& i) {
    return i.organization == organization && EqualNoCase(i.owner, owner);
  });
  if (found == app.installations.end()) return MessageAnswer(404, "Not Found");
  HttpResponse r;
  r.status = 200;
  r.body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("id", found->id));
    ar.setNextName("account");
    ar.startNode();
    ar(cereal::make_nvp("login", found->owner),
       cereal::make_nvp("type", std::string(organization ? "Organization" : "User")));
    ar.finishNode();
    ar(cereal::make_nvp("target_type", std::string(organization ? "Organization" : "User")),
       cereal::make_nvp("repository_selection", std::string("all")));
  });
  return r;
}

}  // namespace

std::optional<HttpResponse> AnswerGitHubApp(const ApiRequest& request, const std::string* authorization,
                                            const std::optional<GitHubApp>& app) {
  const auto& s = request.segments;
  const std::size_t b = s.size() >= 2 && s[0] == "api" && s[1] == "v3" ? 2 : 0;
  const std::size_t n = s.size() - b;
  const auto at = [&](std::size_t i) -> std::string_view { return b + i < s.size() ? s[b + i] : std::string_view(); };
  const bool token =
      request.method == "POST" && n == 4 && at(0) == "app" && at(1) == "installations" && at(3) == "access_tokens";
  const bool lookup =
      request.method == "GET" && n == 3 && (at(0) == "orgs" || at(0) == "users") && at(2) == "installation";
  if (!token && !lookup) return std::nullopt;
  if (!app) return MessageAnswer(404, "Not Found");
  const bool bearer = authorization != nullptr && authorization->size() > 7 &&
                      EqualNoCase(std::string_view(*authorization).substr(0, 7), "Bearer ");
  if (!bearer || !VerifyAppJwt(authorization->substr(7), app->public_key_pem, app->id)) {
    return MessageAnswer(401, "A JSON web token could not be decoded");
  }
  if (token) return Token(*app, std::string(at(2)));
  return Installation(*app, std::string(at(1)), at(0) == "orgs");
}

}  // namespace fluxstatus::testing::fake

namespace fluxstatus::testing {

GitHubAppKeys MakeGitHubAppKeys() {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  if (!key) throw std::runtime_error("EVP_RSA_gen(2048) failed");
  const auto pem = [&](bool is_private) {
    std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    const int ok = is_private ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                              : PEM_write_bio_PUBKEY(bio.get(), key.get());
    if (ok != 1) throw std::runtime_error("writing a PEM key failed");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  };
  return GitHubAppKeys{pem(true), pem(false)};
}

std::string DecodeBase64Url(std::string text) {
  for (char& c : text) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  while (text.size() % 4 != 0) text += '=';
  return cereal::base64::decode(text);
}

}  // namespace fluxstatus::testing
