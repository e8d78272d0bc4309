#include "tests/soak/soak_traffic.h"

#include <random>
#include <utility>

namespace fluxstatus::soak {
namespace {

// How long a send planned after another (out of order, or a resend) waits for it at most.
constexpr std::chrono::seconds kAfterTimeout{60};
// Host faults every 6-14 s while waves are generated.
constexpr int kFaultGapMinMs = 6000;
constexpr int kFaultGapSpreadMs = 8000;

}  // namespace

void SendQueue::Push(std::vector<Send> sends) {
  {
    std::lock_guard lock(mu_);
    for (auto& s : sends) sends_.push_back(std::move(s));
  }
  cv_.notify_all();
}

std::optional<Send> SendQueue::Pop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return closed_ || !sends_.empty(); });
  if (sends_.empty()) return std::nullopt;
  Send s = std::move(sends_.front());
  sends_.pop_front();
  return s;
}

void SendQueue::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::size_t SendQueue::size() const {
  std::lock_guard lock(mu_);
  return sends_.size();
}

Traffic::Traffic(TrafficPlan plan, FluxStream& stream, std::map<std::string, Endpoint> endpoints,
                 testing::FakeGitHost& host)
    : plan_(plan), stream_(stream), endpoints_(std::move(endpoints)), host_(host) {}

Traffic::~Traffic() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    faults_off_ = true;
  }
  cv_.notify_all();
  queue_.Close();
  gate_.Open();
  if (generator_.joinable()) generator_.join();
  for (auto& t : senders_) {
    if (t.joinable()) t.join();
  }
  if (faults_thread_.joinable()) faults_thread_.join();
}

void Traffic::Start() {
  generator_ = std::thread([this] { Generate(); });
  for (int i = 0; i < plan_.senders; ++i) senders_.emplace_back([this] { SendLoop(); });
  faults_thread_ = std::thread([this] { InjectFaults(); });
}

void Traffic::Finish() {
  if (generator_.joinable()) generator_.join();
  for (auto& t : senders_) {
    if (t.joinable()) t.join();
  }
  {
    std::lock_guard lock(mu_);
    faults_off_ = true;
  }
  cv_.notify_all();
  if (faults_thread_.joinable()) faults_thread_.join();
}

FaultCounts Traffic::faults() const {
  std::lock_guard lock(mu_);
  return faults_;
}

bool Traffic::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

// One wave per interval, on a fixed schedule: the stream, and so the run, is the same for a
// seed however slowly the service answers.
void Traffic::Generate() {
  const auto start = std::chrono::steady_clock::now();
  for (int w = 0; w < plan_.waves; ++w) {
    queue_.Push(stream_.NextWave());
    ++waves_sent_;
    const auto next = start + plan_.wave_interval * (w + 1);
    if (!Sleep(std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now()))) break;
  }
  queue_.Close();
  // No new faults after the last wave: the sends still queued then make the host calls that
  // use up the faults already injected, and the drain that follows is fault-free.
  {
    std::lock_guard lock(mu_);
    faults_off_ = true;
  }
  cv_.notify_all();
}

void Traffic::SendLoop() {
  FluxSender sender(gate_);
  while (auto send = queue_.Pop()) {
    bool stopping = false;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    if (stopping || std::chrono::steady_clock::now() > plan_.deadline) {
      SendResult never;
      never.error = stopping ? "never sent: the run was aborted"
                             : "never sent: the run's deadline passed with this send still queued";
      ledger_.Add(*send, send->kind, never);
      ++never_sent_;
    } else {
      SendOne(sender, *send);
    }
    send->done->Set();
  }
}

void Traffic::SendOne(FluxSender& sender, Send& send) {
  if (send.after && !send.after->Wait(kAfterTimeout)) ++late_dependencies_;
  const Endpoint& to = endpoints_.at(send.route);
  if (send.kind == SendKind::kResendBeforePause) {
    // The sequence that locked the service up (issue 12): the same bytes again, then nothing
    // at all for longer than the lease renewal, the HTTP idle timeout and the backoff.
    gate_.Close();
    ledger_.Add(send, send.kind, sender.Post(to, send.body, send.controller, /*gated=*/false));
    Sleep(send.pause);
    gate_.Open();
    return;
  }
  const SendResult first = sender.Post(to, send.body, send.controller);
  ledger_.Add(send, send.kind, first);
  if (send.resend_at_once && first.acked) {
    ledger_.Add(send, SendKind::kResendAtOnce, sender.Post(to, send.body, send.controller));
  }
}

void Traffic::InjectFaults() {
  std::mt19937_64 rng(plan_.seed ^ 0x5eed0fa17ULL);
  while (true) {
    const auto gap = std::chrono::milliseconds(kFaultGapMinMs + static_cast<int>(rng() % kFaultGapSpreadMs));
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, gap, [this] { return faults_off_; })) return;
    const auto kind = rng() % 5;
    if (kind < 2) {
      // GitHub's secondary rate limit: 429 with Retry-After, for 1-3 calls.
      host_.RateLimitNext(1 + static_cast<int>(rng() % 3), 1 + static_cast<int>(rng() % 2));
      ++faults_.rate_limits;
    } else if (kind < 4) {
      static const int kStatuses[] = {500, 502, 503, 504};
      host_.FailNext(2 + static_cast<int>(rng() % 5), kStatuses[rng() % 4]);
      ++faults_.server_errors;
    } else {
      // A load balancer dropping a kept-alive connection after the host applied the POST: the
      // answer is lost, so the next send must look before it posts again.
      host_.DropConnectionAfterNextPosts(1);
      ++faults_.dropped_answers;
    }
  }
}

}  // namespace fluxstatus::soak
