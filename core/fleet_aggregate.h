// An aggregate (issue 15, `aggregates:`): one status summing up several routes, one per
// cluster, for one commit; posted as `fleet/<name>`. Pure: the store hands in the members'
// current statuses and keeps what comes out, so the live writer and `rebuild` agree.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/counted_contexts.h"

namespace fluxstatus::core {

// The `rule:` of an aggregate, as written. `all` is `quorum <every member>`: both succeed
// when that many members are ready and fail as soon as one has failed.
struct AggregateRule {
  enum class Kind { kAll, kQuorum };
  Kind kind = Kind::kAll;
  std::size_t quorum = 0;  // kQuorum: how many members must be ready (1..members)

  friend bool operator==(const AggregateRule&, const AggregateRule&) = default;
};

// One `aggregates:` entry as the configuration checked it: posted through `route` (whose
// repository is `repo`) as the context `fleet/<name>`.
struct FleetAggregate {
  std::string name;
  std::string route;
  std::string repo;
  std::vector<std::string> members;   // route names, distinct, at least one
  std::vector<std::string> contexts;  // the member contexts that count (globs)
  AggregateRule rule;
  bool report_status = true;       // false: folded and kept, never posted
  bool report_deployment = false;  // also a deployment to the environment named `name`

  std::string Context() const { return "fleet/" + name; }
};

struct AggregateRuleError {
  std::string message;  // a whole sentence about the rule, for check-config to show
};

// "all" or "quorum N" (surrounding and inner runs of spaces allowed), checked against the
// aggregate's member count: N must be a whole number from 1 to member_count.
std::variant<AggregateRule, AggregateRuleError> ParseAggregateRule(std::string_view text, std::size_t member_count);

// A member that holds the aggregate back by failing, and why (its failing context's text).
struct FailingMember {
  std::string member;
  ContextStatus failure;
};

struct AggregateVerdict {
  StatusState state = StatusState::kPending;  // kPending, kSuccess or kFailure
  std::size_t members_ready = 0;
  std::size_t members_total = 0;
  std::vector<FailingMember> failing;  // in the members' configured order
};

// Each member's state over `context_patterns` (StateOverCountedContexts), then the rule:
// kSuccess when at least the required number of members are ready, kFailure when more than
// (members - required) have failed, else kPending; the two cannot hold together. A member
// missing from `statuses_by_member` has not been heard from: pending. Statuses of routes
// that are not members are ignored. No members at all: pending, never a vacuous success.
// REQUIRES: `rule` parsed by ParseAggregateRule against members.size().
AggregateVerdict DecideAggregate(const AggregateRule& rule, const std::vector<std::string>& members,
                                 const std::vector<std::string>& context_patterns,
                                 const std::map<std::string, std::vector<ContextStatus>>& statuses_by_member);

// "2/3 clusters ready; prod-ap: health check failed" (a failure with no text shows its
// state). At most max_chars code points (0: no limit): failing members that do not fit are
// counted in "; +N more failing", and the last kept one is cut with "…" if even it does not
// fit. Dispatch's CapText still guards the host's limit on the way out.
std::string DescribeAggregate(const AggregateVerdict& verdict, std::size_t max_chars);

}  // namespace fluxstatus::core
