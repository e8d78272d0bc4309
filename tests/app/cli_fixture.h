// End-to-end tests of the real fluxstatus binary: each test runs it in its own temp dir (so
// ./fluxstatus.db and ./fluxstatus.yaml are the test's own) and looks at what a user sees:
// stdout, stderr, the exit code, and the database through the contract's SQL views.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "tests/support/files.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/process.h"
#include "tests/support/sql.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::app::testing {

using fluxstatus::testing::FluxEventSpec;
using fluxstatus::testing::ProcessResult;
using fluxstatus::testing::QueryInt;
using fluxstatus::testing::QueryRows;
using fluxstatus::testing::QueryText;
using fluxstatus::testing::ReadFile;
using fluxstatus::testing::Row;
using fluxstatus::testing::SampleFile;
using fluxstatus::testing::SampleFiles;
using fluxstatus::testing::TempDir;
using fluxstatus::testing::WriteFile;

inline const std::string kSha2f5e = "2f5e7c0d9a4b3e1f6a7b8c9d0e1f2a3b4c5d6e7f";
inline const std::string kSha8c1d = "8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";

// A Kustomization event in the compact wire form these tests feed `fluxstatus ingest`: Flux's
// members without apiVersion and reportingController; `sha` on branch main.
inline std::string WireEvent(const std::string& name, const std::string& severity, const std::string& reason,
                             const std::string& timestamp, const std::string& message, const std::string& sha) {
  FluxEventSpec spec;
  spec.name = name;
  spec.api_version.clear();
  spec.severity = severity;
  spec.timestamp = timestamp;
  spec.message = message;
  spec.reason = reason;
  spec.revision = "main@sha1:" + sha;
  spec.reporting_controller.clear();
  return fluxstatus::testing::FluxEventJson(spec);
}

// For BOOST_TEST_INFO: everything the run printed.
inline std::string Show(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout:\n" + r.out.substr(0, 4000) + "\n--- stderr:\n" +
         r.err.substr(0, 4000);
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct CliFixture {
  TempDir dir;
  std::string db_path = dir.File("fluxstatus.db");

  // Runs `fluxstatus args...` in the test's directory, without the FLUXSTATUS_CONFIG and
  // FLUXSTATUS_DB a developer's shell or a container image may set.
  ProcessResult Run(std::vector<std::string> args, const std::optional<std::string>& stdin_text = std::nullopt) {
    args.insert(args.begin(), {"env", "-u", "FLUXSTATUS_CONFIG", "-u", "FLUXSTATUS_DB", FLUXSTATUS_BINARY});
    return fluxstatus::testing::RunProcess(dir.path(), args, stdin_text);
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    WriteFile(dir.path() / name, bytes);
    return dir.File(name);
  }

  void WriteConfig(const std::string& yaml) { Write("fluxstatus.yaml", yaml); }

  // A read-only SQLiteCpp connection on the test's database.
  std::unique_ptr<SQLite::Database> Db() { return std::make_unique<SQLite::Database>(db_path, SQLite::OPEN_READONLY); }

  // Ingests the given sample events (file names under samples/events), requiring success.
  void IngestSamples(const std::vector<std::string>& names, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"ingest"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const auto& n : names) args.push_back(SampleFile("events", n).string());
    const auto r = Run(args);
    BOOST_TEST_INFO(Show(r));
    BOOST_TEST_REQUIRE(r.exit_code == 0);
  }

  std::vector<std::string> AllSampleEvents() {
    std::vector<std::string> args;
    for (const auto& p : SampleFiles("events")) args.push_back(p.filename().string());
    return args;
  }
};

// Parses JSON output, failing the test when it does not parse.
inline rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  BOOST_TEST_INFO("JSON: " << text.substr(0, 2000));
  BOOST_TEST_REQUIRE(!d.HasParseError());
  return d;
}

}  // namespace fluxstatus::app::testing
