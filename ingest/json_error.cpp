#include "ingest/json_error.h"

#include "core/compact_json.h"

namespace fluxstatus::ingest {

std::string JsonErrorBody(std::string_view message) {
  return core::CompactJson([&](cereal::JSONOutputArchive& ar) { ar(cereal::make_nvp("error", std::string(message))); });
}

}  // namespace fluxstatus::ingest
