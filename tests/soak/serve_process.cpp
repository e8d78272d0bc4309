#include "tests/soak/serve_process.h"

#include <fstream>

namespace fluxstatus::soak {

ServeProcess::ServeProcess(const std::filesystem::path& dir, const std::string& config, const std::string& db)
    : testing::ServeProcess(testing::ServeCommand(dir, config, db)) {}

ServeProcess::Stopped ServeProcess::Terminate(std::chrono::seconds grace) {
  Stopped stopped;
  if (!running()) return stopped;
  const auto start = std::chrono::steady_clock::now();
  stopped.status = testing::ServeProcess::Terminate(grace);
  stopped.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return stopped;
}

long ServeProcess::RssKb() const {
  if (!running()) return 0;
  std::ifstream status("/proc/" + std::to_string(pid()) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

CliRun RunCli(const std::filesystem::path& dir, const std::string& config, const std::string& db,
              const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"--config", config, "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunFluxstatus(dir, argv);
}

}  // namespace fluxstatus::soak
