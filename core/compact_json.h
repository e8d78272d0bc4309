// Writing fluxstatus's own JSON (HTTP answers, --json output, log lines) with cereal's JSON
// archive, as compact standard JSON on one line: {"id":1,"duplicate":false}. Reading untrusted
// JSON is RapidJSON's job (flux_json.h), not this.
#pragma once

#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <cereal/archives/json.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

namespace fluxstatus::core {

// Runs write(archive) inside one JSON object and returns it as compact JSON.
//
// cereal writes only through RapidJSON's PrettyWriter, which puts a newline between members and
// a space after every colon whatever the options (rapidjson 1.1 has no setting against it). So
// its text is replayed, token by token, from RapidJSON's Reader into the plain Writer: the
// same escapes and number forms (one Writer implementation wrote both), none of the spacing,
// and no hand-written scanning of JSON text.
template <class Write>
std::string CompactJson(Write&& write) {
  std::ostringstream os;
  {
    cereal::JSONOutputArchive ar(os, cereal::JSONOutputArchive::Options::NoIndent());
    write(ar);
  }
  const std::string pretty = std::move(os).str();
  // An empty top-level array (makeArray with no items) makes cereal write nothing; callers
  // check for the empty string, so it stays empty rather than becoming a parse error.
  if (pretty.find_first_not_of(" \n") == std::string::npos) return {};
  rapidjson::StringStream in(pretty.c_str());
  rapidjson::StringBuffer out;
  // The flags mirror cereal's own (json.hpp), so whatever it wrote can be written again.
  rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator,
                    rapidjson::kWriteNanAndInfFlag>
      writer(out);
  rapidjson::Reader reader;
  const rapidjson::ParseResult ok =
      reader.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag>(in, writer);
  if (!ok) {
    throw std::logic_error(std::string("cereal wrote JSON that RapidJSON cannot read again: ") +
                           rapidjson::GetParseError_En(ok.Code()));
  }
  return std::string(out.GetString(), out.GetSize());
}

// A named field that is JSON null when absent.
inline void WriteNullable(cereal::JSONOutputArchive& ar, const char* name, const std::optional<std::string>& v) {
  ar.setNextName(name);
  ar.writeName();
  if (v)
    ar.saveValue(*v);
  else
    ar.saveValue(nullptr);
}

}  // namespace fluxstatus::core
