// Where the cluster is and how to authenticate: kubeconfig files in the forms kubectl writes
// (CA data or file, token or tokenFile, client certificates), the ones refused with a fix
// (exec plugins, insecure-skip-tls-verify, unknown contexts), $KUBECONFIG, and the in-cluster
// service account. Each kubeconfig that should work is proven by a List against the test
// API server.
#include <boost/test/unit_test.hpp>

#include "ingest/cluster_access.h"
#include "ingest/kube_client.h"
#include "tests/ingest/kube_test_support.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::testing {
namespace {

using ingest::ClusterAccessError;
using ingest::KubeconfigAccess;

std::string AccessError(const std::string& path, const std::string& context = {}) {
  try {
    KubeconfigAccess(path, context);
  } catch (const ClusterAccessError& e) {
    return e.what();
  }
  BOOST_FAIL("KubeconfigAccess accepted " + path);
  return {};
}

std::size_t ListedThrough(const ingest::ClusterAccess& access) {
  ingest::KubeClient client(access);
  return AllNames(client.List(FluxType("Kustomization"))).size();
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(cluster_access)

BOOST_AUTO_TEST_CASE(a_kubeconfig_with_ca_data_and_a_token_reaches_the_server) {
  FakeKubeApi api;
  ServeKustomizations(api, 3);
  TempDir dir;
  api.WriteKubeconfig(dir.path() / "config", WithContext("test-cluster"));

  const auto access = KubeconfigAccess(dir.File("config"), "");

  BOOST_TEST(access.server == api.BaseUrl());
  BOOST_TEST(access.source == "kubeconfig " + dir.File("config") + ", context test-cluster");
  BOOST_TEST(access.token == api.token());
  BOOST_TEST(ListedThrough(access) == 3u);
}

BOOST_AUTO_TEST_CASE(ca_file_and_token_file_are_relative_to_the_kubeconfig) {
  FakeKubeApi api;
  ServeKustomizations(api, 3);
  TempDir dir;
  api.WriteKubeconfig(dir.path() / "config", WithFiles());
  const std::filesystem::path elsewhere = std::filesystem::current_path();

  const auto access = KubeconfigAccess(dir.File("config"), "fake");

  BOOST_TEST(access.token.empty());
  BOOST_TEST(access.token_file == dir.File("config-token"));
  BOOST_TEST(!access.ca_pem.empty());
  BOOST_TEST(ListedThrough(access) == 3u);
  BOOST_TEST(std::filesystem::current_path() == elsewhere);
}

BOOST_AUTO_TEST_CASE(token_wins_over_token_file_and_ca_data_over_ca_file) {
  FakeKubeApi api;
  ServeKustomizations(api, 1);
  TempDir dir;
  const auto path = dir.path() / "config";
  api.WriteKubeconfig(path);
  EditKubeconfig(path, [](YAML::Node& config) {
    config["users"][0]["user"]["tokenFile"] = "does-not-exist";
    config["clusters"][0]["cluster"]["certificate-authority"] = "does-not-exist.crt";
  });

  const auto access = KubeconfigAccess(path.string(), "");

  BOOST_TEST(access.token_file.empty());
  BOOST_TEST(ListedThrough(access) == 1u);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_from_the_kubeconfig_authenticates) {
  FakeKubeApi::Options options;
  options.require_client_cert = true;
  FakeKubeApi api(options);
  ServeKustomizations(api, 2);
  TempDir dir;
  const auto path = dir.path() / "config";
  api.WriteKubeconfig(path, WithClientCert());
  EditKubeconfig(path, [](YAML::Node& config) { config["users"][0]["user"].remove("token"); });

  const auto access = KubeconfigAccess(path.string(), "");

  BOOST_TEST(Has(access.client_cert_pem, "BEGIN CERTIFICATE"));
  BOOST_TEST(Has(access.client_key_pem, "PRIVATE KEY"));
  BOOST_TEST(ListedThrough(access) == 2u);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_may_be_given_as_files) {
  FakeKubeApi::Options options;
  options.require_client_cert = true;
  FakeKubeApi api(options);
  ServeKustomizations(api, 2);
  TempDir dir;
  const auto path = dir.path() / "config";
  api.WriteKubeconfig(path);
  EditKubeconfig(path, [&](YAML::Node& config) {
    YAML::Node user = config["users"][0]["user"];
    user.remove("token");
    user["client-certificate"] = api.pki().client_cert;
    user["client-key"] = api.pki().client_key;
  });

  BOOST_TEST(ListedThrough(KubeconfigAccess(path.string(), "")) == 2u);

  EditKubeconfig(path, [](YAML::Node& config) { config["users"][0]["user"].remove("client-key"); });
  BOOST_TEST(Has(AccessError(path.string()), "give both client-certificate(-data) and client-key(-data)"));
}

BOOST_AUTO_TEST_CASE(an_unknown_context_lists_the_contexts_there_are) {
  FakeKubeApi api;
  TempDir dir;
  api.WriteKubeconfig(dir.path() / "config", WithContext("staging"));

  const std::string message = AccessError(dir.File("config"), "production");

  BOOST_TEST(Has(message, "no context \"production\""), message);
  BOOST_TEST(Has(message, "contexts there: staging"), message);
  BOOST_TEST(Has(message, dir.File("config")), message);
}

BOOST_AUTO_TEST_CASE(an_exec_plugin_is_refused_with_what_to_use_instead) {
  FakeKubeApi api;
  TempDir dir;
  const auto path = dir.path() / "config";
  api.WriteKubeconfig(path);
  EditKubeconfig(path, [](YAML::Node& config) {
    YAML::Node user = config["users"][0]["user"];
    user.remove("token");
    user["exec"]["apiVersion"] = "client.authentication.k8s.io/v1";
    user["exec"]["command"] = "aws";
    user["exec"]["interactiveMode"] = "Never";
  });

  const std::string message = AccessError(path.string());

  BOOST_TEST(Has(message, "exec credential plugin"), message);
  BOOST_TEST(Has(message, "not supported"), message);
  BOOST_TEST(Has(message, "kubectl create token"), message);
  BOOST_TEST(Has(message, "the pod's service account"), message);
}

BOOST_AUTO_TEST_CASE(an_auth_provider_and_basic_auth_are_refused) {
  FakeKubeApi api;
  TempDir dir;
  const auto path = dir.path() / "config";
  api.WriteKubeconfig(path);
  EditKubeconfig(path, [](YAML::Node& config) { config["users"][0]["user"]["auth-provider"]["name"] = "gcp"; });
  BOOST_TEST(Has(AccessError(path.string()), "auth-provider, which is not supported"));

  api.WriteKubeconfig(path);
  EditKubeconfig(path, [](YAML::Node& config) {
    config["users"][0]["user"].remove("token");
    config["users"][0]["user"]["username"] = "admin";
    config["users"][0]["user"]["password"] = "hunter2-password";
  });
  const std::string message = AccessError(path.string());
  BOOST_TEST(Has(message, "username/password"), message);
  BOOST_TEST(!Has(message, "hunter2-password"), message);
}

BOOST_AUTO_TEST_CASE(insecure_skip_tls_verify_is_refused) {
  FakeKubeApi api;
  TempDir dir;
  const auto path = dir.path() / "config";
  api.WriteKubeconfig(path);
  EditKubeconfig(path, [](YAML::Node& config) { config["clusters"][0]["cluster"]["insecure-skip-tls-verify"] = true; });

  const std::string message = AccessError(path.string());

  BOOST_TEST(Has(message, "TLS verification is always on"), message);
  BOOST_TEST(Has(message, "certificate-authority"), message);
}

BOOST_AUTO_TEST_CASE(a_missing_kubeconfig_says_which_file_was_looked_for) {
  TempDir dir;
  BOOST_TEST(Has(AccessError(dir.File("nope")), dir.File("nope") + " does not exist"));
  {
    const ScopedEnv kubeconfig("KUBECONFIG", std::nullopt);
    const ScopedEnv home("HOME", dir.path().string());
    BOOST_TEST(Has(AccessError(""), (dir.path() / ".kube" / "config").string()));
  }
  const ScopedEnv kubeconfig("KUBECONFIG", dir.File("a") + ":" + dir.File("b"));
  const std::string message = AccessError("");
  BOOST_TEST(Has(message, "$KUBECONFIG"), message);
  BOOST_TEST(Has(message, dir.File("a")), message);
}

BOOST_AUTO_TEST_CASE(without_a_path_the_first_existing_file_of_kubeconfig_is_read) {
  FakeKubeApi api;
  TempDir dir;
  api.WriteKubeconfig(dir.path() / "second", WithContext("from-second"));
  const ScopedEnv kubeconfig("KUBECONFIG", dir.File("first") + "::" + dir.File("second"));

  const auto access = KubeconfigAccess("", "");

  BOOST_TEST(access.source == "kubeconfig " + dir.File("second") + ", context from-second");
}

BOOST_AUTO_TEST_CASE(a_context_naming_a_missing_user_entry_is_an_error) {
  FakeKubeApi api;
  TempDir dir;
  const auto path = dir.path() / "config";
  api.WriteKubeconfig(path);
  EditKubeconfig(path, [](YAML::Node& config) { config["contexts"][0]["context"]["user"] = "ghost"; });

  const std::string message = AccessError(path.string());

  BOOST_TEST(Has(message, "user \"ghost\""), message);
  BOOST_TEST(Has(message, "users there: fake-user"), message);
}

BOOST_AUTO_TEST_CASE(in_cluster_access_reads_the_service_account_directory) {
  FakeKubeApi api;
  ServeKustomizations(api, 4);
  TempDir sa;
  WriteFile(sa.path() / "token", api.token() + "\n");
  WriteFile(sa.path() / "ca.crt", ReadFile(api.ca_file()));
  const std::string port = api.BaseUrl().substr(api.BaseUrl().rfind(':') + 1);
  const ScopedEnv host("KUBERNETES_SERVICE_HOST", "127.0.0.1");
  const ScopedEnv service_port("KUBERNETES_SERVICE_PORT", port);

  BOOST_TEST(ingest::InCluster());
  const auto access = ingest::InClusterAccess(sa.path());

  BOOST_TEST(access.server == api.BaseUrl());
  BOOST_TEST(access.token_file == (sa.path() / "token").string());
  BOOST_TEST(access.token.empty());
  BOOST_TEST(access.source == "in-cluster service account");
  BOOST_TEST(ListedThrough(access) == 4u);
}

BOOST_AUTO_TEST_CASE(in_cluster_an_ipv6_host_goes_in_brackets) {
  TempDir sa;
  WriteFile(sa.path() / "token", "t");
  WriteFile(sa.path() / "ca.crt", "ca");
  const ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00::1");
  const ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");

  BOOST_TEST(ingest::InClusterAccess(sa.path()).server == "https://[fd00::1]:443");
}

BOOST_AUTO_TEST_CASE(in_cluster_without_a_mounted_token_names_automount) {
  TempDir sa;
  WriteFile(sa.path() / "ca.crt", "ca");
  const ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  const ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");

  try {
    ingest::InClusterAccess(sa.path());
    BOOST_FAIL("InClusterAccess accepted a directory without a token");
  } catch (const ClusterAccessError& e) {
    BOOST_TEST(Has(e.what(), "automountServiceAccountToken"), e.what());
    BOOST_TEST(Has(e.what(), (sa.path() / "token").string()), e.what());
  }
}

BOOST_AUTO_TEST_CASE(outside_a_cluster_in_cluster_access_says_to_give_a_kubeconfig) {
  const ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
  const ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");

  BOOST_TEST(!ingest::InCluster());
  BOOST_CHECK_EXCEPTION(ingest::InClusterAccess("/nonexistent"), ClusterAccessError,
                        [](const ClusterAccessError& e) { return Has(e.what(), "--kubeconfig"); });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::testing
