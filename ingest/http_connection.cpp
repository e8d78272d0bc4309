// One HTTP connection: reads requests within the size and time limits, hands each to the
// Handler, writes its answer, and keeps the connection alive or closes it. See http_connection.h.
#include "ingest/http_connection.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

#include <boost/asio/post.hpp>

#include "ingest/json_error.h"

namespace fluxstatus::ingest::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr const char* kServerName = "fluxstatus";
// How long, and how much, a closing connection keeps reading and discarding what the client is
// still sending. Closing a socket with unread input makes the kernel send a reset, which can
// destroy our answer (say a 413) before the client has read it.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kMaxLingerBytes = 8 * 1024 * 1024;
constexpr std::size_t kReadChunk = 4096;
// How long a connection over the cap may take to send the request head answered 503.
constexpr std::chrono::milliseconds kRefusalHeadTimeout{1000};

// Beast 1.74 has its own string_view type.
std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
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
  if (name.empty() || name == "content-length" || name == "connection" || name == "transfer-encoding" ||
      name == "server" || name == "content-type") {
    return false;
  }
  const auto has_control = [](const std::string& s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
  };
  return !has_control(header.first) && !has_control(header.second);
}

// Shared by the copies of one Responder; delivers at most once.
class ResponderState {
 public:
  ResponderState(std::weak_ptr<Connection> connection, std::shared_ptr<Gate> gate)
      : connection_(std::move(connection)), gate_(std::move(gate)) {}

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
    std::shared_ptr<Connection> connection = connection_.lock();
    if (!connection) return;
    auto executor = connection->executor();
    asio::post(executor, [connection = std::move(connection), response = std::move(response)]() mutable {
      connection->OnResponse(std::move(response));
    });
  }

 private:
  const std::weak_ptr<Connection> connection_;
  const std::shared_ptr<Gate> gate_;
  std::atomic<bool> called_{false};
};

}  // namespace

std::string FormatHostPort(std::string_view host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string_view::npos;
  return (ipv6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

Connection::Connection(tcp::socket socket, ServerState& server, bool rejecting)
    : server_(server), stream_(std::move(socket)), rejecting_(rejecting) {
  beast::error_code ec;
  const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = FormatHostPort(peer.address().to_string(), peer.port());
}

void Connection::Shutdown() {
  if (phase_ == Phase::kReading || phase_ == Phase::kLingering) Close();
}

void Connection::ForceClose() {
  phase_ = Phase::kClosed;
  beast::error_code ec;
  stream_.socket().close(ec);
}

void Connection::ReadRequest() {
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
                            beast::bind_front_handler(&Connection::OnIdleRead, shared_from_this()));
    return;
  }
  ReadHead();
}

void Connection::OnIdleRead(beast::error_code ec, std::size_t bytes) {
  if (ec) return Close();
  buffer_.commit(bytes);
  ReadHead();
}

void Connection::ReadHead() {
  // A refused connection waits only briefly for the head it is to answer 503: a client that
  // wants its answer sends the head at once, and an idle one must not hold a refusal slot.
  const auto timeout = server_.options().header_timeout;
  stream_.expires_after(rejecting_ ? std::min<std::chrono::milliseconds>(timeout, kRefusalHeadTimeout) : timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Connection::OnHead, shared_from_this()));
}

void Connection::OnHead(beast::error_code ec, std::size_t /*bytes*/) {
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
                      beast::bind_front_handler(&Connection::OnContinueWritten, shared_from_this()));
    return;
  }
  ReadBody();
}

void Connection::OnContinueWritten(beast::error_code ec, std::size_t /*bytes*/) {
  continue_.reset();
  if (ec) return Close();
  ReadBody();
}

void Connection::ReadBody() {
  stream_.expires_after(server_.options().body_timeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Connection::OnBody, shared_from_this()));
}

void Connection::OnBody(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) return OnReadError(ec);
  OnRequest();
}

void Connection::OnReadError(beast::error_code ec) {
  const HttpServerOptions& options = server_.options();
  if (ec == http::error::body_limit) {
    // With Content-Length this fires after the head alone, before any body byte is read.
    return Write(ErrorResponse(413, "body is larger than " + std::to_string(options.max_body_bytes) + " bytes" +
                                        options.body_limit_hint),
                 false);
  }
  if (ec == http::error::header_limit) {
    return Write(
        ErrorResponse(431, "request header is larger than " + std::to_string(options.max_header_bytes) + " bytes"),
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

void Connection::OnRequest() {
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
    request.headers.emplace_back(Lower(ToStd(field.name_string())), std::string(ToStd(field.value())));
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

void Connection::OnResponse(HttpResponse response) {
  if (phase_ != Phase::kAwaitingResponse) return;  // the connection closed meanwhile
  Write(std::move(response), keep_alive_ && !server_.stopping());
}

void Connection::Write(HttpResponse response, bool keep_alive) {
  phase_ = Phase::kWriting;
  if (response.status < 200 || response.status > 599) {
    response = ErrorResponse(500, "internal error: invalid status " + std::to_string(response.status));
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
  http::async_write(stream_, out, beast::bind_front_handler(&Connection::OnWritten, shared_from_this(), keep_alive));
}

void Connection::OnWritten(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  response_.reset();
  if (ec) return Close();
  if (!keep_alive) return Linger();
  ReadRequest();
}

void Connection::Linger() {
  if (server_.stopping()) return Close();
  phase_ = Phase::kLingering;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  stream_.expires_after(kLingerTimeout);
  Drain();
}

void Connection::Drain() {
  buffer_.consume(buffer_.size());
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            self->drained_ += bytes;
                            if (ec || self->drained_ > kMaxLingerBytes) return self->Close();
                            self->buffer_.commit(bytes);
                            self->Drain();
                          });
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  const auto self = shared_from_this();  // Unregister may drop the registry's reference
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
  server_.Unregister(this);
}

}  // namespace fluxstatus::ingest::internal
