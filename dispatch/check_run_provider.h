// The CheckRunProvider interface (issue 16): beside a GitHub route's Provider, it turns "this
// key's run should show this" into check-run calls and classifies GitHub's answers. Pure: no
// I/O, no clock, no logging. The API facts are deployments-and-checks.md §2 and §3.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/check_run_output.h"
#include "dispatch/http_exchange.h"
#include "dispatch/provider.h"

namespace fluxstatus::dispatch {

// One check run as fluxstatus wants GitHub to show it: per (route, commit, context).
struct DesiredCheckRun {
  std::string commit_sha;   // full SHA (head_sha)
  std::string name;         // the key's context
  std::string external_id;  // stable per (route, commit, context): how a lookup knows our runs
  core::CheckRunPhase phase;
  std::string started_at;    // RFC 3339 UTC, seconds ("2026-12-07T10:00:00Z"): sent on create
  std::string completed_at;  // the same, sent when phase.completed
  std::string details_url;   // empty: not sent
  core::CheckRunOutput output;
};

// One instance per route. Immutable after construction, so safe to share across threads. Every
// Build* is total (never throws) and every Interpret* gives an outcome for any reply, garbage
// included; outcomes mean what they mean for Provider.
//
// The sequence a caller runs: with no stored run (or after a send whose answer was lost),
// BuildFind page by page; the newest run with d.external_id is ours. A run in progress is
// PATCHed (BuildUpdate); a completed run is never PATCHed again: a different state starts a new
// run (BuildCreate) with the same name and external_id, which GitHub then shows.
class CheckRunProvider {
 public:
  virtual ~CheckRunProvider() = default;

  // The same pause key as the route's Provider: one host, one rate-limit budget.
  virtual std::string HostKey() const = 0;

  // Lists the commit's runs named d.name created by our App (filter=all, 100 a page); page
  // starts at 1.
  virtual HttpCall BuildFind(const DesiredCheckRun& d, const Credentials& creds, int page) const = 0;
  // The newest run (highest id) on this page whose external_id is d.external_id, if any;
  // more_pages: ask for page + 1 (a newer run on a later page wins over this one).
  // outcome.kind == kSynced when the page was read; else the rest is empty.
  struct Found {
    std::optional<std::string> id;
    std::int64_t id_number = 0;  // the id as a number, to compare runs across pages
    core::CheckRunPhase phase;   // what the found run shows
    std::string title;           // its output.title
    bool more_pages = false;
    SendOutcome outcome;
  };
  virtual Found InterpretFind(const HttpReply& reply, const DesiredCheckRun& d, std::int64_t now_epoch_s) const = 0;

  // Creates a run showing d (status in_progress, or completed with its conclusion).
  virtual HttpCall BuildCreate(const DesiredCheckRun& d, const Credentials& creds) const = 0;
  // id is set exactly when outcome.kind == kSynced. A 2xx without a readable id is kReconcile:
  // the run may exist, so find it rather than create another.
  struct Created {
    std::optional<std::string> id;
    SendOutcome outcome;
  };
  virtual Created InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const = 0;

  // Moves run `id` (in progress) to d: its status, conclusion, completed_at and output.
  virtual HttpCall BuildUpdate(const std::string& id, const DesiredCheckRun& d, const Credentials& creds) const = 0;
  virtual SendOutcome InterpretUpdate(const HttpReply& reply, std::int64_t now_epoch_s) const = 0;
};

}  // namespace fluxstatus::dispatch
