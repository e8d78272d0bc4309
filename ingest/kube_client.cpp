#include "ingest/kube_client.h"

#include <mutex>
#include <utility>

#include <curl/curl.h>
#include <rapidjson/document.h>

namespace fluxstatus::ingest {
namespace {

constexpr std::size_t kMaxStatusMessage = 400;

struct Reply {
  long status = 0;
  std::string body;
};

// dispatch has its own (InitCurlGlobal), and ingest may not depend on dispatch. libcurl counts
// its initialisations, so a second one is harmless.
void InitCurlOnce() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) throw std::runtime_error(std::string("curl_global_init failed: ") + curl_easy_strerror(code));
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

Slist Append(Slist list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  list.release();
  return Slist(grown);
}

// The `message` of a Kubernetes Status body, cut short; empty when the body is not one.
std::string StatusMessage(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return {};
  const auto it = doc.FindMember("message");
  if (it == doc.MemberEnd() || !it->value.IsString()) return {};
  std::string message(it->value.GetString(), it->value.GetStringLength());
  if (message.size() > kMaxStatusMessage) message = message.substr(0, kMaxStatusMessage) + "...";
  return message;
}

bool HasLineBreak(const std::string& text) { return text.find_first_of("\r\n") != std::string::npos; }

std::string ResourceName(const ResourceType& type) {
  return type.group.empty() ? type.plural : type.plural + "." + type.group;
}

std::string ListPath(const ResourceType& type, const std::string& version) {
  const std::string prefix = type.group.empty() ? "/api/" + version : "/apis/" + type.group + "/" + version;
  return prefix + "/" + type.plural;
}

// metadata.continue of a list page; empty on the last page. Throws when the page is not a list.
std::string ContinueToken(const std::string& page, const std::string& what) {
  rapidjson::Document doc;
  doc.Parse(page.data(), page.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("items")) {
    throw KubeApiError("cannot " + what + ": the server answered 200 with something that is not a list", 200);
  }
  const auto metadata = doc.FindMember("metadata");
  if (metadata == doc.MemberEnd() || !metadata->value.IsObject()) return {};
  const auto token = metadata->value.FindMember("continue");
  if (token == metadata->value.MemberEnd() || !token->value.IsString()) return {};
  return {token->value.GetString(), token->value.GetStringLength()};
}

}  // namespace

const std::vector<ResourceType>& FluxResourceTypes() {
  static const std::vector<ResourceType> types{
      {"source.toolkit.fluxcd.io", "v1", "gitrepositories", "GitRepository", {}},
      {"source.toolkit.fluxcd.io", "v1", "ocirepositories", "OCIRepository", {"v1beta2"}},
      {"source.toolkit.fluxcd.io", "v1", "buckets", "Bucket", {}},
      {"source.toolkit.fluxcd.io", "v1", "helmcharts", "HelmChart", {}},
      {"kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization", {}},
      {"helm.toolkit.fluxcd.io", "v2", "helmreleases", "HelmRelease", {}},
  };
  return types;
}

struct KubeClient::Impl {
  ClusterAccess access;
  KubeClientOptions options;
  CURL* curl = nullptr;
  std::string base_url;  // the server, or tls_server_name in its place (see Connect)
  Slist connect_to;      // with tls_server_name: connect to the server's own address
  std::string token;     // what the next request sends
  int requests = 0;
  char error_buffer[CURL_ERROR_SIZE] = {};
  std::string body;
  bool body_too_large = false;

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* self = static_cast<Impl*>(user);
    const size_t n = size * count;
    if (self->body.size() + n > self->options.max_reply_bytes) {
      self->body_too_large = true;
      return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    self->body.append(data, n);
    return n;
  }

  // curl checks the certificate against the URL's host, and kubeconfig's tls-server-name
  // replaces that host for the check only: the URL names it and CONNECT_TO sends the
  // connection to the real address.
  void Connect() {
    base_url = access.server;
    if (access.tls_server_name.empty()) return;
    CURLU* url = curl_url();
    char* host = nullptr;
    char* port = nullptr;
    char* renamed = nullptr;
    const bool ok = url != nullptr && curl_url_set(url, CURLUPART_URL, access.server.c_str(), 0) == CURLUE_OK &&
                    curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
                    curl_url_get(url, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
                    curl_url_set(url, CURLUPART_HOST, access.tls_server_name.c_str(), 0) == CURLUE_OK &&
                    curl_url_set(url, CURLUPART_PORT, port, 0) == CURLUE_OK &&
                    curl_url_get(url, CURLUPART_URL, &renamed, 0) == CURLUE_OK;
    const std::string real_host = ok ? host : "", real_port = ok ? port : "";
    base_url = ok ? renamed : "";
    curl_free(host);
    curl_free(port);
    curl_free(renamed);
    curl_url_cleanup(url);
    if (!ok) {
      throw ClusterAccessError(access.source + ": the server " + access.server + " with tls-server-name " +
                               access.tls_server_name + " does not make a valid URL");
    }
    // The same URL with the host renamed, any path prefix (a proxy's /k8s/clusters/c-1) kept.
    while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
    connect_to = Append(nullptr, access.tls_server_name + ":" + real_port + ":" + real_host + ":" + real_port);
  }

  void RefreshToken() {
    if (!access.token_file.empty()) token = ReadTokenFile(access.token_file, access.source);
    if (HasLineBreak(token)) {
      throw ClusterAccessError("the token of the " + access.source + " contains a line break: it is not a token");
    }
  }

  bool Configure(const std::string& url, const Slist& headers) {
    curl_easy_reset(curl);
    bool ok = true;
    const auto set = [&](CURLoption option, auto value) {
      ok = ok && curl_easy_setopt(curl, option, value) == CURLE_OK;
    };
    // PEM from memory, never from a file: with CURL_BLOB_COPY curl keeps its own copy.
    const auto set_pem = [&](CURLoption option, const std::string& pem) {
      curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
      set(option, &blob);
    };
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_ERRORBUFFER, error_buffer);
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    set(CURLOPT_USERAGENT, "fluxstatus/" FLUXSTATUS_VERSION);
    set(CURLOPT_PROTOCOLS_STR, "https");
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_ACCEPT_ENCODING, "");  // whatever this libcurl decodes: lists compress well
    if (!access.ca_pem.empty()) set_pem(CURLOPT_CAINFO_BLOB, access.ca_pem);
    if (!access.client_cert_pem.empty()) {
      set_pem(CURLOPT_SSLCERT_BLOB, access.client_cert_pem);
      set(CURLOPT_SSLCERTTYPE, "PEM");
      set_pem(CURLOPT_SSLKEY_BLOB, access.client_key_pem);
      set(CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (connect_to) set(CURLOPT_CONNECT_TO, connect_to.get());
    set(CURLOPT_HTTPHEADER, headers.get());
    set(CURLOPT_WRITEFUNCTION, &Impl::OnBody);
    set(CURLOPT_WRITEDATA, static_cast<void*>(this));
    if (options.abort != nullptr) {
      set(CURLOPT_NOPROGRESS, 0L);
      set(CURLOPT_XFERINFOFUNCTION, &Impl::OnProgress);
      set(CURLOPT_XFERINFODATA, static_cast<void*>(this));
    }
    return ok;
  }

  // libcurl calls it about once a second, and more often while data flows: non-zero aborts.
  static int OnProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Impl*>(self)->options.abort->load() ? 1 : 0;
  }

  // One GET. Throws KubeApiError when no HTTP answer came (TLS, connection, timeout, size).
  Reply Get(const std::string& path, const std::string& what) {
    Slist headers = Append(nullptr, "Accept: application/json");
    if (!token.empty()) headers = Append(std::move(headers), "Authorization: Bearer " + token);
    body.clear();
    body_too_large = false;
    error_buffer[0] = '\0';
    if (!Configure(base_url + path, headers)) {
      throw KubeApiError("cannot " + what + ": libcurl refused an option (is it older than 7.77?)", 0);
    }
    ++requests;
    const CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) throw TransportError(code, what);
    Reply reply;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.body = std::move(body);
    return reply;
  }

  // The message names the server and curl's reason (never a header, so never the token).
  KubeApiError TransportError(CURLcode code, const std::string& what) const {
    if (body_too_large) {
      return KubeApiError("cannot " + what + ": a page from " + access.server + " is larger than " +
                              std::to_string(options.max_reply_bytes >> 20) + " MiB",
                          0);
    }
    const std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    std::string fix;
    const bool tls =
        code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CONNECT_ERROR;
    if (tls && access.ca_pem.empty()) {
      fix = ": TLS verification failed and the " + access.source +
            " names no CA: add the cluster's certificate-authority-data (or certificate-authority) to it";
    } else if (tls) {
      fix = ": TLS verification failed; check that the CA of the " + access.source +
            " is the one that signed the API server's certificate, and that the certificate names the host";
    } else if (code == CURLE_SSL_CERTPROBLEM) {
      fix = ": the client certificate or key of the " + access.source + " is not usable PEM, or not a pair";
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      fix = ": no answer within " + std::to_string(options.timeout.count()) + " ms";
    } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) {
      fix = ": check the server address of the " + access.source + " and that the API server is reachable from here";
    }
    return KubeApiError("cannot " + what + ": " + access.server + " (" + access.source + "): " + reason + fix, 0);
  }

  // A GET that, on 401 with a token file, re-reads the file and tries once more (the kubelet
  // rotates bound tokens).
  Reply AuthorizedGet(const std::string& path, const std::string& what) {
    Reply reply = Get(path, what);
    if (reply.status == 401 && !access.token_file.empty()) {
      RefreshToken();
      reply = Get(path, what);
    }
    return reply;
  }

  // Every page of one version into result.pages; false when the version is not served (404
  // on the first page). A 410 Gone starts again from the first page, max_restarts times.
  bool ListVersion(const ResourceType& type, const std::string& version, ListResult& result) {
    const std::string what = "list " + ResourceName(type) + "/" + version + " in all namespaces";
    const std::string path = ListPath(type, version) + "?limit=" + std::to_string(options.page_limit);
    std::string next;
    result.pages.clear();
    while (true) {
      Reply reply = AuthorizedGet(next.empty() ? path : path + "&continue=" + Escaped(next), what);
      if (reply.status == 404 && result.pages.empty()) return false;
      if (reply.status == 410 && result.restarts < options.max_restarts) {
        // The continue token expired: the pages so far are from an older snapshot.
        ++result.restarts;
        result.pages.clear();
        next.clear();
        continue;
      }
      if (reply.status != 200) Fail(reply, type, what);
      next = ContinueToken(reply.body, what);
      result.pages.push_back(std::move(reply.body));
      if (next.empty()) return true;
    }
  }

  std::string Escaped(const std::string& text) const {
    char* escaped = curl_easy_escape(curl, text.data(), static_cast<int>(text.size()));
    if (escaped == nullptr) throw std::bad_alloc();
    std::string out(escaped);
    curl_free(escaped);
    return out;
  }

  std::string UnauthorizedFix() const {
    if (!access.token_file.empty()) {
      return "; " + access.token_file +
             " was read again and its token was refused too: check that the ServiceAccount still exists and that "
             "the file is renewed";
    }
    if (token.empty()) return "; the " + access.source + " gives no token: add one (kubectl create token <sa>)";
    return "; put a current token in the " + access.source + " (kubectl create token <sa>)";
  }

  [[noreturn]] void Fail(const Reply& reply, const ResourceType& type, const std::string& what) const {
    const std::string message = StatusMessage(reply.body);
    const std::string said = message.empty() ? "" : " (the server said: " + message + ")";
    const int status = static_cast<int>(reply.status);
    if (status == 401) {
      throw KubeApiError("cannot " + what + ": unauthorized: the token was refused (expired or rotated?) by " +
                             access.server + UnauthorizedFix() + said,
                         status);
    }
    if (status == 403) {
      throw KubeApiError("cannot " + what + ": forbidden: the " + access.source + " lacks the permission `list " +
                             ResourceName(type) +
                             "` cluster-wide; apply the ClusterRole fluxstatus-resync "
                             "(deploy/kubernetes/base/rbac.yaml) or bind flux-view to fluxstatus's ServiceAccount" +
                             said,
                         status);
    }
    if (status == 410) {
      throw KubeApiError("cannot " + what +
                             ": the list changed faster than it could be read (410 Gone, its continue "
                             "token expired " +
                             std::to_string(options.max_restarts + 1) + " times)" + said,
                         status);
    }
    throw KubeApiError("cannot " + what + ": " + access.server + " answered HTTP " + std::to_string(status) + said,
                       status);
  }
};

KubeClient::KubeClient(ClusterAccess access, KubeClientOptions options) : impl_(std::make_unique<Impl>()) {
  InitCurlOnce();
  impl_->access = std::move(access);
  impl_->options = options;
  impl_->token = impl_->access.token;
  impl_->Connect();
  impl_->curl = curl_easy_init();
  if (impl_->curl == nullptr) throw std::runtime_error("curl_easy_init failed");
}

KubeClient::~KubeClient() { curl_easy_cleanup(impl_->curl); }

int KubeClient::requests() const { return impl_->requests; }

ListResult KubeClient::List(const ResourceType& type) {
  impl_->RefreshToken();
  ListResult result;
  const int before = impl_->requests;
  std::vector<std::string> versions{type.version};
  versions.insert(versions.end(), type.fallback_versions.begin(), type.fallback_versions.end());
  result.served = false;
  for (const std::string& version : versions) {
    if (impl_->ListVersion(type, version, result)) {
      result.served = true;
      result.version = version;
      break;
    }
  }
  result.requests = impl_->requests - before;
  return result;
}

}  // namespace fluxstatus::ingest
