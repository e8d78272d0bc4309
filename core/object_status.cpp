#include "core/object_status.h"

#include "core/object_status_rules.h"
#include "core/rfc3339.h"

namespace fluxstatus::core {

void SourceIndex::Add(FluxObject source) {
  listed_.insert(source.kind);
  auto key = std::make_tuple(source.kind, source.namespace_, source.name);
  sources_.insert_or_assign(std::move(key), std::move(source));
}

void SourceIndex::AddSources(const std::vector<FluxObject>& objects) {
  for (const auto& o : objects) {
    if (o.kind != "Kustomization" && o.kind != "HelmRelease") Add(o);
  }
}

void SourceIndex::MarkListed(const std::string& kind) { listed_.insert(kind); }

const FluxObject* SourceIndex::Find(const ObjectRef& ref) const {
  auto it = sources_.find(std::make_tuple(ref.kind, ref.namespace_, ref.name));
  return it == sources_.end() ? nullptr : &it->second;
}

Observation ObserveObject(const FluxObject& object, const SourceIndex& sources) {
  using namespace status_rules;
  if (object.kind == "Kustomization") return ObserveKustomization(object, sources);
  if (object.kind == "HelmRelease") return ObserveHelmRelease(object, sources);
  if (object.kind == "GitRepository" || object.kind == "OCIRepository" || object.kind == "Bucket") {
    return ObserveSource(object);
  }
  // HelmCharts only link HelmReleases to commits; helm-controller reports on the HelmRelease.
  return Skipped("not observed: " + object.kind);
}

namespace status_rules {

const ObjectCondition* TrueCondition(const FluxObject& object, const std::string& type) {
  const ObjectCondition* c = object.Condition(type);
  return c && c->status == "True" ? c : nullptr;
}

CommitRef AnnotatedCommit(const FluxObject& object) {
  auto it = object.annotations.find(std::string(kCommitAnnotation));
  if (it == object.annotations.end()) return {};
  return ParseRevision(it->second, true, "annotation " + std::string(kCommitAnnotation));
}

CommitRef ParseRevision(const std::string& revision, bool sha256_is_commit, std::string_view what) {
  CommitRef ref;
  ref.revision = revision;
  if (revision.empty()) {
    ref.no_commit_reason = "no " + std::string(what);
    return ref;
  }
  ref.sha = ExtractCommitSha(revision, sha256_is_commit);
  if (!ref.sha) ref.no_commit_reason = std::string(what) + " '" + revision + "' names no Git commit";
  return ref;
}

ObservedStatus StatusFor(const FluxObject& object, const CommitRef& commit, StatusState state,
                         const ObjectCondition& ready, std::string_view rule) {
  ObservedStatus s;
  s.object = InvolvedObject{object.kind, object.namespace_, object.name, "", object.api_version};
  s.commit_sha = commit.sha.value_or("");
  s.revision = commit.revision;
  s.state = state;
  s.reason = ready.reason;
  s.message = ready.message;
  // The parser checked every listed time; a condition without one dates from the epoch, so a
  // status built from it never overwrites anything a real event said.
  s.time_ms = ready.last_transition_time.empty() ? 0 : ready.time_ms;
  s.time = ready.last_transition_time.empty() ? FormatRfc3339Seconds(0) : ready.last_transition_time;
  s.generation = object.generation;
  s.rule = std::string(rule);
  constexpr std::string_view kEventAnnotation = "event.toolkit.fluxcd.io/";
  for (const auto& [key, value] : object.annotations) {
    if (key.size() > kEventAnnotation.size() && key.starts_with(kEventAnnotation)) {
      s.event_metadata[key.substr(kEventAnnotation.size())] = value;
    }
  }
  return s;
}

void Add(Observation& observation, ObservedStatus status) {
  for (const auto& s : observation.statuses) {
    if (s.commit_sha == status.commit_sha) return;
  }
  observation.statuses.push_back(std::move(status));
  observation.skipped.clear();
}

Observation OneStatus(const FluxObject& object, const CommitRef& commit, StatusState state,
                      const ObjectCondition& ready, std::string_view rule) {
  if (!commit.sha) return NoCommitFound(commit);
  Observation o;
  Add(o, StatusFor(object, commit, state, ready, rule));
  return o;
}

Observation Skipped(std::string why) { return Observation{{}, std::move(why)}; }

Observation NoChange(std::string_view why) { return Skipped("no change (" + std::string(why) + ")"); }

Observation NoCommitFound(const CommitRef& commit) { return Skipped("no commit: " + commit.no_commit_reason); }

std::string FirstLine(std::string_view message) { return std::string(message.substr(0, message.find('\n'))); }

}  // namespace status_rules
}  // namespace fluxstatus::core
