// Test-side HTTP clients for ingest tests: a libcurl easy handle (kept alive between requests,
// like a real client) and a raw TCP connection for what curl will not do (partial heads,
// pipelining, garbage).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>
#include <netinet/in.h>

namespace fluxstatus::ingest::testing {

struct CurlResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, final response only
  long num_connects = 0;                       // new connections this request opened

  std::optional<std::string> Header(const std::string& lower_name) const;
};

// One curl easy handle. Not thread-safe: one per client thread.
class CurlClient {
 public:
  CurlClient();
  ~CurlClient();
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  // "GET", "POST" (body sent with Content-Length) or "HEAD". `headers` are "Name: value" lines;
  // "Expect:" disables curl's 100-continue.
  CurlResult Request(const std::string& method, const std::string& url, const std::string& body = {},
                     const std::vector<std::string>& headers = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  CURL* curl_;
};

// 127.0.0.1:`port`, for connect(2) on a raw socket.
sockaddr_in LoopbackAddress(uint16_t port);

// A blocking TCP connection to 127.0.0.1. Throws std::runtime_error on connect/send failure.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void Send(std::string_view data);
  // Reads until `needle` has been received in total, the peer closes, or `timeout` passes.
  // Returns everything received so far on this connection.
  const std::string& ReadUntil(std::string_view needle, std::chrono::milliseconds timeout);
  // Reads until the peer closes (true) or `timeout` passes (false).
  bool WaitForClose(std::chrono::milliseconds timeout);
  const std::string& received() const { return received_; }
  bool closed_by_peer() const { return closed_by_peer_; }

 private:
  // One recv with a short timeout; false once the peer closed.
  bool ReadSome();

  int fd_ = -1;
  std::string received_;
  bool closed_by_peer_ = false;
};

// The "error" member of a JSON error body, or std::nullopt when `body` is not such an object.
std::optional<std::string> ErrorMessage(const std::string& body);

// The number of complete "HTTP/1.x NNN" status lines in a raw byte stream.
std::size_t CountStatusLines(std::string_view raw, std::string_view status_line);

}  // namespace fluxstatus::ingest::testing
