// The soak's check-run check, written from the user guide (docs/check-runs.md: one live run per
// key named after its context, in progress while pending, completed with the conclusion
// otherwise; a completed run never changes; a new run only for a new state), not from core/.
// Whatever restarts, SIGKILLs and dropped answers happened: each key's newest run shows the
// reference fold's state, and the check_runs row is synced on that run.
#include <map>

#include "tests/soak/soak_checks.h"
#include "tests/support/check_run_rules.h"
#include "tests/support/sql.h"

namespace fluxstatus::soak {

using testing::BrokenRunRule;
using testing::Shown;
using testing::ShownFor;

void CheckCheckRuns(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route,
                    const ReferenceFold& fold, Failures& failures) {
  const std::string check = "each key's newest check run shows its state, never PATCHed after completion";
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> rows;  // (commit, context) -> row
  for (const auto& r : testing::QueryRows(db,
                                          "SELECT commit_sha, context, state, sync_state,"
                                          " coalesce(host_check_run_id, '') FROM check_runs WHERE route = '" +
                                              route.name + "'")) {
    rows[{r[0], r[1]}] = {r[2], r[3], r[4]};
  }
  std::size_t keys = 0;
  for (const auto& [key, expected] : fold.keys) {
    const auto& [route_name, commit, context] = key;
    if (route_name != route.name) continue;
    ++keys;
    const std::string want = expected.winner.state;
    const std::string where = KeyText(key) + ": expected " + want;
    const auto runs = host.GitHubCheckRuns(route.repo, commit, context);
    if (runs.empty() || Shown(runs.back()) != ShownFor(want)) {
      failures.Add(check, where + ", the host's newest run shows " + (runs.empty() ? "none" : Shown(runs.back())));
      continue;
    }
    if (const auto broken = BrokenRunRule(runs); !broken.empty()) failures.Add(check, where + ": " + broken);
    const auto row = rows.find({commit, context});
    if (row == rows.end() || row->second != std::vector<std::string>{want, "synced", std::to_string(runs.back().id)}) {
      failures.Add(
          check,
          where + " synced on run " + std::to_string(runs.back().id) + ", check_runs has " +
              (row == rows.end() ? "no row" : row->second[0] + " " + row->second[1] + " run '" + row->second[2] + "'"));
    }
  }
  if (rows.size() != keys) {
    failures.Add(check, "check_runs has " + std::to_string(rows.size()) + " rows for route " + route.name +
                            ", the reference fold " + std::to_string(keys) + " keys");
  }
  if (const int late = host.GitHubCheckRunPatchesAfterCompletion(); late != 0) {
    failures.Add(check, std::to_string(late) + " PATCHes of a completed run");
  }
}

std::string CheckRunSummary(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route) {
  std::size_t on_host = 0;
  for (const auto& r :
       testing::QueryRows(db, "SELECT commit_sha, context FROM check_runs WHERE route = '" + route.name + "'")) {
    on_host += host.GitHubCheckRuns(route.repo, r[0], r[1]).size();
  }
  return testing::QueryRows(db,
                            "SELECT count(*) || ' rows (' || ifnull(sum(state = 'success'), 0) || ' success, ' ||"
                            " ifnull(sum(state IN ('failure', 'error')), 0) || ' failure, ' ||"
                            " ifnull(sum(state = 'pending'), 0) || ' in progress)' FROM check_runs")[0][0] +
         ", " + std::to_string(on_host) + " runs on the host";
}

}  // namespace fluxstatus::soak
