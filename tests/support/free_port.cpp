#include "tests/support/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <stdexcept>
#include <utility>

namespace fluxstatus::testing {

namespace {

// The ports the kernel hands out to outgoing connections (ip_local_port_range).
std::pair<int, int> EphemeralRange() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  range >> low >> high;
  return {low, high};
}

// Where to pick: a span of at least 1000 ports below the ephemeral range (Linux's default
// leaves 10000-32767), else above it, else (a range over nearly every port) anywhere.
std::pair<int, int> PickSpan() {
  const auto [ephemeral_low, ephemeral_high] = EphemeralRange();
  if (ephemeral_low - 1 - 10000 >= 1000) return {std::max(10000, ephemeral_low - 1 - 12000), ephemeral_low - 1};
  if (65535 - (ephemeral_high + 1) >= 1000) return {ephemeral_high + 1, 65535};
  return {10000, 65535};
}

bool Bindable(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

// Outside the ephemeral range: a port picked from it (bind to :0) can be taken, before the server
// binds it, by any outgoing connection of the many tests running at once (a CI flake).
std::uint16_t FreePort() {
  const auto [low, high] = PickSpan();
  static thread_local std::mt19937 pick{std::random_device{}()};
  std::uniform_int_distribution<int> any(low, high);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<std::uint16_t>(any(pick));
    if (Bindable(port)) return port;
  }
  throw std::runtime_error("cannot find a free loopback port");
}

}  // namespace fluxstatus::testing
