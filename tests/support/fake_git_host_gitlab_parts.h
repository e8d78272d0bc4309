// Internal to FakeGitHost: what GitLab's deployments (fake_git_host_gitlab_deployments.cpp) and
// environments (fake_git_host_gitlab_environments.cpp) share: parameters, error answers and
// the environment a deployment names.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "tests/support/fake_git_host_api_parts.h"

namespace fluxstatus::testing::fake {

// A request's parameters as Grape merges them: the query, then the body (a JSON object, or
// application/x-www-form-urlencoded as the GitLab docs' curl --data examples send). JSON
// booleans read "true"/"false", numbers their text. False when the body is neither.
using Params = std::map<std::string, std::string>;
bool ReadParams(const ApiRequest& rq, Params& out);
std::optional<std::string> Param(const Params& params, const std::string& name);

// Grape's parameter errors: 400 {"error":"status is missing"} or "... does not have a valid value".
HttpResponse GrapeError(const std::string& text);
// A model validation failure: 400 {"message":{"<field>":["<message>"]}} (render_validation_error!).
HttpResponse ModelError(const std::string& field, const std::string& message);
// 404 {"message":"404 Not found"} (a deployment or environment id the project lacks).
HttpResponse GitLabNotFound();

// Why `name` is not a valid environment name (at most 255; letters, digits, '-', '_', '/',
// '$', '{', '}', '.', spaces; no '/' at either end), or nullopt.
std::optional<std::string> BadEnvironmentName(const std::string& name);
const FakeGitLabEnvironment* FindEnvironment(const Store& store, const std::string& project, const std::string& name);
// find_or_create_by_name: a new one has no URL and the tier guessed from its name.
FakeGitLabEnvironment& FindOrCreateEnvironment(Store& store, const std::string& project, const std::string& name);
void WriteEnvironment(Ar& ar, const FakeGitLabEnvironment& e);
// A deployment as GitLab's Deployment entity shows it, with its environment (nullptr: null).
void WriteGitLabDeployment(Ar& ar, const FakeGitLabDeployment& d, const FakeGitLabEnvironment* e);

}  // namespace fluxstatus::testing::fake
