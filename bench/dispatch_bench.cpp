// Dispatch against the loopback fake Git host (tests/support/fake_git_host, GitHub API, plain
// HTTP), wired as `serve` wires it: the writer, the dispatcher with its default poll and
// batch, a route with a provider. Measures, with the host answering after DELAY_MS:
//   statuses/s: KEYS pending keys (one state change each) until all are synced;
//   API calls per state change: the same KEYS keys move pending -> success;
//   API calls per duplicate: KEYS repeat reconciles (same state and description, new body)
//     plus KEYS byte-identical resends, then 1 s of quiet;
//   connections per host: distinct client ip:port pairs seen by the host (new TCP
//     connections; the fake host is HTTP only, so these are not TLS handshakes), and the
//     POSTs of passes 1 and 2: each POST opens its own (a write is never re-sent by libcurl on
//     a reused connection), reads reuse them.
// Usage: bench_dispatch DELAY_MS KEYS [WORKERS]. Prints one JSON object.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench/bench_events.h"
#include "core/compact_json.h"
#include "core/flux_json.h"
#include "core/rfc3339.h"
#include "dispatch/dispatch_metrics.h"
#include "dispatch/dispatcher.h"
#include "dispatch/http_transport.h"
#include "dispatch/provider_factory.h"
#include "dispatch/token_source.h"
#include "store/database.h"
#include "store/event_writer.h"
#include "store/outbox.h"
#include "store/system_clock.h"
#include "tests/support/fake_git_host.h"

using namespace fluxstatus;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kRepo = "acme/app";
constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";

// A Kustomization event for key `i` (its own context) on one commit.
std::string Event(int i, const char* reason, const std::string& message, int at) {
  char time[32];
  std::snprintf(time, sizeof time, "2026-11-24T10:%02d:%02dZ", at / 60 % 60, at % 60);
  const std::string name = "app-" + std::to_string(i);
  const std::string revision = std::string("main@sha1:") + kSha;
  return bench::KustomizationEvent(name.c_str(), "info", reason, message.c_str(), time, revision.c_str());
}

void SubmitAll(store::EventWriter& writer, const std::vector<std::string>& bodies) {
  std::vector<std::future<store::WriteOutcome>> done;
  for (const auto& body : bodies) {
    auto parsed = core::ParseFluxEvent(body);
    if (std::holds_alternative<core::ParseError>(parsed)) throw std::runtime_error("bad bench event: " + body);
    auto promise = std::make_shared<std::promise<store::WriteOutcome>>();
    done.push_back(promise->get_future());
    store::IncomingEvent e{"bench", core::FormatRfc3339Millis(store::SystemClock().NowMs()), body,
                           std::get<core::FluxEvent>(parsed)};
    while (!writer.Submit(e, [promise](const store::WriteOutcome& o) { promise->set_value(o); })) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  for (auto& f : done) {
    if (!f.get().ok) throw std::runtime_error("an event was not committed");
  }
}

// Waits until every key is synced; returns the seconds it took. Each phase submits its events
// (and waits for their commit) first, so a key synced here has its newest state on the host.
double WaitSynced(const std::string& db, int keys, Clock::time_point since) {
  const auto give_up = Clock::now() + std::chrono::minutes(5);
  auto conn = store::OpenForReading(db);
  store::Outbox outbox(*conn);
  while (outbox.CountBySyncState()["synced"] < keys) {
    if (Clock::now() > give_up) throw std::runtime_error("statuses did not sync within 5 minutes");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The bench route: GitHub statuses on the fake host, with a provider.
core::RouteProfile BenchProfile() {
  core::RouteProfile profile;
  profile.name = "bench";
  profile.repo = kRepo;
  profile.has_provider = true;
  return profile;
}

dispatch::DispatchRoute BenchRoute(const testing::FakeGitHost& host, const std::string& token_file) {
  dispatch::DispatchRoute route;
  route.name = "bench";
  route.provider = dispatch::MakeProvider({"bench", "github", host.Address(testing::HostKind::kGitHub, kRepo), ""});
  route.tokens = std::make_shared<dispatch::FileTokenSource>(token_file, "");
  return route;
}

// Adds the requests' client connections and POSTs to the running counts.
template <class Requests>
void Tally(const Requests& requests, std::set<std::string>& connections, std::size_t& posts) {
  for (const auto& r : requests) {
    connections.insert(r.remote);
    posts += r.method == "POST" ? 1 : 0;
  }
}

// What one run measured.
struct Figures {
  int delay_ms = 0;
  int workers = 0;
  int keys = 0;
  double seconds = 0;  // pass 1, until every key was synced
  std::size_t first_pass_calls = 0;
  std::size_t change_calls = 0;
  std::size_t duplicate_calls = 0;
  std::size_t connections = 0;
  std::size_t posts = 0;
};

// `x` to `places` decimals, as the figures are reported.
double Rounded(double x, int places) {
  const double scale = std::pow(10.0, places);
  return std::round(x * scale) / scale;
}

// The figures as the one JSON object bench/run.py reads, ratios rounded as reported.
std::string FiguresJson(const Figures& f) {
  const double ideal = f.delay_ms > 0 ? f.workers / (f.delay_ms / 1000.0) : 0.0;
  return core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("delay_ms", f.delay_ms), cereal::make_nvp("workers", f.workers),
       cereal::make_nvp("keys", f.keys), cereal::make_nvp("seconds", Rounded(f.seconds, 3)),
       cereal::make_nvp("statuses_per_s", Rounded(f.seconds > 0 ? f.keys / f.seconds : 0.0, 1)),
       cereal::make_nvp("ideal_per_s", Rounded(ideal, 1)), cereal::make_nvp("first_pass_calls", f.first_pass_calls),
       cereal::make_nvp("calls_per_change", Rounded(static_cast<double>(f.change_calls) / f.keys, 3)),
       cereal::make_nvp("calls_per_duplicate", Rounded(static_cast<double>(f.duplicate_calls) / (2.0 * f.keys), 3)),
       cereal::make_nvp("connections", f.connections), cereal::make_nvp("posts", f.posts));
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_dispatch DELAY_MS KEYS [WORKERS]\n";
    return 2;
  }
  const int delay_ms = std::stoi(argv[1]);
  const int keys = std::stoi(argv[2]);
  const int workers = argc > 3 ? std::stoi(argv[3]) : 4;
  dispatch::InitCurlGlobal();

  const auto dir = std::filesystem::temp_directory_path() / ("fluxstatus-bench-dispatch-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "bench.db").string();
  const std::string token_file = (dir / "token").string();
  std::ofstream(token_file) << "t0ken\n";

  testing::FakeGitHost::Options host_options;
  host_options.token = "t0ken";
  host_options.threads = 2;
  testing::FakeGitHost host(host_options);
  host.SetDelay(std::chrono::milliseconds(delay_ms));

  const core::RouteProfile profile = BenchProfile();
  const dispatch::DispatchRoute route = BenchRoute(host, token_file);
  store::EventWriter writer(store::OpenForWriting(db), core::RouteCatalog({profile}), store::WriterOptions{});
  dispatch::DispatchMetrics metrics;
  dispatch::DispatcherOptions options;  // the service's defaults but the worker count
  options.db_path = db;
  options.workers = workers;
  dispatch::Dispatcher dispatcher(options, {route}, writer, metrics);
  writer.SetCommitListener([&dispatcher] { dispatcher.Wake(); });
  writer.Start();

  // 1. Throughput: every key pending before the dispatcher starts.
  std::vector<std::string> bodies;
  for (int i = 0; i < keys; ++i) bodies.push_back(Event(i, "Progressing", "Applying revision", 0));
  SubmitAll(writer, bodies);
  const auto start = Clock::now();
  dispatcher.Start();
  const double seconds = WaitSynced(db, keys, start);
  const auto first = host.Requests();
  std::set<std::string> connections;
  std::size_t posts = 0;
  Tally(first, connections, posts);

  // 2. API calls per state change: pending -> success for every key.
  host.ClearRequests();
  bodies.clear();
  for (int i = 0; i < keys; ++i) bodies.push_back(Event(i, "ReconciliationSucceeded", "Reconciliation finished", 60));
  SubmitAll(writer, bodies);
  WaitSynced(db, keys, Clock::now());
  const auto change_calls = host.Requests().size();
  Tally(host.Requests(), connections, posts);

  // 3. Duplicates: a repeat reconcile per key (new body, same state and description) and a
  // byte-identical resend of each; then the dispatcher gets 10 of its polls to (not) act.
  host.ClearRequests();
  std::vector<std::string> repeats;
  for (int i = 0; i < keys; ++i)
    repeats.push_back(Event(i, "ReconciliationSucceeded", "Reconciliation finished again", 660));
  SubmitAll(writer, repeats);
  SubmitAll(writer, bodies);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto duplicate_calls = host.Requests().size();

  dispatcher.Stop();
  writer.Stop();
  std::filesystem::remove_all(dir);
  std::cout << FiguresJson({delay_ms, workers, keys, seconds, first.size(), change_calls, duplicate_calls,
                            connections.size(), posts})
            << "\n";
  return 0;
}
