// What FakeGitHost holds for GitHub check runs (deployments-and-checks.md 2), as tests read it
// back: each run as it stands, and every state it went through.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fluxstatus::testing {

struct FakeCheckRunOutput {
  std::string title, summary, text;

  friend bool operator==(const FakeCheckRunOutput&, const FakeCheckRunOutput&) = default;
};

// What a run shows at one moment: the members a create or a PATCH sets.
struct FakeCheckRunState {
  std::string name;
  std::string external_id;
  std::string status = "queued";         // queued|in_progress|completed
  std::string conclusion;                // empty until completed
  std::string started_at, completed_at;  // as sent (RFC 3339), or set by the fake
  std::string details_url;
  FakeCheckRunOutput output;
};

// One check run. `history` holds the state after its create and after each PATCH that changed
// it, oldest first; a PATCH of a completed run changes nothing (GitHub answers 200 but keeps the
// run as it was) and is counted in patches_after_completion instead.
struct FakeCheckRun : FakeCheckRunState {
  std::int64_t id = 0;
  std::int64_t check_suite_id = 0;  // one suite per (App, commit)
  std::string head_sha;             // lower case
  std::string app_id;               // the App whose installation token created it
  std::string created_at;
  std::vector<FakeCheckRunState> history;
  int patches_after_completion = 0;
};

}  // namespace fluxstatus::testing
