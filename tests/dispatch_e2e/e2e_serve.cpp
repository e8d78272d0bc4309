// The real `fluxstatus` binary for the dispatch end-to-end tests (e2e_support.h's Serve,
// RouteYaml, DispatchYaml, RunCli).
#include "tests/dispatch_e2e/e2e_support.h"

#include <signal.h>
#include <sys/wait.h>

#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/spawn.h"

namespace fluxstatus::dispatch_e2e {

Serve::Serve(const std::filesystem::path& dir, const std::string& config_yaml) : dir_(dir) {
  testing::WriteFile(dir_ / "fluxstatus.yaml", config_yaml);
  const std::string out = (dir_ / "serve.out").string(), err = (dir_ / "serve.err").string();
  const std::string config = (dir_ / "fluxstatus.yaml").string(), db = db_path();
  std::vector<std::string> args = {FLUXSTATUS_BINARY, "--config", config,       "--db", db,
                                   "serve",           "--listen", "127.0.0.1:0"};
  const std::size_t log_start = std::filesystem::exists(out) ? std::filesystem::file_size(out) : 0;
  pid_ = fluxstatus::testing::SpawnBackground(std::move(args), out, err, /*append=*/true);
  port_ = testing::WaitForServePort(pid_, out, log_start, std::chrono::seconds(20));
  const bool started = port_ != 0;
  if (!started || pid_ < 0 || port_ == 0) {
    throw std::runtime_error("fluxstatus serve did not start:\n" + Output());
  }
}

Serve::~Serve() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  const std::string output = Output();
  BOOST_TEST((output.find("Sanitizer") == std::string::npos && output.find("runtime error") == std::string::npos),
             "the service reported a sanitizer finding:\n"
                 << output);
}

std::string Serve::Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

Reply Serve::Hook(const std::string& route, const Ev& ev) const { return Post("/hook/" + route, EventJson(ev)); }

Reply Serve::Post(const std::string& path, const std::string& body) const { return HttpPost(Url(path), body); }

int Serve::Stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int result = -1;
  WaitUntil(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
        result = status;
        pid_ = -1;
        return true;
      },
      std::chrono::seconds(15));
  return result;
}

std::string Serve::Output() const {
  std::string text;
  std::error_code ec;
  for (const char* name : {"serve.out", "serve.err"}) {
    if (std::filesystem::exists(dir_ / name, ec)) text += testing::ReadFile(dir_ / name);
  }
  return text;
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
  std::vector<std::string> argv = {FLUXSTATUS_BINARY, "--config", (dir / "fluxstatus.yaml").string(), "--db",
                                   (dir / "fluxstatus.db").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = testing::RunProcess(dir, argv);
  return CliRun{r.exit_code, r.out, r.err};
}

}  // namespace fluxstatus::dispatch_e2e
