// Where the Kubernetes API server is and how to authenticate to it: from a pod's service
// account (in-cluster) or from a kubeconfig file (local runs). Reads files and the
// environment; the HTTP calls are kube_client.h's. Secrets read here (tokens, keys) never
// appear in an error message.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace fluxstatus::ingest {

struct ClusterAccess {
  std::string server;                           // "https://host:port", no trailing slash
  std::string ca_pem;                           // the CA bundle to trust (PEM); empty = the system store
  std::string tls_server_name;                  // kubeconfig tls-server-name, else empty
  std::string token;                            // a static bearer token, else empty
  std::string token_file;                       // re-read before every List (bound tokens rotate), else empty
  std::string client_cert_pem, client_key_pem;  // TLS client auth, both or neither
  // For messages: "in-cluster service account" or "kubeconfig <path>, context <name>".
  std::string source;
};

// A credential or configuration problem. The message names the problem and the fix, never a
// secret.
class ClusterAccessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whether this process runs in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are
// both set and non-empty (client-go's test).
bool InCluster();

// The service account's access: server from KUBERNETES_SERVICE_HOST/_PORT (an IPv6 host in
// brackets), CA from sa_dir/ca.crt, token_file = sa_dir/token (read per request, not here,
// beyond checking it exists). Throws ClusterAccessError when not in a cluster, or when the
// token or CA file is missing (the message names automountServiceAccountToken).
ClusterAccess InClusterAccess(const std::filesystem::path& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// The access a kubeconfig gives for `context` (empty: its current-context). `path` empty: the
// first file named by $KUBECONFIG that exists, else $HOME/.kube/config. Supports server,
// certificate-authority(-data), tls-server-name, token / tokenFile, client-certificate(-data)
// and client-key(-data); relative paths are relative to the kubeconfig's directory. Throws
// ClusterAccessError for a missing file, an unknown context, a missing cluster or user entry,
// exec and auth-provider plugins, username/password, and insecure-skip-tls-verify.
ClusterAccess KubeconfigAccess(const std::string& path, const std::string& context);

// The bearer token in `path`, trimmed. Throws ClusterAccessError (naming the file, not its
// contents) when it cannot be read or is empty. `source` goes into the message.
std::string ReadTokenFile(const std::string& path, const std::string& source);

}  // namespace fluxstatus::ingest
