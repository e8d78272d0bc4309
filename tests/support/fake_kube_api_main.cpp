// fake-kube-api: the test Kubernetes API server (FakeKubeApi) as a program, serving the LIST
// documents it is given, so the real `fluxstatus resync` (and kubectl) can read a cluster's
// worth of Flux objects: the benchmark's "resync of N objects" (bench/resync_bench.py). Writes
// a kubeconfig for itself, prints its URL and serves until SIGINT or SIGTERM.
//
//   fake-kube-api --kubeconfig DIR/kubeconfig --serve kustomizations=k.json --serve ...
//
// Each file is a List as the API server answers one (samples/kubernetes/*.json have this
// shape): its apiVersion names the group and version, its kind minus "List" the items' kind.
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <CLI/CLI.hpp>

#include "tests/support/fake_kube_api.h"

namespace {

using fluxstatus::testing::FakeKubeApi;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "kustomizations=k.json": serves the List in k.json as the resource `kustomizations`.
void Serve(FakeKubeApi& api, const std::string& plural_and_file) {
  const auto eq = plural_and_file.find('=');
  if (eq == std::string::npos) throw std::invalid_argument("--serve wants PLURAL=FILE, got " + plural_and_file);
  const std::string plural = plural_and_file.substr(0, eq), file = plural_and_file.substr(eq + 1);
  const std::string text = ReadAll(file);
  rapidjson::Document list;
  list.Parse(text.data(), text.size());
  const std::string list_kind =
      list.IsObject() && list.HasMember("kind") && list["kind"].IsString() ? list["kind"].GetString() : "";
  const std::string api_version = list.IsObject() && list.HasMember("apiVersion") && list["apiVersion"].IsString()
                                      ? list["apiVersion"].GetString()
                                      : "";
  const auto slash = api_version.find('/');
  if (list_kind.size() <= 4 || list_kind.substr(list_kind.size() - 4) != "List" || slash == std::string::npos) {
    throw std::invalid_argument(file + ": not a List with apiVersion group/version and kind <Kind>List");
  }
  const auto items = fluxstatus::testing::KubeListItems(text);
  api.SetObjects(api_version.substr(0, slash), api_version.substr(slash + 1), plural,
                 list_kind.substr(0, list_kind.size() - 4), items);
  std::cout << plural << ": " << items.size() << " objects" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fake-kube-api: the test Kubernetes API server on 127.0.0.1 (HTTPS, bearer token)", "fake-kube-api"};
  std::string kubeconfig;
  std::vector<std::string> serve;
  FakeKubeApi::Options options;
  cli.add_option("--kubeconfig", kubeconfig, "where to write the kubeconfig for this server")->required();
  cli.add_option("--serve", serve, "PLURAL=FILE: serve the List in FILE as the resource PLURAL (repeatable)");
  cli.add_option("--token", options.token, "the bearer token every request must carry");
  CLI11_PARSE(cli, argc, argv);

  // Block the stop signals before the server's threads start, so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  try {
    FakeKubeApi api(options);
    for (const auto& s : serve) Serve(api, s);
    api.WriteKubeconfig(kubeconfig);
    std::cout << "fake Kubernetes API listening on " << api.BaseUrl() << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    std::cout << "served " << api.Requests().size() << " requests" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "fake-kube-api: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
