// The listener: binds, accepts, admits connections under the cap, and runs the I/O threads.
// Only this file and http_connection.cpp see Boost.Beast and Asio; each connection's work is
// serialized on its own strand (see http_connection.h), and a registry of live connections
// lets Stop drain them.
#include "ingest/http_server.h"

#include <stdexcept>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "ingest/http_connection.h"

namespace fluxstatus::ingest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using internal::FormatHostPort;

// Pause before accepting again after accept failed (e.g. out of file descriptors), so that a
// persistent failure does not spin a core.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

}  // namespace

namespace internal {

// Connections beyond max_connections that still get a 503; beyond these they are just closed.
constexpr std::size_t kMaxRejecting = 64;

std::shared_ptr<Connection> ServerState::Admit(tcp::socket socket) {
  std::lock_guard lock(mu_);
  if (stopping()) return nullptr;
  bool rejecting = false;
  if (serving_ >= options_.max_connections) {
    if (rejecting_ >= kMaxRejecting) return nullptr;
    rejecting = true;
  }
  auto connection = std::make_shared<Connection>(std::move(socket), *this, rejecting);
  connections_.emplace(connection.get(), Entry{connection, rejecting});
  ++(rejecting ? rejecting_ : serving_);
  return connection;
}

void ServerState::Unregister(Connection* connection) {
  std::shared_ptr<Connection> last_ref;  // released after unlocking
  {
    std::lock_guard lock(mu_);
    auto it = connections_.find(connection);
    if (it == connections_.end()) return;
    --(it->second.rejecting ? rejecting_ : serving_);
    last_ref = std::move(it->second.connection);
    connections_.erase(it);
  }
  drained_.notify_all();
}

std::size_t ServerState::size() {
  std::lock_guard lock(mu_);
  return connections_.size();
}

std::vector<std::shared_ptr<Connection>> ServerState::BeginStop() {
  std::lock_guard lock(mu_);
  stopping_.store(true, std::memory_order_release);
  std::vector<std::shared_ptr<Connection>> live;
  for (const auto& [key, entry] : connections_) live.push_back(entry.connection);
  return live;
}

void ServerState::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  drained_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

std::vector<std::shared_ptr<Connection>> ServerState::TakeAll() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Connection>> left;
  for (auto& [key, entry] : connections_) left.push_back(std::move(entry.connection));
  connections_.clear();
  serving_ = rejecting_ = 0;
  return left;
}

}  // namespace internal

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

  // Declared before `io`, so destroyed after it: connections destroyed along with the io_context's
  // pending handlers never outlive the state they refer to.
  internal::ServerState server;
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
  acceptor->async_accept(asio::make_strand(io),
                         [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
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
  if (auto connection = server.Admit(std::move(socket))) {
    asio::dispatch(connection->executor(), [connection] { connection->Start(); });
  }
  Accept();
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler) {
  if (options.threads < 1) throw std::invalid_argument("HttpServer needs at least one thread");
  if (options.max_connections < 1) throw std::invalid_argument("max_connections must be positive");
  if (options.header_timeout.count() <= 0 || options.body_timeout.count() <= 0 || options.idle_timeout.count() <= 0) {
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
  const auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
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

std::size_t HttpServer::open_connections() const { return impl_->server.size(); }

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
  for (auto& connection : impl.server.BeginStop()) {
    auto executor = connection->executor();
    asio::post(executor, [connection = std::move(connection)] { connection->Shutdown(); });
  }
  impl.server.WaitUntilEmpty(deadline);

  impl.work.reset();
  impl.io.stop();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();

  // No I/O thread runs now, so the sockets can be closed from here. Handlers still queued in
  // the io_context keep their connections until it is destroyed with this server.
  beast::error_code ec;
  impl.acceptor->close(ec);
  for (const auto& connection : impl.server.TakeAll()) connection->ForceClose();
  std::lock_guard lock(impl.server.gate()->mu);
  impl.server.gate()->open = false;
}

}  // namespace fluxstatus::ingest
