// The only translation unit that sees Boost.Beast and Asio. One Session per connection, all of
// its work serialized on its own strand; a registry of live sessions lets Stop drain them.
//
// A connection's life: read head (header_timeout) -> [100 Continue] -> read body (body_timeout)
// -> hand the request to the Handler and wait, reading nothing, until its Responder posts the
// answer back onto the strand -> write (body_timeout) -> keep-alive: wait for the next request
// (idle_timeout), or close: shut down sending and drain what the client still sends (linger).
#include "ingest/http_server.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "ingest/json_error.h"

namespace fluxstatus::ingest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr const char* kServerName = "fluxstatus";
// Connections beyond max_connections that still get a 503; beyond these they are just closed.
constexpr std::size_t kMaxRejecting = 64;
// How long, and how much, a closing connection keeps reading and discarding what the client is
// still sending. Closing a socket with unread input makes the kernel send a reset, which can
// destroy our answer (say a 413) before the client has read it.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kMaxLingerBytes = 8 * 1024 * 1024;
constexpr std::size_t kReadChunk = 4096;
// Pause before accepting again after accept failed (e.g. out of file descriptors), so that a
// persistent failure does not spin a core.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

// Beast 1.74 has its own string_view type.
std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string FormatHostPort(std::string_view host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  return (ipv6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = JsonErrorBody(message);
  return response;
}

// Headers that decide the message framing belong to the server; a CR or LF would let a value
// inject headers of its own.
bool IsAllowedExtraHeader(const std::pair<std::string, std::string>& header) {
  const std::string name = Lower(header.first);
  if (name.empty() || name == "content-length" || name == "connection" ||
      name == "transfer-encoding" || name == "server" || name == "content-type") {
    return false;
  }
  const auto has_control = [](const std::string& s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
  };
  return !has_control(header.first) && !has_control(header.second);
}

// Closed by Stop once the I/O threads are joined. Responders post only while it is open, which
// keeps them from touching the io_context after the server is gone.
struct Gate {
  std::mutex mu;
  bool open = true;
};

class Session;

// What every Session shares: the options, the handler, and the registry of live connections.
class ServerState {
 public:
  ServerState(HttpServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  const HttpServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const std::shared_ptr<Gate>& gate() const { return gate_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // Creates and registers the session for an accepted socket, or returns nullptr (closing the
  // socket) when stopping or far over the connection cap.
  std::shared_ptr<Session> Admit(tcp::socket socket);
  // Called by a session when it closes; wakes WaitUntilEmpty.
  void Unregister(Session* session);
  // Marks the server as stopping (no more admissions) and returns the live sessions.
  std::vector<std::shared_ptr<Session>> BeginStop();
  // Waits until no session is left or `deadline` passes.
  void WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);
  // Empties the registry, returning what was left.
  std::vector<std::shared_ptr<Session>> TakeAll();

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    bool rejecting;
  };

  const HttpServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  std::condition_variable drained_;
  std::unordered_map<Session*, Entry> sessions_;  // GUARDED_BY(mu_)
  std::size_t serving_ = 0;                       // GUARDED_BY(mu_)
  std::size_t rejecting_ = 0;                     // GUARDED_BY(mu_)
};

// One connection. Every member function runs on the connection's strand, except ForceClose.
// Lifetime: owned by the registry until Close, and by pending operations; Responders hold only
// a weak_ptr, so an abandoned Responder never keeps a connection open.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState& server, bool rejecting);

  asio::any_io_executor executor() { return stream_.get_executor(); }
  void Start() { ReadRequest(); }
  // From Stop: closes the connection unless a request is being answered.
  void Shutdown();
  // Closes the socket; only while no I/O thread runs (the end of Stop).
  void ForceClose();
  // The Handler's answer, posted by a Responder.
  void OnResponse(HttpResponse response);

 private:
  enum class Phase { kReading, kAwaitingResponse, kWriting, kLingering, kClosed };

  void ReadRequest();
  void OnIdleRead(beast::error_code ec, std::size_t bytes);
  void ReadHead();
  void OnHead(beast::error_code ec, std::size_t bytes);
  void OnContinueWritten(beast::error_code ec, std::size_t bytes);
  void ReadBody();
  void OnBody(beast::error_code ec, std::size_t bytes);
  void OnReadError(beast::error_code ec);
  void OnRequest();
  void Write(HttpResponse response, bool keep_alive);
  void OnWritten(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void Linger();
  void Drain();
  void Close();

  ServerState& server_;
  beast::tcp_stream stream_;
  const bool rejecting_;
  std::string remote_;
  Phase phase_ = Phase::kReading;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_request_ = false;
  std::size_t requests_ = 0;
  std::size_t drained_ = 0;
};

// Shared by the copies of one Responder; delivers at most once.
class ResponderState {
 public:
  ResponderState(std::weak_ptr<Session> session, std::shared_ptr<Gate> gate)
      : session_(std::move(session)), gate_(std::move(gate)) {}

  ~ResponderState() {
    if (called_.load()) return;
    try {
      Deliver(ErrorResponse(500, "request was not answered"));
    } catch (const std::exception&) {
      // Destructors must not throw; the only failure here is allocation, and the connection
      // is then closed by the idle, body or Stop paths.
    }
  }

  void Deliver(HttpResponse response) {
    if (called_.exchange(true)) return;
    std::lock_guard lock(gate_->mu);
    if (!gate_->open) return;
    std::shared_ptr<Session> session = session_.lock();
    if (!session) return;
    auto executor = session->executor();
    asio::post(executor, [session = std::move(session), response = std::move(response)]() mutable {
      session->OnResponse(std::move(response));
    });
  }

 private:
  const std::weak_ptr<Session> session_;
  const std::shared_ptr<Gate> gate_;
  std::atomic<bool> called_{false};
};

std::shared_ptr<Session> ServerState::Admit(tcp::socket socket) {
  std::lock_guard lock(mu_);
  if (stopping()) return nullptr;
  bool rejecting = false;
  if (serving_ >= options_.max_connections) {
    if (rejecting_ >= kMaxRejecting) return nullptr;
    rejecting = true;
  }
  auto session = std::make_shared<Session>(std::move(socket), *this, rejecting);
  sessions_.emplace(session.get(), Entry{session, rejecting});
  ++(rejecting ? rejecting_ : serving_);
  return session;
}

void ServerState::Unregister(Session* session) {
  std::shared_ptr<Session> last_ref;  // released after unlocking
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    --(it->second.rejecting ? rejecting_ : serving_);
    last_ref = std::move(it->second.session);
    sessions_.erase(it);
  }
  drained_.notify_all();
}

std::vector<std::shared_ptr<Session>> ServerState::BeginStop() {
  std::lock_guard lock(mu_);
  stopping_.store(true, std::memory_order_release);
  std::vector<std::shared_ptr<Session>> live;
  for (const auto& [key, entry] : sessions_) live.push_back(entry.session);
  return live;
}

void ServerState::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  drained_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

std::vector<std::shared_ptr<Session>> ServerState::TakeAll() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Session>> left;
  for (auto& [key, entry] : sessions_) left.push_back(std::move(entry.session));
  sessions_.clear();
  serving_ = rejecting_ = 0;
  return left;
}

Session::Session(tcp::socket socket, ServerState& server, bool rejecting)
    : server_(server), stream_(std::move(socket)), rejecting_(rejecting) {
  beast::error_code ec;
  const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = FormatHostPort(peer.address().to_string(), peer.port());
}

void Session::Shutdown() {
  if (phase_ == Phase::kReading || phase_ == Phase::kLingering) Close();
}

void Session::ForceClose() {
  phase_ = Phase::kClosed;
  beast::error_code ec;
  stream_.socket().close(ec);
}

void Session::ReadRequest() {
  if (phase_ == Phase::kClosed) return;
  if (server_.stopping()) return Close();
  phase_ = Phase::kReading;
  const HttpServerOptions& options = server_.options();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(options.max_body_bytes);
  // Between keep-alive requests the idle timeout applies; the header timeout starts with the
  // first byte of the next request (or, for a new connection, right away).
  if (requests_ > 0 && buffer_.size() == 0) {
    stream_.expires_after(options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::OnIdleRead, shared_from_this()));
    return;
  }
  ReadHead();
}

void Session::OnIdleRead(beast::error_code ec, std::size_t bytes) {
  if (ec) return Close();
  buffer_.commit(bytes);
  ReadHead();
}

void Session::ReadHead() {
  stream_.expires_after(server_.options().header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnHead, shared_from_this()));
}

void Session::OnHead(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  if (rejecting_) {
    HttpResponse response = ErrorResponse(503, "too many connections");
    response.headers.emplace_back("Retry-After", "1");
    return Write(std::move(response), false);
  }
  if (parser_->is_done()) return OnRequest();
  const auto& head = parser_->get();
  if (head.version() >= 11 && beast::iequals(head[http::field::expect], "100-continue")) {
    // curl asks before sending large bodies; the limits were checked with the head already.
    continue_.emplace(http::status::continue_, head.version());
    stream_.expires_after(server_.options().body_timeout);
    http::async_write(stream_, *continue_,
                      beast::bind_front_handler(&Session::OnContinueWritten, shared_from_this()));
    return;
  }
  ReadBody();
}

void Session::OnContinueWritten(beast::error_code ec, std::size_t /*bytes*/) {
  continue_.reset();
  if (ec) return Close();
  ReadBody();
}

void Session::ReadBody() {
  stream_.expires_after(server_.options().body_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::OnBody, shared_from_this()));
}

void Session::OnBody(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  OnRequest();
}

void Session::OnReadError(beast::error_code ec) {
  const HttpServerOptions& options = server_.options();
  if (ec == http::error::body_limit) {
    // With Content-Length this fires after the head alone, before any body byte is read.
    return Write(ErrorResponse(413, "body is larger than " +
                                        std::to_string(options.max_body_bytes) + " bytes"),
                 false);
  }
  if (ec == http::error::header_limit) {
    return Write(ErrorResponse(431, "request header is larger than " +
                                        std::to_string(options.max_header_bytes) + " bytes"),
                 false);
  }
  const bool client_gone = ec == http::error::end_of_stream || ec == http::error::partial_message;
  if (ec.category() == http::make_error_code(http::error::bad_method).category() && !client_gone) {
    return Write(ErrorResponse(400, "malformed HTTP request: " + ec.message()), false);
  }
  // Timeouts (the stream has closed the socket already), resets, EOF and Stop: nobody is left
  // to read an answer.
  Close();
}

void Session::OnRequest() {
  phase_ = Phase::kAwaitingResponse;
  stream_.expires_never();  // the Handler may take its time; Stop bounds the wait
  http::request<http::string_body> message = parser_->release();
  parser_.reset();
  version_ = message.version();
  keep_alive_ = message.keep_alive();
  head_request_ = message.method() == http::verb::head;
  ++requests_;

  HttpRequest request;
  request.method = std::string(ToStd(message.method_string()));
  request.target = std::string(ToStd(message.target()));
  for (const auto& field : message) {
    request.headers.emplace_back(Lower(ToStd(field.name_string())),
                                 std::string(ToStd(field.value())));
  }
  request.body = std::move(message.body());
  request.remote = remote_;

  auto state = std::make_shared<ResponderState>(weak_from_this(), server_.gate());
  Responder responder = [state](HttpResponse response) { state->Deliver(std::move(response)); };
  try {
    server_.handler()(std::move(request), responder);
  } catch (const std::exception&) {
    // The handler boundary: the client gets an answer; a no-op if the handler answered already.
    responder(ErrorResponse(500, "internal error"));
  }
}

void Session::OnResponse(HttpResponse response) {
  if (phase_ != Phase::kAwaitingResponse) return;  // the connection closed meanwhile
  Write(std::move(response), keep_alive_ && !server_.stopping());
}

void Session::Write(HttpResponse response, bool keep_alive) {
  phase_ = Phase::kWriting;
  if (response.status < 200 || response.status > 599) {
    response =
        ErrorResponse(500, "internal error: invalid status " + std::to_string(response.status));
  }
  auto& out = response_.emplace();
  out.version(version_);
  out.result(static_cast<unsigned>(response.status));
  out.set(http::field::server, kServerName);
  out.set(http::field::content_type, response.content_type);
  for (const auto& header : response.headers) {
    if (IsAllowedExtraHeader(header)) out.insert(header.first, header.second);
  }
  out.keep_alive(keep_alive);
  if (response.status == 204 || response.status == 304) {
    out.prepare_payload();  // these carry no body and no Content-Length
  } else if (head_request_) {
    out.content_length(response.body.size());  // the length of the body a GET would get
  } else {
    out.body() = std::move(response.body);
    out.prepare_payload();
  }
  stream_.expires_after(server_.options().body_timeout);
  http::async_write(stream_, out,
                    beast::bind_front_handler(&Session::OnWritten, shared_from_this(), keep_alive));
}

void Session::OnWritten(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  response_.reset();
  if (ec) return Close();
  if (!keep_alive) return Linger();
  ReadRequest();
}

void Session::Linger() {
  if (server_.stopping()) return Close();
  phase_ = Phase::kLingering;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  stream_.expires_after(kLingerTimeout);
  Drain();
}

void Session::Drain() {
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            self->drained_ += bytes;
                            if (ec || self->drained_ > kMaxLingerBytes) return self->Close();
                            self->buffer_.commit(bytes);
                            self->Drain();
                          });
}

void Session::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  const auto self = shared_from_this();  // Unregister may drop the registry's reference
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
  server_.Unregister(this);
}

}  // namespace

const std::string* HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

struct HttpServer::Impl {
  Impl(HttpServerOptions options, Handler handler)
      : server(std::move(options), std::move(handler)), io(server.options().threads) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  // Declared before `io`, so destroyed after it: sessions destroyed along with the io_context's
  // pending handlers never outlive the state they refer to.
  ServerState server;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;           // on its own strand
  std::optional<asio::steady_timer> accept_retry;  // on the acceptor's strand
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

void HttpServer::Impl::Accept() {
  acceptor->async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
  if (ec) {
    accept_retry->expires_after(kAcceptRetryDelay);
    accept_retry->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor->is_open()) Accept();
    });
    return;
  }
  if (auto session = server.Admit(std::move(socket))) {
    asio::dispatch(session->executor(), [session] { session->Start(); });
  }
  Accept();
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler) {
  if (options.threads < 1) throw std::invalid_argument("HttpServer needs at least one thread");
  if (options.max_connections < 1) throw std::invalid_argument("max_connections must be positive");
  if (options.header_timeout.count() <= 0 || options.body_timeout.count() <= 0 ||
      options.idle_timeout.count() <= 0) {
    throw std::invalid_argument("HttpServer timeouts must be positive");
  }
  if (!handler) throw std::invalid_argument("HttpServer needs a handler");
  impl_ = std::make_unique<Impl>(std::move(options), std::move(handler));
}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

void HttpServer::Start() {
  Impl& impl = *impl_;
  if (impl.started || impl.stopped) throw std::logic_error("HttpServer::Start called twice");
  const HttpServerOptions& options = impl.server.options();
  const std::string address = FormatHostPort(options.host, options.port);

  beast::error_code ec;
  tcp::resolver resolver(impl.io);
  const auto endpoints =
      resolver.resolve(options.host, std::to_string(options.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (!ec && endpoints.empty()) ec = asio::error::host_not_found;
  tcp::acceptor& acceptor = impl.acceptor.emplace(asio::make_strand(impl.io));
  if (!ec) {
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    impl.acceptor.reset();
    throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
  }
  impl.port = acceptor.local_endpoint().port();
  impl.accept_retry.emplace(acceptor.get_executor());
  impl.work.emplace(impl.io.get_executor());
  impl.started = true;
  asio::dispatch(acceptor.get_executor(), [&impl] { impl.Accept(); });
  for (int i = 0; i < options.threads; ++i) {
    impl.threads.emplace_back([&impl] { impl.io.run(); });
  }
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) {
    impl.stopped = true;
    return;
  }
  const auto self = std::this_thread::get_id();
  for (const std::thread& thread : impl.threads) {
    if (thread.get_id() == self) throw std::logic_error("HttpServer::Stop called on an I/O thread");
  }
  impl.stopped = true;
  const auto deadline = std::chrono::steady_clock::now() + grace;

  asio::post(impl.acceptor->get_executor(), [&impl] {
    beast::error_code ec;
    impl.acceptor->close(ec);
    impl.accept_retry->cancel();
  });
  for (auto& session : impl.server.BeginStop()) {
    auto executor = session->executor();
    asio::post(executor, [session = std::move(session)] { session->Shutdown(); });
  }
  impl.server.WaitUntilEmpty(deadline);

  impl.work.reset();
  impl.io.stop();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();

  // No I/O thread runs now, so the sockets can be closed from here. Handlers still queued in
  // the io_context keep their sessions until it is destroyed with this server.
  beast::error_code ec;
  impl.acceptor->close(ec);
  for (const auto& session : impl.server.TakeAll()) session->ForceClose();
  std::lock_guard lock(impl.server.gate()->mu);
  impl.server.gate()->open = false;
}

}  // namespace fluxstatus::ingest
