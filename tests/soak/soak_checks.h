// The soak test's end-of-run checks. Each finding names the check, the key or body, what was
// expected and what was found; the report carries the seed to replay the run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/soak/flux_sender.h"
#include "tests/soak/flux_stream.h"
#include "tests/soak/reference_fold.h"
#include "tests/support/fake_git_host.h"

namespace fluxstatus::soak {

class Failures {
 public:
  void Add(const std::string& check, const std::string& detail);
  bool empty() const { return count_ == 0; }
  std::size_t count() const { return count_; }
  // Every failed check with its first findings, headed by the seed and how to replay it.
  std::string Report(const std::string& replay) const;

 private:
  // In the order the checks first failed: the first is usually the cause of the rest.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_check_;
  std::size_t count_ = 0;
};

// One logical send and how it ended.
struct LedgerEntry {
  std::string route;
  std::string body;
  SendKind kind = SendKind::kOriginal;
  SendResult result;
};

class Ledger {
 public:
  void Add(const Send& send, SendKind kind, const SendResult& result);
  std::vector<LedgerEntry> entries() const;

 private:
  mutable std::mutex mu_;
  std::vector<LedgerEntry> entries_;
};

// A route as the checks see it: where its statuses go on the fake host, and its context rule.
struct RouteUnderTest {
  std::string name;
  testing::HostKind kind = testing::HostKind::kGitHub;
  std::string repo;     // as FakeGitHost::Statuses names it
  std::string cluster;  // the route's `cluster` key
  std::string hmac_key;
};

// A body for error messages: the object, reason and timestamp, not 600 bytes of JSON.
std::string Describe(const std::string& body);

// Every send ended with a 202.
void CheckAcknowledged(const std::vector<LedgerEntry>& ledger, Failures& failures);
// A resend of an acknowledged body is answered as the duplicate it is, with the original's id.
void CheckResendAnswers(const std::vector<LedgerEntry>& ledger, Failures& failures);
// The events view holds each distinct (route, body) acknowledged exactly once, one never
// acknowledged at most once, and nothing else besides resync's events (CheckResync's).
void CheckLog(const std::string& db, const std::vector<LedgerEntry>& ledger, Failures& failures);
// current_status equals the reference fold key for key; nothing is left pending or failed.
void CheckFold(const std::string& db, const ReferenceFold& fold, Failures& failures);
// The host's newest status per key equals the reference fold's, and no key shows the same
// status twice in a row more than once.
void CheckHost(const testing::FakeGitHost& host, const std::vector<RouteUnderTest>& routes, const ReferenceFold& fold,
               Failures& failures);

// The soak's aggregate: `fleet/<name>` over every route, counting `kustomization/*`, rule
// `all`, posted through `route`.
struct AggregateUnderTest {
  std::string name;
  std::string route;
  std::string context_prefix;  // the counted contexts: those starting with it
};

// Per commit some member counts a context of, aggregate_status and the host's newest
// `fleet/<name>` status equal what the contract's rule makes of the reference fold (state,
// "R/N clusters ready", the first failing member named), synced; no row for other commits.
void CheckAggregate(const std::string& db, const testing::FakeGitHost& host, const std::vector<RouteUnderTest>& routes,
                    const AggregateUnderTest& aggregate, const ReferenceFold& fold, Failures& failures);

// `deploying_route` (a GitHub route with `report: [status, deployment]`, environment = its
// name) and the aggregate (`report: [status, deployment]`): one deployments row per commit and
// environment, in the state the rule makes of the reference fold, synced with a host id; on
// the host exactly one deployment per commit and environment, its newest status in that state.
void CheckDeployments(const std::string& db, const testing::FakeGitHost& host,
                      const std::vector<RouteUnderTest>& routes, const AggregateUnderTest& aggregate,
                      const std::string& deploying_route, const ReferenceFold& fold, Failures& failures);
// "N rows (S success, F failure, P in progress), H on the host" for the summary.
std::string DeploymentSummary(const std::string& db, const testing::FakeGitHost& host, const std::string& repo);

// `route` (a GitHub App route with `report: [..., check]`): for every key of the route in the
// reference fold, the host's newest check run shows its state (in_progress while pending, else
// completed with the conclusion); a run was started only after the one before it completed and
// to show something else; none was PATCHed after completion; check_runs has one row per key,
// synced on the newest run.
void CheckCheckRuns(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route,
                    const ReferenceFold& fold, Failures& failures);
// "N rows (S success, F failure, P in progress), H runs on the host" for the summary.
std::string CheckRunSummary(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route);

class ResyncCluster;

// The route with a `match` list (`route`) took what `cluster` showed (resync_check.cpp): the
// log's events of origin resync are exactly the cluster states that differed, once each; the
// lost objects' keys end as the cluster's last state says, on the host too; the suspended
// object never shows; the shadowed stream keys keep the reference fold's state; the resync
// error counter rose only across the token rotation; `serve_output` names no token.
void CheckResync(const std::string& db, const testing::FakeGitHost& host, const RouteUnderTest& route,
                 const ResyncCluster& cluster, const ReferenceFold& fold, const std::string& serve_output,
                 Failures& failures);
// With serve stopped: one more pass (`fluxstatus resync`) succeeds and appends nothing.
void CheckResyncAgain(const std::filesystem::path& dir, const std::string& config, const std::string& db,
                      Failures& failures);
// "N events of origin resync (M expected), ..." for the summary.
std::string ResyncSummary(const std::string& db, const ResyncCluster& cluster);

}  // namespace fluxstatus::soak
