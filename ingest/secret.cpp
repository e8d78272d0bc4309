#include "ingest/secret.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <system_error>

namespace fluxstatus::ingest {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\v\f";

std::string Trim(std::string value) {
  const auto first = value.find_first_not_of(kWhitespace);
  if (first == std::string::npos) return {};
  const auto last = value.find_last_not_of(kWhitespace);
  return value.substr(first, last - first + 1);
}

[[noreturn]] void ThrowReadError(const std::string& path, int error) {
  // std::error_code::message() instead of strerror(), which is not thread-safe.
  throw SecretFileError(path, std::error_code(error, std::generic_category()).message());
}

}  // namespace

std::string ReadSecretFile(const std::string& path, bool trim) {
  // stdio rather than iostreams because it reports the reason of a failure in errno.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) ThrowReadError(path, errno);
  std::string content;
  char chunk[4096];
  for (;;) {
    const std::size_t n = std::fread(chunk, 1, sizeof chunk, file.get());
    content.append(chunk, n);
    if (n < sizeof chunk) break;
  }
  // A directory opens fine on Linux and only fails here, with EISDIR.
  if (std::ferror(file.get())) ThrowReadError(path, errno);
  return trim ? Trim(std::move(content)) : content;
}

std::optional<std::string> ReadSecretEnv(const std::string& name, bool trim) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return trim ? Trim(value) : std::string(value);
}

std::optional<std::string> LoosePermissionsWarning(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return "secret file " + path + " is accessible to group or others (mode " + mode + "); chmod 600 it";
}

}  // namespace fluxstatus::ingest
