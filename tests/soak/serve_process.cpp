#include "tests/soak/serve_process.h"

#include <curl/curl.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

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

long ServeProcess::GetStatus(const std::string& path) const {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return 0;
  curl_easy_setopt(curl, CURLOPT_URL, Url(path).c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char*, std::size_t s, std::size_t n, void*) { return s * n; });
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status;
}

// serve's warnings and errors by message, most frequent first: not a check (a restart makes
// some), but the first place to look when one fails.
std::string LoggedProblems(const std::string& output) {
  std::map<std::string, int> counts;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("level") || !d["level"].IsString()) continue;
    const std::string level = d["level"].GetString();
    if (level == "info" || level == "debug" || level == "trace") continue;
    const std::string msg = d.HasMember("msg") && d["msg"].IsString() ? d["msg"].GetString() : "?";
    const std::string error = d.HasMember("error") && d["error"].IsString() ? d["error"].GetString() : "";
    ++counts[level + ": " + msg + (error.empty() ? "" : " (" + error.substr(0, 80) + ")")];
  }
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [text, n] : counts) sorted.emplace_back(n, text);
  std::sort(sorted.rbegin(), sorted.rend());
  std::string out;
  for (std::size_t i = 0; i < sorted.size() && i < 6; ++i) {
    out += "\n    " + std::to_string(sorted[i].first) + "x " + sorted[i].second;
  }
  return out.empty() ? " none" : out;
}

}  // namespace fluxstatus::soak
