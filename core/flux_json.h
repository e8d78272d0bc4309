// Flux event JSON -> FluxEvent. The only code that knows the shape of Flux's event JSON.
// Untrusted input: every violation is a value naming the field, never an exception.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "core/flux_event.h"

namespace fluxstatus::core {

struct ParseError {
  std::string message;  // e.g. "involvedObject.name is missing"
};

using ParseResult = std::variant<FluxEvent, ParseError>;

// The Flux sender caps bodies at 3 MiB; the contract's default is 1 MiB.
inline constexpr std::size_t kDefaultMaxBodyBytes = 1048576;

// Parses one event document. Unknown fields are ignored. Rejected: bodies over max_bytes,
// invalid UTF-8, invalid JSON, trailing content, and missing or mistyped fields.
ParseResult ParseFluxEvent(std::string_view body, std::size_t max_bytes = kDefaultMaxBodyBytes);

}  // namespace fluxstatus::core
