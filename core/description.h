// The human text of a commit status, as Flux words it and better: the reason split at
// capitals ("HealthCheckFailed" -> "health check failed"), plus the message's first line on
// failure, which Flux never shows.
#pragma once

#include <string>
#include <string_view>

#include "core/commit_status.h"

namespace fluxstatus::core {

// Flux's splitCamelcase + lower-case: "OCIArtifactPullFailed" -> "oci artifact pull failed",
// "V2Migration" -> "v 2 migration", "event-happened" -> "event - happened".
std::string HumaniseReason(std::string_view reason);

// The full description; hosts truncate it to their own limits when sending.
std::string DescribeStatus(StatusState state, std::string_view reason, std::string_view message);

}  // namespace fluxstatus::core
