// Fuzz target: a Kubernetes LIST page (the API server's answer, read by resync) through
// ParseObjectList, each object through ObserveObject, and each status it shows through the
// event resync would append. All total: every input gives a value, never an exception, crash,
// leak or undefined behaviour; and every appended event reads back as the status it stands for.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/flux_json.h"
#include "core/flux_object_json.h"
#include "core/object_status.h"
#include "core/resync_event.h"
#include "core/revision.h"
#include "fuzz/fuzz_check.h"

namespace core = fluxstatus::core;

namespace {

void CheckEventOf(const core::ObservedStatus& s) {
  FUZZ_CHECK(s.commit_sha.size() == 40 || s.commit_sha.size() == 64);
  const core::FluxEvent event = core::ResyncEvent(s);
  const std::string body = core::FluxEventBody(event);
  FUZZ_CHECK(body == core::FluxEventBody(core::ResyncEvent(s)));  // the log dedups by body hash
  // The body the writer appends must be one ingest accepts (the Flux sender's 3 MiB cap).
  const auto parsed = core::ParseFluxEvent(body, 3u << 20);
  FUZZ_CHECK(std::holds_alternative<core::FluxEvent>(parsed));
  const core::CommitRef ref = core::ResolveCommit(std::get<core::FluxEvent>(parsed));
  FUZZ_CHECK(ref.sha && *ref.sha == s.commit_sha);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view page(reinterpret_cast<const char*>(data), size);
  const auto result = core::ParseObjectList(page);
  if (const auto* error = std::get_if<core::ParseError>(&result)) {
    FUZZ_CHECK(!error->message.empty());  // the resync's error names what is wrong
    return 0;
  }
  const auto& objects = std::get<core::ObjectListPage>(result).items;
  core::SourceIndex sources;
  for (const auto& o : objects) sources.MarkListed(o.kind);
  sources.AddSources(objects);
  for (const auto& o : objects) {
    const core::Observation seen = core::ObserveObject(o, sources);
    FUZZ_CHECK(seen.statuses.empty() != seen.skipped.empty());
    for (const auto& s : seen.statuses) CheckEventOf(s);
  }
  return 0;
}
