#include "app/version.h"

#include "store/migrator.h"

#ifndef FLUXSTATUS_GIT_COMMIT
#define FLUXSTATUS_GIT_COMMIT "unknown"
#endif
#ifndef FLUXSTATUS_BUILD_DATE
#define FLUXSTATUS_BUILD_DATE "unknown"
#endif

namespace fluxstatus::app {

BuildInfo GetBuildInfo() { return BuildInfo{FLUXSTATUS_VERSION, FLUXSTATUS_GIT_COMMIT, FLUXSTATUS_BUILD_DATE}; }

std::string VersionText() {
  const BuildInfo info = GetBuildInfo();
  return "fluxstatus " + info.version + "\ncommit: " + info.commit + "\nbuilt: " + info.build_date +
         "\nschema version: " + std::to_string(store::Migrator::LatestVersion()) + "\n";
}

}  // namespace fluxstatus::app
