// Whole-file reads and writes, byte for byte, and the shared sample directory. Header-only.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace fluxstatus::testing {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

#ifdef FLUXSTATUS_SHARED_DIR
inline std::filesystem::path SharedDir() { return FLUXSTATUS_SHARED_DIR; }
#endif

// /work/shared/samples/<sub>/*.json, sorted by name (the samples are numbered).
inline std::vector<std::filesystem::path> SampleFiles(const std::string& sub) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(SharedDir() / "samples" / sub)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::filesystem::path SampleFile(const std::string& sub, const std::string& name) {
  return SharedDir() / "samples" / sub / name;
}

// Precondition for test cases that read the shared samples: they are skipped, with a message
// saying why, on a checkout without the shared directory.
struct SharedSamplesPresent {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    const auto dir = SharedDir() / "samples";
    std::error_code ec;
    if (std::filesystem::is_directory(dir / "events", ec) && std::filesystem::is_directory(dir / "wire", ec)) {
      return true;
    }
    boost::test_tools::assertion_result skip(false);
    skip.message() << "skipped: the shared samples directory " << dir.string()
                   << " is absent (set up /work/shared to run this test)";
    BOOST_TEST_MESSAGE("shared samples absent: " << dir.string() << "; test skipped");
    return skip;
  }
};

}  // namespace fluxstatus::testing
