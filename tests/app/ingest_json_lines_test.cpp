// `fluxstatus ingest` of JSON Lines: every line is its own document, a bad line costs that line
// only and is named by its exact number, the counts add up, and memory stays flat however
// large the file. Plus the formats decided from a file's start: array, pretty-printed document.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/app/cli_fixture.h"

using namespace fluxstatus::app::testing;

namespace {

// A valid compact event (wire form) for Kustomization `name` at `timestamp`.
std::string Event(const std::string& name, const std::string& timestamp = "2026-11-24T09:17:31Z") {
  return WireEvent(name, "info", "ReconciliationSucceeded", timestamp, "Reconciliation finished",
                   "69fdd6276a37f5e42af7f0405a21703b605543d0");
}

// The event for `name`, cut short the way a truncated copy or an interrupted write leaves it:
// here after its first member, so the JSON error shows only where the next line starts.
std::string CutShort(const std::string& name) {
  const std::string event = Event(name);
  return event.substr(0, event.find(",\"severity\""));
}

// A distinct event for second `i` of the day (i < 86400), over 50 Kustomizations.
std::string SecondEvent(int i) {
  char timestamp[32];
  std::snprintf(timestamp, sizeof timestamp, "2026-11-24T%02d:%02d:%02dZ", i / 3600, i / 60 % 60, i % 60);
  return Event("app" + std::to_string(i % 50), timestamp);
}

std::vector<std::string> NamesInLogOrder(SQLite::Database& db) {
  std::vector<std::string> names;
  for (const auto& row : QueryRows(db, "SELECT name FROM events ORDER BY id")) names.push_back(row[0]);
  return names;
}

struct MeasuredRun {
  ProcessResult result;
  long peak_rss_kib = 0;
};

// Like CliFixture::Run, but reports the process's own peak resident memory (wait4).
MeasuredRun RunMeasured(const std::filesystem::path& dir, std::vector<std::string> args) {
  args.insert(args.begin(), FLUXSTATUS_BINARY);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = (dir / ".measured-stdout").string(), err = (dir / ".measured-stderr").string();
  const pid_t pid = ::fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) {
    const int in_fd = ::open("/dev/null", O_RDONLY);
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (::chdir(dir.c_str()) != 0 || ::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) _exit(127);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  BOOST_TEST_REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  MeasuredRun run;
  run.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.result.out = ReadFile(out);
  run.result.err = ReadFile(err);
  run.peak_rss_kib = usage.ru_maxrss;  // KiB on Linux
  return run;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(IngestJsonLines)

BOOST_FIXTURE_TEST_CASE(imports_the_other_four_and_names_line_2_when_line_2_is_cut_short, CliFixture) {
  const auto file = Write("five.jsonl", Event("a") + "\n" + CutShort("b") + "\n" + Event("c") + "\n" + Event("d") +
                                            "\n" + Event("e") + "\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 4, duplicate 0, rejected 1\n");
  BOOST_TEST(Contains(r.err, "five.jsonl:2: invalid JSON"));
  BOOST_TEST(!Contains(r.err, "five.jsonl:3:"));
  BOOST_TEST((NamesInLogOrder(*Db()) == std::vector<std::string>{"a", "c", "d", "e"}));
}

BOOST_FIXTURE_TEST_CASE(imports_the_other_lines_when_the_first_line_is_cut_short, CliFixture) {
  const auto file = Write("first.jsonl", CutShort("a") + "\n" + Event("b") + "\n" + Event("c") + "\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 1\n");
  BOOST_TEST(Contains(r.err, "first.jsonl:1: "));
  BOOST_TEST((NamesInLogOrder(*Db()) == std::vector<std::string>{"b", "c"}));
}

BOOST_FIXTURE_TEST_CASE(skips_blank_lines_without_counting_them_and_keeps_line_numbers, CliFixture) {
  const auto file =
      Write("blank.jsonl", "\n" + Event("a") + "\n\n   \t\n" + CutShort("b") + "\n\n" + Event("c") + "\n\n\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 1\n");  // three non-empty lines
  BOOST_TEST(Contains(r.err, "blank.jsonl:5: "));
  BOOST_TEST((NamesInLogOrder(*Db()) == std::vector<std::string>{"a", "c"}));
}

BOOST_FIXTURE_TEST_CASE(reads_crlf_lines_and_logs_bodies_without_the_cr, CliFixture) {
  const auto file =
      Write("crlf.jsonl", Event("a") + "\r\n" + Event("b") + "\r\n" + CutShort("c") + "\r\n" + Event("d") + "\r\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 3, duplicate 0, rejected 1\n");
  BOOST_TEST(Contains(r.err, "crlf.jsonl:3: "));
  BOOST_TEST((NamesInLogOrder(*Db()) == std::vector<std::string>{"a", "b", "d"}));
  BOOST_TEST(QueryText(*Db(), "SELECT body FROM events WHERE name = 'd'") == Event("d"));
}

BOOST_FIXTURE_TEST_CASE(names_the_last_line_when_it_is_bad_and_has_no_newline, CliFixture) {
  const auto file = Write("tail.jsonl", Event("a") + "\n" + CutShort("b") + "\n" + Event("c") + "\n" + CutShort("d"));
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 2\n");
  BOOST_TEST(Contains(r.err, "tail.jsonl:2: "));
  BOOST_TEST(Contains(r.err, "tail.jsonl:4: "));
  BOOST_TEST((NamesInLogOrder(*Db()) == std::vector<std::string>{"a", "c"}));
}

BOOST_FIXTURE_TEST_CASE(rejects_a_line_over_max_body_bytes_and_imports_the_next, CliFixture) {
  WriteConfig("max_body_bytes: 1024\n");
  const std::string huge = Event("b").insert(1, "\"padding\":\"" + std::string(100000, 'x') + "\",");
  const auto file = Write("huge.jsonl", Event("a") + "\n" + huge + "\n" + Event("c") + "\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 1\n");
  BOOST_TEST(Contains(
      r.err, "huge.jsonl:2: event is " + std::to_string(huge.size()) + " bytes, over the limit of 1024 bytes"));
  BOOST_TEST((NamesInLogOrder(*Db()) == std::vector<std::string>{"a", "c"}));
}

BOOST_FIXTURE_TEST_CASE(imports_a_single_pretty_printed_document_as_one_event, CliFixture) {
  // Two layouts: `{` alone on the first line, and a first line that holds a whole inner object.
  const std::string brace_first =
      "{\r\n  \"involvedObject\": {\r\n    \"kind\": \"Kustomization\",\r\n    \"name\": \"apps\"\r\n  },\r\n"
      "  \"severity\": \"info\",\r\n  \"timestamp\": \"2026-11-24T09:17:31Z\",\r\n  \"message\": \"done\",\r\n"
      "  \"reason\": \"ReconciliationSucceeded\"\r\n}";
  const std::string object_first =
      "{\"involvedObject\": {\"kind\": \"Kustomization\", \"name\": \"infra\"},\n"
      "  \"severity\": \"info\",\n  \"timestamp\": \"2026-11-24T09:17:31Z\",\n"
      "  \"message\": \"done\",\n  \"reason\": \"ReconciliationSucceeded\"}\n";
  const auto r = Run({"ingest", Write("brace.json", brace_first + "\r\n"), Write("object.json", object_first)});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 0\n");
  BOOST_TEST(QueryText(*Db(), "SELECT body FROM events WHERE name = 'apps'") == brace_first);
  BOOST_TEST(QueryText(*Db(), "SELECT body FROM events WHERE name = 'infra'") ==
             object_first.substr(0, object_first.size() - 1));
}

BOOST_FIXTURE_TEST_CASE(imports_every_element_when_file_is_a_pretty_printed_array, CliFixture) {
  const auto file = Write("array.json", "\n  [\r\n    " + Event("a") + ",\r\n    " + Event("b") + "\r\n  ]\r\n");
  const auto r = Run({"ingest", file});
  BOOST_TEST_INFO(Show(r));
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "accepted 2, duplicate 0, rejected 0\n");
  BOOST_TEST(QueryText(*Db(), "SELECT body FROM events WHERE name = 'b'") == Event("b"));
}

BOOST_FIXTURE_TEST_CASE(imports_50000_lines_with_counts_adding_up_and_memory_flat, CliFixture) {
  // Every 1000th line blank, every 5000th cut short (the first one too), every 2500th a resend
  // of the line before. Each line is padded with spaces (trimmed before parsing), so the file is
  // large (~65 MB) without making the import slower: read whole, it would take more memory.
  const std::string padding(1000, ' ');
  const auto file = dir.File("big.jsonl");
  std::ofstream out(file, std::ios::binary);  // written as it goes: the test holds no copy to count
  std::size_t non_empty = 0, cut = 0, resent = 0;
  for (int i = 1; i <= 50000; ++i) {
    if (i % 1000 == 0) {
      out << "\n";
      continue;
    }
    ++non_empty;
    if (i % 5000 == 1) {
      ++cut;
      out << SecondEvent(i).substr(0, 80);
    } else if (i % 2500 == 10) {
      ++resent;
      out << SecondEvent(i - 1);
    } else {
      out << SecondEvent(i);
    }
    out << padding << "\n";
  }
  BOOST_TEST_REQUIRE(static_cast<bool>(out.flush()));
  [[maybe_unused]] const auto file_bytes = static_cast<long>(std::filesystem::file_size(file));
  const auto run = RunMeasured(dir.path(), {"ingest", file});
  BOOST_TEST_INFO(Show(run.result));
  BOOST_TEST(run.result.exit_code == 1);
  const std::size_t accepted = non_empty - cut - resent;
  BOOST_TEST(run.result.out == "accepted " + std::to_string(accepted) + ", duplicate " + std::to_string(resent) +
                                   ", rejected " + std::to_string(cut) + "\n");
  BOOST_TEST(QueryInt(*Db(), "SELECT count(*) FROM events") == static_cast<long long>(accepted));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)  // sanitizers keep freed memory
  BOOST_TEST(run.peak_rss_kib * 1024 < file_bytes / 2);
#endif
}

BOOST_AUTO_TEST_SUITE_END()
