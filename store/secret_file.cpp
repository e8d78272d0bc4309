#include "store/secret_file.h"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace fluxstatus::store {
namespace {

[[noreturn]] void ThrowError(const std::string& path, SecretFileError::Step step, int error) {
  // std::error_code::message() instead of strerror(), which is not thread-safe.
  throw SecretFileError(path, step, std::error_code(error, std::generic_category()).message());
}

}  // namespace

std::string ReadSecretFile(const std::string& path, std::size_t max_bytes) {
  // stdio rather than iostreams because it reports the reason of a failure in errno.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) ThrowError(path, SecretFileError::Step::kOpen, errno);
  std::string content;
  char chunk[4096];
  for (;;) {
    const std::size_t n = std::fread(chunk, 1, sizeof chunk, file.get());
    content.append(chunk, n);
    if (content.size() > max_bytes) {
      throw SecretFileError(path, SecretFileError::Step::kTooLarge,
                            "larger than " + std::to_string(max_bytes) + " bytes");
    }
    if (n < sizeof chunk) break;
  }
  // A directory opens fine on Linux and only fails here, with EISDIR.
  if (std::ferror(file.get())) ThrowError(path, SecretFileError::Step::kRead, errno);
  return content;
}

}  // namespace fluxstatus::store
