#include "tests/support/serve_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <stdexcept>
#include <thread>
#include <utility>

#include <curl/curl.h>
#include <boost/test/unit_test.hpp>

#include "tests/support/files.h"
#include "tests/support/free_port.h"
#include "tests/support/spawn.h"

namespace fluxstatus::testing {
namespace {

std::size_t Discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

// The status of GET `url` on a fresh connection (closed afterwards), 0 when nothing answered.
long GetStatus(const std::string& url, std::chrono::milliseconds timeout) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Discard);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status;
}

std::size_t SizeOf(const std::string& file) {
  std::error_code ec;
  return std::filesystem::exists(file, ec) ? std::filesystem::file_size(file) : 0;
}

// What `file` gained after byte `from`: one start's own output when earlier starts appended.
std::string WrittenSince(const std::string& file, std::size_t from) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return "";
  const std::string all = ReadFile(file);
  return from < all.size() ? all.substr(from) : "";
}

}  // namespace

// No port asked for: one below the ephemeral range (FreePort), kept for every restart. A port
// the kernel picked from that range may, while serve is down, become the local end of any
// outgoing connection on the machine, and the restart would find it taken.
ServeProcess::ServeProcess(ServeCommand command)
    : command_(std::move(command)), port_(command_.port != 0 ? command_.port : FreePort()) {}

ServeProcess::~ServeProcess() { Kill(); }

std::string ServeProcess::OutFile() const { return (command_.dir / "serve.out").string(); }

std::string ServeProcess::ErrFile() const { return (command_.dir / "serve.err").string(); }

void ServeProcess::Spawn() {
  if (pid_ > 0) throw std::logic_error("serve is already running");
  std::vector<std::string> argv = command_.prefix;
  for (std::string arg :
       {std::string(FLUXSTATUS_BINARY), std::string("--config"), command_.config, std::string("--db"), command_.db,
        std::string("serve"), std::string("--listen"), "127.0.0.1:" + std::to_string(port_)}) {
    argv.push_back(std::move(arg));
  }
  argv.insert(argv.end(), command_.extra_args.begin(), command_.extra_args.end());
  pid_ = SpawnBackground(std::move(argv), OutFile(), ErrFile(), command_.keep_output);
}

void ServeProcess::Start(std::chrono::milliseconds wait) {
  // A port just given up by a killed process can take a moment to be free again.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int repicks = 0;
  while (true) {
    const std::size_t log_start = command_.keep_output ? SizeOf(OutFile()) : 0;
    const std::size_t err_start = command_.keep_output ? SizeOf(ErrFile()) : 0;
    Spawn();
    const std::uint16_t port = WaitForServePort(pid_, OutFile(), log_start, wait);
    if (port != 0 && pid_ > 0) {
      port_ = port;
      started_once_ = true;
      return;
    }
    Kill();
    const bool first_start_on_our_pick = !started_once_ && command_.port == 0;
    const bool port_taken =
        (WrittenSince(OutFile(), log_start) + WrittenSince(ErrFile(), err_start)).find("Address already in use") !=
        std::string::npos;
    if (first_start_on_our_pick && port_taken && ++repicks <= 5) {
      port_ = FreePort();  // another test took the picked port first: pick again
      continue;
    }
    if (first_start_on_our_pick || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("fluxstatus serve did not start on port " + std::to_string(port_) + ":\n" +
                               OutputTail(4000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool ServeProcess::WaitHealthy(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int attempt = 0; attempt < 2000 && std::chrono::steady_clock::now() < deadline; ++attempt) {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      BOOST_TEST_MESSAGE("the service exited before becoming healthy:\n" << Output());
      return false;
    }
    if (GetStatus(Url("/healthz"), std::chrono::milliseconds(1000)) == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void ServeProcess::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> ServeProcess::WaitExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    if (r < 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::optional<int> ServeProcess::Terminate(std::chrono::milliseconds grace) {
  Signal(SIGTERM);
  const std::optional<int> status = WaitExit(grace);
  Kill();  // it overran the grace period: Kubernetes would SIGKILL it now
  return status;
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

std::string ServeProcess::Output() const {
  std::string text;
  std::error_code ec;
  for (const std::string& file : {OutFile(), ErrFile()}) {
    if (std::filesystem::exists(file, ec)) text += ReadFile(file);
  }
  return text;
}

std::string ServeProcess::OutputTail(std::size_t bytes) const {
  std::string text;
  std::error_code ec;
  for (const std::string& file : {OutFile(), ErrFile()}) {
    if (!std::filesystem::exists(file, ec)) continue;
    const std::string all = ReadFile(file);
    text += "--- " + std::filesystem::path(file).filename().string() + " (tail)\n" +
            all.substr(all.size() > bytes ? all.size() - bytes : 0);
  }
  return text;
}

ProcessResult RunFluxstatus(const std::filesystem::path& dir, const std::vector<std::string>& args,
                            const std::vector<std::string>& prefix) {
  std::vector<std::string> argv = prefix;
  argv.push_back(FLUXSTATUS_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(dir, argv);
}

}  // namespace fluxstatus::testing
