// Writing fluxstatus's own JSON (HTTP answers, --json output, log lines) with cereal's JSON
// archive, as one line. Reading untrusted JSON is RapidJSON's job (flux_json.h), not this.
#pragma once

#include <optional>
#include <sstream>
#include <string>

#include <cereal/archives/json.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

namespace fluxstatus::core {

// Runs write(archive) inside one JSON object and returns it on a single line. cereal always
// breaks lines; raw newlines can only occur between tokens (strings escape theirs), so
// dropping them is lossless.
template <class Write>
std::string CompactJson(Write&& write) {
  std::ostringstream os;
  {
    cereal::JSONOutputArchive ar(os, cereal::JSONOutputArchive::Options::NoIndent());
    write(ar);
  }
  std::string text = os.str();
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c != '\n') out += c;
  }
  return out;
}

// A named field that is JSON null when absent.
inline void WriteNullable(cereal::JSONOutputArchive& ar, const char* name, const std::optional<std::string>& v) {
  ar.setNextName(name);
  ar.writeName();
  if (v) ar.saveValue(*v);
  else ar.saveValue(nullptr);
}

}  // namespace fluxstatus::core
