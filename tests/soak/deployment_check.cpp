// The soak's deployment check, written from the rule (a deployment's state over the
// route's counted contexts: any failure or error -> failure, all success -> success, else in
// progress; an aggregate's deployment is in the aggregate's state), not from core/. On the
// host: exactly one deployment per commit and environment, whatever restarts, SIGKILLs and
// dropped connections happened, its newest status in that state.
#include <map>

#include "tests/soak/soak_checks.h"
#include "tests/support/sql.h"

namespace fluxstatus::soak {
namespace {

// A route's counted states for a commit -> the deployment's state in fluxstatus's words.
std::string Expect(const std::vector<std::string>& states) {
  bool any_failed = false, all_success = !states.empty();
  for (const auto& s : states) {
    any_failed = any_failed || s == "failure" || s == "error";
    all_success = all_success && s == "success";
  }
  return any_failed ? "failure" : all_success ? "success" : "pending";
}

std::string OnGitHub(const std::string& state) { return state == "pending" ? "in_progress" : state; }

// The newest state the host shows for each deployment of `environment`, by commit; a second
// deployment of one commit is a failure.
std::map<std::string, std::string> HostDeployments(const testing::FakeGitHost& host, const RouteUnderTest& poster,
                                                   const std::string& environment, const std::string& check,
                                                   Failures& failures) {
  std::map<std::string, std::string> newest;
  for (const auto& d : host.GitHubDeployments(poster.repo)) {
    if (d.original_environment != environment) continue;
    std::string state = "none";
    for (const auto& s : d.statuses) {
      if (s.state != "inactive") state = s.state;
    }
    if (!newest.emplace(d.sha, state).second) {
      failures.Add(check, "commit " + d.sha + ": a second deployment to " + environment + " on the host");
    }
  }
  return newest;
}

void Compare(const std::string& db, const std::string& environment, const std::string& commit, const std::string& want,
             const std::map<std::string, std::string>& on_host, const std::string& check, Failures& failures) {
  const std::string where = "commit " + commit + " in " + environment + ": expected " + want;
  const auto rows = testing::QueryRows(db,
                                       "SELECT state, sync_state, coalesce(host_deployment_id, '') FROM deployments"
                                       " WHERE environment = '" +
                                           environment + "' AND commit_sha = '" + commit + "'");
  if (rows.size() != 1) {
    failures.Add(check, where + ", deployments has " + std::to_string(rows.size()) + " rows");
    return;
  }
  if (rows[0][0] != want || rows[0][1] != "synced" || rows[0][2].empty()) {
    failures.Add(check, where + ", deployments has " + rows[0][0] + " (" + rows[0][1] + ", id '" + rows[0][2] + "')");
  }
  const auto host = on_host.find(commit);
  if (host == on_host.end() || host->second != OnGitHub(want)) {
    failures.Add(check, where + ", the host shows " + (host == on_host.end() ? "no deployment" : host->second));
  }
}

}  // namespace

void CheckDeployments(const std::string& db, const testing::FakeGitHost& host,
                      const std::vector<RouteUnderTest>& routes, const AggregateUnderTest& aggregate,
                      const std::string& deploying_route, const ReferenceFold& fold, Failures& failures) {
  const std::string check = "one deployment per commit and environment, in the state of its contexts";
  std::map<std::string, std::map<std::string, std::vector<std::string>>> by_commit;  // commit -> route -> states
  for (const auto& [key, expected] : fold.keys) {
    const auto& [route, commit, context] = key;
    if (context.rfind(aggregate.context_prefix, 0) == 0) by_commit[commit][route].push_back(expected.winner.state);
  }
  const RouteUnderTest* poster = nullptr;
  for (const auto& r : routes) {
    if (r.name == deploying_route) poster = &r;
  }
  const auto route_host = HostDeployments(host, *poster, deploying_route, check, failures);
  const auto fleet_host = HostDeployments(host, *poster, aggregate.name, check, failures);
  std::int64_t route_rows = 0;
  for (const auto& [commit, states] : by_commit) {
    const auto own = states.find(deploying_route);
    if (own != states.end()) {
      Compare(db, deploying_route, commit, Expect(own->second), route_host, check, failures);
      ++route_rows;
    }
    // The aggregate's verdict (rule `all`), from the members' states as CheckAggregate reads it.
    bool failed = false;
    std::size_t ready = 0;
    for (const auto& [route, member_states] : states) {
      const std::string s = Expect(member_states);
      failed = failed || s == "failure";
      ready += s == "success";
    }
    const std::string verdict = failed ? "failure" : ready == routes.size() ? "success" : "pending";
    Compare(db, aggregate.name, commit, verdict, fleet_host, check, failures);
  }
  const auto rows = testing::QueryInt(db, "SELECT count(*) FROM deployments");
  const auto want = route_rows + static_cast<std::int64_t>(by_commit.size());
  if (rows != want) {
    failures.Add(check, "deployments has " + std::to_string(rows) + " rows, expected " + std::to_string(want));
  }
}

std::string DeploymentSummary(const std::string& db, const testing::FakeGitHost& host, const std::string& repo) {
  return testing::QueryRows(db,
                            "SELECT count(*) || ' rows (' || ifnull(sum(state = 'success'), 0) || ' success, ' ||"
                            " ifnull(sum(state = 'failure'), 0) || ' failure, ' ||"
                            " ifnull(sum(state = 'pending'), 0) || ' in progress)' FROM deployments")[0][0] +
         ", " + std::to_string(host.GitHubDeployments(repo).size()) + " on the host";
}

}  // namespace fluxstatus::soak
