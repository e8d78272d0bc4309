// CurlTransport over TLS to a loopback HTTPS Git host with a private CA: refused by default
// with an error naming the fix, trusted with the route's ca_file, refused on a host name
// mismatch even then, and mutual TLS with a client certificate. Verification is never off.
#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "dispatch/http_transport.h"
#include "tests/support/fake_git_host.h"
#include "tests/support/fake_git_host_tls.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace dispatch = fluxstatus::dispatch;
using fluxstatus::testing::FakeGitHost;
using fluxstatus::testing::TempDir;
using fluxstatus::testing::TestPki;
using fluxstatus::testing::TlsFrontDoor;

namespace {

dispatch::HttpCall ListStatuses(const std::string& base_url) {
  return dispatch::HttpCall{
      "GET", base_url + "/api/v3/repos/o/r/commits/0123456789abcdef0123456789abcdef01234567/statuses", {}, ""};
}

dispatch::TransportResult SendOnce(const dispatch::TransportOptions& options, const std::string& base_url) {
  dispatch::CurlTransport transport(options);
  return transport.Send(ListStatuses(base_url));
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The PKI and an HTTPS fake host in front of a plain one, per test.
struct Https {
  TempDir dir;
  TestPki pki{dir.path()};
  FakeGitHost host;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_transport)

BOOST_AUTO_TEST_CASE(refuses_a_private_ca_by_default_with_an_error_naming_ca_file) {
  Https https;
  TlsFrontDoor front(https.host.port(), https.pki.server_cert, https.pki.server_key);
  const auto result = SendOnce({}, front.BaseUrl());
  BOOST_TEST(!result.reply.has_value());
  // e.g. "TLS: certificate of 127.0.0.1:41234 is not trusted (unable to get local issuer
  // certificate); set the route's ca_file to its CA"
  const std::string prefix = "TLS: certificate of 127.0.0.1:" + std::to_string(front.port()) + " is not trusted (";
  const std::string suffix = "); set the route's ca_file to its CA";
  BOOST_TEST(result.error.rfind(prefix, 0) == 0u, result.error);
  BOOST_TEST(result.error.size() > prefix.size() + suffix.size());
  BOOST_TEST(result.error.compare(result.error.size() - suffix.size(), suffix.size(), suffix) == 0, result.error);
  BOOST_TEST(!result.uncertain);  // the request never left
  BOOST_TEST(https.host.Requests().empty());
}

BOOST_AUTO_TEST_CASE(accepts_the_host_when_ca_file_names_its_ca) {
  Https https;
  TlsFrontDoor front(https.host.port(), https.pki.server_cert, https.pki.server_key);
  dispatch::TransportOptions options;
  options.ca_file = https.pki.ca_cert;
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto result = SendOnce(options, front.BaseUrl(host));
    BOOST_REQUIRE_MESSAGE(result.reply.has_value(), result.error);
    BOOST_TEST(result.reply->status == 200);
  }
  BOOST_TEST(https.host.Requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(refuses_a_host_name_mismatch_even_with_ca_file) {
  Https https;
  TlsFrontDoor front(https.host.port(), https.pki.wrong_cert, https.pki.wrong_key);  // for wrong.example
  dispatch::TransportOptions options;
  options.ca_file = https.pki.ca_cert;
  const auto result = SendOnce(options, front.BaseUrl("localhost"));
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(result.error == "TLS: host name mismatch: the certificate of localhost:" + std::to_string(front.port()) +
                                 " is not issued for that host name");
  BOOST_TEST(!result.uncertain);
  BOOST_TEST(https.host.Requests().empty());
}

BOOST_AUTO_TEST_CASE(mutual_tls_host_refuses_without_a_client_certificate_and_accepts_with_one) {
  Https https;
  TlsFrontDoor front(https.host.port(), https.pki.server_cert, https.pki.server_key, https.pki.client_ca_cert);
  dispatch::TransportOptions options;
  options.ca_file = https.pki.ca_cert;

  const auto without = SendOnce(options, front.BaseUrl());
  BOOST_TEST(!without.reply.has_value());
  BOOST_TEST(
      Contains(without.error, "TLS: 127.0.0.1:" + std::to_string(front.port()) + " requires a client certificate"),
      without.error);
  BOOST_TEST(Contains(without.error, "set the route's client_cert_file and client_key_file"));
  BOOST_TEST(!without.uncertain);

  options.client_cert_file = https.pki.stranger_cert;  // signed by a CA the host does not trust
  options.client_key_file = https.pki.stranger_key;
  const auto stranger = SendOnce(options, front.BaseUrl());
  BOOST_TEST(!stranger.reply.has_value());
  BOOST_TEST(Contains(stranger.error, "refused our client certificate"), stranger.error);
  BOOST_TEST(https.host.Requests().empty());

  options.client_cert_file = https.pki.client_cert;
  options.client_key_file = https.pki.client_key;
  const auto with = SendOnce(options, front.BaseUrl());
  BOOST_REQUIRE_MESSAGE(with.reply.has_value(), with.error);
  BOOST_TEST(with.reply->status == 200);
  BOOST_TEST(https.host.Requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(unusable_client_key_is_an_error_naming_the_keys_without_the_key) {
  Https https;
  TlsFrontDoor front(https.host.port(), https.pki.server_cert, https.pki.server_key, https.pki.client_ca_cert);
  dispatch::TransportOptions options;
  options.ca_file = https.pki.ca_cert;
  options.client_cert_file = https.pki.client_cert;
  options.client_key_file = https.pki.server_key;  // a real key, but not the certificate's
  const auto result = SendOnce(options, front.BaseUrl());
  BOOST_TEST(!result.reply.has_value());
  BOOST_TEST(Contains(result.error, "TLS: cannot use the route's client certificate"), result.error);
  BOOST_TEST(Contains(result.error, "client_key_file"));
  std::ifstream key_file(https.pki.server_key);
  const std::string key((std::istreambuf_iterator<char>(key_file)), std::istreambuf_iterator<char>());
  BOOST_TEST(!Contains(result.error, key.substr(30, 40)));  // no key material
}

BOOST_AUTO_TEST_CASE(check_config_names_a_missing_ca_file_or_a_lone_client_certificate) {
  TempDir dir;
  const std::string route =
      "routes:\n  - name: web\n    provider: gitlab\n    address: https://git.example/g/p\n"
      "    token_env: GITLAB_TOKEN\n";
  std::ofstream(dir.File("missing.yaml")) << route << "    ca_file: " << dir.File("nope.pem") << "\n";
  auto r = fluxstatus::testing::RunProcess(dir.path(),
                                           {FLUXSTATUS_BINARY, "--config", dir.File("missing.yaml"), "check-config"});
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(Contains(r.err, "ca_file " + dir.File("nope.pem") + " cannot be read"), r.err);

  std::ofstream(dir.File("lone.yaml")) << route << "    client_cert_file: /etc/hostname\n";
  r = fluxstatus::testing::RunProcess(dir.path(),
                                      {FLUXSTATUS_BINARY, "--config", dir.File("lone.yaml"), "check-config"});
  BOOST_TEST(r.exit_code != 0);
  BOOST_TEST(Contains(r.err, "needs both client_cert_file and client_key_file"), r.err);
}

BOOST_AUTO_TEST_SUITE_END()
