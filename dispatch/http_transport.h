// Sends a provider's HttpCall to a Git host and returns its HttpReply: the only libcurl user.
// One CurlTransport per worker thread keeps that thread's connections and TLS sessions alive.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "dispatch/http_exchange.h"

namespace fluxstatus::dispatch {

// libcurl's process-wide set-up. Call it in main before any thread starts (curl_global_init
// is not thread-safe on every build). Idempotent and safe to call again from anywhere later.
// Throws std::runtime_error if libcurl cannot initialise.
void InitCurlGlobal();

struct TransportOptions {
  std::chrono::milliseconds timeout{15000};         // the whole exchange, connect included
  std::chrono::milliseconds connect_timeout{5000};  // TCP + TLS handshake
  // PEM bundle to trust instead of the system's CA store; empty = the system store.
  std::string ca_file;
  // A client certificate (PEM, may include its chain) and its unencrypted private key (PEM),
  // for hosts that require mutual TLS; both or neither. The key is read by libcurl only.
  std::string client_cert_file;
  std::string client_key_file;
  std::string user_agent = "fluxstatus/" FLUXSTATUS_VERSION;

  // Routes whose options have equal keys may share one transport (and its connections).
  std::string SharingKey() const { return ca_file + '\n' + client_cert_file + '\n' + client_key_file; }
};

// The result of one Send: exactly one of `reply` (the host answered, whatever its status)
// or `error` is set.
struct TransportResult {
  std::optional<HttpReply> reply;
  // curl's error text (host and port, never headers or secrets); TLS failures in plain words
  // naming the route key that fixes them, e.g. "TLS: certificate of git.example:443 is not
  // trusted (self-signed certificate in chain); set the route's ca_file".
  std::string error;
  // The request may have reached the host although no complete answer came back (timeout
  // after sending, connection reset mid-response, answer over the size limit): the caller must
  // list the host's statuses before re-posting. False when the request certainly never left
  // (DNS failure, connection refused, TLS handshake or certificate failure).
  bool uncertain = false;
  std::chrono::milliseconds duration{0};  // wall time of the exchange
};

// One libcurl easy handle, reused for every request so connections and TLS sessions stay
// alive per host. TLS peer and host verification are always on; proxies come from the
// environment (http_proxy, https_proxy, no_proxy) as libcurl reads them; redirects are not
// followed; answers larger than kMaxReplyBytes are cut off and reported as an uncertain error.
// Not thread-safe: one instance per thread. Movable, not copyable.
class CurlTransport {
 public:
  static constexpr std::size_t kMaxReplyBytes = 4 * 1024 * 1024;

  // Calls InitCurlGlobal (a no-op after main did). Throws std::runtime_error when libcurl
  // cannot create a handle.
  explicit CurlTransport(TransportOptions options);
  ~CurlTransport();
  CurlTransport(CurlTransport&&) noexcept;
  CurlTransport& operator=(CurlTransport&&) noexcept;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Sends `call` as is (method, absolute URL, headers, body), adding User-Agent and
  // Content-Length. Blocks up to options.timeout. Never throws for network or host failures;
  // those are values in the result. Not for concurrent use (see the class comment).
  TransportResult Send(const HttpCall& call);

  // From now on, a Send cuts its exchange short within about a second of `*flag` turning true
  // (a shutdown), and one started after that makes no call. A call cut after its request may
  // have left is uncertain, like a timeout. `flag` must outlive this transport; nullptr: never.
  void AbortWhen(const std::atomic<bool>* flag);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxstatus::dispatch
