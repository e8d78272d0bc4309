#include "core/check_run_output.h"

#include <algorithm>
#include <optional>

#include "core/description.h"
#include "core/text_cap.h"

namespace fluxstatus::core {
namespace {

constexpr std::string_view kCutNote = "\n\n*…cut to fit GitHub's 65,535-character limit.*";

// Kubernetes names stay within 253 characters and revisions within about 80; the cap keeps a
// garbage value from crowding the failing resources out of the summary.
constexpr std::size_t kFieldCharLimit = 256;

// ---- Flux's list of failing resources (fluxcd/pkg ssa, WaitForSet) ----

// What precedes the list: the wait's timeout, and its fail-fast path (Flux 2.2 and later).
constexpr std::string_view kListMarkers[] = {"timeout waiting for: [", "failed early due to stalled resources: ["};

// The list's entries, between the marker's '[' and the last ']' on that line. The list is one
// line; a message cut short has no ']', and then the rest of the line is taken.
std::string_view ListOf(std::string_view message) {
  std::size_t start = std::string_view::npos;
  for (auto marker : kListMarkers) {
    const auto at = message.find(marker);
    if (at != std::string_view::npos && (start == std::string_view::npos || at + marker.size() < start)) {
      start = at + marker.size();
    }
  }
  if (start == std::string_view::npos) return {};
  auto list = message.substr(start);
  list = list.substr(0, list.find('\n'));
  const auto close = list.rfind(']');
  return close == std::string_view::npos ? list : list.substr(0, close);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Flux's object id: "Kind/namespace/name", or "Kind/name" for a cluster-scoped object (ssa's
// FmtObjMetadata writes no empty namespace). Names hold no spaces or slashes.
std::optional<FailingResource> ResourceOf(std::string_view id) {
  if (id.empty() || id.find(' ') != std::string_view::npos) return std::nullopt;
  std::vector<std::string_view> parts;
  for (std::size_t from = 0;;) {
    const auto slash = id.find('/', from);
    parts.push_back(id.substr(from, slash == std::string_view::npos ? slash : slash - from));
    if (slash == std::string_view::npos) break;
    from = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  if (std::any_of(parts.begin(), parts.end(), [](std::string_view p) { return p.empty(); })) return std::nullopt;
  FailingResource r;
  r.kind = parts.front();
  r.name = parts.back();
  if (parts.size() == 3) r.namespace_ = parts[1];
  return r;
}

// One entry: "<id> status: '<Status>'", perhaps followed by ": <error>"; or, when kstatus
// could not read the object, "can't determine status for <id>" or "<id> (unknown status)".
std::optional<FailingResource> EntryOf(std::string_view item) {
  constexpr std::string_view kCannotDetermine = "can't determine status for ";
  constexpr std::string_view kUnknownSuffix = " (unknown status)";
  constexpr std::string_view kStatus = " status: '";
  std::optional<FailingResource> r;
  if (item.substr(0, kCannotDetermine.size()) == kCannotDetermine) {
    r = ResourceOf(item.substr(kCannotDetermine.size()));
  } else if (item.size() > kUnknownSuffix.size() &&
             item.substr(item.size() - kUnknownSuffix.size()) == kUnknownSuffix) {
    r = ResourceOf(item.substr(0, item.size() - kUnknownSuffix.size()));
  } else {
    const auto at = item.find(kStatus);
    if (at == std::string_view::npos) return std::nullopt;
    const auto rest = item.substr(at + kStatus.size());
    const auto end = rest.find('\'');
    if (end == std::string_view::npos || end == 0) return std::nullopt;
    r = ResourceOf(item.substr(0, at));
    if (r) r->status = rest.substr(0, end);
    return r;
  }
  if (r) r->status = "Unknown";  // kstatus's word for a status it could not read
  return r;
}

}  // namespace

std::vector<FailingResource> ParseFailingResources(std::string_view message) {
  // Entries are joined by ", ". An error text after an entry may hold ", " too: its pieces
  // parse as no entry and are skipped.
  std::vector<FailingResource> out;
  auto list = ListOf(message);
  while (!list.empty()) {
    const auto comma = list.find(", ");
    const auto item = Trim(list.substr(0, comma));
    if (auto r = EntryOf(item)) out.push_back(std::move(*r));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 2);
  }
  return out;
}

CheckRunPhase CheckRunPhaseOf(std::string_view state) {
  if (state == "success") return {true, "success"};
  // GitHub has no "error" conclusion; "failure" is the one that reads as broken.
  if (state == "failure" || state == "error") return {true, "failure"};
  // Pending, and any state this code does not know: a completed run can never change again,
  // a run in progress can.
  return {false, ""};
}

namespace {

// ---- Markdown ----

// Valid UTF-8 on one line: a line break would end a list item or a table row early.
std::string OneLine(std::string_view text, std::size_t max_chars = 0) {
  std::string out = CapText(text, max_chars);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return out;
}

// Text in a table cell: the characters that would end the cell or start emphasis, a link,
// code or HTML are escaped ('|' splits a GFM cell even inside a code span).
std::string Cell(std::string_view text) {
  constexpr std::string_view kSpecial = "\\`*_[]<>|~";
  std::string out;
  for (char c : OneLine(text)) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::size_t LongestBacktickRun(std::string_view text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// A code span no backtick inside can close; padded when the text starts or ends with one.
std::string CodeSpan(std::string_view text) {
  const std::string ticks(LongestBacktickRun(text) + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  const std::string space = pad ? " " : "";
  return ticks + space + std::string(text) + space + ticks;
}

// The prefix of `text` (valid UTF-8) within `budget` bytes, ending at a character boundary,
// and at a line break when one keeps at least half of it (a whole table row reads better).
std::string_view PrefixWithin(std::string_view text, std::size_t budget) {
  if (text.size() <= budget) return text;
  std::size_t cut = budget;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const auto line = text.rfind('\n', cut);
  if (line != std::string_view::npos && line >= cut / 2) cut = line;
  return text.substr(0, cut);
}

std::string FitWithNote(std::string text) {
  if (text.size() <= kCheckRunTextLimit) return text;
  std::string out(PrefixWithin(text, kCheckRunTextLimit - kCutNote.size()));
  out += kCutNote;
  return out;
}

void AddField(std::string& out, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  out += "- **";
  out += label;
  out += ":** ";
  out += CodeSpan(OneLine(value, kFieldCharLimit));
  out += '\n';
}

std::string ResourceTable(const std::vector<FailingResource>& resources) {
  std::string out = "### Failing resources\n\n| Kind | Namespace | Name | Status |\n| --- | --- | --- | --- |";
  for (const auto& r : resources) {
    const std::string ns = r.namespace_.empty() ? "*cluster-scoped*" : Cell(r.namespace_);
    out += "\n| " + Cell(r.kind) + " | " + ns + " | " + Cell(r.name) + " | " + Cell(r.status) + " |";
  }
  return out;
}

std::string RenderSummary(const CheckRunFacts& f) {
  std::string out;
  AddField(out, "Object", f.kind + "/" + f.name);
  AddField(out, "Namespace", f.namespace_);
  AddField(out, "Cluster", f.cluster);
  AddField(out, "Revision", f.revision);
  AddField(out, "Time", f.event_time);
  out.pop_back();  // the last field's line break: a part ends without one
  // Helm's install and upgrade failures carry the same list as the health check's.
  const auto resources = ParseFailingResources(f.message);
  if (!resources.empty()) out += "\n\n" + ResourceTable(resources);
  return FitWithNote(std::move(out));
}

std::string HistoryTable(const std::vector<CheckRunChange>& history) {
  if (history.empty()) return "*No changes recorded.*";
  std::string out = "| Time | State | Description |\n| --- | --- | --- |";
  for (const auto& c : history) {
    out += "\n| " + Cell(c.event_time) + " | " + Cell(c.state) + " | " + Cell(c.description) + " |";
  }
  return out;
}

// The message in a fence longer than any backtick run inside it, so no line of it can close
// the fence; then the history. When that is too long, the message keeps at least half the
// room, the history the rest (cut at a row), the fence still closes and the note ends it.
std::string RenderText(const CheckRunFacts& f) {
  const std::string message = CapText(f.message, 0);
  const std::string fence(std::max<std::size_t>(3, LongestBacktickRun(message) + 1), '`');
  const std::string open = "### Message\n\n" + fence + "\n";
  const std::string close = "\n" + fence;
  const std::string history = "\n\n### Recent history\n\n" + HistoryTable(f.history);
  if (open.size() + message.size() + close.size() + history.size() <= kCheckRunTextLimit) {
    return open + message + close + history;
  }
  const std::size_t room = kCheckRunTextLimit - open.size() - close.size() - kCutNote.size();
  const std::size_t history_room = message.size() < room / 2 ? room - message.size() : room / 2;
  const std::string_view kept_history = PrefixWithin(history, history_room);
  const std::string_view kept_message = PrefixWithin(message, room - kept_history.size());
  std::string out = open;
  out += kept_message;
  out += close;
  out += kept_history;
  out += kCutNote;
  return out;
}

}  // namespace

CheckRunOutput RenderCheckRunOutput(const CheckRunFacts& facts) {
  CheckRunOutput out;
  // GitHub requires a title; a reason-less event falls back to its state.
  const std::string title = HumaniseReason(facts.reason);
  out.title = CapText(title.empty() ? facts.state : title, kCheckRunTitleLimit);
  out.summary = RenderSummary(facts);
  out.text = RenderText(facts);
  return out;
}

}  // namespace fluxstatus::core
