#include "tests/crash/crash_support.h"

#include <rapidjson/document.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>

#include <stdexcept>

#include "core/rfc3339.h"
#include "tests/support/files.h"
#include "tests/support/flux_event_json.h"
#include "tests/support/process.h"

namespace fluxstatus::crash {
namespace {

constexpr const char* kSetpriv = "/usr/bin/setpriv";
constexpr uid_t kNobody = 65534;

std::vector<std::string> Wrapped(std::vector<std::string> argv, RunAs as) {
  if (!as.unprivileged) return argv;
  std::vector<std::string> out = {kSetpriv, "--reuid=" + std::to_string(kNobody), "--regid=" + std::to_string(kNobody),
                                  "--clear-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

testing::ServeCommand ServeAs(testing::ServeCommand command, RunAs as) {
  command.prefix = Wrapped({}, as);
  return command;
}

Answer AnswerOf(const ingest::testing::CurlResult& r) {
  Answer a;
  a.answered = r.code == CURLE_OK;
  if (a.answered)
    a.status = r.status;
  else
    a.error = curl_easy_strerror(r.code);
  a.body = r.body;
  return a;
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

Answer Client::Post(const std::string& url, const std::string& body, std::chrono::milliseconds timeout) {
  return AnswerOf(curl_.Request("POST", url, body, {"Content-Type: application/json"}, timeout));
}

Answer Client::Get(const std::string& url, std::chrono::milliseconds timeout) {
  return AnswerOf(curl_.Request("GET", url, {}, {}, timeout));
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
    if (::chown(e.path().c_str(), kNobody, kNobody) != 0)
      throw std::runtime_error("chown " + e.path().string() + " failed");
  }
}

ServeProcess::ServeProcess(const std::filesystem::path& dir, const std::string& config, const std::string& db, RunAs as)
    : testing::ServeProcess(ServeAs(testing::ServeCommand(dir, config, db), as)) {
  Start();
}

CliRun RunCli(const std::filesystem::path& dir, const std::string& config, const std::string& db,
              const std::vector<std::string>& args, RunAs as) {
  std::vector<std::string> argv = {"--config", config, "--db", db};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunFluxstatus(dir, argv, Wrapped({}, as));
}

}  // namespace fluxstatus::crash
