// Where a route's Git host credentials come from: a token file (re-read when rotated), an
// environment variable, or a GitHub App (installation tokens minted with a signed JWT).
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "dispatch/http_exchange.h"
#include "dispatch/http_transport.h"
#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

// Produces the credentials for each call to a host. Implementations are thread-safe: one
// source per route, shared by every worker. Get throws std::runtime_error when no usable
// credential can be produced; the message names the file, variable or app, never a secret.
class TokenSource {
 public:
  virtual ~TokenSource();
  // `now_epoch_s` is the caller's clock (sources never read the wall clock themselves).
  virtual Credentials Get(std::int64_t now_epoch_s) = 0;
};

// A token file (route key token_file), trimmed of surrounding whitespace. The path is
// stat()ed on every Get (following symlinks, so a Kubernetes secret update, which swaps a
// symlink, is seen at once) and re-read when its device, inode, size or timestamps change,
// and at least every kRereadSeconds (an in-place rewrite may keep the inode and size and land
// within one file-timestamp tick).
// Throws when the file is missing, unreadable, larger than 64 KiB or empty after trimming.
class FileTokenSource : public TokenSource {
 public:
  static constexpr std::int64_t kRereadSeconds = 60;

  FileTokenSource(std::string path, std::string username);
  Credentials Get(std::int64_t now_epoch_s) override;

 private:
  struct Identity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = -1;
    timespec modified{};
    timespec changed{};
    bool operator==(const Identity& o) const;
  };

  const std::string path_;
  const std::string username_;
  std::mutex mu_;
  bool loaded_ = false;         // guarded by mu_
  Identity identity_;           // guarded by mu_
  std::int64_t read_at_s_ = 0;  // guarded by mu_
  std::string token_;           // guarded by mu_
};

// An environment variable (route key token_env), read and trimmed on every Get. Throws when
// it is unset or blank.
class EnvTokenSource : public TokenSource {
 public:
  EnvTokenSource(std::string variable, std::string username);
  Credentials Get(std::int64_t now_epoch_s) override;

 private:
  const std::string variable_;
  const std::string username_;
};

// What a route says of its GitHub App (route keys github_app_id, github_installation_id or
// github_app_installation_owner, github_private_key_file, github_app_base_url).
struct GitHubAppSettings {
  std::string app_id;
  // Exactly one of the two: the installation's id, or the organization or user account the App
  // is installed on, whose installation id is then looked up (as Flux's githubAppInstallationOwner).
  std::string installation_id;
  std::string installation_owner;
  std::string private_key_file;  // PEM, PKCS#1 or PKCS#8 RSA
  // The API root of the App's calls: https://api.github.com, or https://HOST/api/v3 for GHES
  // (github_app_base_url, else the route's own API root); a trailing '/' is ignored.
  std::string api_base_url;
};

// A GitHub App installation. Get returns a cached installation token; when none is cached or
// it expires within kRefreshMarginSeconds, it signs an RS256 JWT (iat = now - 60,
// exp = now + 540, iss = app id) with the private key and POSTs
// {api_base}/app/installations/{id}/access_tokens through `send`, then caches the answer's
// `token` until its `expires_at`. With an installation owner, the id is first looked up with
// the same JWT, as notification-controller does: GET {api_base}/orgs/{owner}/installation,
// and on 404 GET {api_base}/users/{owner}/installation; the id is cached until a token request
// for it answers 404 (the App was installed again, under a new id). A failed refresh throws
// (HTTP status and GitHub's message, or the transport error) and is retried by the next Get;
// nothing is cached from it.
class GitHubAppTokenSource : public TokenSource {
 public:
  static constexpr std::int64_t kRefreshMarginSeconds = 300;
  using Send = std::function<TransportResult(const HttpCall&)>;

  // The key file is read here, to fail at start-up, and again at each refresh, to follow key
  // rotation. Throws std::runtime_error when the key file is unreadable or not an RSA private
  // key, or the settings are incomplete. `send` is called only from Get with this source's mutex
  // held, so one call at a time: it may use a CurlTransport dedicated to this source.
  GitHubAppTokenSource(GitHubAppSettings settings, Send send);
  Credentials Get(std::int64_t now_epoch_s) override;

 private:
  void Refresh(std::int64_t now_epoch_s);
  std::string FindInstallation(const std::string& jwt);

  const GitHubAppSettings settings_;  // api_base_url without a trailing '/'
  const Send send_;
  std::mutex mu_;
  std::string installation_id_;    // guarded by mu_; found by owner: empty until looked up
  std::string token_;              // guarded by mu_; empty until the first refresh
  std::int64_t expires_at_s_ = 0;  // guarded by mu_
};

// Whether `owner` can be a GitHub account name: letters, digits, '-' and '_' (Enterprise
// Managed Users), at most 100 characters. It goes into the lookup's URL path as it is.
bool IsGitHubAccountName(std::string_view owner);

}  // namespace fluxstatus::dispatch
