// The ingest service for hostile-client tests (tests/support's InProcessIngest): the real
// HttpServer, IngestHandler and EventWriter on a real SQLite file, wired as app/serve_command.cpp
// wires them, but with the listener's limits (timeouts, cap, head and body sizes) chosen by the test. Plus the small
// raw-socket helpers the tests share.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ingest/http_server.h"
#include "tests/support/in_process_ingest.h"

namespace fluxstatus::hostile_testing {

class HostileService {
 public:
  // Serves on 127.0.0.1 (options.host and port are overridden: an ephemeral port) with an open
  // route set (every /hook/{name} accepted) and events up to `max_event_bytes`.
  HostileService(const std::string& db_path, ingest::HttpServerOptions options, std::size_t max_event_bytes = 1048576);
  ~HostileService();  // Stop()
  HostileService(const HostileService&) = delete;
  HostileService& operator=(const HostileService&) = delete;

  std::uint16_t port() const { return ingest_.port(); }
  std::string Url(const std::string& path) const { return ingest_.Url(path); }
  std::size_t open_connections() const { return ingest_.server().open_connections(); }
  // Polls open_connections() until it is at most `n` or `timeout` passes; returns the last count.
  std::size_t WaitForOpenConnectionsAtMost(std::size_t n, std::chrono::milliseconds timeout) const;
  // Server first (requests in flight get their commits and answers), then the writer.
  void Stop() { ingest_.Stop(); }

 private:
  testing::InProcessIngest ingest_;
};

// A small valid Flux event whose message is `message` (letters and digits only).
std::string EventJson(const std::string& message);
// A complete POST /hook/<route> request with Content-Length framing.
std::string HookRequest(const std::string& route, const std::string& body, bool close = false);

// The body stored for event `id`, or nullopt when there is no such event.
std::optional<std::string> StoredBody(const std::string& db_path, std::int64_t id);
// The "id" of a 202 answer body {"id":N,"duplicate":B}, and its "duplicate" flag.
std::optional<std::pair<std::int64_t, bool>> AcceptedOf(const std::string& body);

// The built `fluxstatus` run to completion in `dir` with `args`: exit code and stdout+stderr.
struct CliRun {
  int exit_code = -1;
  std::string output;
};
CliRun RunBinary(const std::filesystem::path& dir, const std::vector<std::string>& args);

}  // namespace fluxstatus::hostile_testing
