// HTTPS for the fake Git host: a throw-away PKI written into a directory at test time, and a
// TLS front door (Boost.Asio SSL over OpenSSL) that terminates TLS on 127.0.0.1 and relays
// the plain bytes to a FakeGitHost. Lets transport tests exercise certificate trust, host
// name checks and client certificates (mTLS) against real handshakes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace fluxstatus::testing {

// PEM files generated with OpenSSL (EC P-256, SHA-256, valid for a day) in `dir`:
//   ca_cert            a self-signed CA (the one a route's ca_file names)
//   server_cert/_key   signed by it, for 127.0.0.1 and localhost
//   wrong_cert/_key    signed by it, for wrong.example only (a host name mismatch)
//   client_ca_cert     a second self-signed CA, for client certificates
//   client_cert/_key   signed by the client CA
//   stranger_cert/_key a client certificate signed by the server CA (not the client CA)
struct TestPki {
  explicit TestPki(const std::filesystem::path& dir);  // throws std::runtime_error

  std::string ca_cert, server_cert, server_key, wrong_cert, wrong_key;
  std::string client_ca_cert, client_cert, client_key, stranger_cert, stranger_key;
};

// Listens on 127.0.0.1 (ephemeral port) and serves TLS with `cert`/`key`; when
// `client_ca_file` is set, a client certificate signed by it is required. Each connection is
// relayed to 127.0.0.1:`backend_port` once its handshake succeeded.
class TlsFrontDoor {
 public:
  TlsFrontDoor(std::uint16_t backend_port, const std::string& cert_file, const std::string& key_file,
               const std::string& client_ca_file = {});
  ~TlsFrontDoor();
  TlsFrontDoor(const TlsFrontDoor&) = delete;
  TlsFrontDoor& operator=(const TlsFrontDoor&) = delete;

  std::uint16_t port() const;
  // "https://<host>:<port>", host being "127.0.0.1" or "localhost".
  std::string BaseUrl(const std::string& host = "127.0.0.1") const;
  // Handshakes that failed (no certificate, untrusted client certificate, client gave up).
  int failed_handshakes() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace fluxstatus::testing
