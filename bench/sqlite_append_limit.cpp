// The ceiling for ingest: the same event rows appended to the same SQLite schema, with the
// same pragmas (store::OpenForWriting: WAL, synchronous=FULL by default), the same statement
// (store::EventLog::Append) and the same cap of 100 events per transaction (one fsync each)
// as the service's writer, as fast as one thread can, with no HTTP and no JSON parsing in
// the timed loop. Usage: bench_sqlite_append_limit DB EVENTS [BATCH] [full|normal]
// Prints one JSON object: {"events":N,"seconds":S,"events_per_s":R,"commits":C}.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include <SQLiteCpp/Transaction.h>

#include "bench/bench_events.h"
#include "core/flux_json.h"
#include "core/revision.h"
#include "core/rfc3339.h"
#include "store/database.h"
#include "store/event_log.h"
#include "store/system_clock.h"

using namespace fluxstatus;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_sqlite_append_limit DB EVENTS [BATCH] [full|normal]\n";
    return 2;
  }
  const std::string path = argv[1];
  const std::size_t events = std::stoul(argv[2]);
  const std::size_t batch = argc > 3 ? std::stoul(argv[3]) : 100;
  const auto durability =
      argc > 4 && std::string(argv[4]) == "normal" ? store::Durability::kNormal : store::Durability::kFull;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  // Parsed before the clock starts: the limit is the database, not the parser.
  std::vector<store::LoggedEvent> rows;
  rows.reserve(events);
  const std::string received_at = core::FormatRfc3339Millis(store::SystemClock().NowMs());
  for (std::size_t i = 0; i < events; ++i) {
    std::string body = bench::EventBody(i);
    auto parsed = core::ParseFluxEvent(body);
    if (const auto* err = std::get_if<core::ParseError>(&parsed)) {
      std::cerr << "bench event does not parse: " << err->message << "\n";
      return 1;
    }
    auto& ev = std::get<core::FluxEvent>(parsed);
    auto commit = core::ResolveCommit(ev);
    rows.push_back({"bench", received_at, std::move(body), std::move(ev), std::move(commit)});
  }

  auto db = store::OpenForWriting(path, durability);
  store::EventLog log(*db);
  std::size_t commits = 0;
  const std::clock_t cpu_start = std::clock();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < rows.size(); i += batch) {
    SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
    for (std::size_t k = i; k < std::min(rows.size(), i + batch); ++k) {
      if (!log.Append(rows[k])) {
        std::cerr << "event " << k << " was a duplicate\n";
        return 1;
      }
    }
    tx.commit();
    ++commits;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // CPU time against wall time: how much of a commit is waiting for the disk (or a CPU).
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf(
      "{\"events\":%zu,\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"events_per_s\":%.0f,\"commits\":%zu,"
      "\"batch\":%zu}\n",
      events, seconds, cpu_seconds, static_cast<double>(events) / seconds, commits, batch);
  return 0;
}
