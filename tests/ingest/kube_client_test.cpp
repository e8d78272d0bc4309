// KubeClient::List against the test Kubernetes API server (HTTPS, a CA made at test time):
// pagination, 410 Gone restarts, absent CRDs and fallback versions, 401 with a rotated token
// file, 403 naming the permission, TLS failures naming the server, and never the token in a
// message.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "ingest/kube_client.h"
#include "tests/ingest/kube_test_support.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::testing {
namespace {

using ingest::KubeApiError;
using ingest::KubeClient;
using ingest::KubeClientOptions;

KubeClientOptions PagesOf(int limit) {
  KubeClientOptions options;
  options.page_limit = limit;
  return options;
}

int CountRequests(const FakeKubeApi& api, const std::string& part) {
  const auto requests = api.Requests();
  return static_cast<int>(std::count_if(requests.begin(), requests.end(), [&](const KubeRequest& r) {
    return r.target.find(part) != std::string::npos;
  }));
}

std::string ListError(KubeClient& client, const ingest::ResourceType& type) {
  try {
    client.List(type);
  } catch (const std::exception& e) {
    return e.what();
  }
  BOOST_FAIL("List succeeded where it should have failed");
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kube_client)

BOOST_AUTO_TEST_CASE(a_list_follows_continue_tokens_until_every_object_is_read) {
  FakeKubeApi api;
  ServeKustomizations(api, 7);
  KubeClient client(AccessTo(api), PagesOf(3));

  const auto result = client.List(FluxType("Kustomization"));

  BOOST_TEST(result.served);
  BOOST_TEST(result.version == "v1");
  BOOST_TEST(result.pages.size() == 3u);
  BOOST_TEST(result.requests == 3);
  BOOST_TEST(client.requests() == 3);
  BOOST_TEST(result.restarts == 0);
  const auto names = AllNames(result);
  BOOST_TEST(names.size() == 7u);
  BOOST_TEST(std::set<std::string>(names.begin(), names.end()).size() == 7u);
  for (const auto& page : result.pages) {
    BOOST_TEST(ReadPage(page).kind == "KustomizationList");
    BOOST_TEST(ReadPage(page).resource_version == std::to_string(api.resource_version()));
  }
  BOOST_TEST(CountRequests(api, "limit=3") == 3);
  BOOST_TEST(CountRequests(api, "continue=") == 2);
  for (const auto& request : api.Requests()) {
    BOOST_TEST(request.accept == "application/json");
    BOOST_TEST(request.target.rfind("/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations?", 0) == 0);
  }
}

BOOST_AUTO_TEST_CASE(an_expired_continue_token_restarts_the_list_from_a_consistent_snapshot) {
  FakeKubeApi api;
  ServeKustomizations(api, 7);
  // After the second page a Kustomization is added: the next continue token answers 410.
  api.AfterListPages(2, [&] { ServeKustomizations(api, 8); });
  KubeClient client(AccessTo(api), PagesOf(2));

  const auto result = client.List(FluxType("Kustomization"));

  BOOST_TEST(result.restarts == 1);
  BOOST_TEST(result.requests == 2 + 1 + 4);  // two pages, the 410, then the whole list again
  const auto names = AllNames(result);
  BOOST_TEST(names.size() == 8u);
  BOOST_TEST(std::set<std::string>(names.begin(), names.end()).size() == 8u);
  for (const auto& page : result.pages) {
    BOOST_TEST(ReadPage(page).resource_version == std::to_string(api.resource_version()));
  }
}

BOOST_AUTO_TEST_CASE(a_list_that_keeps_expiring_fails_after_max_restarts) {
  FakeKubeApi api;
  ServeKustomizations(api, 5);
  std::function<void()> expire = [&] {
    api.ExpireContinueTokens();
    api.AfterListPages(1, expire);
  };
  api.AfterListPages(1, expire);
  KubeClientOptions options = PagesOf(2);
  options.max_restarts = 2;
  KubeClient client(AccessTo(api), options);

  const std::string message = ListError(client, FluxType("Kustomization"));

  BOOST_TEST(message.find("410") != std::string::npos, message);
  BOOST_TEST(message.find("kustomizations.kustomize.toolkit.fluxcd.io") != std::string::npos, message);
  BOOST_TEST(client.requests() == 3 * 2);  // a page and a 410, three times
}

BOOST_AUTO_TEST_CASE(a_resource_whose_crd_is_absent_is_not_served) {
  FakeKubeApi api;
  ServeKustomizations(api, 1);
  KubeClient client(AccessTo(api));

  const auto helm = client.List(FluxType("HelmRelease"));
  BOOST_TEST(!helm.served);
  BOOST_TEST(helm.pages.empty());
  BOOST_TEST(helm.requests == 1);

  const auto oci = client.List(FluxType("OCIRepository"));  // v1, then v1beta2
  BOOST_TEST(!oci.served);
  BOOST_TEST(oci.requests == 2);
}

BOOST_AUTO_TEST_CASE(ocirepositories_fall_back_to_v1beta2_on_flux_before_2_6) {
  FakeKubeApi api;
  api.SetObjects("source.toolkit.fluxcd.io", "v1beta2", "ocirepositories", "OCIRepository",
                 {KubeObjectJson("source.toolkit.fluxcd.io/v1beta2", "OCIRepository", "flux-system", "podinfo")});
  KubeClient client(AccessTo(api));

  const auto result = client.List(FluxType("OCIRepository"));

  BOOST_TEST(result.served);
  BOOST_TEST(result.version == "v1beta2");
  BOOST_TEST(AllNames(result) == std::vector<std::string>{"flux-system/podinfo"});
  BOOST_TEST(CountRequests(api, "/source.toolkit.fluxcd.io/v1/ocirepositories") == 1);
  BOOST_TEST(CountRequests(api, "/source.toolkit.fluxcd.io/v1beta2/ocirepositories") == 1);
}

BOOST_AUTO_TEST_CASE(forbidden_names_the_permission_and_the_cluster_role) {
  FakeKubeApi api;
  ServeKustomizations(api, 2);
  api.Forbid("kustomizations");
  KubeClient client(AccessTo(api));

  try {
    client.List(FluxType("Kustomization"));
    BOOST_FAIL("List succeeded");
  } catch (const KubeApiError& e) {
    const std::string message = e.what();
    BOOST_TEST(e.status() == 403);
    BOOST_TEST(message.find("list kustomizations.kustomize.toolkit.fluxcd.io") != std::string::npos, message);
    BOOST_TEST(message.find("cluster-wide") != std::string::npos, message);
    BOOST_TEST(message.find("fluxstatus-resync") != std::string::npos, message);
    BOOST_TEST(message.find("deploy/kubernetes/base/rbac.yaml") != std::string::npos, message);
    BOOST_TEST(message.find("flux-view") != std::string::npos, message);
    // The server's own words, which name the user it saw.
    BOOST_TEST(message.find("system:serviceaccount:flux-system:fluxstatus") != std::string::npos, message);
    BOOST_TEST(message.find(api.token()) == std::string::npos, message);
  }
}

BOOST_AUTO_TEST_CASE(a_token_file_rotated_in_the_middle_of_a_list_is_read_again_after_401) {
  FakeKubeApi api;
  ServeKustomizations(api, 5);
  TempDir dir;
  const auto token_file = dir.path() / "token";
  WriteFile(token_file, "first-token\n");
  api.SetToken("first-token");
  api.AfterListPages(1, [&] {
    api.SetToken("second-token");
    WriteFile(token_file, "  second-token \n");
  });
  auto access = AccessTo(api);
  access.token.clear();
  access.token_file = token_file.string();
  KubeClient client(access, PagesOf(2));

  const auto result = client.List(FluxType("Kustomization"));

  BOOST_TEST(AllNames(result).size() == 5u);
  const auto requests = api.Requests();
  BOOST_TEST(requests.size() == 4u);  // page 1, 401, page 2 again, page 3
  BOOST_TEST(std::count_if(requests.begin(), requests.end(), [](const KubeRequest& r) { return !r.authorized; }) == 1);
}

BOOST_AUTO_TEST_CASE(a_refused_token_is_an_error_that_does_not_show_it) {
  FakeKubeApi api;
  ServeKustomizations(api, 1);
  auto access = AccessTo(api);
  access.token = "stale-secret-token";
  KubeClient client(access);

  const std::string message = ListError(client, FluxType("Kustomization"));

  BOOST_TEST(message.find("unauthorized: the token was refused") != std::string::npos, message);
  BOOST_TEST(message.find(api.BaseUrl()) != std::string::npos, message);
  BOOST_TEST(message.find("stale-secret-token") == std::string::npos, message);
  BOOST_TEST(client.requests() == 1);  // a static token is not tried twice
}

BOOST_AUTO_TEST_CASE(an_empty_token_file_is_an_error_naming_the_file) {
  FakeKubeApi api;
  TempDir dir;
  WriteFile(dir.path() / "token", " \n");
  auto access = AccessTo(api);
  access.token.clear();
  access.token_file = (dir.path() / "token").string();
  KubeClient client(access);

  const std::string message = ListError(client, FluxType("Kustomization"));

  BOOST_TEST(message.find(access.token_file) != std::string::npos, message);
  BOOST_TEST(message.find("is empty") != std::string::npos, message);
  BOOST_TEST(api.Requests().empty());
}

BOOST_AUTO_TEST_CASE(a_server_certificate_from_another_ca_is_a_tls_error_naming_the_server) {
  FakeKubeApi api;
  TempDir other_dir;
  const TestPki other(other_dir.path());
  auto access = AccessTo(api);
  access.ca_pem = ReadFile(other.ca_cert);
  access.token = "secret-in-a-tls-failure";
  KubeClient client(access);

  const std::string message = ListError(client, FluxType("Kustomization"));

  BOOST_TEST(message.find(api.BaseUrl()) != std::string::npos, message);
  BOOST_TEST(message.find("TLS") != std::string::npos, message);
  BOOST_TEST(message.find("secret-in-a-tls-failure") == std::string::npos, message);
  BOOST_TEST(api.Requests().empty());
}

BOOST_AUTO_TEST_CASE(tls_server_name_checks_the_certificate_against_that_name) {
  FakeKubeApi::Options options;
  options.serve_wrong_cert = true;  // a certificate for wrong.example only
  FakeKubeApi api(options);
  ServeKustomizations(api, 2);
  auto access = AccessTo(api);

  KubeClient by_address(access);
  BOOST_TEST(ListError(by_address, FluxType("Kustomization")).find("TLS") != std::string::npos);

  access.tls_server_name = "wrong.example";
  KubeClient by_name(access);
  BOOST_TEST(AllNames(by_name.List(FluxType("Kustomization"))).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_authenticates_when_the_server_requires_one) {
  FakeKubeApi::Options options;
  options.require_client_cert = true;
  FakeKubeApi api(options);
  ServeKustomizations(api, 2);
  auto access = AccessTo(api);
  access.token.clear();

  KubeClient without(access);
  BOOST_TEST(!ListError(without, FluxType("Kustomization")).empty());

  access.client_cert_pem = ReadFile(api.pki().client_cert);
  access.client_key_pem = ReadFile(api.pki().client_key);
  KubeClient with(access);
  BOOST_TEST(AllNames(with.List(FluxType("Kustomization"))).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_server_that_is_not_there_is_an_error_naming_it) {
  ingest::ClusterAccess access;
  {
    FakeKubeApi gone;
    access = AccessTo(gone);
  }
  KubeClient client(access);

  const std::string message = ListError(client, FluxType("GitRepository"));

  BOOST_TEST(message.find(access.server) != std::string::npos, message);
  BOOST_TEST(message.find("gitrepositories.source.toolkit.fluxcd.io") != std::string::npos, message);
  BOOST_TEST(message.find(access.token) == std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(five_thousand_objects_come_in_pages_of_five_hundred) {
  FakeKubeApi api;
  ServeKustomizations(api, 5000);
  KubeClient client(AccessTo(api));

  const auto start = std::chrono::steady_clock::now();
  const auto result = client.List(FluxType("Kustomization"));
  const auto took = std::chrono::steady_clock::now() - start;

  BOOST_TEST(result.requests == 10);
  const auto names = AllNames(result);
  BOOST_TEST(std::set<std::string>(names.begin(), names.end()).size() == 5000u);
  BOOST_TEST_MESSAGE("5000 objects in " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                        << " ms");
  BOOST_TEST(took < std::chrono::seconds(10));  // the test server must not be what a resync waits on
}

BOOST_AUTO_TEST_CASE(pages_a_list_returned_can_be_served_again_as_they_are) {
  FakeKubeApi api;
  ServeKustomizations(api, 3);
  KubeClient client(AccessTo(api));
  const auto first = client.List(FluxType("Kustomization"));
  FakeKubeApi copy;
  copy.SetObjects("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization",
                  KubeListItems(first.pages.at(0)));

  KubeClient copy_client(AccessTo(copy));
  const auto second = copy_client.List(FluxType("Kustomization"));

  BOOST_TEST(KubeListItems(second.pages.at(0)) == KubeListItems(first.pages.at(0)));
  BOOST_TEST(AllNames(second).size() == 3u);
}

BOOST_AUTO_TEST_CASE(flux_types_list_sources_before_what_points_at_them) {
  std::vector<std::string> kinds;
  for (const auto& type : ingest::FluxResourceTypes()) kinds.push_back(type.kind);
  const std::vector<std::string> expected{"GitRepository", "OCIRepository", "Bucket",
                                          "HelmChart",     "Kustomization", "HelmRelease"};
  BOOST_TEST(kinds == expected);
  BOOST_TEST(FluxType("OCIRepository").fallback_versions == std::vector<std::string>{"v1beta2"});
  BOOST_TEST(FluxType("HelmRelease").version == "v2");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::testing
