#include "core/fleet_aggregate.h"

#include <charconv>
#include <sstream>

#include "core/text_cap.h"

namespace fluxstatus::core {
namespace {

std::vector<std::string> SplitOnSpaces(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// Code points, counted by their lead bytes: hosts limit characters, not bytes. Text is
// assumed UTF-8; CapText replaces any invalid byte.
std::size_t CodePoints(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string FailingClause(const FailingMember& failing) {
  const auto& why = failing.failure.description;
  return "; " + failing.member + ": " + (why.empty() ? std::string(ToString(failing.failure.state)) : why);
}

std::string MoreFailing(std::size_t count) { return "; +" + std::to_string(count) + " more failing"; }

}  // namespace

std::variant<AggregateRule, AggregateRuleError> ParseAggregateRule(std::string_view text, std::size_t member_count) {
  const auto words = SplitOnSpaces(text);
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (words.size() == 1 && words[0] == "all") return AggregateRule{AggregateRule::Kind::kAll, 0};
  if (words.size() != 2 || words[0] != "quorum") {
    return AggregateRuleError{"rule " + quoted + " is neither `all` nor `quorum N`"};
  }
  const std::string& count = words[1];
  std::size_t quorum = 0;
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), quorum);
  if (ec != std::errc() || end != count.data() + count.size()) {
    return AggregateRuleError{"rule " + quoted + ": N must be a whole number of members, from 1 to " +
                              std::to_string(member_count)};
  }
  if (quorum < 1) return AggregateRuleError{"rule " + quoted + ": N must be at least 1"};
  if (quorum > member_count) {
    return AggregateRuleError{"rule " + quoted + " needs " + std::to_string(quorum) +
                              " members ready, but the aggregate has only " + std::to_string(member_count)};
  }
  return AggregateRule{AggregateRule::Kind::kQuorum, quorum};
}

AggregateVerdict DecideAggregate(const AggregateRule& rule, const std::vector<std::string>& members,
                                 const std::vector<std::string>& context_patterns,
                                 const std::map<std::string, std::vector<ContextStatus>>& statuses_by_member) {
  AggregateVerdict verdict;
  verdict.members_total = members.size();
  for (const auto& member : members) {
    const auto found = statuses_by_member.find(member);
    if (found == statuses_by_member.end()) continue;  // not heard from: pending
    auto member_state = StateOverCountedContexts(found->second, context_patterns);
    if (member_state.state == StatusState::kSuccess) ++verdict.members_ready;
    if (member_state.first_failure) verdict.failing.push_back({member, std::move(*member_state.first_failure)});
  }
  if (verdict.members_total == 0) return verdict;
  const std::size_t required = rule.kind == AggregateRule::Kind::kAll ? verdict.members_total : rule.quorum;
  if (verdict.members_ready >= required && required > 0) {
    verdict.state = StatusState::kSuccess;
  } else if (verdict.failing.size() + required > verdict.members_total) {  // failed > total - required
    verdict.state = StatusState::kFailure;
  }
  return verdict;
}

std::string DescribeAggregate(const AggregateVerdict& verdict, std::size_t max_chars) {
  const std::string head =
      std::to_string(verdict.members_ready) + "/" + std::to_string(verdict.members_total) + " clusters ready";
  std::vector<std::string> clauses;
  for (const auto& failing : verdict.failing) clauses.push_back(FailingClause(failing));
  std::string full = head;
  for (const auto& clause : clauses) full += clause;
  if (max_chars == 0 || CodePoints(full) <= max_chars) return full;

  // Name as many failing members as fit, in order, and count the rest.
  for (std::size_t named = clauses.size() - (clauses.empty() ? 0 : 1); named >= 1; --named) {
    std::string text = head;
    for (std::size_t i = 0; i < named; ++i) text += clauses[i];
    text += MoreFailing(clauses.size() - named);
    if (CodePoints(text) <= max_chars) return text;
  }
  // Not even one whole: cut the first member's text, still counting the others.
  if (!clauses.empty()) {
    const std::string rest = clauses.size() > 1 ? MoreFailing(clauses.size() - 1) : "";
    const std::size_t fixed = CodePoints(head) + CodePoints(rest);
    // Below "; x…" a cut clause says nothing: fall through to cutting the whole text.
    if (max_chars >= fixed + 4) return head + CapText(clauses[0], max_chars - fixed) + rest;
  }
  return CapText(full, max_chars);  // max_chars > 0 here
}

}  // namespace fluxstatus::core
