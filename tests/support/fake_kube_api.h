// An in-process Kubernetes API server for tests, over HTTPS on 127.0.0.1 (a throw-away CA made
// at test time: TestPki + TlsFrontDoor), serving the custom resources a test gives it: LIST in
// every namespace or one, GET one, `limit` + `continue` pagination with 410 Gone for expired
// continue tokens, a bearer token check (401), RBAC refusals (403), absent CRDs (404), the
// legacy discovery documents kubectl needs (/api, /apis, /apis/<g>/<v>) and the namespaces
// that hold objects (GET /api/v1/namespaces/<ns>, which kubectl reads after a NotFound).
// Answers are JSON in the real server's shapes (Status bodies included), so kubectl works
// against it with the kubeconfig WriteKubeconfig writes. Read-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/fake_git_host_tls.h"

namespace fluxstatus::testing {

// One request as received.
struct KubeRequest {
  std::string method;
  std::string target;       // path and query, as sent
  std::string accept;       // the Accept header
  bool authorized = false;  // the bearer token was the current one
};

struct KubeconfigOptions {
  std::string context = "fake";  // the context's name, also current-context
  bool ca_as_file = false;       // certificate-authority: a file beside the kubeconfig (relative path)
  bool token_as_file = false;    // tokenFile: a file beside the kubeconfig (relative path), not token
  bool client_cert = false;      // client-certificate-data / client-key-data (TestPki's client pair)
  std::string tls_server_name;   // written when set
};

// Thread-safety: every method may be called from any test thread while requests are served.
class FakeKubeApi {
 public:
  struct Options {
    std::string token = "fake-kube-token";  // the bearer token every request must carry
    bool require_client_cert = false;       // TLS: a certificate of TestPki's client CA is required
    bool serve_wrong_cert = false;          // TLS: serve the certificate for wrong.example only
  };

  explicit FakeKubeApi(Options options);
  FakeKubeApi();
  ~FakeKubeApi();
  FakeKubeApi(const FakeKubeApi&) = delete;
  FakeKubeApi& operator=(const FakeKubeApi&) = delete;

  std::string BaseUrl() const;  // "https://127.0.0.1:<port>"
  const TestPki& pki() const;   // its files live in the fake's own temporary directory
  std::string ca_file() const;  // the CA that signed the server certificate (PEM file)

  // Rotates the accepted token: requests with the old one get 401 from now on.
  void SetToken(std::string token);
  std::string token() const;

  // Serves `items` (JSON objects as the real server gives them: apiVersion, kind, metadata with
  // namespace, name, uid, resourceVersion...) as the resource group/version/plural of `kind`,
  // replacing what it served before. Answered in namespace/name order. Throws
  // std::invalid_argument for an item that is not a JSON object with metadata.name.
  void SetObjects(const std::string& group, const std::string& version, const std::string& plural,
                  const std::string& kind, const std::vector<std::string>& items);
  // The resource is no longer served (404), as when its CRD or that version is absent.
  void RemoveResource(const std::string& group, const std::string& version, const std::string& plural);
  // Requests for `plural` (any group, version, verb) are answered 403 as RBAC does; Allow undoes it.
  void Forbid(const std::string& plural);
  void Allow(const std::string& plural);

  // The resourceVersion lists report now; every change to the objects bumps it, which expires
  // every continue token handed out before.
  std::int64_t resource_version() const;
  // Continue tokens handed out so far answer 410 Gone from now on.
  void ExpireContinueTokens();
  // After the next `pages` list pages have been answered, `action` runs once (on a server
  // thread, before that page goes out, so before the client can ask for the next one). It may
  // call any method here. For changes in the middle of a paginated list.
  void AfterListPages(int pages, std::function<void()> action);

  std::vector<KubeRequest> Requests() const;
  void ClearRequests();

  // Writes a kubeconfig (apiVersion v1, kind Config) for this server at `path`, with the
  // current token. Files it refers to are written beside it.
  void WriteKubeconfig(const std::filesystem::path& path, const KubeconfigOptions& options = {}) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// A minimal object as the server stores one: apiVersion, kind, and metadata (name, namespace,
// a uid derived from them, resourceVersion, generation 1, creationTimestamp). No spec/status.
std::string KubeObjectJson(const std::string& api_version, const std::string& kind, const std::string& ns,
                           const std::string& name);

// The items of a List response (a page the server answered, or a sample such as
// samples/kubernetes/01-kustomization-ready.json), each as compact JSON, for SetObjects.
// Throws std::invalid_argument when `list_json` is not an object with an items array.
std::vector<std::string> KubeListItems(const std::string& list_json);

}  // namespace fluxstatus::testing
