// What the HttpServer tests share: a started server on an ephemeral port of 127.0.0.1, echo
// handlers, and PendingRequests, which holds each request's Responder so that a test decides
// when (and whether) to answer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>

#include "ingest/http_server.h"

namespace fluxstatus::ingest::testing {

using Clock = std::chrono::steady_clock;

inline HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = request.method + " " + request.target + "\n" + request.body;
  return response;
}

inline HttpResponse Text(std::string body) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

// A started server on an ephemeral port of 127.0.0.1.
class TestServer {
 public:
  explicit TestServer(Handler handler, HttpServerOptions options = {})
      : server_(WithEphemeralPort(std::move(options)), std::move(handler)) {
    server_.Start();
  }
  std::string Url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + target;
  }
  uint16_t port() const { return server_.port(); }
  HttpServer& server() { return server_; }

 private:
  static HttpServerOptions WithEphemeralPort(HttpServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }
  HttpServer server_;
};

inline Handler EchoHandler(std::atomic<int>* calls = nullptr) {
  return [calls](HttpRequest&& request, Responder respond) {
    if (calls != nullptr) ++*calls;
    respond(Echo(request));
  };
}

// Keeps every request with its Responder so the test decides when (and whether) to answer.
class PendingRequests {
 public:
  Handler handler() {
    return [this](HttpRequest&& request, Responder respond) {
      std::lock_guard lock(mu_);
      requests_.push_back({std::move(request), std::move(respond)});
      cv_.notify_all();
    };
  }
  bool WaitFor(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
  }
  std::size_t count() {
    std::lock_guard lock(mu_);
    return requests_.size();
  }
  std::string target(std::size_t i) {
    std::lock_guard lock(mu_);
    return requests_.at(i).first.target;
  }
  Responder responder(std::size_t i) {
    std::lock_guard lock(mu_);
    return requests_.at(i).second;
  }
  void Answer(std::size_t i, HttpResponse response) { responder(i)(std::move(response)); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<HttpRequest, Responder>> requests_;
};

inline std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// The body of the single response in a raw byte stream.
inline std::string RawBody(const std::string& raw) {
  const auto end_of_head = raw.find("\r\n\r\n");
  return end_of_head == std::string::npos ? std::string() : raw.substr(end_of_head + 4);
}

}  // namespace fluxstatus::ingest::testing
