#include "ingest/secret.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/trim.h"

namespace fluxstatus::ingest {
namespace {

std::string Trimmed(std::string_view value) { return std::string(core::Trim(value)); }

}  // namespace

std::string ReadSecretFile(const std::string& path, bool trim) {
  std::string content = store::ReadSecretFile(path);
  return trim ? Trimmed(content) : content;
}

std::optional<std::string> ReadSecretEnv(const std::string& name, bool trim) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return trim ? Trimmed(value) : std::string(value);
}

std::optional<std::string> LoosePermissionsWarning(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return "secret file " + path + " is accessible to group or others (mode " + mode + "); chmod 600 it";
}

}  // namespace fluxstatus::ingest
