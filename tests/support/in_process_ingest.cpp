#include "tests/support/in_process_ingest.h"

#include <chrono>
#include <utility>

#include "store/database.h"
#include "store/system_clock.h"

namespace fluxstatus::testing {

InProcessIngest::InProcessIngest(InProcessIngestOptions options) {
  // As app/serve_command.cpp: writer, metrics, deadlines, handler, server; writer then server.
  const core::Clock& clock = options.clock ? *options.clock : store::SystemClock();
  writer_ = std::make_unique<store::EventWriter>(store::OpenForWriting(options.db_path, options.durability),
                                                 std::move(options.catalog), options.writer, clock);
  handler_ =
      std::make_unique<ingest::IngestHandler>(std::move(options.settings), *writer_, metrics_, deadlines_, clock);
  options.http.host = "127.0.0.1";
  options.http.port = 0;
  ingest::IngestHandler* handler = handler_.get();
  server_ = std::make_unique<ingest::HttpServer>(options.http,
                                                 [handler](ingest::HttpRequest&& req, ingest::Responder respond) {
                                                   (*handler)(std::move(req), std::move(respond));
                                                 });
  writer_->Start();
  server_->Start();
}

InProcessIngest::~InProcessIngest() { Stop(); }

void InProcessIngest::Stop() {
  if (stopped_) return;
  stopped_ = true;
  handler_->SetDraining();
  server_->Stop(std::chrono::milliseconds(5000));
  writer_->Stop();
}

std::string InProcessIngest::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

}  // namespace fluxstatus::testing
