// Helpers shared by the in-cluster and kubeconfig readers (cluster_access.cpp,
// kubeconfig_access.cpp). Internal to ingest.
#pragma once

#include <string>

namespace fluxstatus::ingest {

// The whole file (ingest::ReadSecretFile; with `trim`, without surrounding whitespace). Throws
// ClusterAccessError "cannot read <what>: <path>: <the OS's reason>" (never the contents).
std::string ReadCredentialFile(const std::string& path, const std::string& what, bool trim = false);

// Standard base64 (whitespace ignored) as a kubeconfig's *-data fields carry PEM. Throws
// ClusterAccessError naming `field` when the text is not base64 (never the text).
std::string DecodeBase64Field(const std::string& text, const std::string& field);

}  // namespace fluxstatus::ingest
