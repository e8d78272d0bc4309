// Helpers for the replay end-to-end tests, on top of dispatch_e2e's (events, Serve, RunCli,
// queries of the inspection views, the fake host).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "tests/dispatch_e2e/e2e_support.h"

namespace fluxstatus::replay_e2e {

using namespace fluxstatus::dispatch_e2e;  // NOLINT: the shared e2e vocabulary

inline const std::string kApps = "kustomization/apps";

// The numbers of replay's summary table (RE-FOLDED, ALREADY ON HOST, SENT, FAILED, STILL
// PENDING), read from its stdout; throws when the table is missing.
std::map<std::string, std::int64_t> SummaryOf(const std::string& out);

// Writes a dispatch_lease row into the database as another process would have left it.
void PlantLease(const std::string& db_path, const std::string& holder, std::int64_t expires_at_ms);

// This host's name and pid namespace, as lease holders spell them ("host/pidnsN").
std::string ThisHost();
// The pid of a process that has exited (and been reaped).
long DeadPid();
std::int64_t NowMs();

// Ingests `jsonl` on `route` with the CLI (no service running); throws unless it succeeds.
void IngestOffline(const std::filesystem::path& dir, const std::string& route, const std::string& jsonl);

// Everything a replay could change, as text: statuses, history, attempts, events, lease.
std::vector<Row> Snapshot(const std::string& db_path);

}  // namespace fluxstatus::replay_e2e
