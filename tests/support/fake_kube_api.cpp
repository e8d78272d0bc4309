#include "tests/support/fake_kube_api.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include <cereal/external/base64.hpp>

#include "ingest/http_server.h"
#include "tests/support/fake_kube_api_bodies.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::testing {
namespace {

using ingest::HttpResponse;

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// What the real server answers for a path no API group serves (a CRD that is not installed).
HttpResponse PageNotFound() {
  HttpResponse response;
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "404 page not found\n";
  return response;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string Key(const std::string& group, const std::string& version, const std::string& plural) {
  return group + "/" + version + "/" + plural;
}

// An opaque continue token: which snapshot (epoch, resourceVersion) and where it stopped.
struct ContinueToken {
  std::int64_t epoch = 0, resource_version = 0;
  std::size_t index = 0;
};

std::string Encode(const ContinueToken& token) {
  const std::string text =
      std::to_string(token.epoch) + "/" + std::to_string(token.resource_version) + "/" + std::to_string(token.index);
  return cereal::base64::encode(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::optional<ContinueToken> Decode(const std::string& text) {
  std::istringstream in(cereal::base64::decode(text));
  ContinueToken token;
  char slash1 = 0, slash2 = 0;
  if (!(in >> token.epoch >> slash1 >> token.resource_version >> slash2 >> token.index) || slash1 != '/' ||
      slash2 != '/') {
    return std::nullopt;
  }
  return token;
}

int LimitOf(const kube::Target& target) {
  const auto it = target.query.find("limit");
  int limit = 0;
  if (it != target.query.end()) std::from_chars(it->second.data(), it->second.data() + it->second.size(), limit);
  return std::max(limit, 0);
}

}  // namespace

struct FakeKubeApi::State {
  const Options options;
  TempDir dir;
  const TestPki pki{dir.path()};

  mutable std::mutex mu;  // guards everything below up to server
  std::string token;
  std::map<std::string, kube::Resource> resources;  // by Key()
  std::set<std::string> forbidden;                  // plurals
  std::int64_t resource_version = 1000;
  std::int64_t epoch = 0;
  std::vector<KubeRequest> requests;
  int pages_until_action = 0;
  std::function<void()> action;

  std::unique_ptr<ingest::HttpServer> server;
  std::unique_ptr<TlsFrontDoor> front;

  explicit State(Options o) : options(std::move(o)), token(options.token) {}

  bool Authorized(const ingest::HttpRequest& request) const {
    const std::string* auth = request.Header("authorization");
    // A client certificate is an identity of its own, as for the real server.
    if (auth == nullptr) return options.require_client_cert;
    return *auth == "Bearer " + token;
  }

  // On an I/O thread.
  void Handle(ingest::HttpRequest&& request, ingest::Responder respond) {
    HttpResponse response;
    std::function<void()> due;
    {
      std::lock_guard lock(mu);
      const bool authorized = Authorized(request);
      const std::string* accept = request.Header("accept");
      requests.push_back(KubeRequest{request.method, request.target, accept != nullptr ? *accept : "", authorized});
      bool list_page = false;
      response = authorized ? Route(request.method, kube::ParseTarget(request.target), list_page)
                            : Json(401, kube::StatusBody(401, "Unauthorized", "Unauthorized"));
      if (list_page && response.status == 200 && pages_until_action > 0 && --pages_until_action == 0)
        due = std::move(action);
    }
    if (due) due();
    respond(std::move(response));
  }

  HttpResponse Route(const std::string& method, const kube::Target& target, bool& list_page) const {
    if (method != "GET") {
      return Json(405, kube::StatusBody(405, "MethodNotAllowed", "the server does not allow this method"));
    }
    const auto parts = Segments(target.path);
    if (target.path == "/api") return Json(200, kube::ApiVersionsBody());
    if (target.path == "/api/v1") return Json(200, kube::CoreResourceListBody());
    if (target.path == "/apis") return Json(200, kube::GroupListBody(resources));
    if (parts.size() == 4 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "namespaces") {
      return GetNamespace(parts[3]);
    }
    if (parts.size() < 2 || parts[0] != "apis") return PageNotFound();
    if (parts.size() == 2) {
      std::string body = kube::GroupBody(resources, parts[1]);
      return body.empty() ? PageNotFound() : Json(200, std::move(body));
    }
    const std::string group_version = parts[1] + "/" + parts[2];
    if (parts.size() == 3) {
      std::string body = kube::ResourceListBody(resources, group_version);
      return body.empty() ? PageNotFound() : Json(200, std::move(body));
    }
    // apis/G/V/PLURAL | apis/G/V/namespaces/NS/PLURAL | apis/G/V/namespaces/NS/PLURAL/NAME
    std::string ns, plural, name;
    if (parts.size() == 4) {
      plural = parts[3];
    } else if ((parts.size() == 6 || parts.size() == 7) && parts[3] == "namespaces") {
      ns = parts[4];
      plural = parts[5];
      if (parts.size() == 7) name = parts[6];
    } else {
      return PageNotFound();
    }
    if (forbidden.count(plural) != 0) return Forbidden(parts[1], plural, ns, name.empty() ? "list" : "get");
    const auto it = resources.find(Key(parts[1], parts[2], plural));
    if (it == resources.end()) {
      if (kube::ResourceListBody(resources, group_version).empty()) return PageNotFound();
      return Json(404, kube::StatusBody(404, "NotFound", "the server could not find the requested resource"));
    }
    if (!name.empty()) return GetOne(it->second, ns, name);
    list_page = true;
    return ListPage(it->second, ns, target);
  }

  HttpResponse Forbidden(const std::string& group, const std::string& plural, const std::string& ns,
                         const std::string& verb) const {
    const std::string scope = ns.empty() ? "at the cluster scope" : "in the namespace \"" + ns + "\"";
    const std::string message = plural + "." + group +
                                " is forbidden: User \"system:serviceaccount:flux-system:fluxstatus\" cannot " + verb +
                                " resource \"" + plural + "\" in API group \"" + group + "\" " + scope;
    return Json(403, kube::StatusBody(403, "Forbidden", message, group, plural));
  }

  static HttpResponse GetOne(const kube::Resource& resource, const std::string& ns, const std::string& name) {
    for (const auto& object : resource.objects) {
      if (object.namespace_name == ns && object.name == name) return Json(200, object.json);
    }
    return Json(
        404, kube::StatusBody(404, "NotFound", resource.plural + "." + resource.group + " \"" + name + "\" not found",
                              resource.group, resource.plural, name));
  }

  // A namespace exists while some served object is in it.
  HttpResponse GetNamespace(const std::string& ns) const {
    for (const auto& [key, resource] : resources) {
      for (const auto& object : resource.objects) {
        if (object.namespace_name == ns) return Json(200, kube::NamespaceBody(ns));
      }
    }
    return Json(404, kube::StatusBody(404, "NotFound", "namespaces \"" + ns + "\" not found", "", "namespaces", ns));
  }

  HttpResponse ListPage(const kube::Resource& resource, const std::string& ns, const kube::Target& target) const {
    std::vector<const kube::Object*> objects;
    for (const auto& object : resource.objects) {
      if (ns.empty() || object.namespace_name == ns) objects.push_back(&object);
    }
    std::size_t begin = 0;
    const auto cont = target.query.find("continue");
    if (cont != target.query.end() && !cont->second.empty()) {
      const auto parsed = Decode(cont->second);
      if (!parsed) {
        return Json(400, kube::StatusBody(400, "BadRequest", "continue key is not valid: illegal base64 data"));
      }
      if (parsed->epoch != epoch || parsed->resource_version != resource_version) {
        return Json(410, kube::StatusBody(410, "Expired", kExpiredMessage));
      }
      begin = std::min(parsed->index, objects.size());
    }
    const int limit = LimitOf(target);
    const std::size_t end = limit == 0 ? objects.size() : std::min(objects.size(), begin + limit);
    const std::string next = end < objects.size() ? Encode({epoch, resource_version, end}) : std::string();
    return Json(200, kube::ListBody(resource, objects, begin, end, resource_version, next));
  }

  static constexpr const char* kExpiredMessage =
      "The provided continuation parameter is too old to display a consistent list result. You can start a new list "
      "without the continue parameter, or use the continue token in this response to retrieve the remainder of the "
      "results. Continuing with the provided token results in an inconsistent list - objects that were created, "
      "modified, or deleted between the time the first chunk was returned and now may show up in the list.";
};

FakeKubeApi::FakeKubeApi(Options options) : state_(std::make_shared<State>(std::move(options))) {
  State& s = *state_;
  ingest::HttpServerOptions server_options;
  server_options.host = "127.0.0.1";
  server_options.port = 0;
  server_options.threads = 2;
  s.server = std::make_unique<ingest::HttpServer>(server_options,
                                                  [&s](ingest::HttpRequest&& request, ingest::Responder respond) {
                                                    s.Handle(std::move(request), std::move(respond));
                                                  });
  s.server->Start();
  const bool wrong = s.options.serve_wrong_cert;
  s.front = std::make_unique<TlsFrontDoor>(s.server->port(), wrong ? s.pki.wrong_cert : s.pki.server_cert,
                                           wrong ? s.pki.wrong_key : s.pki.server_key,
                                           s.options.require_client_cert ? s.pki.client_ca_cert : std::string());
}

FakeKubeApi::FakeKubeApi() : FakeKubeApi(Options{}) {}

FakeKubeApi::~FakeKubeApi() {
  state_->front.reset();
  state_->server->Stop(std::chrono::milliseconds(0));
}

std::string FakeKubeApi::BaseUrl() const { return state_->front->BaseUrl(); }
const TestPki& FakeKubeApi::pki() const { return state_->pki; }
std::string FakeKubeApi::ca_file() const { return state_->pki.ca_cert; }

void FakeKubeApi::SetToken(std::string token) {
  std::lock_guard lock(state_->mu);
  state_->token = std::move(token);
}

std::string FakeKubeApi::token() const {
  std::lock_guard lock(state_->mu);
  return state_->token;
}

void FakeKubeApi::SetObjects(const std::string& group, const std::string& version, const std::string& plural,
                             const std::string& kind, const std::vector<std::string>& items) {
  kube::Resource resource{group, version, plural, kind, {}};
  resource.objects.reserve(items.size());
  for (const auto& item : items) resource.objects.push_back(kube::ParseObject(item));
  std::sort(resource.objects.begin(), resource.objects.end(), [](const kube::Object& a, const kube::Object& b) {
    return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
  });
  std::lock_guard lock(state_->mu);
  state_->resources[Key(group, version, plural)] = std::move(resource);
  ++state_->resource_version;
}

void FakeKubeApi::RemoveResource(const std::string& group, const std::string& version, const std::string& plural) {
  std::lock_guard lock(state_->mu);
  state_->resources.erase(Key(group, version, plural));
  ++state_->resource_version;
}

void FakeKubeApi::Forbid(const std::string& plural) {
  std::lock_guard lock(state_->mu);
  state_->forbidden.insert(plural);
}

void FakeKubeApi::Allow(const std::string& plural) {
  std::lock_guard lock(state_->mu);
  state_->forbidden.erase(plural);
}

std::int64_t FakeKubeApi::resource_version() const {
  std::lock_guard lock(state_->mu);
  return state_->resource_version;
}

void FakeKubeApi::ExpireContinueTokens() {
  std::lock_guard lock(state_->mu);
  ++state_->epoch;
}

void FakeKubeApi::AfterListPages(int pages, std::function<void()> action) {
  std::lock_guard lock(state_->mu);
  state_->pages_until_action = pages;
  state_->action = std::move(action);
}

std::vector<KubeRequest> FakeKubeApi::Requests() const {
  std::lock_guard lock(state_->mu);
  return state_->requests;
}

void FakeKubeApi::ClearRequests() {
  std::lock_guard lock(state_->mu);
  state_->requests.clear();
}

}  // namespace fluxstatus::testing
