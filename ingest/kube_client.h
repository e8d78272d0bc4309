// A small read-only Kubernetes API client: LIST one resource type in every namespace, page by
// page (limit + continue), with the recoveries flux-objects.md 1.3 asks for (410 Gone restarts
// the list, 404 tries the next version, 401 re-reads the token file once). It moves pages of
// raw JSON; parsing the objects is core's. libcurl, TLS verification always on.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/cluster_access.h"

namespace fluxstatus::ingest {

struct ResourceType {
  std::string group, version, plural, kind;
  std::vector<std::string> fallback_versions;  // tried in order after `version` answers 404
};

// The Flux kinds resync reads, sources first (a Kustomization or HelmRelease points at them):
// GitRepository, OCIRepository (v1, else v1beta2), Bucket, HelmChart, then Kustomization and
// HelmRelease (flux-objects.md 1.1, 1.2).
const std::vector<ResourceType>& FluxResourceTypes();

struct ListResult {
  bool served = true;              // false: 404 for every version: the CRD is absent
  std::string version;             // the version that answered
  std::vector<std::string> pages;  // each page's raw JSON body, in order, one consistent list
  int requests = 0;                // HTTP requests this List made
  int restarts = 0;                // times a 410 Gone started the list again
};

// The API answered an error, or could not be reached. The message names the resource, the
// server, the HTTP status and the fix; never the token.
class KubeApiError : public std::runtime_error {
 public:
  KubeApiError(const std::string& message, int status) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }  // the HTTP status; 0 when no answer came

 private:
  int status_;
};

struct KubeClientOptions {
  int page_limit = 500;
  std::chrono::milliseconds timeout{30000};  // per request
  int max_restarts = 3;                      // 410 Gone restarts before giving up
  std::size_t max_reply_bytes = 64u << 20;   // a larger page is an error
  // When it turns true (serve's shutdown), a request in progress is cut short within about a
  // second and fails. nullptr: never. Must outlive the client.
  const std::atomic<bool>* abort = nullptr;
};

// Thread-safety: one List at a time per client.
class KubeClient {
 public:
  explicit KubeClient(ClusterAccess access, KubeClientOptions options = {});
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  // Every object of `type` in every namespace. The token file (if any) is read first. Throws
  // KubeApiError (HTTP, TLS, connection) or ClusterAccessError (token file).
  ListResult List(const ResourceType& type);

  // Every HTTP request made so far (for the closing note and metrics).
  int requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fluxstatus::ingest
