#include "tests/service/service_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "store/database.h"
#include "store/system_clock.h"
#include "tests/support/process.h"

extern char** environ;

namespace fluxstatus::service_testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue): keep only the final one
  } else if (const auto colon = line.find(':'); colon != std::string::npos) {
    (*headers)[Lower(line.substr(0, colon))] = Trim(line.substr(colon + 1));
  }
  return size * n;
}

}  // namespace

// ---------------------------------------------------------------- HTTP client

std::optional<std::string> Answer::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

Client::Client() : curl_(curl_easy_init()) {
  if (!curl_) throw std::runtime_error("curl_easy_init failed");
}

Client::~Client() { curl_easy_cleanup(curl_); }

Answer Client::Post(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                    std::chrono::milliseconds timeout) {
  std::vector<std::string> all = headers;
  const bool has_type = std::any_of(headers.begin(), headers.end(),
                                    [](const std::string& h) { return Lower(h).rfind("content-type:", 0) == 0; });
  if (!has_type) all.emplace_back("Content-Type: application/json");
  return Request("POST", url, body, all, timeout);
}

Answer Client::Get(const std::string& url, std::chrono::milliseconds timeout) {
  return Request("GET", url, {}, {}, timeout);
}

Answer Client::Request(const std::string& method, const std::string& url, const std::string& body,
                       const std::vector<std::string>& headers, std::chrono::milliseconds timeout) {
  Answer a;
  curl_easy_reset(curl_);  // keeps the connection cache: keep-alive survives
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl_, CURLOPT_PROXY, "");  // loopback only, whatever the environment says
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &a.headers);
  if (method == "POST") {
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method == "GET") {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);  // the answer's Content-Length has no body after it
  } else {
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty()) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
  }
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
  a.code = curl_easy_perform(curl_);
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &a.status);
  curl_slist_free_all(list);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  return a;
}

// ---------------------------------------------------------------- answers and events

std::optional<Accepted> ParseAccepted(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  Accepted a;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    const std::string name = it->name.GetString();
    if (name == "id") {
      if (it->value.IsInt64())
        a.id = it->value.GetInt64();
      else if (!it->value.IsNull())
        return std::nullopt;
    } else if (name == "duplicate") {
      if (!it->value.IsBool()) return std::nullopt;
      a.duplicate = it->value.GetBool();
    } else if (name == "routes") {
      if (!it->value.IsArray()) return std::nullopt;
      a.routes.emplace();
      for (const auto& r : it->value.GetArray()) {
        if (!r.IsString()) return std::nullopt;
        a.routes->emplace_back(r.GetString());
      }
    } else {
      return std::nullopt;
    }
  }
  if (!doc.HasMember("id") || !doc.HasMember("duplicate")) return std::nullopt;
  return a;
}

std::optional<std::string> ErrorOf(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || doc.MemberCount() != 1 || !doc.HasMember("error") ||
      !doc["error"].IsString()) {
    return std::nullopt;
  }
  return std::string(doc["error"].GetString(), doc["error"].GetStringLength());
}

std::string Signature(const std::string& key, const std::string& body, const std::string& algorithm) {
  const EVP_MD* md = algorithm == "sha1"     ? EVP_sha1()
                     : algorithm == "sha384" ? EVP_sha384()
                     : algorithm == "sha512" ? EVP_sha512()
                                             : EVP_sha256();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()), body.size(),
       digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return algorithm + "=" + hex;
}

std::string EventJson(const EventSpec& s) {
  testing::FluxEventSpec spec;
  spec.kind = s.kind;
  spec.namespace_ = s.namespace_;
  spec.name = s.name;
  spec.severity = s.severity;
  spec.timestamp = s.timestamp;
  spec.message = s.message;
  spec.reason = s.reason;
  spec.revision = s.revision;
  return testing::FluxEventJson(spec);
}

std::string SomeEvent(int n) {
  EventSpec e;
  e.message = "event " + std::to_string(n);
  e.revision = "main@sha1:" + Sha(static_cast<std::uint64_t>(n) + 1);
  return EventJson(e);
}

std::string TimestampPlus(std::int64_t seconds) {
  // 2026-11-24T10:00:00Z + seconds, within the same day.
  const std::int64_t t = 10 * 3600 + seconds;
  if (seconds < 0 || t >= 24 * 3600) throw std::invalid_argument("TimestampPlus: out of range");
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-11-24T%02lld:%02lld:%02lldZ", static_cast<long long>(t / 3600),
                static_cast<long long>(t / 60 % 60), static_cast<long long>(t % 60));
  return buf;
}

std::filesystem::path SamplesDir() {
  const std::filesystem::path dir = std::filesystem::path(FLUXSTATUS_FIXTURES_DIR) / "samples";
  std::error_code ec;
  if (std::filesystem::is_directory(dir / "wire", ec) && std::filesystem::is_directory(dir / "events", ec)) return dir;
  throw std::runtime_error("the samples directory " + dir.string() + " is missing: tests/fixtures is part of the tree");
}

// ---------------------------------------------------------------- SQL

std::int64_t CountRows(const std::string& db_path, const std::string& table) {
  return QueryInt(*OpenReader(db_path), "SELECT count(*) FROM " + table);
}

std::int64_t WaitForCount(const std::string& db_path, const std::string& sql, std::int64_t expected,
                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::int64_t n = -1;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    n = QueryInt(*OpenReader(db_path), sql);
    if (n >= expected || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return n;
}

std::string QueryBytes(SQLite::Database& db, const std::string& sql, std::int64_t bind) {
  SQLite::Statement q(db, sql);
  q.bind(1, static_cast<std::int64_t>(bind));
  if (!q.executeStep()) return "<no row>";
  const SQLite::Column c = q.getColumn(0);
  const void* p = c.getBlob();
  const int n = c.getBytes();
  if (p == nullptr || n <= 0) return std::string();
  return std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

// ---------------------------------------------------------------- in-process

namespace {

testing::InProcessIngestOptions IngestOptions(InProcessOptions options, const std::string& db_path) {
  testing::InProcessIngestOptions ingest;
  ingest.db_path = db_path;
  ingest.http.threads = options.threads;
  ingest.http.max_body_bytes = std::max<std::size_t>(options.settings.max_body_bytes * 2, 4u << 20);
  ingest.settings = std::move(options.settings);
  ingest.catalog = std::move(options.catalog);
  ingest.durability = options.durability;
  ingest.writer = options.writer;
  ingest.clock = options.clock;
  return ingest;
}

// The command of a ServiceProcess: on a free port (ServeProcess picks it), its output truncated at
// start.
testing::ServeCommand ServiceCommand(const std::filesystem::path& dir, const std::vector<std::string>& extra_args,
                                     const std::string& db_name) {
  testing::ServeCommand command(dir, (dir / "fluxstatus.yaml").string(), (dir / db_name).string());
  command.extra_args = extra_args;
  command.keep_output = false;
  return command;
}

}  // namespace

InProcessService::InProcessService(InProcessOptions options)
    : db_path_(dir_.File("fluxstatus.db")), ingest_(IngestOptions(std::move(options), db_path_)) {}

InProcessService::~InProcessService() { Stop(); }

// ---------------------------------------------------------------- the binary

ServiceProcess::ServiceProcess(const std::filesystem::path& dir, const std::string& config_yaml,
                               const std::vector<std::string>& extra_serve_args, const std::string& db_name)
    : testing::ServeProcess(ServiceCommand(dir, extra_serve_args, db_name)) {
  WriteFile(dir / "fluxstatus.yaml", config_yaml);
  Spawn();
}

CliResult RunCli(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  const testing::ProcessResult r = testing::RunFluxstatus(dir, args);
  if (!r.err.empty()) BOOST_TEST_MESSAGE("stderr of fluxstatus: " << r.err);
  return {r.exit_code, r.out};
}

}  // namespace fluxstatus::service_testing
