// What the user guide (docs/check-runs.md) promises of a key's check runs on GitHub, written
// from the guide rather than from core/: the crash loop and the soak test hold the fake host's
// runs to it. Header-only.
#pragma once

#include <string>
#include <vector>

#include "tests/support/fake_git_host_check_runs.h"

namespace fluxstatus::testing {

// "in_progress/", "completed/failure": what a run shows at one moment.
inline std::string Shown(const FakeCheckRunState& s) { return s.status + "/" + s.conclusion; }

// What a run shows for a key's state in fluxstatus's words: in progress while pending, else
// completed with its conclusion (GitHub has no `error` conclusion).
inline std::string ShownFor(const std::string& state) {
  if (state == "pending") return "in_progress/";
  return "completed/" + std::string(state == "success" ? "success" : "failure");
}

// Why the key's runs (oldest first) break the rule, or "": a new run is started only once the
// one before it is completed, and only to show something else (a kill that lost a create's
// answer must find that run, not create another).
inline std::string BrokenRunRule(const std::vector<FakeCheckRun>& runs) {
  for (std::size_t i = 1; i < runs.size(); ++i) {
    const auto& before = runs[i - 1].history.back();
    if (before.status != "completed") return "run " + std::to_string(i) + " was started beside one in progress";
    if (Shown(before) == Shown(runs[i].history.front())) {
      return "run " + std::to_string(i) + " repeats the one before it (" + Shown(before) + ")";
    }
  }
  return "";
}

}  // namespace fluxstatus::testing
