// What `serve` takes from the configuration before it starts: the listen address, each route's
// ingest secret and the Git host routes with their tokens. `check-config` runs the same code,
// so it refuses everything `serve` would refuse at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.h"
#include "dispatch/dispatcher.h"
#include "ingest/ingest_handler.h"

namespace fluxstatus::app {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// "host:port", "[::1]:port" or ":port" (all interfaces). `what` names where the text came
// from in the message. Throws ConfigError naming the fix.
ListenAddress ParseListen(const std::string& listen, const std::string& what);

struct ServiceSetup {
  ListenAddress listen;
  ingest::IngestSettings ingest;  // max_body_bytes and the routes with their secrets
  std::vector<dispatch::DispatchRoute> dispatch_routes;
};

// Reads every secret once (HMAC keys, bearer tokens, Git host tokens) and parses the listen
// address (listen_override: --listen, or empty for the config's). Throws ConfigError naming
// the route and the key; secret values never appear in it.
ServiceSetup PrepareService(const Config& config, const std::string& listen_override);

}  // namespace fluxstatus::app
