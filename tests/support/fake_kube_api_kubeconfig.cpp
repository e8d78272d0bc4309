// FakeKubeApi::WriteKubeconfig: a real kubeconfig (yaml-cpp) that both fluxstatus and kubectl
// read, in the forms KubeconfigOptions picks.
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>
#include <cereal/external/base64.hpp>

#include "tests/support/fake_kube_api.h"

namespace fluxstatus::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("FakeKubeApi: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteAll(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("FakeKubeApi: cannot write " + path.string());
}

std::string Base64(const std::string& bytes) {
  return cereal::base64::encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

// A file beside the kubeconfig, named after it; returns the relative name the kubeconfig uses.
std::string Beside(const std::filesystem::path& kubeconfig, const std::string& suffix, const std::string& text) {
  const std::string name = kubeconfig.filename().string() + suffix;
  WriteAll(kubeconfig.parent_path() / name, text);
  return name;
}

}  // namespace

void FakeKubeApi::WriteKubeconfig(const std::filesystem::path& path, const KubeconfigOptions& options) const {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind" << YAML::Value
      << "Config";

  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << "fake-cluster" << YAML::Key << "cluster" << YAML::Value
      << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << BaseUrl();
  const std::string ca = ReadAll(ca_file());
  if (options.ca_as_file) {
    out << YAML::Key << "certificate-authority" << YAML::Value << Beside(path, "-ca.crt", ca);
  } else {
    out << YAML::Key << "certificate-authority-data" << YAML::Value << Base64(ca);
  }
  if (!options.tls_server_name.empty()) out << YAML::Key << "tls-server-name" << YAML::Value << options.tls_server_name;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << "fake-user" << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  if (options.token_as_file) {
    out << YAML::Key << "tokenFile" << YAML::Value << Beside(path, "-token", token() + "\n");
  } else {
    out << YAML::Key << "token" << YAML::Value << token();
  }
  if (options.client_cert) {
    out << YAML::Key << "client-certificate-data" << YAML::Value << Base64(ReadAll(pki().client_cert));
    out << YAML::Key << "client-key-data" << YAML::Value << Base64(ReadAll(pki().client_key));
  }
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << options.context << YAML::Key << "context" << YAML::Value
      << YAML::BeginMap << YAML::Key << "cluster" << YAML::Value << "fake-cluster" << YAML::Key << "user" << YAML::Value
      << "fake-user" << YAML::Key << "namespace" << YAML::Value << "default" << YAML::EndMap;
  out << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "current-context" << YAML::Value << options.context << YAML::EndMap;
  if (!out.good()) throw std::runtime_error(std::string("FakeKubeApi: yaml-cpp: ") + out.GetLastError());
  WriteAll(path, std::string(out.c_str()) + "\n");
}

}  // namespace fluxstatus::testing
