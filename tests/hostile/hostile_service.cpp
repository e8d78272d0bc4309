#include "tests/hostile/hostile_service.h"

#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <rapidjson/document.h>

#include "store/database.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/process.h"

namespace fluxstatus::hostile_testing {

HostileService::HostileService(const std::string& db_path, ingest::HttpServerOptions options,
                               std::size_t max_event_bytes) {
  // As app/serve_command.cpp: writer, handler, server; the writer starts before the server.
  writer_ = std::make_unique<store::EventWriter>(store::OpenForWriting(db_path, store::Durability::kFull),
                                                 core::RouteCatalog(), store::WriterOptions{});
  ingest::IngestSettings settings;
  settings.max_body_bytes = max_event_bytes;
  handler_ = std::make_unique<ingest::IngestHandler>(std::move(settings), *writer_, metrics_, deadlines_);
  options.host = "127.0.0.1";
  options.port = 0;
  ingest::IngestHandler* handler = handler_.get();
  server_ = std::make_unique<ingest::HttpServer>(options, [handler](ingest::HttpRequest&& req, ingest::Responder respond) {
    (*handler)(std::move(req), std::move(respond));
  });
  writer_->Start();
  server_->Start();
}

HostileService::~HostileService() { Stop(); }

void HostileService::Stop() {
  if (stopped_) return;
  stopped_ = true;
  handler_->SetDraining();
  server_->Stop(std::chrono::milliseconds(5000));
  writer_->Stop();
}

std::string HostileService::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

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
         (close ? "Connection: close\r\n" : "") + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
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
  std::vector<std::string> argv = {FLUXSTATUS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const testing::ProcessResult r = testing::RunProcess(dir, argv);
  return {r.exit_code, r.out + r.err};
}

}  // namespace fluxstatus::hostile_testing
