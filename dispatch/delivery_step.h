// One key's commit status on its Git host: skip when the host already has it, list first after
// an uncertain send, mark the send durable, post, classify, and say what to record (the
// recording and last_error's words are StepRecorder's, step_record.h).
#pragma once

#include <string>

#include "core/commit_status.h"
#include "dispatch/provider.h"
#include "dispatch/step_record.h"
#include "store/commit_statuses.h"

namespace fluxstatus::dispatch {

StepResult RunDeliveryStep(const store::StatusRow& row, const Provider& provider, StepEnvironment& env);

// The step for a key whose route has no usable credentials now (`error` says why, without a
// secret): no call, a retry with backoff, and after max_attempts a failure.
StepResult CredentialsFailure(const store::StatusRow& row, StepEnvironment& env, const std::string& error);

// True when the host's status is the desired one (the host may hold the description as the
// provider capped it, ending in "…").
bool HostHasDesired(const ObservedStatus& host, core::StatusState state, const std::string& description);

}  // namespace fluxstatus::dispatch
