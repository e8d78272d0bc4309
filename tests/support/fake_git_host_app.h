// Internal to FakeGitHost: a GitHub App's own calls (installation tokens, and the lookups of an
// installation by the account it is installed on), checked the way GitHub checks them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingest/http_server.h"
#include "tests/support/fake_git_host_apis.h"

namespace fluxstatus::testing::fake {

struct AppInstallation {
  std::string owner;  // the account's login
  bool organization = true;
  std::int64_t id = 0;
};

struct GitHubApp {
  std::string id, public_key_pem, token;
  std::int64_t expires_at_s = 0;
  std::vector<AppInstallation> installations;  // empty: any installation id gets a token
};

// The answer to a GitHub App call, also under GHES' /api/v3:
//   POST app/installations/{id}/access_tokens  201 {token, expires_at}; 404 for an id the App
//                                              is not installed as (once it has installations)
//   GET  orgs/{org}/installation               200 {id, account} for an organization, else 404
//   GET  users/{user}/installation             200 {id, account} for a user account, else 404
// Each needs `authorization` to be "Bearer <JWT>" signed with the App's key, naming the App,
// lasting at most 10 minutes (else 401). Without an App, 404. nullopt: not an App call.
std::optional<ingest::HttpResponse> AnswerGitHubApp(const ApiRequest& request, const std::string* authorization,
                                                    const std::optional<GitHubApp>& app);

}  // namespace fluxstatus::testing::fake
