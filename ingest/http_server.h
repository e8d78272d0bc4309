// The HTTP/1.1 listener for ingest: reads requests with size and time limits, hands each one to
// a Handler, and writes the answer when the Handler's Responder is called (possibly much later,
// from another thread). Knows nothing about Flux; Boost.Beast stays inside http_server.cpp and
// http_connection.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxstatus::ingest {

// One complete request, owned by the Handler once delivered.
struct HttpRequest {
  std::string method;                                        // as received, e.g. "POST"
  std::string target;                                        // path and query as received, e.g. "/hook/prod?x=1"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;    // the raw bytes (what an X-Signature covers), at most max_body_bytes
  std::string remote;  // peer address, "127.0.0.1:50412" or "[::1]:50412"

  // The value of the first header named `lower_name` (which must be lower case), or nullptr.
  // The pointer is valid as long as this request is alive and `headers` is not modified.
  const std::string* Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;  // 200..599; anything else is answered as 500
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. Content-Length, Connection and Transfer-Encoding are owned by the server
  // (they decide the framing) and are ignored here; Server and Content-Type are set by it.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Delivers the answer to one request. Call it once, from any thread, at any time; later calls
// are ignored. When the connection has died or the server has stopped in the meantime, the call
// is a no-op, so it is always safe. If every copy is destroyed without a call, the client gets
// 500 {"error":"request was not answered"} rather than waiting forever.
using Responder = std::function<void(HttpResponse)>;

// Called on an I/O thread for every complete request, concurrently from several threads (one
// call at a time per connection). It must not block for long (it stalls the other connections
// served by that thread): hand slow work (a database commit) to another thread and keep the
// Responder. A std::exception escaping it is answered with 500 {"error":"internal error"}.
using Handler = std::function<void(HttpRequest&&, Responder)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";        // an IP address or a resolvable name
  uint16_t port = 9595;                  // 0 = an ephemeral port, see HttpServer::port()
  int threads = 2;                       // I/O threads running the event loop
  std::size_t max_body_bytes = 1048576;  // larger bodies are answered 413 without reading them
  // Appended to that 413's error: which setting to raise (the server's limit is derived from it).
  std::string body_limit_hint;
  std::size_t max_header_bytes = 64 * 1024;  // larger request heads are answered 431
  // Connections served at once. Past it, a connection's request head is read and answered
  // 503 {"error":"too many connections"} with Retry-After: 1, then the connection is closed
  // (an answer says why in the client's logs, and Flux retries a 503 after Retry-After).
  // A refused connection gets at most 1 s (or header_timeout, if shorter) to send that head.
  // Past it by more than 64, connections are closed right after accept.
  std::size_t max_connections = 1024;
  // Time allowed for the request head, from the connection's start or from the first byte of
  // a keep-alive request. Exceeding it closes the connection without an answer.
  std::chrono::milliseconds header_timeout{10000};
  // Time allowed for the request body once the head is read, and for writing an answer.
  std::chrono::milliseconds body_timeout{30000};
  // How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60000};
};

// Owns the listening socket, the connections and the I/O threads.
// Thread-safety: Start and Stop must not run concurrently with each other; Stop may be called
// from any thread except the server's own I/O threads (i.e. not from a Handler). port() is safe
// after Start returned.
class HttpServer {
 public:
  // Validates the options (throws std::invalid_argument when threads < 1, max_connections < 1
  // or a timeout is not positive); does not bind yet.
  HttpServer(HttpServerOptions options, Handler handler);
  // Calls Stop with no grace period: in-flight requests are cut off.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Throws std::runtime_error naming the address
  // ("cannot listen on 127.0.0.1:9595: Address already in use") when binding fails, and
  // std::logic_error when called twice or after Stop.
  void Start();

  // The port actually bound (useful with options.port = 0); 0 before Start.
  uint16_t port() const;

  // Connections open now, served or being refused (a client that left or timed out no longer
  // counts). Safe from any thread.
  std::size_t open_connections() const;

  // Stops accepting, closes idle connections, lets requests already handed to the Handler get
  // their answers (sent with Connection: close) for up to `grace`, then closes every remaining
  // connection and joins the I/O threads. Responders called afterwards are no-ops.
  // Idempotent; a no-op before Start.
  void Stop(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxstatus::ingest
