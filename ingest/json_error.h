// The JSON body of every error answer: {"error":"<message>"}.
#pragma once

#include <string>
#include <string_view>

namespace fluxstatus::ingest {

// Returns the compact JSON object {"error":"<message>"} with `message` escaped as a JSON
// string. The message must be safe to show to the client: never pass secrets or digests.
// Thread-safe; throws only std::bad_alloc.
std::string JsonErrorBody(std::string_view message);

}  // namespace fluxstatus::ingest
