#include "dispatch/token_source.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <cereal/external/base64.hpp>

#include "core/compact_json.h"
#include "core/rfc3339.h"
#include "core/trim.h"
#include "dispatch/request_encoding.h"
#include "store/secret_file.h"

namespace fluxstatus::dispatch {
namespace {

constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

// The whole file, at most kMaxSecretFileBytes. `what` names it in errors ("token file '…'").
std::string ReadSmallFile(const std::string& path, const std::string& what) {
  try {
    return store::ReadSecretFile(path, kMaxSecretFileBytes);
  } catch (const store::SecretFileError& e) {
    using Step = store::SecretFileError::Step;
    const char* step = e.step == Step::kOpen ? ": cannot open: " : e.step == Step::kRead ? ": cannot read: " : ": ";
    throw std::runtime_error(what + step + e.reason);
  }
}

std::string Base64Url(std::string_view bytes) {
  std::string text = cereal::base64::encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return text;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// nullptr unless `pem` holds an unencrypted RSA private key. Never prompts for a passphrase.
Pkey ParseRsaKey(const std::string& pem) {
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return nullptr;
  auto no_passphrase = [](char*, int, int, void*) -> int { return 0; };
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();  // leave no stale errors for the next OpenSSL user on this thread
  if (key && EVP_PKEY_is_a(key.get(), "RSA") != 1) key.reset();
  return key;
}

std::string RsaSha256Sign(EVP_PKEY* key, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t size = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, bytes, data.size()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("RS256 signing failed (OpenSSL)");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes, data.size()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("RS256 signing failed (OpenSSL)");
  }
  signature.resize(size);
  return signature;
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string StringField(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return {};
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// The JWT GitHub expects from `app_id` at `now_epoch_s`, RS256-signed with the PEM RSA key.
std::string SignAppJwt(const std::string& private_key_pem, const std::string& app_id, std::int64_t now_epoch_s) {
  const Pkey key = ParseRsaKey(private_key_pem);
  if (!key) throw std::runtime_error("GitHub App " + app_id + ": not an RSA private key");
  const std::string header = core::CompactJson([](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("alg", std::string("RS256")), cereal::make_nvp("typ", std::string("JWT")));
  });
  // iat 60 s back absorbs clock drift; exp 9 min ahead stays under GitHub's 10 min cap.
  const std::string claims = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("iat", now_epoch_s - 60), cereal::make_nvp("exp", now_epoch_s + 540),
       cereal::make_nvp("iss", app_id));
  });
  const std::string signing_input = Base64Url(header) + "." + Base64Url(claims);
  return signing_input + "." + Base64Url(RsaSha256Sign(key.get(), signing_input));
}

GitHubAppSettings WithoutTrailingSlash(GitHubAppSettings s) {
  s.api_base_url = s.api_base_url.substr(0, s.api_base_url.find_last_not_of('/') + 1);
  return s;
}

// A call the App makes as itself (JWT-authenticated).
HttpCall AppCall(const char* method, std::string url, const std::string& jwt) {
  HttpCall call;
  call.method = method;
  call.url = std::move(url);
  call.headers = {{"Authorization", "Bearer " + jwt},
                  {"Accept", "application/vnd.github+json, application/json"},
                  {"X-GitHub-Api-Version", "2022-11-28"}};
  return call;
}

// "HTTP 401: A JSON web token could not be decoded": the status and GitHub's message, if any.
std::string FailureText(const HttpReply& reply, const std::string& jwt) {
  rapidjson::Document doc;
  doc.Parse(reply.body.data(), reply.body.size());
  std::string message = doc.HasParseError() ? std::string() : StringField(doc, "message");
  // GitHub's messages are plain text about the request; drop one that echoes the JWT.
  if (message.find(jwt) != std::string::npos) message.clear();
  if (message.size() > 200) message = CapText(message, 200);
  return "HTTP " + std::to_string(reply.status) + (message.empty() ? "" : ": " + message);
}

}  // namespace

TokenSource::~TokenSource() = default;

// ---------------------------------------------------------------------------------------------

bool FileTokenSource::Identity::operator==(const Identity& o) const {
  return device == o.device && inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
         modified.tv_nsec == o.modified.tv_nsec && changed.tv_sec == o.changed.tv_sec &&
         changed.tv_nsec == o.changed.tv_nsec;
}

FileTokenSource::FileTokenSource(std::string path, std::string username)
    : path_(std::move(path)), username_(std::move(username)) {}

Credentials FileTokenSource::Get(std::int64_t now_epoch_s) {
  const std::string what = "token file '" + path_ + "'";
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) throw std::runtime_error(what + ": " + std::strerror(errno));
  const Identity seen{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};

  std::lock_guard lock(mu_);
  const bool stale =
      !loaded_ || !(seen == identity_) || now_epoch_s < read_at_s_ || now_epoch_s - read_at_s_ >= kRereadSeconds;
  if (stale) {
    std::string token(core::Trim(ReadSmallFile(path_, what)));
    if (token.empty()) throw std::runtime_error(what + " is empty");
    token_ = std::move(token);
    identity_ = seen;
    read_at_s_ = now_epoch_s;
    loaded_ = true;
  }
  return Credentials{token_, username_};
}

// ---------------------------------------------------------------------------------------------

EnvTokenSource::EnvTokenSource(std::string variable, std::string username)
    : variable_(std::move(variable)), username_(std::move(username)) {}

Credentials EnvTokenSource::Get(std::int64_t /*now_epoch_s*/) {
  const char* value = std::getenv(variable_.c_str());
  std::string token(value == nullptr ? std::string_view() : core::Trim(value));
  if (token.empty()) throw std::runtime_error("environment variable '" + variable_ + "' is not set or blank");
  return Credentials{std::move(token), username_};
}

// ---------------------------------------------------------------------------------------------

bool IsGitHubAccountName(std::string_view owner) {
  return !owner.empty() && owner.size() <= 100 && std::all_of(owner.begin(), owner.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

GitHubAppTokenSource::GitHubAppTokenSource(GitHubAppSettings settings, Send send)
    : settings_(WithoutTrailingSlash(std::move(settings))),
      send_(std::move(send)),
      installation_id_(settings_.installation_id) {
  const GitHubAppSettings& s = settings_;
  if (s.app_id.empty()) throw std::runtime_error("GitHub App: github_app_id is empty");
  const std::string app = "GitHub App " + s.app_id;
  if (s.installation_id.empty() == s.installation_owner.empty()) {
    throw std::runtime_error(app + ": give one of github_installation_id and github_app_installation_owner");
  }
  if (!s.installation_id.empty() && !AllDigits(s.installation_id)) {
    throw std::runtime_error(app + ": github_installation_id '" + s.installation_id + "' is not a number");
  }
  if (!s.installation_owner.empty() && !IsGitHubAccountName(s.installation_owner)) {
    throw std::runtime_error(app + ": github_app_installation_owner '" + s.installation_owner +
                             "' is not a GitHub organization or user name");
  }
  if (s.api_base_url.empty()) throw std::runtime_error(app + ": no API base URL");
  if (!send_) throw std::runtime_error(app + ": no transport");
  const std::string what = "GitHub App private key file '" + s.private_key_file + "'";
  if (!ParseRsaKey(ReadSmallFile(s.private_key_file, what))) {
    throw std::runtime_error(what + " holds no RSA private key");
  }
}

std::string GitHubAppTokenSource::FindInstallation(const std::string& jwt) {
  const std::string& owner = settings_.installation_owner;
  const std::string what = "GitHub App " + settings_.app_id + ": finding its installation on '" + owner + "'";
  for (const char* account : {"orgs", "users"}) {
    const std::string url = settings_.api_base_url + "/" + account + "/" + owner + "/installation";
    const TransportResult result = send_(AppCall("GET", url, jwt));
    if (!result.reply) throw std::runtime_error(what + ": GET " + url + " failed: " + result.error);
    const HttpReply& reply = *result.reply;
    if (reply.status == 404) continue;  // not an organization: try the user account next
    if (reply.status < 200 || reply.status > 299) {
      throw std::runtime_error(what + ": GET " + url + " answered " + FailureText(reply, jwt));
    }
    rapidjson::Document doc;
    doc.Parse(reply.body.data(), reply.body.size());
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("id") && doc["id"].IsUint64()) {
      return std::to_string(doc["id"].GetUint64());
    }
    throw std::runtime_error(what + ": GET " + url + " answered HTTP " + std::to_string(reply.status) +
                             " without a numeric id");
  }
  throw std::runtime_error("GitHub App " + settings_.app_id + " is not installed on '" + owner + "': GET " +
                           settings_.api_base_url + "/orgs/" + owner + "/installation and /users/" + owner +
                           "/installation answered 404; install the App on that organization or user, or correct "
                           "github_app_installation_owner (and, on GitHub Enterprise Server, github_app_base_url)");
}

void GitHubAppTokenSource::Refresh(std::int64_t now_epoch_s) {
  const std::string& key_file = settings_.private_key_file;
  const std::string jwt = SignAppJwt(ReadSmallFile(key_file, "GitHub App private key file '" + key_file + "'"),
                                     settings_.app_id, now_epoch_s);
  if (installation_id_.empty()) installation_id_ = FindInstallation(jwt);
  const std::string what = "GitHub App " + settings_.app_id + " installation " + installation_id_;
  const TransportResult result =
      send_(AppCall("POST", settings_.api_base_url + "/app/installations/" + installation_id_ + "/access_tokens", jwt));
  if (!result.reply) throw std::runtime_error(what + ": token request failed: " + result.error);

  const HttpReply& reply = *result.reply;
  if (reply.status < 200 || reply.status > 299) {
    // An installation found by owner may be gone, and the App installed again under a new id.
    if (reply.status == 404 && !settings_.installation_owner.empty()) installation_id_.clear();
    throw std::runtime_error(what + ": token request answered " + FailureText(reply, jwt));
  }
  rapidjson::Document doc;
  doc.Parse(reply.body.data(), reply.body.size());
  const bool parsed = !doc.HasParseError();
  std::string token = parsed ? StringField(doc, "token") : std::string();
  const auto expires_ms = core::ParseRfc3339(parsed ? StringField(doc, "expires_at") : std::string());
  if (token.empty() || !expires_ms) {
    throw std::runtime_error(what + ": token answer (HTTP " + std::to_string(reply.status) +
                             ") lacks a token or an RFC 3339 expires_at");
  }
  token_ = std::move(token);
  expires_at_s_ = *expires_ms / 1000;
}

Credentials GitHubAppTokenSource::Get(std::int64_t now_epoch_s) {
  std::lock_guard lock(mu_);
  if (token_.empty() || now_epoch_s >= expires_at_s_ - kRefreshMarginSeconds) Refresh(now_epoch_s);
  return Credentials{token_, ""};
}

}  // namespace fluxstatus::dispatch
