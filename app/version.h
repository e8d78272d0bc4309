// What `fluxstatus version` prints: the release, the Git commit and the build date. Only
// version.cpp sees the commit and date definitions, so a new commit or configure recompiles
// that one file, not everything (ccache keeps the rest).
#pragma once

#include <string>

namespace fluxstatus::app {

struct BuildInfo {
  std::string version;     // the project version, e.g. "0.1.0"
  std::string commit;      // `git rev-parse --short HEAD` at configure time, or "unknown"
  std::string build_date;  // RFC 3339 UTC at configure time (SOURCE_DATE_EPOCH when set)
};

BuildInfo GetBuildInfo();

// "fluxstatus 0.1.0\ncommit: 5f44e4b\nbuilt: 2026-11-28T11:54:59Z\nschema version: 2\n"
std::string VersionText();

}  // namespace fluxstatus::app
