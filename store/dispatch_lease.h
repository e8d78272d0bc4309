// The dispatch lease (table dispatch_lease): which process may send statuses to Git hosts.
// `serve` and `replay` each run a dispatcher; a dispatcher sends only while it holds the lease,
// so two processes on one database never send the same key at once. Owns every SQL statement
// on the table.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

namespace fluxstatus::store {

// The one lease every dispatcher of a database competes for.
inline constexpr const char* kDispatchLeaseName = "dispatch";

struct LeaseHolder {
  std::string holder;  // "hostname/pidnsN:pid:random"
  std::int64_t expires_at_ms = 0;
};

struct LeaseAttempt {
  bool held = false;                 // we hold it now, until now + ttl
  std::optional<LeaseHolder> other;  // when not held: who does
};

// A new holder id for this process: "hostname/pidnsN:pid:random" (the pid namespace, where
// readable, since containers of one pod share a host name; random: a restarted process that
// got the same pid is still another holder).
std::string NewLeaseHolderId();

// True when `holder` names a process on this host that no longer runs (the pid is gone, or is
// ours under another id: a container restarted with the same pid). Such a lease is stale at once.
bool HolderIsGoneFromThisHost(const std::string& holder);

// Whether `holder` holds the lease `name` at now_ms (its row names it and has not expired), on
// the caller's connection and inside its transaction: the writer checks it before applying a
// dispatch step, so a step that outlived its holder's lease changes no key.
bool LeaseHeldBy(SQLite::Database& db, const std::string& holder, std::int64_t now_ms,
                 const std::string& name = kDispatchLeaseName);

// Not thread-safe: one instance per thread. Opens its own read-write connection, so it can be
// used beside a writer thread and from a process without one.
class DispatchLease {
 public:
  explicit DispatchLease(const std::string& db_path, std::string name = kDispatchLeaseName);

  // Takes or renews the lease for `holder` until now_ms + ttl_ms when it is free, expired,
  // already ours, or its holder is gone from this host. One short write transaction.
  LeaseAttempt TryAcquire(const std::string& holder, std::int64_t now_ms, std::int64_t ttl_ms);
  // Gives the lease up (deletes the row) if `holder` still holds it.
  void Release(const std::string& holder);
  // The row as it is (nullopt: nobody holds it).
  std::optional<LeaseHolder> Current();

 private:
  std::unique_ptr<SQLite::Database> db_;
  std::string name_;
};

}  // namespace fluxstatus::store
