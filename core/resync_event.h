// The event a resync appends to the log for an ObservedStatus, and its body in Flux's wire shape,
// so that the event path (ParseFluxEvent, ResolveCommit, DeriveStatus) reads back exactly the
// commit, state, context and description the object asked for.
#pragma once

#include <string>
#include <string_view>

#include "core/flux_event.h"
#include "core/object_status.h"

namespace fluxstatus::core {

inline constexpr std::string_view kResyncController = "fluxstatus-resync";

// For every status ObserveObject returns, e = ResyncEvent(s) satisfies:
//   ParseFluxEvent(FluxEventBody(e)) == e; ResolveCommit(e).sha == s.commit_sha;
//   DeriveStatus(e, ...) gives s.state with the context a real event of the object gives
//   ("kustomization/backend"); e.timestamp == s.time and e.time_ms == s.time_ms.
// Severity is "error" for failure, else "info". The reason is Ready's, except where it would
// derive another state: a pending status whose reason DeriveStatus does not call pending says
// "Progressing", a success whose reason it calls pending says "ReconciliationSucceeded".
// Metadata: "commit" (the SHA, which takes precedence over every other key) and "revision".
FluxEvent ResyncEvent(const ObservedStatus& s);

// Compact JSON in Flux's field order (involvedObject, severity, timestamp, message, reason,
// metadata, reportingController); empty optional fields are left out. The same event always
// gives the same bytes, as the log deduplicates by body hash.
std::string FluxEventBody(const FluxEvent& e);

}  // namespace fluxstatus::core
