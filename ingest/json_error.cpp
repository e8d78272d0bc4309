#include "ingest/json_error.h"

#include <algorithm>
#include <sstream>

#include <cereal/archives/json.hpp>

namespace fluxstatus::ingest {

std::string JsonErrorBody(std::string_view message) {
  std::ostringstream out;
  {
    // The archive completes the object in its destructor, hence the scope.
    cereal::JSONOutputArchive archive(out, cereal::JSONOutputArchive::Options::NoIndent());
    archive(cereal::make_nvp("error", std::string(message)));
  }
  // cereal always pretty-prints; NoIndent still puts members on their own lines. Removing raw
  // newline bytes is safe because a newline inside a JSON string is always written as "\n".
  std::string body = std::move(out).str();
  body.erase(std::remove(body.begin(), body.end(), '\n'), body.end());
  return body;
}

}  // namespace fluxstatus::ingest
