// The real `fluxstatus` binary for the dispatch end-to-end tests (e2e_support.h's Serve,
// RouteYaml, DispatchYaml, RunCli).
#include "tests/dispatch_e2e/e2e_support.h"

#include <boost/test/unit_test.hpp>

#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {

Serve::Serve(const std::filesystem::path& dir, const std::string& config_yaml)
    : testing::ServeProcess(
          testing::ServeCommand(dir, (dir / "fluxstatus.yaml").string(), (dir / "fluxstatus.db").string())) {
  testing::WriteFile(dir / "fluxstatus.yaml", config_yaml);
  Start();
}

Serve::~Serve() {
  Kill();
  const std::string output = Output();
  BOOST_TEST((output.find("Sanitizer") == std::string::npos && output.find("runtime error") == std::string::npos),
             "the service reported a sanitizer finding:\n"
                 << output);
}

Reply Serve::Hook(const std::string& route, const Ev& ev) const { return Post("/hook/" + route, EventJson(ev)); }

Reply Serve::Post(const std::string& path, const std::string& body) const { return HttpPost(Url(path), body); }

int Serve::Stop(int sig) {
  Signal(sig);
  return WaitExit(std::chrono::seconds(15)).value_or(-1);
}

std::string RouteYaml(const std::filesystem::path& dir, const FakeGitHost& host, const std::string& name, HostKind kind,
                      const std::string& token) {
  const auto token_file = dir / (name + ".token");
  testing::WriteFile(token_file, token + "\n");
  return "  - name: " + name + "\n    provider: " + ProviderName(kind) +
         "\n    address: " + host.Address(kind, RepoFor(kind)) + "\n    token_file: " + token_file.string() + "\n";
}

std::string DispatchYaml(int workers, int max_attempts, const std::string& initial_backoff,
                         const std::string& max_backoff) {
  return "dispatch:\n  workers: " + std::to_string(workers) + "\n  max_attempts: " + std::to_string(max_attempts) +
         "\n  initial_backoff: " + initial_backoff + "\n  max_backoff: " + max_backoff + "\n";
}

CliRun RunCli(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"--config", (dir / "fluxstatus.yaml").string(), "--db",
                                   (dir / "fluxstatus.db").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunFluxstatus(dir, argv);
}

}  // namespace fluxstatus::dispatch_e2e
