// Internal to object_status*.cpp: the per-kind tables of flux-objects.md §3 and the pieces they
// share. Not for other callers: use ObserveObject (object_status.h).
#pragma once

#include <string>
#include <string_view>

#include "core/object_status.h"
#include "core/revision.h"

namespace fluxstatus::core::status_rules {

inline constexpr std::string_view kCommitAnnotation = "event.toolkit.fluxcd.io/commit";
inline constexpr std::string_view kOciRevisionKey = "org.opencontainers.image.revision";

// The condition of `type` with status "True", or nullptr.
const ObjectCondition* TrueCondition(const FluxObject& object, const std::string& type);

// The commit the event.toolkit.fluxcd.io/commit annotation names (§2.8); sha unset without one.
CommitRef AnnotatedCommit(const FluxObject& object);

// `revision` parsed per flux-events.md; `what` names it in the no-commit reason.
CommitRef ParseRevision(const std::string& revision, bool sha256_is_commit, std::string_view what);

// A status for `commit` (which must have a sha) stamped with Ready's reason, message and time.
ObservedStatus StatusFor(const FluxObject& object, const CommitRef& commit, StatusState state,
                         const ObjectCondition& ready, std::string_view rule);

// Adds `status` unless an earlier status of the observation already names its commit (the first,
// more specific rule wins; one object never asks two states for one commit).
void Add(Observation& observation, ObservedStatus status);

// One status for `commit`, or skipped "no commit: <why>" when it has no sha.
Observation OneStatus(const FluxObject& object, const CommitRef& commit, StatusState state,
                      const ObjectCondition& ready, std::string_view rule);

Observation Skipped(std::string why);
Observation NoChange(std::string_view why);
Observation NoCommitFound(const CommitRef& commit);

// The first line of a condition message, for "no change (...)" reasons.
std::string FirstLine(std::string_view message);

Observation ObserveKustomization(const FluxObject& object, const SourceIndex& sources);
Observation ObserveSource(const FluxObject& object);
Observation ObserveHelmRelease(const FluxObject& object, const SourceIndex& sources);

}  // namespace fluxstatus::core::status_rules
