// `doctor`: for each route, the same wiring serve uses (provider, token source, transport
// options), then one read on the Git host that needs the access posting statuses needs.
#include "app/doctor_command.h"
#include "app/wording.h"

#include <ctime>
#include <iostream>

#include "app/dispatch_wiring.h"
#include "dispatch/access_check.h"
#include "dispatch/http_transport.h"
#include "ingest/secret.h"

namespace fluxstatus::app {
namespace {

// Counts the problems of one route while printing its lines.
class RouteReport {
 public:
  explicit RouteReport(const RouteConfig& rc) {
    std::cout << "route " << rc.name << ": "
              << (rc.provider.empty() ? std::string("no provider") : rc.provider + " " + rc.repo) << "\n";
  }
  void Ok(const std::string& what, const std::string& text) { std::cout << "  " << what << ": " << text << "\n"; }
  void Problem(const std::string& what, const std::string& text) {
    std::cout << "  " << what << ": PROBLEM: " << text << "\n";
    ++problems_;
  }
  int problems() const { return problems_; }

 private:
  int problems_ = 0;
};

// The HMAC key or bearer token the route requires of Flux, when it names one.
void CheckIngestSecret(RouteReport& report, const std::string& file, const std::string& env, const char* what) {
  if (file.empty() && env.empty()) return;
  try {
    const auto value =
        !file.empty() ? std::optional(ingest::ReadSecretFile(file, false)) : ingest::ReadSecretEnv(env, false);
    const std::string source = !file.empty() ? "file " + file : "environment variable " + env;
    if (!value)
      report.Problem(what, source + " is not set");
    else if (value->empty())
      report.Problem(what, source + " is empty");
    else
      report.Ok(what, "read from " + source);
  } catch (const std::exception& e) {
    report.Problem(what, e.what());  // names the file and the reason, never the content
  }
}

void CheckGitHost(RouteReport& report, const Config& config, const RouteConfig& rc) {
  Config one = config;
  one.routes = {rc};
  std::vector<dispatch::DispatchRoute> routes;
  try {
    routes = BuildDispatchRoutes(one, false);
  } catch (const std::exception& e) {
    report.Problem("config", e.what());
    return;
  }
  const dispatch::DispatchRoute& route = routes.at(0);
  report.Ok("config", "ok (API " + route.provider->Endpoint().api_base + ")");
  dispatch::Credentials creds;
  try {
    creds = route.tokens->Get(static_cast<std::int64_t>(std::time(nullptr)));
  } catch (const std::exception& e) {
    report.Problem("token", e.what());  // names the file, variable or app, never a secret
    return;
  }
  report.Ok("token", !rc.github_app_id.empty() ? "GitHub App installation token minted"
                     : !rc.token_file.empty()  ? "read from file " + rc.token_file
                                               : "read from environment variable " + rc.token_env);
  const dispatch::HttpCall call = route.provider->BuildAccessCheck(creds);
  dispatch::CurlTransport transport(route.transport);
  const dispatch::TransportResult result = transport.Send(call);
  const std::string kind(route.provider->Kind());
  const dispatch::AccessReport access = result.reply ? dispatch::InterpretAccessCheck(kind, *result.reply)
                                                     : dispatch::Unreachable(kind, call.url, result.error);
  if (access.IsProblem())
    report.Problem("access", access.message);
  else
    report.Ok("access", access.message);
}

}  // namespace

int RunDoctor(const CliContext& ctx, const DoctorOptions& opts) {
  const Config& config = ctx.config;
  if (config.routes.empty()) {
    // Nothing to check is not a pass: a pod started without its ConfigMap looks exactly like this.
    std::cerr << "fluxstatus doctor: no routes are configured in " << config.source
              << "; add them under `routes:` (docs/configuration.md) and give the file with --config "
                 "or FLUXSTATUS_CONFIG\n";
    return 1;
  }
  std::cout << "config " << config.source << ": "
            << Counted(static_cast<std::int64_t>(config.routes.size()), "route", "routes") << "\n";
  int checked = 0, with_problems = 0;
  for (const auto& rc : config.routes) {
    if (!opts.route.empty() && rc.name != opts.route) continue;
    ++checked;
    RouteReport report(rc);
    CheckIngestSecret(report, rc.hmac_key_file, rc.hmac_key_env, "hmac key");
    CheckIngestSecret(report, rc.bearer_token_file, rc.bearer_token_env, "bearer token");
    if (rc.provider.empty())
      report.Ok("git host", "none: statuses are folded and queryable, never sent");
    else
      CheckGitHost(report, config, rc);
    if (report.problems() > 0) ++with_problems;
  }
  if (!opts.route.empty() && checked == 0) {
    std::cerr << "fluxstatus: doctor: no route named '" << opts.route << "' in " << config.source << "\n";
    return 2;
  }
  std::cout << Counted(checked, "route", "routes") << " checked, " << with_problems << " with problems\n";
  return with_problems > 0 ? 1 : 0;
}

}  // namespace fluxstatus::app
