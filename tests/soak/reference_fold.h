// The soak test's own fold, written from the contract (docs/sql.md, README "Behaviour worth
// knowing", flux-events.md), not from core/: what status each key must end with, given every
// body that was acknowledged on a route. Small on purpose: it covers the event shapes
// FluxStream writes and says so when it meets anything else.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace fluxstatus::soak {

// What one event asks for. `commit` empty: the event names no Git commit (no key).
struct Derived {
  std::string commit;
  std::string context;
  std::string state;        // pending | success | failure
  std::string description;  // the reason in words, plus the message's first line on failure
  std::string event_time;   // as the views write it: 2026-11-24T10:02:14.000Z
};

// `cluster`: the route's `cluster` key (appended to the context when set). Throws
// std::runtime_error naming the problem for a body it does not understand.
Derived Derive(const std::string& body, const std::string& cluster);

// (route, commit, context)
using KeyId = std::tuple<std::string, std::string, std::string>;
std::string KeyText(const KeyId& key);

struct Expected {
  Derived winner;
  std::string body;  // the winning event's body
  int events = 0;    // events of the key
};

struct RouteBody {
  std::string route;
  std::string body;
};

// Per key, the event with the newest timestamp wins, wherever it came in the log. The stream
// gives no two events of one key the same timestamp, so log order (the product's tie-break)
// never decides; a tie is reported in `ties` rather than guessed.
struct ReferenceFold {
  std::map<KeyId, Expected> keys;
  std::vector<std::string> ties;
  int without_commit = 0;
};
ReferenceFold Fold(const std::vector<RouteBody>& bodies, const std::map<std::string, std::string>& cluster_of_route);

// Events of a key whose log position comes after an event of the same key with a newer
// timestamp: out-of-order arrivals as the service saw them. `log` is in log order.
int CountOutOfOrder(const std::vector<RouteBody>& log, const std::map<std::string, std::string>& cluster_of_route);

}  // namespace fluxstatus::soak
