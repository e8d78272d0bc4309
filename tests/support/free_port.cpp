#include "tests/support/free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <stdexcept>

namespace fluxstatus::testing {

namespace {

// The lowest port the kernel hands out to outgoing connections (ip_local_port_range).
int EphemeralLow() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  return low;
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

// Below the ephemeral range: a port picked from it (bind to :0) can be taken, before the server
// binds it, by any outgoing connection of the many tests running at once (a CI flake).
std::uint16_t FreePort() {
  const int high = EphemeralLow() - 1;
  const int low = std::max(10000, high - 12000);
  static thread_local std::mt19937 pick{std::random_device{}()};
  std::uniform_int_distribution<int> any(low, high);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<std::uint16_t>(any(pick));
    if (Bindable(port)) return port;
  }
  throw std::runtime_error("cannot find a free loopback port below the ephemeral range");
}

}  // namespace fluxstatus::testing
