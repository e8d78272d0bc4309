// Load generator for `fluxstatus serve`: POSTs distinct Flux events (bench_events.h) to
// /hook/ROUTE over keep-alive connections, and counts only 202s (each is sent after the
// event's commit) as acknowledged.
//   closed loop (no --rate): each connection sends its next event as soon as the previous one
//     is answered: the most acknowledged events/s the service sustains with C clients.
//   open loop (--rate R): event i is due at start + i/R whatever happened before; a due event
//     waits for a free connection. Latency runs from the due time, not from the send, so a
//     slow answer delays (and is charged to) the events behind it: no coordinated omission.
// Usage: bench_http_load --port P [--host H] [--route R] [--connections C] [--seconds S]
//                        [--rate R] [--warmup S] [--first N]
// Prints one JSON object with acked_per_s, p50_ms, p99_ms, max_ms, errors, non_202.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <utility>  // before Asio: Boost 1.74 misses it in awaitable.hpp with GCC 12

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/bench_events.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string route = "bench";
  int connections = 32;
  double seconds = 10;
  double rate = 0;  // 0: closed loop
  double warmup = 1;
  std::uint64_t first = 0;  // the first event number (runs in one database stay distinct)
};

struct Totals {
  std::uint64_t sent = 0, acked = 0, non_202 = 0, errors = 0;
  std::vector<std::uint32_t> latency_us;  // answered after the warm-up, due time to answer
};

class Load;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Load& load) : socket_(io), load_(load) {}
  void Start();
  bool idle() const { return idle_ && connected_; }
  void Send(Clock::time_point due, std::uint64_t n);

 private:
  void Connect();
  void OnAnswer(beast::error_code ec);

  asio::ip::tcp::socket socket_;
  Load& load_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  Clock::time_point due_;
  bool idle_ = true, connected_ = false;
};

class Load {
 public:
  static constexpr std::chrono::seconds kDrain{10};

  Load(asio::io_context& io, Settings s) : io_(io), s_(std::move(s)), timer_(io), next_(s_.first) {}

  void Run() {
    start_ = Clock::now();
    end_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s_.seconds));
    warm_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s_.warmup));
    for (int i = 0; i < s_.connections; ++i) {
      conns_.push_back(std::make_shared<Connection>(io_, *this));
      conns_.back()->Start();
    }
    if (s_.rate > 0) Tick();
    io_.run();
  }

  // A connection became free (connected or answered): give it the next event, if any.
  void Free(Connection& c) {
    const auto now = Clock::now();
    // Open loop: events already due at the end are still sent (up to kDrain), so the latency
    // of a backlog is measured instead of dropped; what is left then is reported unsent.
    if (now >= end_ && (s_.rate <= 0 || due_.empty() || now >= end_ + kDrain)) {
      MaybeFinish();
      return;
    }
    if (s_.rate <= 0) {
      c.Send(now, next_++);
    } else if (!due_.empty()) {
      c.Send(due_.front(), next_++);
      due_.pop_front();
    }
  }

  void Answered(Clock::time_point due, bool accepted, bool error) {
    --in_flight_;
    const auto now = Clock::now();
    if (error)
      ++t_.errors;
    else if (accepted)
      ++t_.acked;
    else
      ++t_.non_202;
    if (accepted && due >= warm_ && due < end_) {
      t_.latency_us.push_back(
          static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - due).count()));
    }
    if (accepted && now >= warm_ && now < end_) ++acked_after_warmup_;
  }
  void Sent() {
    ++t_.sent;
    ++in_flight_;
  }
  const Settings& settings() const { return s_; }
  std::string Target() const { return "/hook/" + s_.route; }

  void Report() const {
    auto lat = t_.latency_us;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
      if (lat.empty()) return 0.0;
      const auto i = std::min(lat.size() - 1, static_cast<std::size_t>(p / 100.0 * static_cast<double>(lat.size())));
      return lat[i] / 1000.0;
    };
    const double measured = s_.seconds - s_.warmup;
    std::printf(
        "{\"mode\":\"%s\",\"connections\":%d,\"offered_per_s\":%.0f,\"seconds\":%.1f,\"sent\":%llu,\"acked\":%llu,"
        "\"acked_per_s\":%.0f,\"non_202\":%llu,\"errors\":%llu,\"unsent_after_drain\":%zu,\"p50_ms\":%.2f,"
        "\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"next_event\":%llu}\n",
        s_.rate > 0 ? "open" : "closed", s_.connections, s_.rate, s_.seconds, (unsigned long long)t_.sent,
        (unsigned long long)t_.acked, static_cast<double>(acked_after_warmup_) / measured,
        (unsigned long long)t_.non_202, (unsigned long long)t_.errors, due_.size(), pct(50), pct(90), pct(99),
        lat.empty() ? 0.0 : lat.back() / 1000.0, (unsigned long long)next_);
  }

 private:
  // Open loop: moves every event due by now into the queue, hands them to idle connections.
  void Tick() {
    const auto now = Clock::now();
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / s_.rate));
    while (scheduled_at_ <= now && scheduled_at_ < end_) {
      due_.push_back(scheduled_at_ == Clock::time_point{} ? start_ : scheduled_at_);
      ++scheduled_;
      scheduled_at_ = start_ + interval * static_cast<long>(scheduled_);
    }
    for (auto& c : conns_) {
      if (due_.empty()) break;
      if (c->idle()) Free(*c);
    }
    if (now >= end_) {
      MaybeFinish();
      return;
    }
    timer_.expires_at(std::min(scheduled_at_, end_));
    timer_.async_wait([this](beast::error_code) { Tick(); });
  }

  void MaybeFinish() {
    if (in_flight_ > 0 || finished_) return;
    finished_ = true;
    io_.stop();
  }

  asio::io_context& io_;
  Settings s_;
  asio::steady_timer timer_;
  std::vector<std::shared_ptr<Connection>> conns_;
  std::deque<Clock::time_point> due_;
  Clock::time_point start_, end_, warm_, scheduled_at_{};
  std::uint64_t scheduled_ = 0, next_ = 0, acked_after_warmup_ = 0;
  long in_flight_ = 0;
  bool finished_ = false;
  Totals t_;
};

void Connection::Start() { Connect(); }

void Connection::Connect() {
  connected_ = false;
  beast::error_code ignored;
  socket_.close(ignored);
  asio::ip::tcp::endpoint ep(asio::ip::make_address(load_.settings().host), load_.settings().port);
  socket_.async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      std::cerr << "connect: " << ec.message() << "\n";
      std::exit(1);
    }
    self->socket_.set_option(asio::ip::tcp::no_delay(true));
    self->connected_ = true;
    self->load_.Free(*self);
  });
}

void Connection::Send(Clock::time_point due, std::uint64_t n) {
  idle_ = false;
  due_ = due;
  request_ = {http::verb::post, load_.Target(), 11};
  request_.set(http::field::host, load_.settings().host);
  request_.set(http::field::content_type, "application/json");
  request_.keep_alive(true);
  request_.body() = fluxstatus::bench::EventBody(n);
  request_.prepare_payload();
  load_.Sent();
  http::async_write(socket_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->OnAnswer(ec);
    self->response_ = {};
    http::async_read(self->socket_, self->buffer_, self->response_,
                     [self](beast::error_code ec2, std::size_t) { self->OnAnswer(ec2); });
  });
}

void Connection::OnAnswer(beast::error_code ec) {
  idle_ = true;
  load_.Answered(due_, !ec && response_.result_int() == 202, static_cast<bool>(ec));
  if (ec || !response_.keep_alive()) {
    Connect();
    return;
  }
  load_.Free(*this);
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CLI::App app{"HTTP ingest load for fluxstatus serve"};
  app.add_option("--host", s.host);
  app.add_option("--port", s.port)->required();
  app.add_option("--route", s.route);
  app.add_option("--connections", s.connections)->check(CLI::Range(1, 4096));
  app.add_option("--seconds", s.seconds)->check(CLI::PositiveNumber);
  app.add_option("--rate", s.rate, "offered events/s (open loop); 0 = closed loop");
  app.add_option("--warmup", s.warmup, "seconds not counted at the start");
  app.add_option("--first", s.first, "number of the first event");
  CLI11_PARSE(app, argc, argv);
  if (s.warmup >= s.seconds) s.warmup = 0;
  asio::io_context io(1);
  Load load(io, s);
  load.Run();
  load.Report();
  return 0;
}
