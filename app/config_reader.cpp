#include "app/config_reader.h"

#include <set>

#include "app/config.h"
#include "core/duration.h"

namespace fluxstatus::app {

ConfigReader::ConfigReader(std::string source, const std::string& text, std::filesystem::path base_dir)
    : source_(std::move(source)), text_(text), base_dir_(std::move(base_dir)) {}

void ConfigReader::Fail(const YAML::Node& at, const std::string& what) const {
  std::string where = source_;
  if (at.IsDefined() && at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
  throw ConfigError(where + ": " + what);
}

void ConfigReader::KnownKeys(const YAML::Node& map, const std::string& where,
                             std::initializer_list<const char*> keys) const {
  if (!map.IsMap()) Fail(map, where + " must be a mapping");
  const std::set<std::string> known(keys.begin(), keys.end());
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) Fail(kv.first, "a key in " + where + " is not a name");  // e.g. `[a]: 1`
    const auto key = kv.first.as<std::string>();
    if (!known.count(key)) Fail(kv.first, "unknown key '" + key + "' in " + where);
  }
}

std::string ConfigReader::String(const YAML::Node& map, const char* key, const std::string& fallback) const {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return fallback;
  if (!n.IsScalar()) Fail(n, std::string(key) + " must be a string");
  RequireClosedQuote(n);
  return n.as<std::string>();
}

// A relative path in a config file is relative to the file's folder, so `--config
// /etc/x/fluxstatus.yaml` means the same from any directory; absolute, so that messages name
// the file exactly. SQLite's special names stay as written (the store refuses them).
std::string ConfigReader::Path(const YAML::Node& map, const char* key, const std::string& fallback) const {
  const std::string value = String(map, key, fallback);
  if (value.empty() || value == ":memory:" || value.rfind("file:", 0) == 0) return value;
  return (base_dir_ / value).lexically_normal().string();
}

long long ConfigReader::Integer(const YAML::Node& map, const char* key, long long fallback, long long min,
                                long long max) const {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return fallback;
  RequireClosedQuote(n);
  long long v = 0;
  try {
    v = n.as<long long>();
  } catch (const YAML::Exception&) {
    Fail(n, std::string(key) + " must be a whole number");
  }
  if (v < min || v > max) {
    Fail(n, std::string(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return v;
}

std::chrono::milliseconds ConfigReader::Duration(const YAML::Node& map, const char* key,
                                                 std::chrono::milliseconds fallback) const {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return fallback;
  if (n.IsScalar()) RequireClosedQuote(n);
  auto d = n.IsScalar() ? core::ParseDuration(n.as<std::string>()) : std::nullopt;
  if (!d) Fail(n, std::string(key) + " is not a duration (250ms, 90s, 15m, 2h, 7d)");
  return *d;
}

std::optional<std::vector<std::string>> ConfigReader::StringList(const YAML::Node& map, const char* key,
                                                                 const std::string& where) const {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  // A lone string (`members: prod-eu`) is refused rather than read as a list of one: the
  // brackets are easy to forget and the fix is obvious from the message.
  if (!n.IsSequence()) Fail(n, where + ": " + key + " must be a list, e.g. " + key + ": [a, b]");
  std::vector<std::string> items;
  for (const auto& item : n) {
    if (!item.IsScalar()) Fail(item, where + ": every entry of " + key + " must be a string");
    RequireClosedQuote(item);
    items.push_back(item.as<std::string>());
  }
  return items;
}

// yaml-cpp reads a quote that is never closed as a string running to the end of the file
// (`listen: "127.0.0.1:9595` swallows every line after it) where other YAML parsers refuse
// the file; so the text from the opening quote must hold its closing one.
void ConfigReader::RequireClosedQuote(const YAML::Node& n) const {
  const int pos = n.Mark().pos;
  if (pos < 0 || static_cast<std::size_t>(pos) >= text_.size()) return;
  const char quote = text_[pos];
  if (quote != '"' && quote != '\'') return;
  for (std::size_t i = pos + 1; i < text_.size(); ++i) {
    if (quote == '"' && text_[i] == '\\')
      ++i;  // \" inside "..."
    else if (text_[i] == quote && quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'')
      ++i;  // ''
    else if (text_[i] == quote)
      return;
  }
  Fail(n, std::string("invalid YAML: the quote ") + quote + " opened here is never closed");
}

}  // namespace fluxstatus::app
