#include "store/dispatch_lease.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "store/database.h"

namespace fluxstatus::store {
namespace {

constexpr const char* kSelect = "SELECT holder, expires_at_ms FROM dispatch_lease WHERE name = ?";
constexpr const char* kUpsert = "INSERT OR REPLACE INTO dispatch_lease (name, holder, expires_at_ms) VALUES (?, ?, ?)";
constexpr const char* kDelete = "DELETE FROM dispatch_lease WHERE name = ? AND holder = ?";

// The host name, and the pid namespace when it can be read: two containers of one pod share
// the host name but not their pids, so a pid is only comparable within one namespace.
std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  std::string name = buf;
  char ns[64] = {};
  const ssize_t n = ::readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  if (n > 0) {
    std::string link(ns, static_cast<std::size_t>(n));  // "pid:[4026531836]"
    const auto open = link.find('['), close = link.find(']');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      name += "/pidns" + link.substr(open + 1, close - open - 1);
    }
  }
  return name;
}

std::optional<LeaseHolder> Read(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, kSelect);
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return LeaseHolder{q.getColumn(0).getString(), q.getColumn(1).getInt64()};
}

}  // namespace

std::string NewLeaseHolderId() {
  std::random_device rd;
  const std::uint64_t r = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(r));
  return HostName() + ":" + std::to_string(::getpid()) + ":" + hex;
}

bool HolderIsGoneFromThisHost(const std::string& holder) {
  const auto last = holder.rfind(':');
  if (last == std::string::npos || last == 0) return false;
  const auto middle = holder.rfind(':', last - 1);
  if (middle == std::string::npos) return false;
  if (holder.substr(0, middle) != HostName()) return false;
  long pid = 0;
  try {
    pid = std::stol(holder.substr(middle + 1, last - middle - 1));
  } catch (const std::exception&) {
    return false;
  }
  if (pid <= 0) return false;
  if (pid == ::getpid()) return true;  // our pid, another id: an earlier incarnation of this process
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

bool LeaseHeldBy(SQLite::Database& db, const std::string& holder, std::int64_t now_ms, const std::string& name) {
  const auto current = Read(db, name);
  return current && current->holder == holder && current->expires_at_ms > now_ms;
}

DispatchLease::DispatchLease(const std::string& db_path, std::string name)
    : db_(OpenForWriting(db_path, Durability::kNormal)), name_(std::move(name)) {}

LeaseAttempt DispatchLease::TryAcquire(const std::string& holder, std::int64_t now_ms, std::int64_t ttl_ms) {
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  LeaseAttempt out;
  const auto current = Read(*db_, name_);
  if (current && current->holder != holder && current->expires_at_ms > now_ms &&
      !HolderIsGoneFromThisHost(current->holder)) {
    out.other = current;
    return out;  // the transaction rolls back: nothing written
  }
  SQLite::Statement upsert(*db_, kUpsert);
  upsert.bind(1, name_);
  upsert.bind(2, holder);
  upsert.bind(3, static_cast<int64_t>(now_ms + ttl_ms));
  upsert.exec();
  tx.commit();
  out.held = true;
  return out;
}

void DispatchLease::Release(const std::string& holder) {
  SQLite::Statement del(*db_, kDelete);
  del.bind(1, name_);
  del.bind(2, holder);
  del.exec();
}

std::optional<LeaseHolder> DispatchLease::Current() { return Read(*db_, name_); }

}  // namespace fluxstatus::store
