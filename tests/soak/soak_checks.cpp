#include "tests/soak/soak_checks.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <rapidjson/document.h>

#include "tests/support/sql.h"

namespace fluxstatus::soak {
namespace {

using testing::QueryRows;

constexpr std::size_t kShownPerCheck = 8;

std::string Text(const rapidjson::Value& v, const char* name) {
  return v.IsObject() && v.HasMember(name) && v[name].IsString() ? v[name].GetString() : "";
}

std::string ResultText(const SendResult& r) {
  std::ostringstream out;
  if (r.status == 0)
    out << "no answer (" << r.error << ")";
  else
    out << "HTTP " << r.status << " " << r.error;
  out << " after " << r.attempts << " attempt(s)";
  return out.str();
}

// GitHub and Gitea spell the host-neutral states the same way (git-hosts.md A.1, A.3).
std::string HostState(testing::HostKind kind, const std::string& state) {
  if (kind != testing::HostKind::kGitHub && kind != testing::HostKind::kGitea) {
    throw std::logic_error("soak checks: only GitHub and Gitea routes are modelled");
  }
  return state;
}

}  // namespace

void Failures::Add(const std::string& check, const std::string& detail) {
  auto it = std::find_if(by_check_.begin(), by_check_.end(), [&check](const auto& c) { return c.first == check; });
  if (it == by_check_.end()) it = by_check_.insert(by_check_.end(), {check, {}});
  it->second.push_back(detail);
  ++count_;
}

std::string Failures::Report(const std::string& replay) const {
  std::ostringstream out;
  out << count_ << " soak finding(s); " << replay << "\n";
  for (const auto& [check, details] : by_check_) {
    out << "check failed: " << check << " (" << details.size() << ")\n";
    for (std::size_t i = 0; i < details.size() && i < kShownPerCheck; ++i) out << "  - " << details[i] << "\n";
    if (details.size() > kShownPerCheck) out << "  ... and " << details.size() - kShownPerCheck << " more\n";
  }
  return out.str();
}

void Ledger::Add(const Send& send, SendKind kind, const SendResult& result) {
  std::lock_guard lock(mu_);
  entries_.push_back(LedgerEntry{send.route, send.body, kind, result});
}

std::vector<LedgerEntry> Ledger::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

std::string Describe(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("involvedObject")) return body.substr(0, 160);
  const auto& o = d["involvedObject"];
  std::string text = Text(o, "kind") + " " + Text(o, "namespace") + "/" + Text(o, "name") + " " + Text(d, "reason") +
                     " at " + Text(d, "timestamp");
  if (d.HasMember("metadata")) {
    const std::string commit = Text(d["metadata"], "commit");
    const std::string revision = Text(d["metadata"], "revision");
    text += " (" + (commit.empty() ? revision : "commit " + commit) + ")";
  }
  return text;
}

void CheckAcknowledged(const std::vector<LedgerEntry>& ledger, Failures& failures) {
  for (const auto& e : ledger) {
    if (e.result.acked) continue;
    failures.Add("every send is acknowledged (202)", "route " + e.route + ", " + KindName(e.kind) + " of " +
                                                         Describe(e.body) + ": expected 202, got " +
                                                         ResultText(e.result));
  }
}

void CheckResendAnswers(const std::vector<LedgerEntry>& ledger, Failures& failures) {
  std::map<std::pair<std::string, std::string>, std::int64_t> first_id;
  for (const auto& e : ledger) {
    if (e.kind == SendKind::kOriginal && e.result.acked && e.result.id)
      first_id.emplace(std::pair{e.route, e.body}, *e.result.id);
  }
  for (const auto& e : ledger) {
    if (e.kind == SendKind::kOriginal || !e.result.acked) continue;
    const auto it = first_id.find({e.route, e.body});
    if (it == first_id.end()) continue;
    if (e.result.duplicate && e.result.id == it->second) continue;
    failures.Add("a resend of an acknowledged body is answered {\"id\": <first id>, \"duplicate\": true}",
                 "route " + e.route + ", " + KindName(e.kind) + " of " + Describe(e.body) + ": expected id " +
                     std::to_string(it->second) + " duplicate true, got id " +
                     (e.result.id ? std::to_string(*e.result.id) : "none") + " duplicate " +
                     (e.result.duplicate ? "true" : "false"));
  }
}

void CheckLog(const std::string& db, const std::vector<LedgerEntry>& ledger, Failures& failures) {
  std::set<std::pair<std::string, std::string>> sent, acked;
  for (const auto& e : ledger) {
    sent.emplace(e.route, e.body);
    if (e.result.acked) acked.emplace(e.route, e.body);
  }
  std::map<std::pair<std::string, std::string>, std::int64_t> logged;
  // Resync's own events are no sender's: CheckResync accounts for them.
  for (const auto& r :
       QueryRows(db, "SELECT route, body, count(*) FROM events WHERE origin <> 'resync' GROUP BY route, body")) {
    logged[{r[0], r[1]}] = std::stoll(r[2]);
  }
  for (const auto& key : sent) {
    const auto it = logged.find(key);
    const std::int64_t n = it == logged.end() ? 0 : it->second;
    if (n == 1 || (n == 0 && acked.count(key) == 0)) continue;  // never acknowledged: maybe never committed
    failures.Add("the events view holds each distinct body exactly once per route",
                 "route " + key.first + ", " + Describe(key.second) + ": expected 1 row, found " + std::to_string(n));
  }
  for (const auto& [key, n] : logged) {
    if (sent.count(key) != 0) continue;
    failures.Add("the events view holds only bodies that were sent",
                 "route " + key.first + ", " + Describe(key.second) + ": " + std::to_string(n) +
                     " row(s) of a body no sender sent on this route");
  }
}

void CheckFold(const std::string& db, const ReferenceFold& fold, Failures& failures) {
  for (const auto& tie : fold.ties) failures.Add("the stream gives no two events of a key one timestamp", tie);
  std::set<KeyId> seen;
  const auto rows = QueryRows(db,
                              "SELECT route, commit_sha, context, state, description, event_time, sync_state, "
                              "coalesce(last_error, '') FROM current_status");
  for (const auto& r : rows) {
    const KeyId key{r[0], r[1], r[2]};
    seen.insert(key);
    const auto it = fold.keys.find(key);
    if (it == fold.keys.end()) {
      failures.Add("current_status has the reference fold's keys only",
                   KeyText(key) + ": a row (" + r[3] + ", '" + r[4] + "') no acknowledged event asks for");
      continue;
    }
    const Derived& want = it->second.winner;
    if (r[3] != want.state || r[4] != want.description || r[5] != want.event_time) {
      failures.Add("current_status equals the reference fold (newest event time wins)",
                   KeyText(key) + ": expected " + want.state + " '" + want.description + "' from " + want.event_time +
                       " (" + Describe(it->second.body) + ", one of " + std::to_string(it->second.events) +
                       " events), got " + r[3] + " '" + r[4] + "' from " + r[5]);
    }
    if (r[6] != "synced") {
      failures.Add("every key is synced to its host once the service drained",
                   KeyText(key) + ": sync_state " + r[6] + (r[7].empty() ? "" : ", last_error '" + r[7] + "'"));
    }
  }
  for (const auto& [key, expected] : fold.keys) {
    if (seen.count(key) != 0) continue;
    failures.Add(
        "current_status has every key of the reference fold",
        KeyText(key) + ": expected " + expected.winner.state + " '" + expected.winner.description + "', no row");
  }
}

void CheckHost(const testing::FakeGitHost& host, const std::vector<RouteUnderTest>& routes, const ReferenceFold& fold,
               Failures& failures) {
  std::map<std::string, const RouteUnderTest*> by_name;
  for (const auto& r : routes) by_name[r.name] = &r;
  for (const auto& [key, expected] : fold.keys) {
    const auto& [route_name, commit, context] = key;
    const RouteUnderTest& route = *by_name.at(route_name);
    std::vector<testing::FakeStatus> statuses;
    for (auto& s : host.Statuses(route.kind, route.repo, commit)) {
      if (s.context == context) statuses.push_back(std::move(s));
    }
    const std::string want_state = HostState(route.kind, expected.winner.state);
    if (statuses.empty()) {
      failures.Add("the host's newest status equals the reference fold", KeyText(key) + ": expected " + want_state +
                                                                             " '" + expected.winner.description +
                                                                             "', the host has no status for the key");
      continue;
    }
    const auto& newest = statuses.back();
    if (newest.state != want_state || newest.description != expected.winner.description) {
      failures.Add("the host's newest status equals the reference fold",
                   KeyText(key) + ": expected " + want_state + " '" + expected.winner.description + "', host shows " +
                       newest.state + " '" + newest.description + "' (" + std::to_string(statuses.size()) +
                       " statuses posted)");
    }
    int repeats = 0;
    for (std::size_t i = 1; i < statuses.size(); ++i) {
      if (statuses[i].state == statuses[i - 1].state && statuses[i].description == statuses[i - 1].description) {
        ++repeats;
      }
    }
    if (repeats > 1) {
      std::string states;
      for (const auto& s : statuses) states += (states.empty() ? "" : ", ") + s.state;
      failures.Add(
          "at most one repeated identical status per key on the host",
          KeyText(key) + ": expected at most 1 repeat, found " + std::to_string(repeats) + " (posted: " + states + ")");
    }
  }
}

}  // namespace fluxstatus::soak
