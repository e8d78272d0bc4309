// The real kubectl against the test Kubernetes API server, with the kubeconfig the server
// wrote for fluxstatus's own client: proof that the kubeconfig, the discovery documents, the
// list pages with their continue tokens and the Status errors have the real shapes. Without
// kubectl on PATH these checks skip with a warning, as tests/deploy's do.
#include <boost/test/unit_test.hpp>

#include <iostream>

#include "tests/ingest/kube_test_support.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::testing {
namespace {

bool KubectlMissing() {
  if (OnPath("kubectl")) return false;
  const char* warning =
      "*** WARNING: kubectl not found: the test Kubernetes API server and its kubeconfig are NOT checked against "
      "kubectl (install kubectl >= 1.27)";
  std::cerr << "\n" << warning << "\n\n";
  BOOST_WARN_MESSAGE(false, warning);
  return true;
}

// kubectl with its discovery cache in `home` (so no test reads another's) and `args`.
ProcessResult Kubectl(const TempDir& home, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"env", "HOME=" + home.path().string(), "kubectl", "--request-timeout=20s"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(home.path(), argv);
}

std::vector<std::string> ItemNames(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  std::vector<std::string> names;
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("items")) return names;
  for (const auto& item : doc["items"].GetArray()) names.push_back(item["metadata"]["name"].GetString());
  return names;
}

int ContinueRequests(const FakeKubeApi& api) {
  int n = 0;
  for (const auto& request : api.Requests()) {
    if (request.target.find("/kustomizations?") != std::string::npos &&
        request.target.find("continue=") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kubectl)

BOOST_AUTO_TEST_CASE(kubectl_lists_every_page_with_the_kubeconfig_the_test_server_writes) {
  if (KubectlMissing()) return;
  // Both forms fluxstatus reads: CA data and a token; a CA file and a tokenFile beside it.
  for (const KubeconfigOptions& options : {KubeconfigOptions{}, WithFiles()}) {
    FakeKubeApi api;
    ServeKustomizations(api, 5);
    TempDir home;
    const auto kubeconfig = home.path() / "kubeconfig";
    api.WriteKubeconfig(kubeconfig, options);

    const auto run =
        Kubectl(home, {"--kubeconfig", kubeconfig.string(), "get", "kustomizations.kustomize.toolkit.fluxcd.io", "-A",
                       "-o", "json", "--chunk-size=2"});

    BOOST_TEST(run.exit_code == 0, run.err);
    const std::vector<std::string> expected{"ks-00", "ks-02", "ks-04", "ks-01", "ks-03"};  // ns-a, then ns-b
    BOOST_TEST(ItemNames(run.out) == expected, run.out);
    BOOST_TEST(ContinueRequests(api) == 2);
    // The same kubeconfig gives fluxstatus's client the same objects.
    ingest::KubeClient client(ingest::KubeconfigAccess(kubeconfig.string(), ""));
    BOOST_TEST(AllNames(client.List(FluxType("Kustomization"))).size() == 5u);
  }
}

BOOST_AUTO_TEST_CASE(kubectl_reports_a_forbidden_list) {
  if (KubectlMissing()) return;
  FakeKubeApi api;
  ServeKustomizations(api, 2);
  api.Forbid("kustomizations");
  TempDir home;
  const auto kubeconfig = home.path() / "kubeconfig";
  api.WriteKubeconfig(kubeconfig);

  const auto run = Kubectl(home, {"--kubeconfig", kubeconfig.string(), "get",
                                  "kustomizations.kustomize.toolkit.fluxcd.io", "-A", "-o", "json"});

  BOOST_TEST(run.exit_code != 0);
  BOOST_TEST(run.err.find("forbidden") != std::string::npos, run.err);
  BOOST_TEST(run.err.find("cannot list resource \"kustomizations\"") != std::string::npos, run.err);
}

BOOST_AUTO_TEST_CASE(kubectl_gets_one_object_and_reports_one_that_is_missing) {
  if (KubectlMissing()) return;
  FakeKubeApi api;
  ServeKustomizations(api, 3);
  TempDir home;
  const auto kubeconfig = home.path() / "kubeconfig";
  api.WriteKubeconfig(kubeconfig);
  const auto get = [&](const std::string& name) {
    return Kubectl(home, {"--kubeconfig", kubeconfig.string(), "get", "kustomizations.kustomize.toolkit.fluxcd.io",
                          name, "-n", "ns-b", "-o", "jsonpath={.metadata.uid}"});
  };

  const auto found = get("ks-01");
  BOOST_TEST(found.exit_code == 0, found.err);
  BOOST_TEST(found.out.size() == 36u, found.out);  // a uid

  const auto missing = get("ks-00");  // in ns-a, not ns-b
  BOOST_TEST(missing.exit_code != 0);
  BOOST_TEST(missing.err.find("\"ks-00\" not found") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_CASE(kubectl_authenticates_with_the_kubeconfig_client_certificate) {
  if (KubectlMissing()) return;
  FakeKubeApi::Options server;
  server.require_client_cert = true;
  FakeKubeApi api(server);
  ServeKustomizations(api, 3);
  TempDir home;
  const auto kubeconfig = home.path() / "kubeconfig";
  api.WriteKubeconfig(kubeconfig, WithClientCert());

  const auto run = Kubectl(home, {"--kubeconfig", kubeconfig.string(), "get",
                                  "kustomizations.kustomize.toolkit.fluxcd.io", "-n", "ns-a", "-o", "json"});

  BOOST_TEST(run.exit_code == 0, run.err);
  BOOST_TEST(ItemNames(run.out).size() == 2u, run.out);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::testing
