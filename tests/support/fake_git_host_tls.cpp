#include "tests/support/fake_git_host_tls.h"

#include <sys/stat.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

namespace fluxstatus::testing {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("TestPki: ") + what + " failed");
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

void AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  Check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by issuer (self-signed when issuer is null).
// `san`: subjectAltName for leaves ("DNS:localhost,IP:127.0.0.1"); empty for a CA.
Cert MakeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, const std::string& san,
              const std::string& usage, long serial) {
  Cert cert(X509_new(), &X509_free);
  Check(cert != nullptr, "X509_new");
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x, x, nullptr, nullptr, 0);
  const bool ca = san.empty();
  AddExtension(x, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExtension(x, &ctx, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  AddExtension(x, &ctx, NID_subject_key_identifier, "hash");
  AddExtension(x, &ctx, NID_authority_key_identifier, "keyid:always");
  if (!ca) {
    AddExtension(x, &ctx, NID_subject_alt_name, san);
    AddExtension(x, &ctx, NID_ext_key_usage, usage);
  }
  Check(X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::string WritePem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f != nullptr, "fopen");
  const bool ok = cert != nullptr ? PEM_write_X509(f, cert) == 1
                                  : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  Check(ok, "PEM_write");
  if (key != nullptr) ::chmod(path.c_str(), 0600);  // as a real key file would be
  return path.string();
}

}  // namespace

TestPki::TestPki(const std::filesystem::path& dir) {
  const Key ca_key = NewKey();
  const Cert ca = MakeCert(ca_key.get(), "fluxstatus test CA", nullptr, nullptr, "", "", 1);
  ca_cert = WritePem(dir / "ca.pem", ca.get(), nullptr);
  const auto leaf = [&](const std::string& name, X509* issuer, EVP_PKEY* issuer_key, const std::string& san,
                        const std::string& usage, long serial, std::string& cert_file, std::string& key_file) {
    const Key key = NewKey();
    const Cert cert = MakeCert(key.get(), name, issuer, issuer_key, san, usage, serial);
    cert_file = WritePem(dir / (name + ".pem"), cert.get(), nullptr);
    key_file = WritePem(dir / (name + ".key"), nullptr, key.get());
  };
  leaf("server", ca.get(), ca_key.get(), "DNS:localhost,IP:127.0.0.1", "serverAuth", 2, server_cert, server_key);
  leaf("wrong", ca.get(), ca_key.get(), "DNS:wrong.example", "serverAuth", 3, wrong_cert, wrong_key);
  leaf("stranger", ca.get(), ca_key.get(), "DNS:stranger.example", "clientAuth", 4, stranger_cert, stranger_key);
  const Key client_ca_key = NewKey();
  const Cert client_ca = MakeCert(client_ca_key.get(), "fluxstatus test client CA", nullptr, nullptr, "", "", 5);
  client_ca_cert = WritePem(dir / "client-ca.pem", client_ca.get(), nullptr);
  leaf("client", client_ca.get(), client_ca_key.get(), "DNS:fluxstatus.client", "clientAuth", 6, client_cert,
       client_key);
}

struct TlsFrontDoor::State {
  // Declared before `io`: streams destroyed with io's pending handlers still use it.
  ssl::context tls{ssl::context::tls_server};
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t backend_port = 0;
  std::atomic<int> failed{0};
  std::thread thread;

  void Accept();
};

namespace {

// One client connection: TLS handshake, then bytes both ways until either side closes.
class Relay : public std::enable_shared_from_this<Relay> {
 public:
  Relay(tcp::socket socket, ssl::context& tls, std::uint16_t backend_port, std::atomic<int>& failed)
      : front_(std::move(socket), tls), back_(front_.get_executor()), backend_port_(backend_port), failed_(failed) {}

  void Start() {
    front_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) {
        ++self->failed_;
        return;
      }
      self->back_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), self->backend_port_),
                                [self](boost::system::error_code connect_ec) {
                                  if (connect_ec) return;
                                  self->Up();
                                  self->Down();
                                });
    });
  }

 private:
  void Up() {
    front_.async_read_some(asio::buffer(up_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        boost::system::error_code ignored;
        self->back_.shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      asio::async_write(self->back_, asio::buffer(self->up_, n),
                        [self](boost::system::error_code write_ec, std::size_t) {
                          if (!write_ec) self->Up();
                        });
    });
  }

  void Down() {
    back_.async_read_some(asio::buffer(down_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (ec) {
                              boost::system::error_code ignored;
                              self->front_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
                              return;
                            }
                            asio::async_write(self->front_, asio::buffer(self->down_, n),
                                              [self](boost::system::error_code write_ec, std::size_t) {
                                                if (!write_ec) self->Down();
                                              });
                          });
  }

  ssl::stream<tcp::socket> front_;
  tcp::socket back_;
  std::uint16_t backend_port_;
  std::atomic<int>& failed_;
  std::array<char, 16384> up_{};
  std::array<char, 16384> down_{};
};

}  // namespace

void TlsFrontDoor::State::Accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<Relay>(std::move(socket), tls, backend_port, failed)->Start();
    Accept();
  });
}

TlsFrontDoor::TlsFrontDoor(std::uint16_t backend_port, const std::string& cert_file, const std::string& key_file,
                           const std::string& client_ca_file)
    : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.backend_port = backend_port;
  s.tls.use_certificate_chain_file(cert_file);
  s.tls.use_private_key_file(key_file, ssl::context::pem);
  if (!client_ca_file.empty()) {
    s.tls.load_verify_file(client_ca_file);
    s.tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), 0);
  s.acceptor.open(endpoint.protocol());
  s.acceptor.bind(endpoint);
  s.acceptor.listen();
  s.Accept();
  s.thread = std::thread([&s] { s.io.run(); });
}

TlsFrontDoor::~TlsFrontDoor() {
  state_->io.stop();
  state_->thread.join();
}

std::uint16_t TlsFrontDoor::port() const { return state_->acceptor.local_endpoint().port(); }

std::string TlsFrontDoor::BaseUrl(const std::string& host) const {
  return "https://" + host + ":" + std::to_string(port());
}

int TlsFrontDoor::failed_handshakes() const { return state_->failed.load(); }

}  // namespace fluxstatus::testing
