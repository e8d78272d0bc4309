#include "tests/replay_e2e/replay_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tests/support/files.h"

namespace fluxstatus::replay_e2e {

std::map<std::string, std::int64_t> SummaryOf(const std::string& out) {
  const std::vector<std::string> names = {"RE-FOLDED", "ALREADY ON HOST", "SENT", "FAILED", "STILL PENDING"};
  const auto header = out.find("RE-FOLDED");
  if (header == std::string::npos) throw std::runtime_error("no summary table in:\n" + out);
  const auto row_start = out.find('\n', header);
  const auto row_end = out.find('\n', row_start + 1);
  std::istringstream row(out.substr(row_start + 1, row_end - row_start - 1));
  std::map<std::string, std::int64_t> values;
  for (const auto& name : names) {
    std::int64_t v = -1;
    if (!(row >> v)) throw std::runtime_error("summary row without " + name + " in:\n" + out);
    values[name] = v;
  }
  return values;
}

void PlantLease(const std::string& db_path, const std::string& holder, std::int64_t expires_at_ms) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  SQLite::Statement q(db,
                      "INSERT OR REPLACE INTO dispatch_lease (name, holder, expires_at_ms) VALUES ('dispatch', ?, ?)");
  q.bind(1, holder);
  q.bind(2, static_cast<int64_t>(expires_at_ms));
  q.exec();
}

std::string ThisHost() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  std::string name = buf;
  std::error_code ec;
  const std::string ns = std::filesystem::read_symlink("/proc/self/ns/pid", ec).string();  // "pid:[N]"
  if (!ec && ns.find('[') != std::string::npos) {
    name += "/pidns" + ns.substr(ns.find('[') + 1, ns.find(']') - ns.find('[') - 1);
  }
  return name;
}

long DeadPid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return static_cast<long>(pid);
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void IngestOffline(const std::filesystem::path& dir, const std::string& route, const std::string& jsonl) {
  const auto file = dir / "events.jsonl";
  testing::WriteFile(file, jsonl);
  const CliRun r = RunCli(dir, {"ingest", "--route", route, file.string()});
  if (r.exit_code != 0) throw std::runtime_error("ingest failed: " + r.out + r.err);
}

std::vector<Row> Snapshot(const std::string& db_path) {
  auto rows = QueryRows(db_path, "SELECT * FROM commit_statuses ORDER BY route, commit_sha, context");
  for (const char* sql :
       {"SELECT * FROM status_changes ORDER BY id", "SELECT * FROM dispatch_lease",
        "SELECT count(*), ifnull(max(id), 0) FROM delivery_attempts", "SELECT count(*), max(id) FROM event_log"}) {
    for (auto& r : QueryRows(db_path, sql)) rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace fluxstatus::replay_e2e
