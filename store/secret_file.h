// Reading a secret (an HMAC key, a token, a private key) from a file: for ingest's route
// secrets and dispatch's token sources alike. Secret values never appear in the errors.
#pragma once

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

namespace fluxstatus::store {

// A secret file that cannot be read; what() is "cannot read secret file <path>: <reason>".
// The parts are kept so a caller can say which setting named the file, and at which step.
struct SecretFileError : std::runtime_error {
  enum class Step { kOpen, kRead, kTooLarge };
  SecretFileError(std::string path_, Step step_, std::string reason_)
      : std::runtime_error("cannot read secret file " + path_ + ": " + reason_),
        path(std::move(path_)),
        step(step_),
        reason(std::move(reason_)) {}
  std::string path;
  Step step;
  std::string reason;  // e.g. "No such file or directory"
};

// The whole content of the file at `path`, as-is (bytes, no trimming). Throws SecretFileError
// when it cannot be opened or read (a directory fails at kRead), or is larger than max_bytes
// (kTooLarge, reason "larger than N bytes"). Thread-safe.
std::string ReadSecretFile(const std::string& path, std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

}  // namespace fluxstatus::store
