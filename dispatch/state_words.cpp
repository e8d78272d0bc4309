#include "dispatch/state_words.h"

namespace fluxstatus::dispatch {

std::string_view StateWords::Name(core::StatusState state) const {
  switch (state) {
    case core::StatusState::kPending: return pending;
    case core::StatusState::kSuccess: return success;
    case core::StatusState::kFailure: return failure;
    case core::StatusState::kError: return error;
  }
  return error;
}

core::StatusState StateWords::Read(std::string_view word) const {
  if (word == pending) return core::StatusState::kPending;
  if (word == success) return core::StatusState::kSuccess;
  if (word == failure || (!also_failure.empty() && word == also_failure)) return core::StatusState::kFailure;
  return core::StatusState::kError;
}

}  // namespace fluxstatus::dispatch
