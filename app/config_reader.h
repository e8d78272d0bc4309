// Reading fluxstatus.yaml's nodes with messages that name the file and line
// ("fluxstatus.yaml:12: <what>"): the one place config parsers turn YAML into values or errors.
#pragma once

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace fluxstatus::app {

// Holds a reference to the file's text (for the unclosed-quote check): the text must outlive
// the reader. Every method throws ConfigError (app/config.h) on a bad value.
class ConfigReader {
 public:
  ConfigReader(std::string source, const std::string& text, std::filesystem::path base_dir);

  // "<source>:<line of at>: <what>"; the line is left out when `at` has none.
  [[noreturn]] void Fail(const YAML::Node& at, const std::string& what) const;

  // Refuses anything but a mapping whose keys are all in `keys` (a typo names the key).
  void KnownKeys(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> keys) const;

  std::string String(const YAML::Node& map, const char* key, const std::string& fallback) const;

  // A relative path is made absolute against the config file's folder.
  std::string Path(const YAML::Node& map, const char* key, const std::string& fallback = "") const;

  long long Integer(const YAML::Node& map, const char* key, long long fallback, long long min, long long max) const;

  std::chrono::milliseconds Duration(const YAML::Node& map, const char* key, std::chrono::milliseconds fallback) const;

  // A list of strings (flow `[a, b]` or block form); nullopt when the key is absent or null,
  // so callers can tell "not written" (their default) from `[]`. `where` prefixes messages.
  std::optional<std::vector<std::string>> StringList(const YAML::Node& map, const char* key,
                                                     const std::string& where) const;

 private:
  void RequireClosedQuote(const YAML::Node& n) const;

  std::string source_;
  const std::string& text_;
  std::filesystem::path base_dir_;  // absolute
};

}  // namespace fluxstatus::app
