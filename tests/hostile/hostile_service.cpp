#include "tests/hostile/hostile_service.h"

#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <rapidjson/document.h>

#include "tests/support/flux_event_json.h"
#include "tests/support/serve_process.h"

namespace fluxstatus::hostile_testing {

namespace {

testing::InProcessIngestOptions IngestOptions(const std::string& db_path, ingest::HttpServerOptions http,
                                              std::size_t max_event_bytes) {
  testing::InProcessIngestOptions ingest;
  ingest.db_path = db_path;
  ingest.settings.max_body_bytes = max_event_bytes;
  ingest.http = std::move(http);
  return ingest;
}

}  // namespace

HostileService::HostileService(const std::string& db_path, ingest::HttpServerOptions options,
                               std::size_t max_event_bytes)
    : ingest_(IngestOptions(db_path, std::move(options), max_event_bytes)) {}

HostileService::~HostileService() { Stop(); }

std::size_t HostileService::WaitForOpenConnectionsAtMost(std::size_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t open = open_connections();
  while (open > n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    open = open_connections();
  }
  return open;
}

std::string EventJson(const std::string& message) {
  testing::FluxEventSpec spec;
  spec.message = message;
  return testing::FluxEventJson(spec);
}

std::string HookRequest(const std::string& route, const std::string& body, bool close) {
  return "POST /hook/" + route + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         (close ? "Connection: close\r\n" : "") + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::optional<std::string> StoredBody(const std::string& db_path, std::int64_t id) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  SQLite::Statement q(db, "SELECT body FROM events WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  const auto& column = q.getColumn(0);
  return std::string(static_cast<const char*>(column.getBlob()), static_cast<std::size_t>(column.getBytes()));
}

std::optional<std::pair<std::int64_t, bool>> AcceptedOf(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("id") || !doc["id"].IsInt64() ||
      !doc.HasMember("duplicate") || !doc["duplicate"].IsBool()) {
    return std::nullopt;
  }
  return std::pair{doc["id"].GetInt64(), doc["duplicate"].GetBool()};
}

CliRun RunBinary(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  const testing::ProcessResult r = testing::RunFluxstatus(dir, args);
  return {r.exit_code, r.out + r.err};
}

}  // namespace fluxstatus::hostile_testing
