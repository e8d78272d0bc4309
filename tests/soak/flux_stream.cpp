#include "tests/soak/flux_stream.h"

#include <algorithm>
#include <ctime>
#include <set>
#include <stdexcept>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace fluxstatus::soak {
namespace {

constexpr std::int64_t kStartEpochS = 1795507200;  // 2026-11-24T08:00:00Z
// The Alert's eventMetadata, merged into every forwarded event (as in samples/wire/02).
const std::map<std::string, std::string> kAlertMetadata = {
    {"cluster", "prod-eu-1"}, {"env", "production"}, {"summary", "prod-eu-1 gitops"}};
// Shares of the plan; the issue asks for about 15% resends and about 10% out-of-order arrivals.
constexpr double kResendAtOnce = 0.08;
constexpr double kResendLater = 0.08;
constexpr double kSwapPerObject = 0.22;  // about 10% of all events
constexpr int kPauseEvery = 8;           // waves; each pause is longer than every timer in serve
// GitHub cuts descriptions at 140 characters; staying within keeps the reference fold simple.
constexpr std::size_t kMaxDescription = 140;

std::string Timestamp(std::int64_t epoch_s) {
  const std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

FluxObject Object(const char* kind, const char* ns, const char* name, int repo) {
  FluxObject o;
  o.kind = kind;
  o.namespace_ = ns;
  o.name = name;
  o.repo = repo;
  if (o.kind == "GitRepository") {
    o.api_version = "source.toolkit.fluxcd.io/v1";
    o.controller = "source-controller";
    o.instance = "source-controller-5b8f6d7c9f-r4n8k";
  } else if (o.kind == "Kustomization") {
    o.api_version = "kustomize.toolkit.fluxcd.io/v1";
    o.controller = "kustomize-controller";
    o.instance = "kustomize-controller-6d9c7f8b94-q7x2m";
  } else {
    o.api_version = "helm.toolkit.fluxcd.io/v2";
    o.controller = "helm-controller";
    o.instance = "helm-controller-7f5d9b6c8d-w2p6j";
  }
  return o;
}

}  // namespace

void Done::Set() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
}

bool Done::Wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return done_; });
}

const char* KindName(SendKind kind) {
  switch (kind) {
    case SendKind::kOriginal: return "original";
    case SendKind::kResendAtOnce: return "resend at once";
    case SendKind::kResendLater: return "later resend";
    case SendKind::kResendBeforePause: return "resend before an idle pause";
  }
  return "?";
}

FluxStream::FluxStream(std::uint64_t seed, std::vector<std::string> routes)
    : rng_(seed), routes_(std::move(routes)), clock_s_(kStartEpochS) {
  const char* const repos[] = {"fleet", "apps", "platform"};
  for (int r = 0; r < 3; ++r) {
    repos_.push_back(static_cast<int>(objects_.size()));
    objects_.push_back(Object("GitRepository", "flux-system", repos[r], r));
  }
  const char* const kustomizations[][2] = {
      {"flux-system", "0"}, {"infra-controllers", "0"}, {"infra-configs", "0"}, {"monitoring", "0"},
      {"apps", "1"},        {"frontend", "1"},          {"backend", "1"},       {"payments", "1"},
      {"platform", "2"},    {"ingress", "2"},           {"cert-manager", "2"},  {"tenants", "2"}};
  for (const auto& k : kustomizations) objects_.push_back(Object("Kustomization", "flux-system", k[0], k[1][0] - '0'));
  objects_.push_back(Object("HelmRelease", "apps", "podinfo", 1));
  objects_.back().commit_annotation = true;
  objects_.push_back(Object("HelmRelease", "ingress-nginx", "ingress-nginx", 2));
  objects_.back().commit_annotation = true;
  // Not annotated: its revision is a chart version, so its events name no commit.
  objects_.push_back(Object("HelmRelease", "monitoring", "prometheus", 0));
  for (auto& o : objects_) {
    o.uid = Hex(8) + "-" + Hex(4) + "-4" + Hex(3) + "-a" + Hex(3) + "-" + Hex(12);
    o.resource_version = 100000 + static_cast<std::int64_t>(rng_() % 800000);
  }
}

std::string FluxStream::Hex(int digits) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s += kDigits[rng_() % 16];
  return s;
}

StreamEvent FluxStream::Event(int object, const char* severity, const char* reason, std::string message, std::int64_t t,
                              const std::string& revision) {
  StreamEvent ev;
  ev.object = object;
  ev.severity = severity;
  ev.reason = reason;
  ev.message = std::move(message);
  ev.time_s = t;
  ev.metadata = kAlertMetadata;
  if (!revision.empty()) ev.metadata["revision"] = revision;
  const auto first_line = ev.message.substr(0, ev.message.find('\n'));
  // "HealthCheckFailed" + message -> "health check failed: <first line>"
  if (!revision.empty() && first_line.size() + ev.reason.size() + 4 > kMaxDescription) {
    throw std::logic_error("soak stream: description too long for the reference fold: " + first_line);
  }
  return ev;
}

std::string FluxStream::WireBody(const StreamEvent& ev) {
  FluxObject& o = objects_.at(static_cast<std::size_t>(ev.object));
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto str = [&w](const std::string& s) { w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size())); };
  const auto member = [&](const char* key, const std::string& value) {
    w.Key(key);
    str(value);
  };
  w.StartObject();
  w.Key("involvedObject");
  w.StartObject();
  member("kind", o.kind);
  member("namespace", o.namespace_);
  member("name", o.name);
  member("uid", o.uid);
  member("apiVersion", o.api_version);
  member("resourceVersion", std::to_string(++o.resource_version));
  w.EndObject();
  member("severity", ev.severity);
  member("timestamp", Timestamp(ev.time_s));
  member("message", ev.message);
  member("reason", ev.reason);
  if (!ev.metadata.empty()) {
    w.Key("metadata");
    w.StartObject();
    for (const auto& [k, v] : ev.metadata) member(k.c_str(), v);
    w.EndObject();
  }
  member("reportingController", o.controller);
  member("reportingInstance", o.instance);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void FluxStream::ReconcileKustomization(int object, const std::string& sha, std::int64_t t,
                                        std::vector<StreamEvent>& out) {
  const FluxObject& o = objects_[static_cast<std::size_t>(object)];
  const std::string revision = "main@sha1:" + sha;
  const std::string target = "Deployment/" + o.name + "/app";
  if (rng_() % 10 == 0) {
    out.push_back(Event(object, "info", "DependencyNotReady",
                        "Dependencies do not meet ready condition (flux-system/infra-controllers), retrying in 30s", t,
                        revision));
    t += 30;
  }
  out.push_back(Event(object, "info", "Progressing",
                      target + " configured\nService/" + o.name + "/app unchanged\nConfigMap/" + o.name + "/settings-" +
                          Hex(6) + " created",
                      t, revision));
  t += 5 + static_cast<std::int64_t>(rng_() % 85);
  const auto succeeded = [&](std::int64_t at) {
    StreamEvent ev = Event(object, "info", "ReconciliationSucceeded",
                           "Reconciliation finished in " + std::to_string(1 + rng_() % 9) + "." +
                               std::to_string(100 + rng_() % 900) + "s, next run in 10m0s",
                           at, revision);
    ev.metadata["commit_status"] = "update";
    out.push_back(std::move(ev));
  };
  if (rng_() % 100 < 72) return succeeded(t);
  // Multi-line on purpose: the status shows the first line only.
  out.push_back(Event(object, "error", "HealthCheckFailed",
                      "health check failed after 5m0." + std::to_string(10 + rng_() % 90) +
                          "s: timeout waiting for: [" + target + " status: 'InProgress']\n" + target + ": 0/2 ready",
                      t, revision));
  if (rng_() % 2 == 0) succeeded(t + 60 + static_cast<std::int64_t>(rng_() % 240));
}

void FluxStream::ReleaseHelm(int object, const std::string& sha, std::int64_t t, std::vector<StreamEvent>& out) {
  const FluxObject& o = objects_[static_cast<std::size_t>(object)];
  const std::string chart = o.name + "@6." + std::to_string(commits_ / 10) + "." + std::to_string(commits_ % 10);
  const std::string release = o.namespace_ + "/" + o.name;
  const auto event = [&](const char* severity, const char* reason, std::string message, std::int64_t at) {
    StreamEvent ev = Event(object, severity, reason, std::move(message), at, chart.substr(o.name.size() + 1));
    ev.metadata["app-version"] = "2." + std::to_string(commits_);
    ev.metadata["token"] = "sha256:" + Hex(64);
    if (o.commit_annotation) ev.metadata["commit"] = sha;
    out.push_back(std::move(ev));
  };
  const std::string version = ".v" + std::to_string(commits_ + 1);
  if (rng_() % 100 < 70) {
    return event("info", "UpgradeSucceeded",
                 "Helm upgrade succeeded for release " + release + version + " with chart " + chart, t);
  }
  event("error", "UpgradeFailed",
        "Helm upgrade failed for release " + release + " with chart " + chart +
            ": context deadline exceeded\n\nLast Helm logs:\n\nwaiting for 1 pods",
        t);
  if (rng_() % 2 == 0) {
    event("info", "UpgradeSucceeded",
          "Helm upgrade succeeded for release " + release + version + " with chart " + chart,
          t + 120 + static_cast<std::int64_t>(rng_() % 120));
  }
}

std::vector<StreamEvent> FluxStream::WaveEvents(int repo, const std::string& sha) {
  std::vector<StreamEvent> events;
  const int source = repos_[static_cast<std::size_t>(repo)];
  const std::string& name = objects_[static_cast<std::size_t>(source)].name;
  const std::int64_t t = clock_s_;
  if (rng_() % 25 == 0) {  // a failed fetch before the commit lands: no revision, no commit
    events.push_back(Event(source, "error", "GitOperationFailed",
                           "failed to checkout and determine revision: unable to clone 'https://github.com/acme/" +
                               name + ".git': context deadline exceeded",
                           t - 60, ""));
  }
  events.push_back(Event(source, "info", "NewArtifact",
                         "stored artifact for commit 'Merge pull request #" + std::to_string(300 + commits_) +
                             " from acme/feat-" + Hex(4) + "'",
                         t, "main@sha1:" + sha));
  for (int i = 0; i < static_cast<int>(objects_.size()); ++i) {
    const FluxObject& o = objects_[static_cast<std::size_t>(i)];
    if (o.repo != repo) continue;
    const std::int64_t start = t + 3 + static_cast<std::int64_t>(rng_() % 20);
    if (o.kind == "Kustomization") ReconcileKustomization(i, sha, start, events);
    if (o.kind == "HelmRelease" && rng_() % 2 == 0) ReleaseHelm(i, sha, start + 30, events);
  }
  return events;
}

// One route's sends of a wave, in time order, except that for some objects one event is moved
// behind the next event of the same object and waits for its answer: an older event arriving
// after a newer one, as Flux's per-event goroutines make happen. One such move per object, so
// every send planned "after" another is queued behind it.
std::vector<Send> FluxStream::PlanRoute(const std::string& route, const std::vector<StreamEvent>& events,
                                        const std::vector<std::string>& bodies) {
  std::vector<Send> sends;
  std::vector<int> objects;
  for (std::size_t e = 0; e < events.size(); ++e) {
    Send s;
    s.route = route;
    s.body = bodies[e];
    s.controller = objects_[static_cast<std::size_t>(events[e].object)].controller;
    s.resend_at_once = std::uniform_real_distribution<>(0, 1)(rng_) < kResendAtOnce;
    counts_.resends += s.resend_at_once ? 1 : 0;
    ++counts_.originals;
    sends.push_back(std::move(s));
    objects.push_back(events[e].object);
  }
  std::set<int> swapped;
  for (std::size_t i = 0; i < sends.size(); ++i) {
    const int object = objects[i];
    if (swapped.count(object) != 0 || objects_[static_cast<std::size_t>(object)].kind == "GitRepository") continue;
    std::size_t next = i + 1;
    while (next < sends.size() && objects[next] != object) ++next;
    if (next == sends.size() || std::uniform_real_distribution<>(0, 1)(rng_) >= kSwapPerObject) continue;
    swapped.insert(object);
    Send older = std::move(sends[i]);
    older.after = sends[next].done;
    older.out_of_order = true;
    ++counts_.planned_out_of_order;
    sends.insert(sends.begin() + static_cast<std::ptrdiff_t>(next) + 1, std::move(older));
    sends.erase(sends.begin() + static_cast<std::ptrdiff_t>(i));
    objects.insert(objects.begin() + static_cast<std::ptrdiff_t>(next) + 1, object);
    objects.erase(objects.begin() + static_cast<std::ptrdiff_t>(i));
    --i;  // what slid into place i has not been looked at
  }
  return sends;
}

// Resends of bodies from earlier waves, each after its original has been answered.
void FluxStream::AddLaterResends(std::vector<Send>& wave) {
  std::vector<Send> resends;
  for (const Send& s : recent_) {
    if (std::uniform_real_distribution<>(0, 1)(rng_) >= kResendLater) continue;
    Send r;
    r.route = s.route;
    r.body = s.body;
    r.controller = s.controller;
    r.kind = SendKind::kResendLater;
    r.after = s.done;
    resends.push_back(std::move(r));
  }
  counts_.resends += static_cast<int>(resends.size());
  for (auto& r : resends) {
    const auto at = wave.begin() + static_cast<std::ptrdiff_t>(rng_() % (wave.size() + 1));
    wave.insert(at, std::move(r));
  }
}

std::vector<Send> FluxStream::NextWave() {
  clock_s_ += 150 + static_cast<std::int64_t>(rng_() % 270);
  const int repo = static_cast<int>(rng_() % repos_.size());
  const std::string sha = Hex(40);
  std::vector<StreamEvent> events = WaveEvents(repo, sha);
  std::stable_sort(events.begin(), events.end(),
                   [](const StreamEvent& a, const StreamEvent& b) { return a.time_s < b.time_s; });
  ++commits_;
  counts_.events += static_cast<int>(events.size());
  // Each route is its own Alert + Provider: both get every event, byte for byte the same,
  // interleaved at random.
  std::vector<std::string> bodies;
  for (const auto& ev : events) bodies.push_back(WireBody(ev));
  std::vector<std::vector<Send>> per_route;
  for (const auto& route : routes_) per_route.push_back(PlanRoute(route, events, bodies));
  std::vector<Send> wave;
  std::vector<std::size_t> next(per_route.size(), 0);
  for (std::size_t left = events.size() * per_route.size(); left > 0; --left) {
    std::size_t r = rng_() % per_route.size();
    while (next[r] == per_route[r].size()) r = (r + 1) % per_route.size();
    wave.push_back(per_route[r][next[r]++]);
  }
  AddLaterResends(wave);
  if (++counts_.waves % kPauseEvery == 0 && !recent_.empty()) {
    Send p = recent_[rng_() % recent_.size()];
    p.kind = SendKind::kResendBeforePause;
    p.resend_at_once = false;
    p.after = p.done;
    p.done = std::make_shared<Done>();
    p.out_of_order = false;
    p.pause = std::chrono::milliseconds(6000 + rng_() % 2001);
    wave.push_back(std::move(p));
    ++counts_.resends;
    ++counts_.pauses;
  }
  recent_.clear();
  for (const auto& s : wave) {
    if (s.kind == SendKind::kOriginal) recent_.push_back(s);
  }
  return wave;
}

std::string FluxStream::FreshBody() {
  int apps = 0;
  while (objects_.at(static_cast<std::size_t>(apps)).name != "apps" ||
         objects_[static_cast<std::size_t>(apps)].kind != "Kustomization") {
    ++apps;
  }
  StreamEvent ev =
      Event(apps, "info", "ReconciliationSucceeded", "Reconciliation finished in 0.512s, next run in 10m0s",
            clock_s_ + 3600, "main@sha1:" + Hex(40));
  return WireBody(ev);
}

}  // namespace fluxstatus::soak
