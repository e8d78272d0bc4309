#include "tests/ingest/test_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cerrno>

#include <sstream>
#include <stdexcept>
#include <system_error>

#include <cereal/archives/json.hpp>

namespace fluxstatus::ingest::testing {
namespace {

std::size_t AppendToString(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<std::string> CurlResult::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

CurlClient::CurlClient() : curl_(curl_easy_init()) {
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

CurlClient::~CurlClient() { curl_easy_cleanup(curl_); }

CurlResult CurlClient::Request(const std::string& method, const std::string& url, const std::string& body,
                               const std::vector<std::string>& headers, std::chrono::milliseconds timeout) {
  // curl_easy_reset keeps the connection cache, so keep-alive still works across requests.
  curl_easy_reset(curl_);
  CurlResult result;
  curl_slist* list = nullptr;
  for (const auto& header : headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &AppendToString);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &result.body);
  if (method == "POST") {
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method == "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  result.code = curl_easy_perform(curl_);
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &result.num_connects);
  for (curl_header* h = nullptr; (h = curl_easy_nextheader(curl_, CURLH_HEADER, -1, h));) {
    result.headers[Lower(h->name)] = h->value;
  }
  curl_slist_free_all(list);
  return result;
}

sockaddr_in LoopbackAddress(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

RawConnection::RawConnection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  timeval tv{0, 50 * 1000};  // recv wakes up every 50 ms so callers can keep their deadlines
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr = LoopbackAddress(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "connect");
  }
}

RawConnection::~RawConnection() { ::close(fd_); }

void RawConnection::Send(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) throw std::system_error(errno, std::generic_category(), "send");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool RawConnection::ReadSome() {
  if (closed_by_peer_) return false;
  char chunk[4096];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n > 0) {
    received_.append(chunk, static_cast<std::size_t>(n));
  } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    closed_by_peer_ = true;  // EOF or reset
  }
  return !closed_by_peer_;
}

const std::string& RawConnection::ReadUntil(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received_.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline && ReadSome()) {
  }
  return received_;
}

bool RawConnection::WaitForClose(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && ReadSome()) {
  }
  return closed_by_peer_;
}

std::optional<std::string> ErrorMessage(const std::string& body) {
  try {
    std::istringstream in(body);
    cereal::JSONInputArchive archive(in);
    std::string message;
    archive(cereal::make_nvp("error", message));
    return message;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::size_t CountStatusLines(std::string_view raw, std::string_view status_line) {
  std::size_t count = 0;
  for (auto pos = raw.find(status_line); pos != std::string_view::npos; pos = raw.find(status_line, pos + 1)) {
    ++count;
  }
  return count;
}

}  // namespace fluxstatus::ingest::testing
