// The sending side of the soak test, as Flux's notification-controller forwards events to a
// generic / generic-hmac Provider: one libcurl handle per sender thread (keep-alive), the
// headers Flux sets, the X-Signature of generic-hmac, and go-retryablehttp's retry policy.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <curl/curl.h>

namespace fluxstatus::soak {

// `sha256=<lower-case hex HMAC-SHA256(body, key)>`, as Flux's generic-hmac Provider signs.
std::string Signature(const std::string& key, const std::string& body);

// Lets every sender through, except while one of them holds the service quiet: Close() waits
// for the requests under way to finish and keeps new ones out until Open().
class TrafficGate {
 public:
  void Enter();
  void Leave();
  void Close();
  void Open();
  int active() const;
  // Waits until a request is under way; false after `timeout`.
  bool WaitActive(std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int active_ = 0;
};

// How one logical send ended, after its retries.
struct SendResult {
  bool acked = false;  // answered 202
  long status = 0;     // the last answer's status, 0 when there was none
  std::string error;   // the last transport error, or the last answer's body
  std::optional<std::int64_t> id;
  bool duplicate = false;
  int attempts = 0;
};

struct Endpoint {
  std::string url;       // http://127.0.0.1:PORT/hook/ROUTE
  std::string hmac_key;  // empty: a generic Provider (no signature)
};

class FluxSender {
 public:
  explicit FluxSender(TrafficGate& gate);
  ~FluxSender();
  FluxSender(const FluxSender&) = delete;
  FluxSender& operator=(const FluxSender&) = delete;

  // POSTs `body` and retries as go-retryablehttp does: connection errors and 5xx except 501,
  // waiting Retry-After on 429/503 or else doubling waits; never any other 4xx. `gated`: each
  // attempt waits for the TrafficGate (false for the sender that holds it closed).
  SendResult Post(const Endpoint& to, const std::string& body, const std::string& controller, bool gated = true);
  // One POST outside the gate and without retries (the final checks).
  SendResult PostOnce(const Endpoint& to, const std::string& body, const std::string& controller);

 private:
  SendResult Attempt(const Endpoint& to, const std::string& body, const std::string& controller,
                     std::chrono::milliseconds& retry_after);
  CURL* curl_;
  TrafficGate& gate_;
};

}  // namespace fluxstatus::soak
