// A fresh directory under $TMPDIR (default /tmp) for one test, removed with everything in it
// when the owner goes away.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace fluxstatus::testing {

class TempDir {
 public:
  TempDir();   // throws std::runtime_error when mkdtemp fails
  ~TempDir();  // never throws; a leftover dir is only litter
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of name inside the directory (the file need not exist).
  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace fluxstatus::testing
