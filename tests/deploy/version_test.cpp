// `fluxstatus version`: what a bug report quotes, one "key: value" per line.
#include <regex>

#include <boost/test/unit_test.hpp>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace {

using fluxstatus::testing::RunProcess;
using fluxstatus::testing::TempDir;

BOOST_AUTO_TEST_SUITE(Version)

BOOST_AUTO_TEST_CASE(prints_version_commit_build_date_and_schema_version) {
  TempDir dir;
  const auto r = RunProcess(dir.path(), {FLUXSTATUS_BINARY, "version"});
  BOOST_TEST_INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  BOOST_TEST(r.exit_code == 0);
  // The commit is a short hex SHA, or "unknown" when built outside a Git checkout; the date
  // is RFC 3339 UTC (SOURCE_DATE_EPOCH when the build set it).
  const std::regex shape(std::string("fluxstatus ") + FLUXSTATUS_VERSION +
                         "\ncommit: ([0-9a-f]{7,40}|unknown)"
                         "\nbuilt: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
                         "\nschema version: [1-9][0-9]*\n");
  BOOST_TEST(std::regex_match(r.out, shape));
}

BOOST_AUTO_TEST_CASE(needs_no_config_or_database) {
  TempDir dir;
  const auto r = RunProcess(dir.path(), {FLUXSTATUS_BINARY, "--config", "missing.yaml", "version"});
  BOOST_TEST_INFO("stderr:\n" << r.err);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(!std::filesystem::exists(dir.path() / "fluxstatus.db"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
