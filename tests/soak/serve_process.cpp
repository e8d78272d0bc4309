#include "tests/soak/serve_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "tests/support/files.h"
#include "tests/support/process.h"
#include "tests/support/spawn.h"

namespace fluxstatus::soak {

ServeProcess::ServeProcess(std::filesystem::path dir, std::string config, std::string db)
    : dir_(std::move(dir)), config_(std::move(config)), db_(std::move(db)) {}

ServeProcess::~ServeProcess() { Kill(); }

void ServeProcess::Start() {
  if (pid_ > 0) throw std::logic_error("serve is already running");
  const std::string out = (dir_ / "serve.out").string(), err = (dir_ / "serve.err").string();
  // A port just given up by a killed process can take a moment to be free again.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (true) {
    std::error_code ec;
    const std::size_t log_start = std::filesystem::exists(out, ec) ? std::filesystem::file_size(out) : 0;
    pid_ = testing::SpawnBackground({FLUXSTATUS_BINARY, "--config", config_, "--db", db_, "serve", "--listen",
                                     "127.0.0.1:" + std::to_string(port_)},
                                    out, err, /*append=*/true);
    const std::uint16_t port = testing::WaitForServePort(pid_, out, log_start, std::chrono::seconds(30));
    if (port != 0 && pid_ > 0) {
      port_ = port;
      return;
    }
    Kill();
    if (port_ == 0 || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("fluxstatus serve did not start on port " + std::to_string(port_) + ":\n" +
                               OutputTail(4000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

ServeProcess::Stopped ServeProcess::Terminate(std::chrono::seconds grace) {
  Stopped stopped;
  if (pid_ <= 0) return stopped;
  const auto start = std::chrono::steady_clock::now();
  ::kill(pid_, SIGTERM);
  while (std::chrono::steady_clock::now() - start < grace) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      stopped.status = status;
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stopped.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  Kill();  // it overran the grace period: Kubernetes would SIGKILL it now
  return stopped;
}

void ServeProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServeProcess::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

long ServeProcess::RssKb() const {
  if (pid_ <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

std::string ServeProcess::Output() const {
  std::string text;
  std::error_code ec;
  for (const char* name : {"serve.out", "serve.err"}) {
    if (std::filesystem::exists(dir_ / name, ec)) text += testing::ReadFile(dir_ / name);
  }
  return text;
}

std::string ServeProcess::OutputTail(std::size_t bytes) const {
  std::string text;
  std::error_code ec;
  for (const char* name : {"serve.out", "serve.err"}) {
    if (!std::filesystem::exists(dir_ / name, ec)) continue;
    const std::string all = testing::ReadFile(dir_ / name);
    text += std::string("--- ") + name + " (tail)\n" + all.substr(all.size() > bytes ? all.size() - bytes : 0);
  }
  return text;
}

CliRun RunCli(const std::filesystem::path& dir, const std::string& config, const std::string& db,
              const std::vector<std::string>& args) {
  std::vector<std::string> argv = {FLUXSTATUS_BINARY, "--config", config, "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = testing::RunProcess(dir, argv);
  return CliRun{r.exit_code, r.out, r.err};
}

}  // namespace fluxstatus::soak
