// Shared by the timer tests of the real `fluxstatus serve` (timers_http_test.cpp,
// timers_writer_test.cpp): events, a foreign write lock on the database, and a look at the
// process from outside (/proc) to count its threads and SQLite connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sys/types.h>
#include <unistd.h>

#include "tests/service/service_support.h"

namespace fluxstatus::timers_testing {

namespace st = service_testing;
using Clock = std::chrono::steady_clock;

// A distinct event per n (its own Kustomization and commit).
inline std::string Event(int n) {
  st::EventSpec e;
  e.name = "timer-" + std::to_string(n);
  e.timestamp = st::TimestampPlus(n);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(n) + 7000);
  return st::EventJson(e);
}

inline std::int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// How many rows of the `events` view hold exactly `body` (1: stored once).
inline std::int64_t TimesStored(const std::string& db_path, const std::string& body) {
  auto db = st::OpenReader(db_path);
  SQLite::Statement q(*db, "SELECT count(*) FROM events WHERE body = ?");
  q.bind(1, body);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

// Another program holding the database's write lock, as `prune` or a `sqlite3` shell left in a
// transaction does: the service's writes wait for their busy timeout (5 s), then fail.
// A foreign write lock on the service's database, as another process's long transaction holds
// it. Taking it waits out a short write of the service in progress (a commit, a lease renewal)
// instead of failing the test with "database is locked" when it happens to land then.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) : db_(path, SQLite::OPEN_READWRITE) {
    db_.setBusyTimeout(10000);
    db_.exec("BEGIN IMMEDIATE");
  }
  void Release() {
    if (held_) db_.exec("ROLLBACK");
    held_ = false;
  }
  ~WriteLockHolder() {
    try {
      Release();
    } catch (const std::exception&) {
    }
  }

 private:
  SQLite::Database db_;
  bool held_ = true;
};

// The pid of the `serve` process whose command line names `db_path`, found in /proc as an
// operator would find it, or nullopt.
inline std::optional<pid_t> ServePid(const std::string& db_path) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(db_path + '\0') != std::string::npos &&
        cmdline.find(std::string("serve") + '\0') != std::string::npos) {
      return static_cast<pid_t>(std::stol(name));
    }
  }
  return std::nullopt;
}

// CPU time (user + system) the process has used so far.
inline std::chrono::milliseconds CpuTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt: fields 3 to 13
  long long user = 0;
  long long system = 0;
  fields >> user >> system;
  return std::chrono::milliseconds((user + system) * 1000 / ::sysconf(_SC_CLK_TCK));
}

inline std::size_t OpenFiles(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

inline std::size_t ThreadCount(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task"))
    ++n;
  return n;
}

// SQLite connections the process holds on `db_path`: each opens the database file once, with
// the access mode of the connection (O_RDWR or O_RDONLY), read from /proc/PID/fdinfo.
struct Connections {
  int read_write = 0;
  int read_only = 0;
};
inline Connections DatabaseConnections(pid_t pid, const std::string& db_path) {
  Connections out;
  const std::filesystem::path proc = "/proc/" + std::to_string(pid);
  const auto target = std::filesystem::weakly_canonical(db_path);
  for (const auto& fd : std::filesystem::directory_iterator(proc / "fd")) {
    std::error_code ec;
    const auto link = std::filesystem::read_symlink(fd.path(), ec);
    if (ec || link != target) continue;
    std::ifstream info(proc / "fdinfo" / fd.path().filename());
    std::string key;
    std::string flags;
    while (info >> key >> flags && key != "flags:") {
    }
    const int mode = static_cast<int>(std::stol(flags, nullptr, 8) & 03);  // O_ACCMODE
    (mode == 0 ? out.read_only : out.read_write) += 1;
  }
  return out;
}

}  // namespace fluxstatus::timers_testing
