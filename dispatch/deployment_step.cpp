#include "dispatch/deployment_step.h"

#include "core/deployment_fold.h"
#include "core/sync_state.h"
#include "dispatch/gitlab_deployments.h"

namespace fluxstatus::dispatch {
namespace {

using Result = store::DeliveryRecord::Result;
using core::DeploymentState;

// A deployment the step knows, and what the host shows it in (when the host said).
struct Known {
  std::string id;
  std::optional<DeploymentState> state;
  bool stored = false;  // the id came from the row, not from this step
};

class Step {
 public:
  Step(const store::StatusRow& row, const DeploymentProvider& provider, const DesiredDeployment& desired,
       StepEnvironment& env)
      : row_(row), provider_(provider), desired_(desired), env_(env), rec_(row, env) {}

  StepResult Run() {
    const auto& sync = row_.sync;
    const bool has_id = sync.host_object_id && !sync.host_object_id->empty();
    if (has_id && sync.synced_state == rec_.record().sent_state) {
      // The host confirmed this state on this deployment: a new description alone is no new
      // deployment status. Nor is a replay's check (in flight): GitHub has no current state to
      // read back (its status list has no documented order), and posting the state again would
      // add a duplicate to the deployment's history and re-run auto_inactive. A post whose
      // answer was lost cleared the confirmation when it was recorded as sending (PostState),
      // so whatever the host shows after it, the wanted state is posted again.
      return rec_.Finish(Result::kSynced, "");
    }
    std::optional<Known> known;
    if (has_id) known = Known{*sync.host_object_id, std::nullopt, true};
    // At most two rounds: a deployment that refuses the state (finished, or gone) is forgotten
    // once, and the commit's deployment is found or created again.
    for (int round = 0; round < 2; ++round) {
      if (!known) {
        known = FindOrCreate();
        if (!known) return rec_.result();  // recorded: a retry, a failure or the lease
      }
      rec_.record().host_object_id = known->id;
      if (known->state == desired_.state) return rec_.Finish(Result::kSynced, "");
      const auto posted = PostState(known->id);
      if (!posted) return rec_.result();
      const SendOutcome& o = *posted;
      const CallError error{o.http_status, o.error};
      const bool gone = known->stored && o.http_status == 404;
      switch (o.kind) {
        case OutcomeKind::kSynced: return rec_.Finish(Result::kSynced, "");
        case OutcomeKind::kRetry: return rec_.Retry(error, o.retry_after, false);
        case OutcomeKind::kReconcile: break;
        case OutcomeKind::kPermanent:
          if (!gone) return rec_.Fail(error);
          break;
      }
      if (round == 1) return rec_.Fail(error);
      rec_.record().host_object_id = "";  // finished or deleted: this commit needs another
      known.reset();
    }
    return rec_.result();  // not reached: round 1 returns
  }

 private:
  std::optional<Known> FindOrCreate() {
    auto found = Find();
    if (!found) return std::nullopt;
    if (!found->id.empty()) return found;
    return Create();
  }

  // The commit's deployment to the environment: an empty id when the host has none (or only a
  // finished one that cannot go back to running); nullopt when the step ends here (recorded).
  std::optional<Known> Find() {
    for (int page = 1; page <= kMaxListPages; ++page) {
      const auto read = [&](const HttpReply& reply) {
        return provider_.InterpretFind(reply, desired_, env_.now_ms() / 1000);
      };
      const auto found =
          rec_.ReadPage(provider_.BuildFind(desired_, env_.credentials, page), read, "finding the deployment failed: ");
      if (!found) return std::nullopt;
      const auto& f = *found;
      if (f.id) return Known{*f.id, f.state, false};
      if (!f.more_pages) break;
    }
    return Known{};
  }

  // Creates the deployment, recording the send before it and the new id right after it.
  std::optional<Known> Create() {
    if (!rec_.Covered(LeaseAction::kSend) || !rec_.SendingRecorded()) return std::nullopt;
    std::chrono::milliseconds took{0};
    const auto reply = rec_.Exchange(provider_.BuildCreate(desired_, env_.credentials), took);
    if (!reply) return std::nullopt;
    const auto c = provider_.InterpretCreate(*reply, env_.now_ms() / 1000);
    rec_.Note(c.outcome);
    rec_.Attempt(c.outcome.http_status, c.id ? store::kOutcomeCreated : OutcomeName(c.outcome.kind), c.outcome.error,
                 took);
    if (c.outcome.kind == OutcomeKind::kReconcile) {
      // Created, perhaps, but without a readable id: the next try finds it rather than create.
      rec_.Retry({c.outcome.http_status, c.outcome.error}, c.outcome.retry_after, true);
      return std::nullopt;
    }
    if (!rec_.Accepted(c.outcome, "")) return std::nullopt;
    if (!c.id) {  // the interface rules this out; should it happen, find it next time
      rec_.Retry({c.outcome.http_status, "the host created a deployment without an id"}, std::nullopt, true);
      return std::nullopt;
    }
    rec_.record().host_object_id = *c.id;
    // Failing this leaves the key in flight without the id: the next step finds the deployment.
    rec_.PersistSending();
    SetExternalUrl();
    return Known{*c.id, c.state, false};
  }

  // GitLab keeps an environment's link on the environment, not on the deployment (4.6): set
  // it once the create made the environment. Best effort: the calls are delivery_attempts rows
  // like any other, but a refusal (a Developer may update only environments it created, a
  // protected environment refuses) or no answer never holds back the deployment's state.
  void SetExternalUrl() {
    const auto* gitlab = dynamic_cast<const GitLabDeployments*>(&provider_);
    if (!gitlab || desired_.environment_url.empty() || !env_.lease_covers(LeaseAction::kSend)) return;
    const TransportResult listed = rec_.Call(gitlab->BuildFindEnvironment(desired_, env_.credentials));
    if (!listed.reply) return rec_.Attempt(std::nullopt, "transport_error", listed.error, listed.duration);
    const auto env = gitlab->InterpretFindEnvironment(*listed.reply, desired_, env_.now_ms() / 1000);
    rec_.Note(env.outcome);
    const bool read = env.outcome.kind == OutcomeKind::kSynced;
    rec_.Attempt(env.outcome.http_status, read ? "listed" : "list_failed", env.outcome.error, listed.duration);
    if (!read || !env.id || env.external_url == desired_.environment_url) return;
    if (!env_.lease_covers(LeaseAction::kSend)) return;
    const TransportResult set = rec_.Call(gitlab->BuildSetExternalUrl(*env.id, desired_, env_.credentials));
    if (!set.reply) return rec_.Attempt(std::nullopt, "transport_error", set.error, set.duration);
    const SendOutcome o = gitlab->InterpretSetExternalUrl(*set.reply, env_.now_ms() / 1000);
    rec_.Note(o);
    rec_.Attempt(o.http_status, OutcomeName(o.kind), o.error, set.duration);
  }

  // The state post's answer; nullopt when the step ends here (recorded).
  std::optional<SendOutcome> PostState(const std::string& id) {
    return rec_.Write(provider_.BuildState(id, desired_, env_.credentials),
                      [&](const HttpReply& reply) { return provider_.InterpretState(reply, env_.now_ms() / 1000); });
  }

  const store::StatusRow& row_;
  const DeploymentProvider& provider_;
  const DesiredDeployment& desired_;
  StepEnvironment& env_;
  StepRecorder rec_;
};

}  // namespace

DesiredDeployment DesiredDeploymentOf(const store::StatusRow& row, const core::DeploymentSpec& spec,
                                      std::string_view cluster, const std::optional<std::string>& revision) {
  DesiredDeployment d;
  d.commit_sha = row.key.commit_sha;
  d.environment = std::string(core::EnvironmentOfContext(row.key.context));
  const auto branch = revision ? core::BranchOfRevision(*revision) : std::nullopt;
  d.ref = branch.value_or(row.key.commit_sha);
  d.state = core::DeploymentStateOf(row.fold.state);
  d.description = row.fold.description;
  const core::DeploymentPlaceholders values{cluster, row.key.route, row.key.commit_sha, d.environment};
  d.environment_url = core::RenderDeploymentTemplate(spec.environment_url, values);
  d.log_url = core::RenderDeploymentTemplate(spec.log_url, values);
  d.production = spec.production;
  d.transient = spec.transient;
  return d;
}

StepResult RunDeploymentStep(const store::StatusRow& row, const DeploymentProvider& provider,
                             const DesiredDeployment& desired, StepEnvironment& env) {
  return Step(row, provider, desired, env).Run();
}

}  // namespace fluxstatus::dispatch
