#include "dispatch/token_source.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
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
#include "dispatch/request_encoding.h"

namespace fluxstatus::dispatch {
namespace {

constexpr std::size_t kMaxSecretFileBytes = 64 * 1024;

std::string Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(kSpace) - first + 1));
}

// The whole file, at most kMaxSecretFileBytes. `what` names it in errors ("token file '…'").
std::string ReadSmallFile(const std::string& path, const std::string& what) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw std::runtime_error(what + ": cannot open: " + std::strerror(errno));
  std::string data(kMaxSecretFileBytes + 1, '\0');
  const std::size_t n = std::fread(data.data(), 1, data.size(), file.get());
  if (std::ferror(file.get())) throw std::runtime_error(what + ": cannot read: " + std::strerror(errno));
  if (n > kMaxSecretFileBytes) {
    throw std::runtime_error(what + ": larger than " + std::to_string(kMaxSecretFileBytes) + " bytes");
  }
  data.resize(n);
  return data;
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
    std::string token = Trim(ReadSmallFile(path_, what));
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
  std::string token = value == nullptr ? std::string() : Trim(value);
  if (token.empty()) throw std::runtime_error("environment variable '" + variable_ + "' is not set or blank");
  return Credentials{std::move(token), username_};
}

// ---------------------------------------------------------------------------------------------

GitHubAppTokenSource::GitHubAppTokenSource(std::string app_id, std::string installation_id,
                                           std::string private_key_file, std::string api_base_url, Send send)
    : app_id_(std::move(app_id)),
      installation_id_(std::move(installation_id)),
      key_file_(std::move(private_key_file)),
      api_base_(api_base_url.substr(0, api_base_url.find_last_not_of('/') + 1)),
      send_(std::move(send)) {
  if (app_id_.empty()) throw std::runtime_error("GitHub App: github_app_id is empty");
  if (!AllDigits(installation_id_)) {
    throw std::runtime_error("GitHub App " + app_id_ + ": github_installation_id '" + installation_id_ +
                             "' is not a number");
  }
  if (!send_) throw std::runtime_error("GitHub App " + app_id_ + ": no transport");
  const std::string what = "GitHub App private key file '" + key_file_ + "'";
  if (!ParseRsaKey(ReadSmallFile(key_file_, what))) throw std::runtime_error(what + " holds no RSA private key");
}

void GitHubAppTokenSource::Refresh(std::int64_t now_epoch_s) {
  const std::string what = "GitHub App " + app_id_ + " installation " + installation_id_;
  const std::string jwt =
      SignAppJwt(ReadSmallFile(key_file_, "GitHub App private key file '" + key_file_ + "'"), app_id_, now_epoch_s);
  HttpCall call;
  call.method = "POST";
  call.url = api_base_ + "/app/installations/" + installation_id_ + "/access_tokens";
  call.headers = {{"Authorization", "Bearer " + jwt},
                  {"Accept", "application/vnd.github+json, application/json"},
                  {"X-GitHub-Api-Version", "2022-11-28"}};
  const TransportResult result = send_(call);
  if (!result.reply) throw std::runtime_error(what + ": token request failed: " + result.error);

  const HttpReply& reply = *result.reply;
  rapidjson::Document doc;
  doc.Parse(reply.body.data(), reply.body.size());
  const bool parsed = !doc.HasParseError();
  if (reply.status < 200 || reply.status > 299) {
    std::string message = parsed ? StringField(doc, "message") : std::string();
    // GitHub's messages are plain text about the request; drop one that echoes the JWT.
    if (message.find(jwt) != std::string::npos) message.clear();
    if (message.size() > 200) message = CapText(message, 200);
    throw std::runtime_error(what + ": token request answered HTTP " + std::to_string(reply.status) +
                             (message.empty() ? "" : ": " + message));
  }
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
