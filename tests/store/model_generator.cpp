#include "tests/store/model_generator.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "tests/store/store_fixture.h"

namespace fluxstatus::store::model {
namespace {

struct FluxObject {
  const char* kind;
  const char* name;
};
// The context is the route's default template, "{kind}/{name}" with the kind in lower case.
constexpr std::array<FluxObject, 5> kObjects = {{{"Kustomization", "apps"},
                                                 {"Kustomization", "infra"},
                                                 {"Kustomization", "café"},
                                                 {"GitRepository", "flux-system"},
                                                 {"HelmRelease", "podinfo"}}};

// What Flux says and the status it stands for (docs/sql.md: pending for Progressing and
// DependencyNotReady, success for other info events, failure for errors; the description is the
// reason in words, plus the message's first line on failure).
struct Said {
  const char* severity;
  const char* reason;
  const char* message;
  const char* state;
  const char* description;
};
constexpr std::array<Said, 8> kSayings = {{
    {"info", "ReconciliationSucceeded", "Reconciliation finished in 1.8s, next run in 10m0s", "success",
     "reconciliation succeeded"},
    {"info", "Progressing", "Deployment/default/web configured", "pending", "progressing"},
    {"info", "DependencyNotReady", "dependency 'flux-system/infra' is not ready", "pending", "dependency not ready"},
    {"error", "HealthCheckFailed", "timeout waiting for: [Deployment/default/web status: 'InProgress']", "failure",
     "health check failed: timeout waiting for: [Deployment/default/web status: 'InProgress']"},
    {"error", "HealthCheckFailed", "timeout waiting for: [Deployment/default/api status: 'Failed']", "failure",
     "health check failed: timeout waiting for: [Deployment/default/api status: 'Failed']"},
    {"error", "ReconciliationFailed", "kustomize build failed: accumulating resources\nmissing kustomization.yaml",
     "failure", "reconciliation failed: kustomize build failed: accumulating resources"},
    {"info", "NewArtifact", "stored artifact for commit 'Merge pull request #7'", "success", "new artifact"},
    {"trace", "Progressing", "trace only", "", ""},
}};

// A SHA-256 commit of a GitRepository in a SHA-256 repository.
const std::string kSha256Commit = "9c5b1f3e0a7d2c4b6e8f1a3c5e7d9b0f2a4c6e8d0b1f3a5c7e9d1b3f5a7c9e0d";
// An OCI artifact digest: names no Git commit.
const std::string kOciDigest = "b7a1c9e3d5f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4";

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

}  // namespace

const std::vector<std::string>& Generator::Commits() {
  static const std::vector<std::string> commits = {testing::kShaA, testing::kShaB, testing::kShaC,
                                                   "d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607"};
  return commits;
}

SentEvent Generator::Event(const std::string& route, std::int64_t received_at_ms) {
  const FluxObject& object = kObjects[Below(kObjects.size())];
  const Said& said = kSayings[Below(kSayings.size())];
  testing::EventSpec spec;
  spec.kind = object.kind;
  spec.name = object.name;
  spec.severity = said.severity;
  spec.reason = said.reason;
  spec.message = said.message;
  // A little before arrival, in steps of 5 s so that equal times are common (the later logged
  // event wins); one event in four is up to 40 s late, so it often arrives after newer ones.
  const auto lag_ms = static_cast<std::int64_t>(OneIn(4) ? Below(40000) : Below(3000));
  spec.time_ms = (received_at_ms - 2000 - lag_ms) / 5000 * 5000 + (OneIn(10) ? 250 : 0);
  // Without a token, the same object, saying and time give byte-identical bodies.
  if (!OneIn(3)) spec.extra_metadata = "n" + std::to_string(++sequence_);

  std::optional<std::string> commit;
  // Most events are about the commit being rolled out (a new one every two minutes), so each
  // key gets events close together; the others are about any commit.
  const std::size_t rolled_out = static_cast<std::size_t>(received_at_ms / 120000) % Commits().size();
  const std::string sha = Commits()[OneIn(3) ? Below(Commits().size()) : rolled_out];
  const std::string kind = object.kind;
  const auto roll = Below(20);
  if (kind == "HelmRelease") {
    spec.revision = "6.7.1";  // a chart version: the kind whose events name no commit
  } else if (kind == "GitRepository" && roll < 2) {
    spec.revision = "main@sha256:" + kSha256Commit;
    commit = kSha256Commit;
  } else if (kind == "Kustomization" && roll < 2) {
    spec.revision = "latest@sha256:" + kOciDigest;  // an OCI source: a digest, no commit
  } else if (kind == "Kustomization" && roll < 4) {
    spec.revision = "";  // no revision metadata at all
  } else if (roll < 6) {
    spec.revision = "main@sha1:" + Upper(sha);  // the commit is stored in lower case
    commit = sha;
  } else if (roll < 7) {
    spec.revision = "main/" + sha;  // Flux < 2.0
    commit = sha;
  } else {
    spec.revision = "main@sha1:" + sha;
    commit = sha;
  }

  SentEvent e;
  e.route = route;
  e.body = testing::EventJson(spec);
  e.received_at_ms = received_at_ms;
  e.kind = spec.kind;
  e.namespace_ = spec.namespace_;
  e.name = spec.name;
  e.severity = spec.severity;
  e.reason = spec.reason;
  e.message = spec.message;
  e.event_time_ms = spec.time_ms;
  if (!spec.revision.empty()) e.revision = spec.revision;
  e.commit = commit;
  if (!commit) {
    e.no_commit_reason =
        e.revision ? "revision '" + *e.revision + "' names no Git commit" : "the event has no revision metadata";
  }
  e.state = said.state;
  e.description = said.description;
  std::string lower_kind = kind;
  std::transform(lower_kind.begin(), lower_kind.end(), lower_kind.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  e.context = lower_kind + "/" + object.name;
  return e;
}

Delivery Generator::DeliveryFor(const StoreModel& model, std::int64_t now_ms) {
  std::vector<const std::pair<const Key, KeyRecord>*> sendable;
  for (const auto& kv : model.keys()) {
    if (model.Route(kv.first.route).has_provider) sendable.push_back(&kv);
  }
  Delivery d;
  d.at_ms = now_ms;
  if (sendable.empty() || OneIn(25)) {
    // A key that is not there (a rebuild with another configuration removed it).
    d.key = {"gh", "acme/app", Commits()[0], "kustomization/removed"};
    d.sent_event_id = 1;
    d.sent_state = "success";
    d.sent_description = "reconciliation succeeded";
  } else {
    const auto& [key, record] = *sendable[Below(sendable.size())];
    // Mostly the state the key wants now; sometimes one it held before (a slow worker).
    const Status& sent = OneIn(3) ? record.held[Below(record.held.size())] : record.status;
    d.key = key;
    d.sent_event_id = sent.event_id;
    d.sent_state = sent.state;
    d.sent_description = sent.description;
  }
  using R = Delivery::Result;
  const auto roll = Below(100);
  d.result = roll < 20   ? R::kSending
             : roll < 50 ? R::kSynced
             : roll < 77 ? R::kRetry
             : roll < 97 ? R::kFailed
                         : R::kSkipped;
  auto attempt = [&](const char* outcome) { d.attempts.push_back({d.key, d.sent_state, outcome, now_ms}); };
  if (d.result != R::kSending && OneIn(4)) attempt("listed");
  switch (d.result) {
    case R::kSending: break;
    case R::kSynced: attempt(OneIn(3) ? "already_on_host" : "delivered"); break;
    case R::kRetry:
      d.uncertain = OneIn(4);
      d.error = d.uncertain ? "timeout after 15000 ms" : "Bad Gateway";
      attempt(d.uncertain ? "uncertain" : "retry");
      if (!OneIn(5)) d.next_attempt_ms = now_ms + static_cast<std::int64_t>(Below(6000));
      break;
    case R::kFailed:
      d.uncertain = OneIn(6);
      d.error = "Validation Failed";
      attempt("failed");
      break;
    case R::kSkipped: d.error = "the route has no provider"; break;
  }
  return d;
}

std::int64_t Generator::OldestReceived(const StoreModel& model, std::int64_t now_ms) const {
  return model.log().empty() ? now_ms : model.log().begin()->second.received_at_ms;
}

// Now and then exactly when a logged event was received: the edges of windows and cutoffs.
std::optional<std::int64_t> Generator::SomeReceivedAt(const StoreModel& model) {
  if (model.log().empty() || !OneIn(3)) return std::nullopt;
  auto it = model.log().begin();
  std::advance(it, Below(model.log().size()));
  return it->second.received_at_ms;
}

Window Generator::WindowFor(const StoreModel& model, std::int64_t now_ms) {
  const std::int64_t oldest = OldestReceived(model, now_ms);
  Window w;
  w.since_ms = SomeReceivedAt(model).value_or(
      oldest - 1000 + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(now_ms - oldest) + 2000)));
  if (OneIn(2)) w.until_ms = SomeReceivedAt(model).value_or(w.since_ms + static_cast<std::int64_t>(Below(30000)));
  if (OneIn(3)) w.route = OneIn(2) ? "gh" : "local";
  if (OneIn(4)) {
    const std::string sha = Commits()[Below(Commits().size())];
    w.commit_prefix = sha.substr(0, 4 + Below(37));
    if (OneIn(3)) w.commit_prefix = Upper(*w.commit_prefix);  // LIKE ignores case
  }
  return w;
}

std::int64_t Generator::CutoffFor(const StoreModel& model, std::int64_t now_ms) {
  const std::int64_t oldest = OldestReceived(model, now_ms);
  return SomeReceivedAt(model).value_or(
      oldest + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(now_ms - oldest) + 2000)));
}

}  // namespace fluxstatus::store::model
