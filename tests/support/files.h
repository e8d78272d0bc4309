// Whole-file reads and writes, byte for byte, and the sample fixtures. Header-only.
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

#ifdef FLUXSTATUS_FIXTURES_DIR
// tests/fixtures: copies of the reference samples and specs, so that a clone tests on its own.
inline std::filesystem::path FixturesDir() { return FLUXSTATUS_FIXTURES_DIR; }
#endif

// tests/fixtures/samples/<sub>/*.json, sorted by name (the samples are numbered).
inline std::vector<std::filesystem::path> SampleFiles(const std::string& sub) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(FixturesDir() / "samples" / sub)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::filesystem::path SampleFile(const std::string& sub, const std::string& name) {
  return FixturesDir() / "samples" / sub / name;
}

}  // namespace fluxstatus::testing
