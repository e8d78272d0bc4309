// Reading secrets (HMAC keys, bearer tokens) from files or environment variables.
// Secret values never appear in the errors these functions raise.
#pragma once

#include <optional>
#include <string>

#include "store/secret_file.h"

namespace fluxstatus::ingest {

// A secret file that cannot be read (store/secret_file.h); what() is "cannot read secret file
// <path>: <reason>".
using SecretFileError = store::SecretFileError;

// Returns the whole content of the file at `path` (store::ReadSecretFile). With `trim`,
// surrounding whitespace (spaces, tabs, CR, LF, VT, FF) is removed: token files are trimmed, while HMAC key files are
// read as-is because Flux uses its secret's bytes verbatim (see VerifyHmacSignature).
// An empty file yields an empty string; deciding whether that is acceptable is the caller's job.
// Throws SecretFileError ("cannot read secret file <path>: <reason>") when the file cannot be
// opened or read. Thread-safe.
std::string ReadSecretFile(const std::string& path, bool trim);

// Returns the value of the environment variable `name`, trimmed like ReadSecretFile when `trim`
// is set, or std::nullopt when the variable is not set. Reads the process environment, so it must
// not race with setenv()/putenv(): call it during start-up.
std::optional<std::string> ReadSecretEnv(const std::string& name, bool trim);

// A warning naming `path` and its mode when the file is readable or writable by its group or
// by others (mode & 077), as a token or key file should not be; std::nullopt when it is private
// or cannot be stat()ed (reading it reports that). Never reads the content.
std::optional<std::string> LoosePermissionsWarning(const std::string& path);

}  // namespace fluxstatus::ingest
