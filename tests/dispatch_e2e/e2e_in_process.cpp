// The dispatcher wired in-process (e2e_support.h's InProcess), as app/serve_command.cpp wires it.
#include "tests/dispatch_e2e/e2e_support.h"

#include <future>
#include <stdexcept>

#include "core/flux_json.h"
#include "core/rfc3339.h"
#include "dispatch/provider_factory.h"
#include "dispatch/token_source.h"
#include "store/database.h"
#include "store/outbox.h"
#include "store/system_clock.h"
#include "tests/support/files.h"

namespace fluxstatus::dispatch_e2e {

namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class T>
T Await(std::future<T>& f, const char* what) {
  if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    throw std::runtime_error(std::string(what) + ": no commit within 20 s");
  }
  return f.get();
}

}  // namespace

InProcess::InProcess(FakeGitHost& host, std::vector<RouteSpec> routes, InProcessOptions options)
    : host_(host), db_path_(dir_.File("fluxstatus.db")) {
  std::vector<core::RouteProfile> profiles;
  std::vector<dispatch::DispatchRoute> dispatch_routes;
  for (const auto& spec : routes) {
    core::RouteProfile p;
    p.name = spec.name;
    p.repo = RepoFor(spec.kind);
    p.has_provider = spec.with_provider;
    profiles.push_back(p);
    specs_[spec.name] = spec;
    if (!spec.with_provider) continue;
    const std::string token_file = dir_.File(spec.name + ".token");
    testing::WriteFile(token_file, spec.token + "\n");
    dispatch::DispatchRoute d;
    d.name = spec.name;
    d.provider =
        dispatch::MakeProvider({spec.name, ProviderName(spec.kind), host.Address(spec.kind, RepoFor(spec.kind)), ""});
    d.tokens = std::make_shared<dispatch::FileTokenSource>(token_file, "");
    d.transport.timeout = options.transport_timeout;
    d.transport.connect_timeout = std::min(options.transport_timeout, std::chrono::milliseconds(2000));
    routes_[spec.name] = d;
    dispatch_routes.push_back(d);
  }
  const core::Clock& clock = options.clock ? *options.clock : store::SystemClock();
  writer_ = std::make_unique<store::EventWriter>(store::OpenForWriting(db_path_), core::RouteCatalog(profiles),
                                                 store::WriterOptions{}, clock);
  core::RetryPolicy policy;
  policy.max_attempts = options.max_attempts;
  policy.initial_backoff = options.initial_backoff;
  policy.max_backoff = options.max_backoff;
  dispatch::DispatcherOptions dopts;
  dopts.db_path = db_path_;
  dopts.workers = options.workers;
  dopts.policy = policy;
  dopts.poll = std::chrono::milliseconds(20);
  dopts.lease = options.lease;
  dopts.record_wait = options.record_wait;
  dopts.log_repeats_every = options.log_repeats_every;
  dispatcher_ = std::make_unique<dispatch::Dispatcher>(dopts, std::move(dispatch_routes), *writer_, metrics_, clock);
  writer_->SetCommitListener([d = dispatcher_.get()] { d->Wake(); });
  writer_->Start();
}

InProcess::~InProcess() {
  dispatcher_->Stop();
  writer_->Stop();
}

void InProcess::StartDispatcher() { dispatcher_->Start(); }

void InProcess::StopWriter() { writer_->Stop(); }

std::string InProcess::Repo(const std::string& route) const { return RepoFor(specs_.at(route).kind); }

store::AppendResult InProcess::Submit(const std::string& route, const Ev& ev) {
  const std::string body = EventJson(ev);
  auto parsed = core::ParseFluxEvent(body);
  if (const auto* err = std::get_if<core::ParseError>(&parsed))
    throw std::runtime_error("bad test event: " + err->message);
  store::IncomingEvent incoming{route, core::FormatRfc3339Millis(NowMs()), body, std::get<core::FluxEvent>(parsed)};
  auto done = std::make_shared<std::promise<store::WriteOutcome>>();
  auto committed = done->get_future();
  if (!writer_->Submit(std::move(incoming), [done](const store::WriteOutcome& o) { done->set_value(o); })) {
    throw std::runtime_error("the writer refused the event");
  }
  const store::WriteOutcome o = Await(committed, "Submit");
  if (!o.ok) throw std::runtime_error("the event was not committed: " + o.error);
  return o.result;
}

void InProcess::Record(store::DeliveryRecord record) {
  auto done = std::make_shared<std::promise<bool>>();
  auto committed = done->get_future();
  if (!writer_->SubmitDelivery(std::move(record), [done](const store::WriteOutcome& o) { done->set_value(o.ok); })) {
    throw std::runtime_error("the writer refused the delivery record");
  }
  if (!Await(committed, "Record")) throw std::runtime_error("the delivery record was not committed");
}

void InProcess::RecordForCurrentState(const std::string& route, const std::string& sha, const std::string& context,
                                      store::DeliveryRecord::Result result) {
  const auto row = Row(route, sha, context);
  store::DeliveryRecord step;
  step.key = row.key;
  step.sent_event_id = row.fold.event_id;
  step.sent_state = std::string(core::ToString(row.fold.state));
  step.sent_description = row.fold.description;
  step.result = result;
  Record(step);
}

store::StatusRow InProcess::Row(const std::string& route, const std::string& sha, const std::string& context) {
  auto db = store::OpenForReading(db_path_);
  store::Outbox outbox(*db);
  auto row = outbox.Load(core::StatusKey{route, Repo(route), sha, context});
  if (!row) throw std::runtime_error("no status row for " + route + " " + sha + " " + context);
  return *row;
}

void InProcess::PostDirectly(const std::string& route, const std::string& sha, const std::string& context,
                             const std::string& description_override) {
  const store::StatusRow row = Row(route, sha, context);
  const auto& r = routes_.at(route);
  dispatch::DesiredStatus desired{row.key, row.fold.state,
                                  description_override.empty() ? row.fold.description : description_override,
                                  row.fold.target_url};
  PostDesired(*r.provider, r.transport, specs_.at(route).token, desired);
}

}  // namespace fluxstatus::dispatch_e2e
