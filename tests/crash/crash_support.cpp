#include "tests/crash/crash_support.h"

#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>

#include <cstdio>
#include <stdexcept>
#include <thread>

#include "core/rfc3339.h"
#include "tests/support/files.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/process.h"
#include "tests/support/spawn.h"

namespace fluxstatus::crash {
namespace {

constexpr const char* kSetpriv = "/usr/bin/setpriv";
constexpr uid_t kNobody = 65534;

std::vector<std::string> Wrapped(std::vector<std::string> argv, RunAs as) {
  if (!as.unprivileged) return argv;
  std::vector<std::string> out = {kSetpriv, "--reuid=" + std::to_string(kNobody),
                                  "--regid=" + std::to_string(kNobody), "--clear-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

// ---------------------------------------------------------------- events

std::string EventJson(const std::string& name, const std::string& reason, const std::string& sha, std::int64_t at,
                      const std::string& message) {
  testing::FluxEventSpec spec;
  spec.name = name;
  spec.severity = reason == "ReconciliationSucceeded" || reason == "Progressing" ? "info" : "error";
  spec.timestamp = core::FormatRfc3339Millis((INT64_C(1795514400) + at) * 1000).substr(0, 19) + "Z";
  spec.message = message;
  spec.reason = reason;
  spec.revision = "main@sha1:" + sha;
  return testing::FluxEventJson(spec);
}

// ---------------------------------------------------------------- HTTP

Client::Client() : curl_(curl_easy_init()) {
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

Client::~Client() { curl_easy_cleanup(curl_); }

Answer Client::Post(const std::string& url, const std::string& body, std::chrono::milliseconds timeout) {
  return Perform(url, &body, timeout);
}

Answer Client::Get(const std::string& url, std::chrono::milliseconds timeout) { return Perform(url, nullptr, timeout); }

Answer Client::Perform(const std::string& url, const std::string* body, std::chrono::milliseconds timeout) {
  Answer a;
  curl_easy_reset(curl_);  // keeps the connection cache: keep-alive survives
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &a.body);
  if (body != nullptr) {
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  const CURLcode code = curl_easy_perform(curl_);
  a.answered = code == CURLE_OK;
  if (a.answered) curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &a.status);
  else a.error = curl_easy_strerror(code);
  curl_slist_free_all(headers);
  return a;
}

std::optional<std::int64_t> AcceptedId(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsInt64()) return std::nullopt;
  return d["id"].GetInt64();
}

std::optional<std::string> JsonMember(const std::string& body, const char* name) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember(name) || !d[name].IsString()) return std::nullopt;
  return std::string(d[name].GetString(), d[name].GetStringLength());
}

// ---------------------------------------------------------------- the real binary

std::optional<std::string> CannotDropPrivileges() {
  if (::geteuid() != 0) return std::nullopt;  // file permissions already bind us
  if (::access(kSetpriv, X_OK) != 0) return std::string("running as root and ") + kSetpriv + " is missing";
  // As uid 65534, the binary must also be reachable (a checkout under /root is not).
  const auto probe = testing::RunProcess(
      std::filesystem::temp_directory_path(),
      Wrapped({"/bin/sh", "-c", "test \"$(id -u)\" = 65534 && exec \"$0\" version", FLUXSTATUS_BINARY}, RunAs{true}));
  if (probe.exit_code != 0) {
    return "running as root and cannot run " + std::string(FLUXSTATUS_BINARY) + " as uid 65534: " + probe.err;
  }
  return std::nullopt;
}

void GiveTo(const std::filesystem::path& dir, RunAs as) {
  if (!as.unprivileged || ::geteuid() != 0) return;
  if (::chown(dir.c_str(), kNobody, kNobody) != 0) throw std::runtime_error("chown " + dir.string() + " failed");
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (::chown(e.path().c_str(), kNobody, kNobody) != 0) throw std::runtime_error("chown " + e.path().string() + " failed");
  }
}

ServeProcess::ServeProcess(const std::filesystem::path& dir, const std::string& config, const std::string& db,
                           RunAs as)
    : dir_(dir) {
  const std::string out = (dir_ / "serve.out").string(), err = (dir_ / "serve.err").string();
  std::error_code ec;
  const std::size_t log_start = std::filesystem::exists(out, ec) ? std::filesystem::file_size(out) : 0;
  pid_ = testing::SpawnBackground(
      Wrapped({FLUXSTATUS_BINARY, "--config", config, "--db", db, "serve", "--listen", "127.0.0.1:0"}, as), out, err,
      /*append=*/true);
  port_ = testing::WaitForServePort(pid_, out, log_start, std::chrono::seconds(20));
  const bool started = port_ != 0;
  if (!started || pid_ < 0 || port_ == 0) {
    if (pid_ > 0) Kill();
    throw std::runtime_error("fluxstatus serve did not start:\n" + Output());
  }
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) Kill();
}

std::string ServeProcess::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void ServeProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::optional<int> ServeProcess::Terminate() {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, SIGTERM);
  std::optional<int> result;
  WaitUntil(
      [&] {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
        result = status;
        pid_ = -1;
        return true;
      },
      std::chrono::seconds(15));
  if (!result) Kill();
  return result;
}

std::string ServeProcess::Output() const {
  std::string text;
  std::error_code ec;
  for (const char* name : {"serve.out", "serve.err"}) {
    if (std::filesystem::exists(dir_ / name, ec)) text += testing::ReadFile(dir_ / name);
  }
  return text;
}

CliRun RunCli(const std::filesystem::path& dir, const std::string& config, const std::string& db,
              const std::vector<std::string>& args, RunAs as) {
  std::vector<std::string> argv = {FLUXSTATUS_BINARY, "--config", config, "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = testing::RunProcess(dir, Wrapped(argv, as));
  return CliRun{r.exit_code, r.out, r.err};
}

}  // namespace fluxstatus::crash
