#include "dispatch/lease_budget.h"

namespace fluxstatus::dispatch {

std::chrono::milliseconds LeaseNeededFor(LeaseAction action, const StepTimeouts& t) {
  switch (action) {
    case LeaseAction::kList: return t.call + t.record_wait;
    case LeaseAction::kSend: return t.record_wait + t.call + t.record_wait;
    case LeaseAction::kRecord: return t.record_wait;
  }
  return t.record_wait + t.call + t.record_wait;
}

std::chrono::milliseconds LeaseUsableFor(std::chrono::milliseconds ttl) { return ttl - ttl / 3; }

std::chrono::milliseconds LeaseTtlFor(const StepTimeouts& t, std::chrono::milliseconds renew_every) {
  // usable = ttl - ttl/3 >= one send + two renewal periods  =>  ttl >= 3/2 of that (rounded up).
  const auto usable = LeaseNeededFor(LeaseAction::kSend, t) + 2 * renew_every;
  auto ttl = (usable * 3 + std::chrono::milliseconds(1)) / 2;
  while (LeaseUsableFor(ttl) < usable) ttl += std::chrono::milliseconds(1);
  return ttl;
}

}  // namespace fluxstatus::dispatch
