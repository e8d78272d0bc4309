// KubeconfigAccess (cluster_access.h): one kubeconfig file, read with yaml-cpp, the fields of
// flux-objects.md 1.5 that a plain HTTPS client can honour. Credential plugins (exec,
// auth-provider) and basic auth are refused with a message that says what to use instead.
#include <cstdlib>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "ingest/cluster_access.h"
#include "ingest/cluster_files.h"

namespace fluxstatus::ingest {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The file to read and, for errors, how it was chosen. $KUBECONFIG's files are merged by
// kubectl; we take the first that exists, which is the one whose entries win a merge.
std::string FindKubeconfig(const std::string& path) {
  if (!path.empty()) {
    if (!std::filesystem::exists(path))
      throw ClusterAccessError(
          "kubeconfig " + path +
          " does not exist: name an existing file (--kubeconfig, or kubernetes.kubeconfig in fluxstatus.yaml)");
    return path;
  }
  const std::string list = Env("KUBECONFIG");
  if (!list.empty()) {
    std::stringstream names(list);
    std::string name;
    while (std::getline(names, name, ':')) {
      if (!name.empty() && std::filesystem::exists(name)) return name;
    }
    throw ClusterAccessError(
        "no file named by $KUBECONFIG (" + list +
        ") exists: fix $KUBECONFIG, or name a file (--kubeconfig, or kubernetes.kubeconfig in fluxstatus.yaml)");
  }
  const std::string home = Env("HOME");
  const std::string fallback = (std::filesystem::path(home) / ".kube" / "config").string();
  if (home.empty() || !std::filesystem::exists(fallback)) {
    throw ClusterAccessError(
        "no kubeconfig: $KUBECONFIG is not set and " + fallback +
        " does not exist: name a kubeconfig (--kubeconfig, or kubernetes.kubeconfig in fluxstatus.yaml), or run in the "
        "cluster");
  }
  return fallback;
}

std::string Text(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  return value && value.IsScalar() ? value.as<std::string>() : std::string();
}

// A YAML boolean (true, True, yes...); anything else is false, as for kubectl.
bool True(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  bool out = false;
  return value && value.IsScalar() && YAML::convert<bool>::decode(value, out) && out;
}

// The `field` (e.g. "cluster") of the entry named `name` in the list `list` (e.g. "clusters").
YAML::Node Entry(const YAML::Node& config, const char* list, const std::string& name, const char* field) {
  const YAML::Node entries = config[list];
  if (entries && entries.IsSequence()) {
    for (const YAML::Node& entry : entries) {
      if (Text(entry, "name") == name && entry[field] && entry[field].IsMap()) return entry[field];
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::string> Names(const YAML::Node& config, const char* list) {
  std::vector<std::string> names;
  const YAML::Node entries = config[list];
  if (entries && entries.IsSequence()) {
    for (const YAML::Node& entry : entries) names.push_back(Text(entry, "name"));
  }
  return names;
}

std::string Joined(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

class Reader {
 public:
  Reader(std::string file, std::string source) : file_(std::move(file)), source_(std::move(source)) {}

  std::string Resolve(const std::string& path) const {
    const std::filesystem::path p(path);
    return p.is_absolute() ? path : (std::filesystem::path(file_).parent_path() / p).string();
  }

  // PEM from `key`-data (base64, wins) or the file `key` names; empty when neither is set.
  std::string Pem(const YAML::Node& node, const std::string& key, const std::string& entry) const {
    const std::string data = Text(node, (key + "-data").c_str());
    if (!data.empty()) return DecodeBase64Field(data, source_ + ": " + entry + " " + key + "-data");
    const std::string path = Text(node, key.c_str());
    if (path.empty()) return {};
    return ReadCredentialFile(Resolve(path), entry + " " + key + " of " + source_);
  }

  void ReadCluster(const YAML::Node& cluster, const std::string& name, ClusterAccess& access) const {
    const std::string entry = "cluster " + name;
    if (True(cluster, "insecure-skip-tls-verify")) {
      throw ClusterAccessError(source_ + ": " + entry +
                               " sets insecure-skip-tls-verify: true, but TLS verification is always on: give "
                               "certificate-authority or certificate-authority-data instead");
    }
    if (!Text(cluster, "proxy-url").empty()) {
      throw ClusterAccessError(source_ + ": " + entry +
                               " sets proxy-url, which is not supported: remove it and set "
                               "https_proxy in the environment instead");
    }
    access.server = Text(cluster, "server");
    while (!access.server.empty() && access.server.back() == '/') access.server.pop_back();
    if (access.server.rfind("https://", 0) != 0) {
      throw ClusterAccessError(source_ + ": " + entry + " has server \"" + access.server +
                               "\": an https:// address is required");
    }
    access.ca_pem = Pem(cluster, "certificate-authority", entry);
    access.tls_server_name = Text(cluster, "tls-server-name");
  }

  void ReadUser(const YAML::Node& user, const std::string& name, ClusterAccess& access) const {
    const std::string entry = "user " + name;
    const char* plugin = user["exec"]            ? "an exec credential plugin"
                         : user["auth-provider"] ? "an auth-provider"
                                                 : nullptr;
    if (plugin != nullptr) {
      throw ClusterAccessError(
          source_ + ": " + entry + " uses " + plugin +
          ", which is not supported (fluxstatus runs no programs to log in): in the cluster, leave kubeconfig empty "
          "and the pod's service account is used; elsewhere give a user with a token, e.g. `kubectl create token "
          "fluxstatus -n flux-system --duration 24h` as `token:` in a kubeconfig of its own (the token expires: "
          "after that, a 401)");
    }
    if (!Text(user, "username").empty() || !Text(user, "password").empty()) {
      throw ClusterAccessError(source_ + ": " + entry +
                               " uses username/password, which is not supported: use a token (kubectl create token "
                               "<sa>) or a client certificate");
    }
    access.token = Text(user, "token");
    const std::string token_file = Text(user, "tokenFile");
    if (access.token.empty() && !token_file.empty()) {
      access.token_file = Resolve(token_file);
      ReadTokenFile(access.token_file, source_);  // fail now, not at the first List
    }
    access.client_cert_pem = Pem(user, "client-certificate", entry);
    access.client_key_pem = Pem(user, "client-key", entry);
    if (access.client_cert_pem.empty() != access.client_key_pem.empty()) {
      throw ClusterAccessError(source_ + ": " + entry +
                               " gives a client certificate without its key (or a key without its certificate): "
                               "give both client-certificate(-data) and client-key(-data)");
    }
  }

 private:
  std::string file_, source_;
};

YAML::Node Load(const std::string& file) {
  try {
    YAML::Node config = YAML::LoadFile(file);
    if (!config.IsMap()) throw ClusterAccessError("kubeconfig " + file + " is not a kubeconfig (no YAML mapping)");
    return config;
  } catch (const YAML::Exception& e) {
    // Marks name line and column; yaml-cpp does not quote the document's text in them.
    throw ClusterAccessError("kubeconfig " + file + " is not valid YAML: " + e.msg + " at line " +
                             std::to_string(e.mark.line + 1));
  }
}

}  // namespace

namespace {

ClusterAccess ReadKubeconfig(const std::string& file, const std::string& context) {
  const YAML::Node config = Load(file);
  const std::string name = context.empty() ? Text(config, "current-context") : context;
  const auto contexts = Names(config, "contexts");
  if (name.empty()) {
    throw ClusterAccessError(
        "kubeconfig " + file +
        " has no current-context: choose one with --context or kubernetes.context (contexts there: " +
        Joined(contexts) + ")");
  }
  const YAML::Node chosen = Entry(config, "contexts", name, "context");
  if (!chosen) {
    throw ClusterAccessError("kubeconfig " + file + " has no context \"" + name + "\" (contexts there: " +
                             Joined(contexts) + "): choose one of them with --context or kubernetes.context");
  }
  ClusterAccess access;
  access.source = "kubeconfig " + file + ", context " + name;
  const Reader reader(file, access.source);
  const std::string cluster_name = Text(chosen, "cluster");
  const YAML::Node cluster = Entry(config, "clusters", cluster_name, "cluster");
  if (!cluster) {
    throw ClusterAccessError(
        access.source + ": names cluster \"" + cluster_name +
        "\", which has no entry under clusters (clusters there: " + Joined(Names(config, "clusters")) + ")");
  }
  reader.ReadCluster(cluster, cluster_name, access);
  const std::string user_name = Text(chosen, "user");
  if (!user_name.empty()) {
    const YAML::Node user = Entry(config, "users", user_name, "user");
    if (!user) {
      throw ClusterAccessError(access.source + ": names user \"" + user_name +
                               "\", which has no entry under users (users there: " + Joined(Names(config, "users")) +
                               ")");
    }
    reader.ReadUser(user, user_name, access);
  }
  return access;
}

}  // namespace

ClusterAccess KubeconfigAccess(const std::string& path, const std::string& context) {
  const std::string file = FindKubeconfig(path);
  try {
    return ReadKubeconfig(file, context);
  } catch (const YAML::Exception& e) {  // a node of the wrong shape, e.g. `contexts: [name]`
    throw ClusterAccessError("kubeconfig " + file + " is not a kubeconfig kubectl would read: " + e.msg + " (line " +
                             std::to_string(e.mark.line + 1) + ")");
  }
}

}  // namespace fluxstatus::ingest
