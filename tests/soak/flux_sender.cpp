#include "tests/soak/flux_sender.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>

namespace fluxstatus::soak {
namespace {

// Flux's generic forwarder uses go-retryablehttp v0.7.8: RetryMax 4, waits doubling from 2 s
// to at most 30 s, or the Retry-After of a 429/503 (flux-notification-controller.md §2.4).
// The waits are scaled by 1/4 to keep the run short; RetryMax is raised from 4 to 8 so that the
// cover (0.5+1+2+4+7.5*4 = 37.5 s) outlasts a restart of serve (up to 7 s of SIGTERM drain plus
// start-up on a busy, sanitized build): the issue asks that sends survive the gap.
constexpr int kRetryMax = 8;
constexpr std::chrono::milliseconds kWaitMin{500};
constexpr std::chrono::milliseconds kWaitMax{7500};
// The recorder's per-attempt timeout; serve answers 503 itself after 10 s of a late commit,
// so a timed-out attempt is a lost answer and its retry a byte-identical resend.
constexpr std::chrono::milliseconds kAttemptTimeout{5000};

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::size_t RetryAfterHeader(char* data, std::size_t size, std::size_t n, void* user) {
  const std::string line(data, size * n);
  const std::string name = "retry-after:";
  if (line.size() > name.size()) {
    std::string head = line.substr(0, name.size());
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    if (head == name) {
      try {
        *static_cast<std::chrono::milliseconds*>(user) = std::chrono::seconds(std::stol(line.substr(name.size())));
      } catch (const std::exception&) {  // an HTTP date: go-retryablehttp falls back to backoff too
      }
    }
  }
  return size * n;
}

void ReadAnswer(SendResult& r, const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject()) return;
  if (d.HasMember("id") && d["id"].IsInt64()) r.id = d["id"].GetInt64();
  if (d.HasMember("duplicate") && d["duplicate"].IsBool()) r.duplicate = d["duplicate"].GetBool();
}

}  // namespace

std::string Signature(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
           body.size(), mac, &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  static const char* const kHex = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

void TrafficGate::Enter() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !closed_; });
    ++active_;
  }
  cv_.notify_all();
}

bool TrafficGate::WaitActive(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return active_ > 0; });
}

void TrafficGate::Leave() {
  {
    std::lock_guard lock(mu_);
    --active_;
  }
  cv_.notify_all();
}

void TrafficGate::Close() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !closed_; });  // one quiet period at a time
  closed_ = true;
  cv_.wait(lock, [this] { return active_ == 0; });
}

void TrafficGate::Open() {
  {
    std::lock_guard lock(mu_);
    closed_ = false;
  }
  cv_.notify_all();
}

int TrafficGate::active() const {
  std::lock_guard lock(mu_);
  return active_;
}

FluxSender::FluxSender(TrafficGate& gate) : curl_(curl_easy_init()), gate_(gate) {
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

FluxSender::~FluxSender() { curl_easy_cleanup(curl_); }

SendResult FluxSender::Attempt(const Endpoint& to, const std::string& body, const std::string& controller,
                               std::chrono::milliseconds& retry_after) {
  SendResult r;
  std::string answer;
  curl_easy_reset(curl_);  // keeps the connection cache: keep-alive, as Go's transport
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("gotk-component: " + controller).c_str());
  headers = curl_slist_append(headers, "User-Agent: Go-http-client/1.1");
  if (!to.hmac_key.empty())
    headers = curl_slist_append(headers, ("X-Signature: " + Signature(to.hmac_key, body)).c_str());
  curl_easy_setopt(curl_, CURLOPT_URL, to.url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(kAttemptTimeout.count()));
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &RetryAfterHeader);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &retry_after);
  const CURLcode code = curl_easy_perform(curl_);
  curl_slist_free_all(headers);
  r.attempts = 1;
  if (code != CURLE_OK) {
    r.error = curl_easy_strerror(code);
    return r;
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
  r.acked = r.status == 202;
  if (r.acked)
    ReadAnswer(r, answer);
  else
    r.error = answer.substr(0, 300);
  return r;
}

SendResult FluxSender::PostOnce(const Endpoint& to, const std::string& body, const std::string& controller) {
  std::chrono::milliseconds ignored{0};
  return Attempt(to, body, controller, ignored);
}

SendResult FluxSender::Post(const Endpoint& to, const std::string& body, const std::string& controller, bool gated) {
  SendResult last;
  for (int attempt = 0; attempt <= kRetryMax; ++attempt) {
    std::chrono::milliseconds retry_after{-1};
    if (gated) gate_.Enter();
    SendResult r = Attempt(to, body, controller, retry_after);
    if (gated) gate_.Leave();
    r.attempts = attempt + 1;
    last = r;
    if (r.status >= 200 && r.status < 300) return r;
    const bool retried = r.status == 0 || (r.status >= 500 && r.status != 501);
    if (!retried) return r;  // Flux never resends a 4xx
    std::chrono::milliseconds wait = std::min(kWaitMax, std::chrono::milliseconds(kWaitMin.count() << attempt));
    if ((r.status == 429 || r.status == 503) && retry_after.count() >= 0) wait = std::min(retry_after, kWaitMax);
    if (attempt < kRetryMax) std::this_thread::sleep_for(wait);
  }
  return last;
}

}  // namespace fluxstatus::soak
