// From configuration to the dispatcher's routes: a Provider (and, for GitHub and GitLab, a
// DeploymentProvider with the route's deployment specs) and a credential source per route
// with a provider. Bad addresses and unusable credentials are configuration errors naming the
// route, found at start-up (and by check-config), not at the first event.
#pragma once

#include <vector>

#include "app/config.h"
#include "dispatch/dispatcher.h"
#include "dispatch/provider_factory.h"

namespace fluxstatus::app {

// Throws ConfigError. With check_secrets, token files and keys must be readable now.
std::vector<dispatch::DispatchRoute> BuildDispatchRoutes(const Config& config, bool check_secrets);

core::RetryPolicy RetryPolicyOf(const Config& config);

}  // namespace fluxstatus::app
