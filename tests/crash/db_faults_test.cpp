// Database faults (issue 8, item 6): the database file removed, made read-only, or a page of it
// overwritten while `fluxstatus serve` runs. Ingest answers 503 with a JSON error instead of
// acknowledging events that go nowhere, /readyz says why, the CLI verbs fail naming the
// problem, and what was acknowledged before the fault is there once the fault is undone.
//
// Read-only as root: root writes read-only files and directories, and a read-only (re)mount
// or `chattr +i` needs capabilities and file systems CI does not promise. So these cases run
// the binary as uid 65534 (setpriv, in util-linux) when the tests run as root, and skip,
// saying why, when that is impossible. That is also how the service runs in a pod.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "tests/crash/crash_support.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::crash {
namespace {

namespace fs = std::filesystem;

// A directory with a configuration (no routes: every /hook/{name} is open, nothing is
// dispatched) and the database path; handed to the user the binary runs as.
struct Setup {
  explicit Setup(RunAs who = {}) : as(who) {
    testing::WriteFile(config, "listen: \"127.0.0.1:0\"\n");
    GiveTo(dir.path(), as);
  }
  testing::TempDir dir;
  RunAs as;
  std::string config = dir.File("fluxstatus.yaml");
  std::string db = dir.File("fluxstatus.db");
};

std::string Event(int n) {
  return EventJson("app-" + std::to_string(n % 7), n % 3 == 0 ? "HealthCheckFailed" : "ReconciliationSucceeded",
                   Sha(n % 23), n,
                   "event " + std::to_string(n) + " " + std::string(200, static_cast<char>('a' + n % 26)));
}

// Posts events [from, to) and requires a 202 for each; returns id -> body.
std::map<std::int64_t, std::string> PostAll(Client& http, const ServeProcess& serve, int from, int to) {
  std::map<std::int64_t, std::string> acked;
  for (int n = from; n < to; ++n) {
    const Answer a = http.Post(serve.Url("/hook/faults"), Event(n), std::chrono::seconds(15));
    BOOST_TEST_REQUIRE(a.status == 202, "event " << n << ": " << a.status << " " << a.body << a.error);
    acked.emplace(*AcceptedId(a.body), Event(n));
  }
  return acked;
}

// The answer to an event while the fault lasts: 503 and a JSON error containing `what`.
void RefusedNaming(Client& http, const ServeProcess& serve, int n, const std::string& what) {
  const Answer a = http.Post(serve.Url("/hook/faults"), Event(n), std::chrono::seconds(15));
  BOOST_TEST(a.status == 503, a.status << " " << a.body << a.error);
  const auto error = JsonMember(a.body, "error");
  BOOST_TEST_REQUIRE(error.has_value(), a.body);
  BOOST_TEST(error->find(what) != std::string::npos, *error);
}

// /readyz: not ready, and the reason contains `what`.
void NotReadyNaming(Client& http, const ServeProcess& serve, const std::string& what) {
  const Answer r = http.Get(serve.Url("/readyz"));
  BOOST_TEST(r.status == 503, r.body);
  const auto reason = JsonMember(r.body, "reason");
  BOOST_TEST_REQUIRE(reason.has_value(), r.body);
  BOOST_TEST(reason->find(what) != std::string::npos, *reason);
}

void AllThere(const std::string& db, const std::map<std::int64_t, std::string>& acked) {
  std::map<std::int64_t, std::string> logged;
  for (const auto& r : QueryRows(db, "SELECT id, body FROM events")) logged.emplace(std::stoll(r[0]), r[1]);
  for (const auto& [id, body] : acked) {
    const auto it = logged.find(id);
    BOOST_TEST((it != logged.end() && it->second == body), "acknowledged event " << id << " is missing");
  }
}

// Whether the read-only cases can run here; says why not.
struct CanBeUnprivileged {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    const auto why = CannotDropPrivileges();
    if (!why) return true;
    boost::test_tools::assertion_result skip(false);
    skip.message() << "skipped: " << *why << " (root ignores read-only permissions)";
    return skip;
  }
};

RunAs Unprivileged() { return RunAs{::geteuid() == 0}; }

// Pages of the database, as dbstat sees them.
std::int64_t PageSize(const std::string& db) { return QueryInt(db, "PRAGMA page_size"); }
std::int64_t MiddleLeafOf(const std::string& db, const std::string& btree) {
  const std::int64_t leaves =
      QueryInt(db, "SELECT count(*) FROM dbstat WHERE name = '" + btree + "' AND pagetype = 'leaf'");
  BOOST_TEST_REQUIRE(leaves > 2, btree << " has only " << leaves << " leaf pages");
  return QueryInt(db, "SELECT pageno FROM dbstat WHERE name = '" + btree +
                          "' AND pagetype = 'leaf' ORDER BY pageno "
                          "LIMIT 1 OFFSET " +
                          std::to_string(leaves / 2));
}
std::int64_t RightmostLeafOf(const std::string& db, const std::string& btree) {
  return QueryInt(db, "SELECT pageno FROM dbstat WHERE name = '" + btree +
                          "' AND pagetype = 'leaf' ORDER BY path DESC "
                          "LIMIT 1");
}

// Overwrites page `pageno` (1-based) with garbage in place, as a failing disk would; returns
// what was there.
std::string OverwritePage(const std::string& db, std::int64_t pageno, std::int64_t page_size) {
  const int fd = ::open(db.c_str(), O_RDWR);
  BOOST_TEST_REQUIRE(fd >= 0);
  std::string original(static_cast<std::size_t>(page_size), '\0');
  const off_t at = static_cast<off_t>((pageno - 1) * page_size);
  BOOST_TEST_REQUIRE(::pread(fd, original.data(), original.size(), at) == static_cast<ssize_t>(page_size));
  std::string garbage(original.size(), '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) % 251);
  BOOST_TEST_REQUIRE(::pwrite(fd, garbage.data(), garbage.size(), at) == static_cast<ssize_t>(page_size));
  ::fsync(fd);
  ::close(fd);
  return original;
}

void RestorePage(const std::string& db, std::int64_t pageno, const std::string& original) {
  const int fd = ::open(db.c_str(), O_RDWR);
  BOOST_TEST_REQUIRE(fd >= 0);
  const off_t at = static_cast<off_t>((pageno - 1) * static_cast<std::int64_t>(original.size()));
  BOOST_TEST_REQUIRE(::pwrite(fd, original.data(), original.size(), at) == static_cast<ssize_t>(original.size()));
  ::close(fd);
}

// A database of `n` events written by `fluxstatus ingest` (closed, so fully checkpointed).
std::map<std::int64_t, std::string> Prepared(const Setup& s, int n) {
  std::string lines;
  for (int i = 0; i < n; ++i) lines += Event(i) + "\n";
  testing::WriteFile(s.dir.File("events.jsonl"), lines);
  const CliRun r = RunCli(s.dir.path(), s.config, s.db, {"ingest", "--route", "faults", s.dir.File("events.jsonl")});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.out << r.err);
  std::map<std::int64_t, std::string> acked;
  for (const auto& row : QueryRows(s.db, "SELECT id, body FROM events")) acked.emplace(std::stoll(row[0]), row[1]);
  BOOST_TEST_REQUIRE(acked.size() == static_cast<std::size_t>(n));
  return acked;
}

// The path a descriptor of `pid` has open onto `file` after it was removed, or "".
std::string DeletedDescriptor(pid_t pid, const std::string& file) {
  const fs::path fds = "/proc/" + std::to_string(pid) + "/fd";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fds, ec)) {
    if (fs::read_symlink(e.path(), ec).string() == file + " (deleted)") return e.path().string();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(database_faults)

BOOST_AUTO_TEST_CASE(a_removed_database_file_is_answered_503_and_readyz_says_so) {
  Setup s;
  ServeProcess serve(s.dir.path(), s.config, s.db);
  Client http;
  const auto acked = PostAll(http, serve, 0, 20);
  BOOST_TEST(http.Get(serve.Url("/readyz")).status == 200);

  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(s.db + suffix);
  // SQLite would go on writing to the unlinked inode: no 202 may come back for that.
  for (int n = 20; n < 23; ++n) RefusedNaming(http, serve, n, "was removed");
  NotReadyNaming(http, serve, s.db + " was removed");
  BOOST_TEST(http.Get(serve.Url("/healthz")).status == 200);  // alive: restarting would not help

  // Undone as far as it can be: the service still holds the removed file and its log, so the
  // operator copies them back from /proc (the service being idle), then restarts it.
  const std::string db_fd = DeletedDescriptor(serve.pid(), s.db),
                    wal_fd = DeletedDescriptor(serve.pid(), s.db + "-wal");
  BOOST_TEST_REQUIRE(!db_fd.empty(), "no descriptor onto the removed database");
  fs::copy_file(db_fd, s.db);
  if (!wal_fd.empty()) fs::copy_file(wal_fd, s.db + "-wal");
  serve.Kill();  // a clean stop would delete the -wal by name: the copy we just made
  const CliRun check = RunCli(s.dir.path(), s.config, s.db, {"rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  AllThere(s.db, acked);
  BOOST_TEST(QueryInt(s.db, "SELECT count(*) FROM events") == static_cast<std::int64_t>(acked.size()));
  ServeProcess restarted(s.dir.path(), s.config, s.db);
  BOOST_TEST(http.Get(restarted.Url("/readyz")).status == 200);
  PostAll(http, restarted, 20, 23);  // the refused events, resent
}

BOOST_AUTO_TEST_CASE(a_database_file_made_read_only_is_answered_503_until_writable_again,
                     *boost::unit_test::precondition(CanBeUnprivileged())) {
  Setup s(Unprivileged());
  auto acked = [&] {
    ServeProcess serve(s.dir.path(), s.config, s.db, s.as);
    Client http;
    auto before = PostAll(http, serve, 0, 10);

    ::chmod(s.db.c_str(), 0444);
    RefusedNaming(http, serve, 10, "is not writable");
    NotReadyNaming(http, serve, s.db + " is not writable");
    // The CLI cannot write either, and says which file.
    testing::WriteFile(s.dir.File("one.json"), Event(11));
    const CliRun ingest =
        RunCli(s.dir.path(), s.config, s.db, {"ingest", "--route", "faults", s.dir.File("one.json")}, s.as);
    BOOST_TEST(ingest.exit_code != 0);
    BOOST_TEST(ingest.err.find("readonly database") != std::string::npos, ingest.err);

    ::chmod(s.db.c_str(), 0644);
    BOOST_TEST(http.Get(serve.Url("/readyz")).status == 200);
    auto after = PostAll(http, serve, 10, 15);
    before.insert(after.begin(), after.end());
    return before;
  }();
  AllThere(s.db, acked);
}

BOOST_AUTO_TEST_CASE(a_database_directory_made_read_only_is_answered_503_until_writable_again,
                     *boost::unit_test::precondition(CanBeUnprivileged())) {
  Setup s(Unprivileged());
  ServeProcess serve(s.dir.path(), s.config, s.db, s.as);
  Client http;
  auto acked = PostAll(http, serve, 0, 10);
  ::chmod(s.dir.path().c_str(), 0555);
  RefusedNaming(http, serve, 10, "is not writable");
  NotReadyNaming(http, serve, "directory " + s.dir.path().string());
  ::chmod(s.dir.path().c_str(), 0755);
  BOOST_TEST(http.Get(serve.Url("/readyz")).status == 200);
  const auto after = PostAll(http, serve, 10, 15);
  acked.insert(after.begin(), after.end());
  BOOST_TEST((serve.Terminate() == std::optional<int>(0)));
  AllThere(s.db, acked);
}

BOOST_AUTO_TEST_CASE(an_overwritten_page_makes_the_cli_verbs_fail_naming_the_database) {
  Setup s;
  const auto acked = Prepared(s, 400);
  const std::string pristine = testing::ReadFile(s.db);
  const std::int64_t page_size = PageSize(s.db);
  struct Case {
    std::vector<std::string> args;
    std::string btree;  // the b-tree whose middle page the verb must read
    bool rightmost;     // ... or whose last page (an append)
  };
  testing::WriteFile(s.dir.File("one.json"), Event(1000));
  const std::vector<Case> cases = {
      {{"sql", "SELECT count(*), sum(length(body)) FROM events"}, "event_log", false},
      {{"rebuild", "--check"}, "event_log", false},
      {{"status"}, "commit_statuses", false},
      {{"ingest", "--route", "faults", s.dir.File("one.json")}, "event_log", true},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.args[0] << " with a page of " << c.btree << " overwritten") {
      testing::WriteFile(s.db, pristine);
      const std::int64_t page = c.rightmost ? RightmostLeafOf(s.db, c.btree) : MiddleLeafOf(s.db, c.btree);
      const std::string original = OverwritePage(s.db, page, page_size);
      const CliRun r = RunCli(s.dir.path(), s.config, s.db, c.args);
      BOOST_TEST(r.exit_code != 0, r.out);
      BOOST_TEST(r.err.find("database disk image is malformed") != std::string::npos, r.err);
      BOOST_TEST_MESSAGE(c.args[0] << " says: " << r.err);
      // Put back, everything acknowledged is there and consistent.
      RestorePage(s.db, page, original);
      AllThere(s.db, acked);
      const CliRun check = RunCli(s.dir.path(), s.config, s.db, {"rebuild", "--check"});
      BOOST_TEST(check.exit_code == 0, check.out << check.err);
    }
  }
}

BOOST_AUTO_TEST_CASE(serve_and_the_cli_refuse_a_file_whose_first_page_is_overwritten) {
  Setup s;
  Prepared(s, 50);
  OverwritePage(s.db, 1, PageSize(s.db));
  std::string refused;
  try {
    ServeProcess serve(s.dir.path(), s.config, s.db);
  } catch (const std::runtime_error& e) {
    refused = e.what();  // it exited instead of listening; its output
  }
  BOOST_TEST(refused.find("fluxstatus: database " + s.db + " error: file is not a database") != std::string::npos,
             refused);
  testing::WriteFile(s.dir.File("one.json"), Event(1000));
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"status"},
                                             {"sql", "SELECT count(*) FROM events"},
                                             {"rebuild", "--check"},
                                             {"ingest", "--route", "faults", s.dir.File("one.json")}}) {
    BOOST_TEST_CONTEXT(args[0]) {
      const CliRun r = RunCli(s.dir.path(), s.config, s.db, args);
      BOOST_TEST(r.exit_code != 0, r.out);
      BOOST_TEST(r.err.find("file is not a database") != std::string::npos, r.err);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_overwritten_page_under_the_running_service_is_answered_503_and_readyz_says_so) {
  Setup s;
  auto acked = Prepared(s, 400);
  const std::int64_t page_size = PageSize(s.db);
  // The service starts cold: the next append must read the log's last page from the file.
  const std::int64_t page = RightmostLeafOf(s.db, "event_log");
  ServeProcess serve(s.dir.path(), s.config, s.db);
  Client http;
  const std::string original = OverwritePage(s.db, page, page_size);
  RefusedNaming(http, serve, 400, "malformed");
  NotReadyNaming(http, serve, "malformed");

  // Undone: the page is back. Whatever the service cached of the garbage, a restart reads
  // the file afresh; everything acknowledged before the fault is there.
  RestorePage(s.db, page, original);
  serve.Kill();
  AllThere(s.db, acked);
  ServeProcess restarted(s.dir.path(), s.config, s.db);
  BOOST_TEST(http.Get(restarted.Url("/readyz")).status == 200);
  const auto after = PostAll(http, restarted, 400, 405);
  acked.insert(after.begin(), after.end());
  BOOST_TEST((restarted.Terminate() == std::optional<int>(0)));
  AllThere(s.db, acked);
  const CliRun check = RunCli(s.dir.path(), s.config, s.db, {"rebuild", "--check"});
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::crash
