#include "ingest/cluster_access.h"

#include <cstdlib>

#include <openssl/evp.h>

#include "ingest/cluster_files.h"
#include "ingest/secret.h"

namespace fluxstatus::ingest {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

bool InCluster() { return !Env("KUBERNETES_SERVICE_HOST").empty() && !Env("KUBERNETES_SERVICE_PORT").empty(); }

ClusterAccess InClusterAccess(const std::filesystem::path& sa_dir) {
  const std::string host = Env("KUBERNETES_SERVICE_HOST");
  const std::string port = Env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    throw ClusterAccessError(
        "not running in a Kubernetes cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both "
        "set): name a kubeconfig (--kubeconfig, or kubernetes.kubeconfig in fluxstatus.yaml) to reach a cluster from "
        "outside");
  }
  ClusterAccess access;
  access.source = "in-cluster service account";
  // client-go joins them with net.JoinHostPort: an IPv6 address goes in brackets.
  const bool ipv6 = host.find(':') != std::string::npos;
  access.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  const std::filesystem::path token = sa_dir / "token";
  if (!std::filesystem::exists(token)) {
    throw ClusterAccessError("no service account token at " + token.string() +
                             ": the pod or its ServiceAccount sets automountServiceAccountToken: false; set it to "
                             "true for fluxstatus's ServiceAccount (deploy/kubernetes/base), or mount a token there");
  }
  access.token_file = token.string();
  const std::filesystem::path ca = sa_dir / "ca.crt";
  access.ca_pem = ReadCredentialFile(ca.string(), "the cluster CA of the " + access.source);
  return access;
}

std::string ReadTokenFile(const std::string& path, const std::string& source) {
  const std::string token = ReadCredentialFile(path, "the token file of the " + source, true);
  if (token.empty()) {
    throw ClusterAccessError("the token file " + path + " (" + source +
                             ") is empty: write a service account token "
                             "into it (kubectl create token <serviceaccount>)");
  }
  return token;
}

std::string ReadCredentialFile(const std::string& path, const std::string& what, bool trim) {
  try {
    return ReadSecretFile(path, trim);
  } catch (const SecretFileError& e) {  // its reason names the OS error, never the contents
    throw ClusterAccessError("cannot read " + what + ": " + path + ": " + e.reason);
  }
}

std::string DecodeBase64Field(const std::string& text, const std::string& field) {
  std::string compact;
  for (const char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  }
  const auto invalid = [&] { return ClusterAccessError(field + " is not valid base64 (it holds base64-encoded PEM)"); };
  if (compact.empty() || compact.size() % 4 != 0) throw invalid();
  std::string out(compact.size() / 4 * 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(compact.data()), static_cast<int>(compact.size()));
  if (n < 0) throw invalid();
  // EVP_DecodeBlock counts the bytes the '=' padding stands for as zeros.
  std::size_t size = static_cast<std::size_t>(n);
  for (auto it = compact.rbegin(); it != compact.rend() && *it == '='; ++it) --size;
  out.resize(size);
  return out;
}

}  // namespace fluxstatus::ingest
