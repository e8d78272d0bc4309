// Internal to the HTTP server (included by http_server.cpp and http_connection.cpp only): one
// Connection per accepted socket, and the ServerState every Connection shares. Boost.Beast and
// Asio stay behind these two translation units; http_server.h does not expose them.
//
// A connection's life: read head (header_timeout) -> [100 Continue] -> read body (body_timeout)
// -> hand the request to the Handler and wait, reading nothing, until its Responder posts the
// answer back onto the strand -> write (body_timeout) -> keep-alive: wait for the next request
// (idle_timeout), or close: shut down sending and drain what the client still sends (linger).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "ingest/http_server.h"

namespace fluxstatus::ingest::internal {

// "127.0.0.1:9595" or "[::1]:9595".
std::string FormatHostPort(std::string_view host, uint16_t port);

// Closed by Stop once the I/O threads are joined. Responders post only while it is open, which
// keeps them from touching the io_context after the server is gone.
struct Gate {
  std::mutex mu;
  bool open = true;
};

class Connection;

// What every Connection shares: the options, the handler, and the registry of live connections.
// Defined in http_server.cpp. Thread-safe.
class ServerState {
 public:
  ServerState(HttpServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  const HttpServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const std::shared_ptr<Gate>& gate() const { return gate_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // Creates and registers the connection for an accepted socket, or returns nullptr (closing
  // the socket) when stopping or far over the connection cap.
  std::shared_ptr<Connection> Admit(boost::asio::ip::tcp::socket socket);
  // Called by a connection when it closes; wakes WaitUntilEmpty.
  void Unregister(Connection* connection);
  // Connections open now, served or being refused.
  std::size_t size();
  // Marks the server as stopping (no more admissions) and returns the live connections.
  std::vector<std::shared_ptr<Connection>> BeginStop();
  // Waits until no connection is left or `deadline` passes.
  void WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);
  // Empties the registry, returning what was left.
  std::vector<std::shared_ptr<Connection>> TakeAll();

 private:
  struct Entry {
    std::shared_ptr<Connection> connection;
    bool rejecting;
  };

  const HttpServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<Connection*, Entry> connections_;  // GUARDED_BY(mu_)
  std::size_t serving_ = 0;                             // GUARDED_BY(mu_)
  std::size_t rejecting_ = 0;                           // GUARDED_BY(mu_)
};

// One connection. Every member function runs on the connection's strand, except ForceClose.
// Lifetime: owned by the registry until Close, and by pending operations; Responders hold only
// a weak_ptr, so an abandoned Responder never keeps a connection open.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `rejecting`: over the cap; the request head is read and answered 503.
  Connection(boost::asio::ip::tcp::socket socket, ServerState& server, bool rejecting);

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }
  void Start() { ReadRequest(); }
  // From Stop: closes the connection unless a request is being answered.
  void Shutdown();
  // Closes the socket; only while no I/O thread runs (the end of Stop).
  void ForceClose();
  // The Handler's answer, posted by a Responder.
  void OnResponse(HttpResponse response);

 private:
  enum class Phase { kReading, kAwaitingResponse, kWriting, kLingering, kClosed };
  using ErrorCode = boost::beast::error_code;

  void ReadRequest();
  void OnIdleRead(ErrorCode ec, std::size_t bytes);
  void ReadHead();
  void OnHead(ErrorCode ec, std::size_t bytes);
  void OnContinueWritten(ErrorCode ec, std::size_t bytes);
  void ReadBody();
  void OnBody(ErrorCode ec, std::size_t bytes);
  void OnReadError(ErrorCode ec);
  void OnRequest();
  void Write(HttpResponse response, bool keep_alive);
  void OnWritten(bool keep_alive, ErrorCode ec, std::size_t bytes);
  void Linger();
  void Drain();
  void Close();

  ServerState& server_;
  boost::beast::tcp_stream stream_;
  const bool rejecting_;
  std::string remote_;
  Phase phase_ = Phase::kReading;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> continue_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> response_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_request_ = false;
  std::size_t requests_ = 0;
  std::size_t drained_ = 0;
};

}  // namespace fluxstatus::ingest::internal
