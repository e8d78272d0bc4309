// The ingest half of `fluxstatus serve` in the test process, wired as app/serve_command.cpp
// wires it: an EventWriter on a real SQLite file, the IngestHandler and the HttpServer on an
// ephemeral port of 127.0.0.1. For the suites that test the service without the binary
// (service_tests, hostile_tests), which choose the pieces' settings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "ingest/ack_deadlines.h"
#include "ingest/http_server.h"
#include "ingest/ingest_handler.h"
#include "ingest/ingest_metrics.h"
#include "store/event_writer.h"

namespace fluxstatus::testing {

struct InProcessIngestOptions {
  std::string db_path;              // created (and migrated) when missing
  ingest::IngestSettings settings;  // routes, max_body_bytes, ack_timeout
  core::RouteCatalog catalog;       // what the writer folds with (open by default)
  store::Durability durability = store::Durability::kFull;
  store::WriterOptions writer;
  ingest::HttpServerOptions http;  // host and port are overridden: 127.0.0.1, ephemeral
  // The clock of the writer and the handler; nullptr: the system clock. It must outlive this.
  const core::Clock* clock = nullptr;
};

class InProcessIngest {
 public:
  // Writer first, then the server, both started.
  explicit InProcessIngest(InProcessIngestOptions options);
  ~InProcessIngest();  // Stop()
  InProcessIngest(const InProcessIngest&) = delete;
  InProcessIngest& operator=(const InProcessIngest&) = delete;

  std::uint16_t port() const { return server_->port(); }
  std::string Url(const std::string& path) const;
  store::EventWriter& writer() { return *writer_; }
  ingest::IngestMetrics& metrics() { return metrics_; }
  const ingest::HttpServer& server() const { return *server_; }
  // Server first (in-flight requests get their commits and answers), then the writer. Idempotent.
  void Stop();

 private:
  std::unique_ptr<store::EventWriter> writer_;
  ingest::IngestMetrics metrics_;
  ingest::AckDeadlines deadlines_;
  std::unique_ptr<ingest::IngestHandler> handler_;
  std::unique_ptr<ingest::HttpServer> server_;
  bool stopped_ = false;
};

}  // namespace fluxstatus::testing
