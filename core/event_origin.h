// How an event reached the log (the `events` view's `origin` column): a Flux Provider's POST
// to /hook/{route}, a controller's POST in direct mode, a file given to the `ingest` verb, or a
// status the resync read from the cluster's objects and appended as a synthesized event.
#pragma once

#include <string_view>

namespace fluxstatus::core {

enum class EventOrigin { kHttp, kDirect, kImport, kResync };

constexpr std::string_view ToString(EventOrigin origin) {
  switch (origin) {
    case EventOrigin::kDirect: return "direct";
    case EventOrigin::kImport: return "import";
    case EventOrigin::kResync: return "resync";
    case EventOrigin::kHttp: break;
  }
  return "http";
}

}  // namespace fluxstatus::core
