// The one rule that keeps two dispatchers (serve, and a replay beside it) from sending one key
// at once: a worker starts an action only while the dispatch lease stays valid for the
// action's worst case and the record that follows it. So every call and every record of a
// holder ends before another process can take the lease over, and the ttl is chosen so that
// a lease renewed on time always covers a send.
#pragma once

#include <chrono>

namespace fluxstatus::dispatch {

// The longest each part of a delivery step may take.
struct StepTimeouts {
  std::chrono::milliseconds record_wait;  // a record's commit through the writer
  std::chrono::milliseconds call;         // one HTTP call, connect included (the transport's timeout)
};

enum class LeaseAction {
  kList,    // one list call, then the record of what it found
  kSend,    // the in-flight record, the POST, then the record of its result
  kRecord,  // the record of a step's result
};

// The validity the lease must have left when `action` starts.
std::chrono::milliseconds LeaseNeededFor(LeaseAction action, const StepTimeouts& timeouts);

// How long a lease taken (or renewed) with `ttl` may be used: sending stops a third of the ttl
// before the row expires, so a successor that waited for the expiry never overlaps it, even
// when a renewal was slow to commit or the wall clock stepped.
std::chrono::milliseconds LeaseUsableFor(std::chrono::milliseconds ttl);

// The ttl under which a lease renewed every `renew_every` covers a send until its next
// renewal, with one late renewal to spare: 45-60 s for the defaults (5 s record wait, 15 s
// HTTP timeout, 5 s renewal).
std::chrono::milliseconds LeaseTtlFor(const StepTimeouts& timeouts, std::chrono::milliseconds renew_every);

}  // namespace fluxstatus::dispatch
