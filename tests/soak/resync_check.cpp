// The soak's resync check (issue 17), written from the user guide (docs/resync.md) and the
// rules of flux-objects.md §3, not from core/: the statuses the cluster showed and the stream
// never sent reach the host, each cluster state that differed is appended once and only once,
// a suspended object never shows, objects older than the stream's events never overwrite them,
// and resync fails only across the planned token rotation.
#include <algorithm>
#include <sstream>

#include "tests/soak/resync_cluster.h"
#include "tests/soak/serve_process.h"
#include "tests/soak/soak_checks.h"
#include "tests/support/sql.h"

namespace fluxstatus::soak {
namespace {

using testing::QueryRows;

std::string Text(const ClusterStatus& s) { return s.commit.substr(0, 12) + " " + s.context + " " + s.state; }

std::string Listed(const std::vector<ClusterStatus>& statuses) {
  std::string out;
  for (const auto& s : statuses) out += (out.empty() ? "" : "; ") + Text(s);
  return out.empty() ? "none" : out;
}

// The state current_status holds for the key on `route`, "<none>" without a row.
std::string Stored(const std::string& db, const std::string& route, const std::string& commit,
                   const std::string& context) {
  const auto rows = QueryRows(db, "SELECT state FROM current_status WHERE route = '" + route + "' AND commit_sha = '" +
                                      commit + "' AND context = '" + context + "'");
  return rows.empty() ? "<none>" : rows[0][0];
}

// The host's newest status of the key, "<none>" without one.
std::string OnHost(const testing::FakeGitHost& host, const RouteUnderTest& route, const std::string& commit,
                   const std::string& context) {
  std::string newest = "<none>";
  for (const auto& s : host.Statuses(route.kind, route.repo, commit)) {
    if (s.context == context) newest = s.state;
  }
  return newest;
}

// Every resync event of the log, as the statuses it asks for: those the cluster's changes
// called for, each once; anything else (a stream key, a second copy) is a finding.
void CheckAppended(const std::string& db, const RouteUnderTest& route, const ResyncCluster& cluster,
                   Failures& failures) {
  const std::string check = "resync appended each state the cluster showed and the log lacked, once";
  std::vector<ClusterStatus> got;
  for (const auto& r : QueryRows(db, "SELECT route, body FROM events WHERE origin = 'resync' ORDER BY id")) {
    if (r[0] != route.name) failures.Add(check, "an event on route " + r[0] + ", which has no match list");
    const Derived d = Derive(r[1], route.cluster);
    got.push_back(ClusterStatus{d.commit, d.context, d.state});
  }
  const std::int64_t count = std::stoll(QueryRows(db, "SELECT count(*) FROM events WHERE origin = 'resync'")[0][0]);
  std::vector<ClusterStatus> want = cluster.Appends();
  if (count != static_cast<std::int64_t>(want.size())) {
    failures.Add(
        check, "expected " + std::to_string(want.size()) + " events of origin resync, found " + std::to_string(count));
  }
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  std::vector<ClusterStatus> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  if (!missing.empty()) failures.Add(check, "never appended: " + Listed(missing));
  if (!extra.empty()) failures.Add(check, "appended beyond the cluster's changes (or twice): " + Listed(extra));
}

// The lost objects' keys show the cluster's last word, on the host too; the suspended one none.
void CheckLostKeys(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route,
                   const ResyncCluster& cluster, Failures& failures) {
  for (const auto& want : cluster.Expected()) {
    const std::string stored = Stored(db, route.name, want.commit, want.context);
    const std::string shown = OnHost(host, route, want.commit, want.context);
    if (stored != want.state || shown != want.state) {
      failures.Add("a key only the cluster knows ends as the cluster's last state says",
                   Text(want) + ": current_status has " + stored + ", the host shows " + shown);
    }
  }
  const std::string context = cluster.suspended_context();
  const auto rows = QueryRows(db, "SELECT count(*) FROM current_status WHERE context = '" + context + "'");
  if (rows[0][0] != "0")
    failures.Add("a suspended object never shows", rows[0][0] + " current_status row(s) of " + context);
  for (const auto& commit : cluster.suspended_commits()) {
    const std::string shown = OnHost(host, route, commit, context);
    if (shown != "<none>")
      failures.Add("a suspended object never shows", context + " " + commit + ": host shows " + shown);
  }
}

// A shadow showed a stream key in the other state, older than the stream's event: the key
// keeps the stream's state (the reference fold of the stream's own events).
void CheckShadows(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route,
                  const ResyncCluster& cluster, const ReferenceFold& fold, Failures& failures) {
  for (const auto& s : cluster.shadows()) {
    const KeyId key{route.name, s.stream.commit, s.stream.context};
    const auto it = fold.keys.find(key);
    const std::string folded = it == fold.keys.end() ? "<none>" : it->second.winner.state;
    const std::string stored = Stored(db, route.name, s.stream.commit, s.stream.context);
    const std::string shown = OnHost(host, route, s.stream.commit, s.stream.context);
    if (folded != s.stream.state || stored != s.stream.state || shown != s.stream.state) {
      failures.Add("an object older than the stream's event never overwrites it",
                   Text(s.stream) + " (the cluster showed " + s.shown + " at " + s.shown_time + "): reference fold " +
                       folded + ", current_status " + stored + ", host " + shown);
    }
  }
}

void CheckErrors(const ResyncCluster& cluster, Failures& failures) {
  bool in_rotation = false;
  for (const auto& rise : cluster.error_rises()) {
    in_rotation = in_rotation || rise.in_rotation;
    if (rise.in_rotation) continue;
    std::ostringstream at;
    at << "fluxstatus_resync_errors_total rose by " << rise.by << " at " << static_cast<int>(rise.seconds)
       << " s, outside the token rotation";
    failures.Add("resync fails only across the planned token rotation", at.str());
  }
  if (!in_rotation) {
    failures.Add("resync fails only across the planned token rotation",
                 "no resync error while the server refused the old token: the rotation was not exercised");
  }
}

}  // namespace

void CheckResync(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route,
                 const ResyncCluster& cluster, const ReferenceFold& fold, const std::string& serve_output,
                 Failures& failures) {
  for (const auto& p : cluster.problems()) failures.Add("the cluster's story played as planned", p);
  CheckAppended(db, route, cluster, failures);
  CheckLostKeys(db, host, route, cluster, failures);
  CheckShadows(db, host, route, cluster, fold, failures);
  CheckErrors(cluster, failures);
  if (serve_output.find(ResyncCluster::kTokenPrefix) != std::string::npos) {
    failures.Add("the cluster's token never reaches the log", "serve's output names a token");
  }
}

void CheckResyncAgain(const std::filesystem::path& dir, const std::string& config, const std::string& db,
                      Failures& failures) {
  const auto count = [&db] { return QueryRows(db, "SELECT count(*) FROM events WHERE origin = 'resync'")[0][0]; };
  const std::string before = count();
  const CliRun run = RunCli(dir, config, db, {"resync"});
  if (run.exit_code != 0) {
    failures.Add("one more resync pass succeeds",
                 "exit " + std::to_string(run.exit_code) + ": " + run.out.substr(0, 1000) + run.err.substr(0, 1000));
  }
  if (count() != before) {
    failures.Add("one more resync pass appends nothing",
                 "events of origin resync: " + before + " before, " + count() + " after:\n" + run.out.substr(0, 1000));
  }
}

std::string ResyncSummary(const std::string& db, const ResyncCluster& cluster) {
  std::ostringstream out;
  int in_rotation = 0, outside = 0;
  for (const auto& r : cluster.error_rises()) (r.in_rotation ? in_rotation : outside) += static_cast<int>(r.by);
  out << QueryRows(db, "SELECT count(*) FROM events WHERE origin = 'resync'")[0][0] << " events of origin resync ("
      << cluster.Appends().size() << " expected), " << cluster.states_served() << " cluster states, "
      << cluster.shadows().size() << " stream keys shadowed, resync errors: " << in_rotation
      << " across the token rotation, " << outside << " elsewhere";
  return out.str();
}

}  // namespace fluxstatus::soak
