#include "tests/soak/resync_cluster.h"

#include <curl/curl.h>

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <random>
#include <set>
#include <sstream>

#include "tests/support/sql.h"
#include "tests/support/wait_until.h"

namespace fluxstatus::soak {
namespace {

using testing::Applied;
using testing::FailedAttempt;
using testing::KustomizationSpec;

constexpr std::chrono::seconds kShowTimeout{60};  // a state must show in the log within this

std::string Hex40(std::mt19937_64& rng) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 40; ++i) s += kDigits[rng() % 16];
  return s;
}

std::string Rfc3339(std::int64_t epoch_s) {
  const std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return out.str();
}

// "2026-11-24T10:02:14.000Z" (the views' event_time) -> seconds since the epoch.
std::int64_t EpochOf(const std::string& event_time) {
  std::tm tm{};
  std::istringstream in(event_time.substr(0, 19));
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  return static_cast<std::int64_t>(timegm(&tm));
}

KustomizationSpec Named(KustomizationSpec spec, const std::string& name, bool suspend = false) {
  spec.name = name;
  spec.suspend = suspend;
  return spec;
}

KustomizationSpec Failing(const std::string& applied, const std::string& attempted, const std::string& name,
                          const std::string& at) {
  return Named(FailedAttempt(applied, attempted, "HealthCheckFailed",
                             "health check failed after 5m0s: timeout waiting for: [Deployment/" + name +
                                 "/app status: 'InProgress']",
                             at),
               name);
}

// Mid-reconcile: Ready=Unknown, Reconciling=True, `attempted` fetched while `applied` runs.
KustomizationSpec Reconciling(const std::string& applied, const std::string& attempted, const std::string& name,
                              const std::string& at) {
  KustomizationSpec k = Applied(applied, at, name);
  k.ready = "Unknown";
  k.reason = "Progressing";
  k.message = "Reconciliation in progress";
  k.attempted_sha = attempted;
  k.reconciling = true;
  return k;
}

ClusterStatus Status(const std::string& commit, const std::string& name, const char* state) {
  return ClusterStatus{commit, "kustomization/" + name, state};
}

// The sum of fluxstatus_resync_errors_total over its reasons in a /metrics page; -1 without one.
double ErrorCount(const std::string& page) {
  static const std::string kName = "fluxstatus_resync_errors_total{";
  std::istringstream lines(page);
  double sum = -1;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(kName, 0) != 0) continue;
    sum = std::max(sum, 0.0) + std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

std::string Get(const std::string& url) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return {};
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, std::size_t s, std::size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, s * n);
        return s * n;
      });
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status == 200 ? body : std::string();
}

}  // namespace

ResyncCluster::ResyncCluster(std::uint64_t seed, const std::filesystem::path& dir)
    : kube_([] {
        testing::FakeKubeApi::Options o;
        o.token = std::string(kTokenPrefix) + "1";
        return o;
      }()),
      kubeconfig_(dir / "kubeconfig") {
  options_.token_as_file = true;  // re-read at every resync, as a pod's bound token
  kube_.WriteKubeconfig(kubeconfig_, options_);
  BuildStory(seed);
  Serve(story_.front().lost);
  served_ = 1;
}

ResyncCluster::~ResyncCluster() { Finish(); }

// The states the lost objects go through and what each must make resync append (flux-objects.md
// §3): K9 Ready=True -> the applied commit succeeds; K7 a failed new revision -> the attempted
// commit fails while the applied one keeps its success; K8 mid-reconcile -> a new attempted
// commit is pending, but a pending never downgrades a stored failure; K2 suspended -> nothing.
void ResyncCluster::BuildStory(std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x6b756265ULL);
  std::vector<std::string> w, p;
  for (int i = 0; i < 3; ++i) {
    w.push_back(Hex40(rng));
    p.push_back(Hex40(rng));
    suspended_.push_back(Hex40(rng));
  }
  source_sha_ = Hex40(rng);
  const std::int64_t base = static_cast<std::int64_t>(std::time(nullptr)) - 3600;
  const auto t = [base](int k) { return Rfc3339(base + 600 * k); };
  const std::string web = "lost-web", api = "lost-api", batch = "lost-batch";
  story_.push_back(
      {{Applied(w[0], t(0), web), Applied(p[0], t(0), api), Named(Applied(suspended_[0], t(0)), batch, true)},
       {Status(w[0], web, "success"), Status(p[0], api, "success")},
       0.0});
  story_.push_back({{Applied(w[1], t(1), web), Failing(p[0], p[1], api, t(1)),
                     Named(Failing(suspended_[0], suspended_[1], batch, t(1)), batch, true)},
                    {Status(w[1], web, "success"), Status(p[1], api, "failure")},
                    0.20});
  story_.push_back(
      {{Failing(w[1], w[2], web, t(2)), Applied(p[1], t(2), api), Named(Applied(suspended_[2], t(2)), batch, true)},
       {Status(w[2], web, "failure"), Status(p[1], api, "success")},
       0.55});
  story_.push_back({{Reconciling(w[1], w[2], web, t(3)), Reconciling(p[1], p[2], api, t(3)),
                     Named(Applied(suspended_[2], t(2)), batch, true)},
                    {Status(p[2], api, "pending")},
                    0.75});
}

std::string ResyncCluster::KubernetesYaml() const {
  return "kubernetes:\n  kubeconfig: " + kubeconfig_.string() +
         "\n  resync_interval: " + std::to_string(kInterval.count()) + "s\n";
}

void ResyncCluster::Serve(const std::vector<KustomizationSpec>& lost) {
  std::vector<KustomizationSpec> all = lost;
  {
    std::lock_guard lock(mu_);
    all.insert(all.end(), shadow_specs_.begin(), shadow_specs_.end());
  }
  testing::ServeFluxObjects(kube_, all, {testing::Stored(source_sha_)});
}

void ResyncCluster::Start(const std::string& db, const std::string& metrics_url, std::chrono::seconds duration) {
  start_ = std::chrono::steady_clock::now();
  player_ = std::thread([this, db, duration] { Play(db, duration); });
  reader_ = std::thread([this, metrics_url] { ReadMetrics(metrics_url); });
}

void ResyncCluster::Finish() {
  if (player_.joinable()) player_.join();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  if (reader_.joinable()) reader_.join();
}

void ResyncCluster::Play(const std::string& db, std::chrono::seconds duration) {
  const auto at = [&](double fraction) {
    std::this_thread::sleep_until(start_ + std::chrono::duration_cast<std::chrono::milliseconds>(duration * fraction));
  };
  bool shadowed = false, rotated = false;
  for (std::size_t i = 1; i <= story_.size(); ++i) {
    if (!WaitShown(db, story_[i - 1].appends)) {
      Problem("state " + std::to_string(i - 1) + " of the cluster did not show in current_status");
    }
    if (i == story_.size()) break;
    if (!shadowed && story_[i].at > 0.35) {
      at(0.35);
      AddShadows(db);
      shadowed = true;
    }
    if (!rotated && story_[i].at > 0.45) {
      at(0.45);
      RotateToken();
      rotated = true;
    }
    at(story_[i].at);
    Serve(story_[i].lost);
    std::lock_guard lock(mu_);
    ++served_;
  }
}

bool ResyncCluster::WaitShown(const std::string& db, const std::vector<ClusterStatus>& statuses) {
  return testing::WaitUntil(
      [&] {
        for (const auto& s : statuses) {
          const auto rows =
              testing::QueryRows(db, "SELECT state FROM current_status WHERE route = '" + std::string(kRoute) +
                                         "' AND commit_sha = '" + s.commit + "' AND context = '" + s.context + "'");
          if (rows.empty() || rows[0][0] != s.state) return false;
        }
        return true;
      },
      kShowTimeout, std::chrono::milliseconds(200));
}

// The oldest settled key of two stream Kustomizations: the stream sent all its events long ago.
// Its shadow shows the other state, 60 s before the stream's newest event of the key.
void ResyncCluster::AddShadows(const std::string& db) {
  const auto rows = testing::QueryRows(
      db, "SELECT commit_sha, context, state, event_time FROM current_status WHERE route = '" + std::string(kRoute) +
              "' AND context LIKE 'kustomization/%' AND context NOT LIKE 'kustomization/lost-%'"
              " AND state IN ('success', 'failure') ORDER BY event_time, context");
  std::set<std::string> contexts;
  std::vector<KustomizationSpec> specs;
  std::vector<Shadow> shadows;
  for (const auto& r : rows) {
    if (contexts.size() == 2) break;
    if (!contexts.insert(r[1]).second) continue;
    const std::string name = r[1].substr(std::string("kustomization/").size());
    const std::string at = Rfc3339(EpochOf(r[3]) - 60);
    const bool succeeded = r[2] == "success";
    specs.push_back(succeeded ? Failing(r[0], r[0], name, at) : Applied(r[0], at, name));
    shadows.push_back(Shadow{ClusterStatus{r[0], r[1], r[2]}, succeeded ? "failure" : "success", at});
  }
  if (shadows.size() < 2) Problem("shadows: only " + std::to_string(shadows.size()) + " settled stream key(s) at 35 %");
  std::vector<KustomizationSpec> lost;
  {
    std::lock_guard lock(mu_);
    shadow_specs_ = specs;
    shadows_ = shadows;
    lost = story_[static_cast<std::size_t>(served_ - 1)].lost;
  }
  Serve(lost);
}

// The server refuses the old token at once; the file gets the new one only after two intervals,
// so at least one resync fails in between (401) and the ones after it must read the new file.
void ResyncCluster::RotateToken() {
  const auto since = [this] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  };
  {
    std::lock_guard lock(mu_);
    rotation_from_ = since();
  }
  kube_.SetToken(std::string(kTokenPrefix) + "2");
  std::this_thread::sleep_for(kInterval * 2 + std::chrono::seconds(1));
  kube_.WriteKubeconfig(kubeconfig_, options_);
  std::lock_guard lock(mu_);
  // A resync that read the old file just before may still fail, and its count shows at the
  // next read of /metrics.
  rotation_to_ = since() + static_cast<double>(kInterval.count()) + 3;
}

void ResyncCluster::ReadMetrics(const std::string& url) {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    const double count = ErrorCount(Get(url));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (count >= 0) {
      std::lock_guard lock(mu_);
      samples_.emplace_back(seconds, count);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void ResyncCluster::Problem(const std::string& what) {
  std::lock_guard lock(mu_);
  problems_.push_back(what + " (within " + std::to_string(kShowTimeout.count()) + " s)");
}

std::vector<ClusterStatus> ResyncCluster::Appends() const {
  std::vector<ClusterStatus> all;
  for (const auto& s : story_) all.insert(all.end(), s.appends.begin(), s.appends.end());
  return all;
}

std::vector<ClusterStatus> ResyncCluster::Expected() const {
  std::vector<ClusterStatus> last;
  for (const auto& a : Appends()) {
    const auto it = std::find_if(last.begin(), last.end(),
                                 [&a](const auto& l) { return l.commit == a.commit && l.context == a.context; });
    if (it == last.end())
      last.push_back(a);
    else
      *it = a;
  }
  return last;
}

std::vector<Shadow> ResyncCluster::shadows() const {
  std::lock_guard lock(mu_);
  return shadows_;
}

// The counter restarts at 0 with serve: a drop is a new process, whose whole count is new.
std::vector<ErrorRise> ResyncCluster::error_rises() const {
  std::lock_guard lock(mu_);
  std::vector<ErrorRise> rises;
  double before = 0;
  for (const auto& [seconds, count] : samples_) {
    const double by = count >= before ? count - before : count;
    before = count;
    if (by <= 0) continue;
    rises.push_back(ErrorRise{seconds, by, seconds >= rotation_from_ && seconds <= rotation_to_});
  }
  return rises;
}

std::vector<std::string> ResyncCluster::problems() const {
  std::lock_guard lock(mu_);
  auto all = problems_;
  if (rotation_from_ < 0) all.push_back("the token rotation did not happen");
  return all;
}

int ResyncCluster::states_served() const {
  std::lock_guard lock(mu_);
  return served_;
}

}  // namespace fluxstatus::soak
