// Fuzz target: an ingest body (hostile bytes from the network) through ParseFluxEvent, then
// the commit lookup the fold runs on every accepted event. Both are total: every input gives a
// value, never an exception, crash, leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/flux_json.h"
#include "core/revision.h"
#include "fuzz/fuzz_check.h"

using fluxstatus::core::CommitRef;
using fluxstatus::core::FluxEvent;
using fluxstatus::core::ParseError;
using fluxstatus::core::ParseFluxEvent;
using fluxstatus::core::ResolveCommit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto result = ParseFluxEvent(body);
  if (const auto* error = std::get_if<ParseError>(&result)) {
    FUZZ_CHECK(!error->message.empty());  // the 400 body must say what is wrong
    return 0;
  }
  const CommitRef ref = ResolveCommit(std::get<FluxEvent>(result));
  FUZZ_CHECK(ref.sha.has_value() != !ref.no_commit_reason.empty());
  if (ref.sha) FUZZ_CHECK(ref.sha->size() == 40 || ref.sha->size() == 64);

  // The size limit holds for every body: one byte less than the body is a rejection.
  if (size > 0) FUZZ_CHECK(std::holds_alternative<ParseError>(ParseFluxEvent(body, size - 1)));
  return 0;
}
