// The service's structured log lines in tests: one JSON object per line, read field by field so
// assertions do not depend on the formatting.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fluxstatus::dispatch_e2e {

// A line's top-level members as text (numbers and booleans as JSON writes them); empty when
// the line is not a JSON object.
inline std::map<std::string, std::string> LogFieldsOf(const std::string& line) {
  rapidjson::Document doc;
  doc.Parse(line.c_str(), line.size());
  std::map<std::string, std::string> fields;
  if (doc.HasParseError() || !doc.IsObject()) return fields;
  for (const auto& m : doc.GetObject()) {
    const std::string name = m.name.GetString();
    if (m.value.IsString())
      fields[name] = m.value.GetString();
    else if (m.value.IsInt64())
      fields[name] = std::to_string(m.value.GetInt64());
    else if (m.value.IsBool())
      fields[name] = m.value.GetBool() ? "true" : "false";
    else if (m.value.IsNumber())
      fields[name] = std::to_string(m.value.GetDouble());
  }
  return fields;
}

// The lines of `text` whose fields include every (name, value) of `wanted`.
inline std::vector<std::map<std::string, std::string>> LogLinesWith(const std::string& text,
                                                                    const std::map<std::string, std::string>& wanted) {
  std::vector<std::map<std::string, std::string>> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto fields = LogFieldsOf(line);
    bool all = !fields.empty();
    for (const auto& [name, value] : wanted) all = all && fields.count(name) && fields.at(name) == value;
    if (all) out.push_back(std::move(fields));
  }
  return out;
}

}  // namespace fluxstatus::dispatch_e2e
