// The words a Git host's status API uses for the four status states. GitHub and Gitea share a
// vocabulary, Bitbucket Cloud and Data Center another: one table each, read both ways here.
#pragma once

#include <string_view>

#include "core/commit_status.h"

namespace fluxstatus::dispatch {

struct StateWords {
  std::string_view pending;
  std::string_view success;
  std::string_view failure;
  std::string_view error;
  std::string_view also_failure = {};  // a listed word that reads as failure (Gitea's "warning")

  // The word posted for `state`.
  std::string_view Name(core::StatusState state) const;
  // The state of a listed word; a word the table does not know (skipped, STOPPED) reads as error.
  core::StatusState Read(std::string_view word) const;
};

inline constexpr StateWords kGitHubStateWords{"pending", "success", "failure", "error"};
inline constexpr StateWords kGiteaStateWords{"pending", "success", "failure", "error", "warning"};
// Bitbucket has no error state: an error is posted as FAILED (and so reads back as failure).
inline constexpr StateWords kBitbucketStateWords{"INPROGRESS", "SUCCESSFUL", "FAILED", "FAILED"};

}  // namespace fluxstatus::dispatch
