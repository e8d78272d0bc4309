// The soak's aggregate check, written from the contract's rule (contract.md "Additions":
// a member fails when a counted context failed, is ready when it has counted contexts and all
// succeeded; `all` succeeds when every member is ready and fails when any failed), not from
// core/.
#include <map>
#include <set>

#include "tests/soak/soak_checks.h"
#include "tests/support/sql.h"

namespace fluxstatus::soak {
namespace {

struct Verdict {
  std::string state = "pending";
  int ready = 0;
  std::string first_failing;  // in the routes' order
};

Verdict Expect(const std::vector<RouteUnderTest>& routes,
               const std::map<std::string, std::vector<std::string>>& states) {
  Verdict v;
  int failed = 0;
  for (const auto& r : routes) {
    const auto found = states.find(r.name);
    if (found == states.end()) continue;
    bool any_failed = false, all_success = !found->second.empty();
    for (const auto& s : found->second) {
      any_failed = any_failed || s == "failure" || s == "error";
      all_success = all_success && s == "success";
    }
    if (any_failed) {
      ++failed;
      if (v.first_failing.empty()) v.first_failing = r.name;
    } else if (all_success) {
      ++v.ready;
    }
  }
  if (failed > 0)
    v.state = "failure";
  else if (v.ready == static_cast<int>(routes.size()))
    v.state = "success";
  return v;
}

bool StartsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

void CheckAggregate(const std::string& db, const testing::FakeGitHost& host, const std::vector<RouteUnderTest>& routes,
                    const AggregateUnderTest& aggregate, const ReferenceFold& fold, Failures& failures) {
  const std::string check = "aggregate " + aggregate.name + " equals the contract's rule over the reference fold";
  std::map<std::string, std::map<std::string, std::vector<std::string>>> by_commit;  // commit -> route -> states
  for (const auto& [key, expected] : fold.keys) {
    const auto& [route, commit, context] = key;
    if (StartsWith(context, aggregate.context_prefix)) by_commit[commit][route].push_back(expected.winner.state);
  }
  const RouteUnderTest* poster = nullptr;
  for (const auto& r : routes) {
    if (r.name == aggregate.route) poster = &r;
  }
  const std::string context = "fleet/" + aggregate.name;
  const std::string total = std::to_string(routes.size());
  for (const auto& [commit, states] : by_commit) {
    const Verdict want = Expect(routes, states);
    const std::string head = std::to_string(want.ready) + "/" + total + " clusters ready";
    const auto rows = testing::QueryRows(db,
                                         "SELECT state, description, members_ready, sync_state FROM aggregate_status"
                                         " WHERE name = '" +
                                             aggregate.name + "' AND commit_sha = '" + commit + "'");
    const std::string where = "commit " + commit + ": expected " + want.state + " '" + head + "…'";
    if (rows.size() != 1) {
      failures.Add(check, where + ", aggregate_status has " + std::to_string(rows.size()) + " rows");
      continue;
    }
    const auto& row = rows[0];
    const bool names_failing =
        want.first_failing.empty() || row[1].find("; " + want.first_failing + ": ") != std::string::npos;
    if (row[0] != want.state || !StartsWith(row[1], head) || !names_failing || row[3] != "synced") {
      failures.Add(check, where + ", aggregate_status has " + row[0] + " '" + row[1] + "' (" + row[3] + ")");
    }
    std::string host_state, host_description;
    for (const auto& s : host.Statuses(poster->kind, poster->repo, commit)) {
      if (s.context != context) continue;
      host_state = s.state;
      host_description = s.description;
    }
    if (host_state != want.state || host_description != row[1]) {
      failures.Add(check, where + ", the host's newest " + context + " is " +
                              (host_state.empty() ? "absent" : host_state + " '" + host_description + "'"));
    }
  }
  const auto extra =
      testing::QueryInt(db, "SELECT count(*) FROM aggregate_status WHERE name = '" + aggregate.name + "'") -
      static_cast<std::int64_t>(by_commit.size());
  if (extra != 0) failures.Add(check, std::to_string(extra) + " aggregate_status rows for commits no member counts");
}

}  // namespace fluxstatus::soak
