// `fluxstatus resync` against a Kubernetes API server (tests/support/fake_kube_api: HTTPS with
// a CA made at test time, a bearer token, pagination) serving Flux objects: what it appends,
// and what it must never append (issue 17's scenarios, one by one).
#include <boost/test/unit_test.hpp>

#include "tests/dispatch_e2e/resync_support.h"

namespace fluxstatus::dispatch_e2e {
namespace {

// Event times of e2e_support's Ev are seconds after this instant.
constexpr const char* kEvBase = "2026-11-24T10:";

std::string At(int minute) { return std::string(kEvBase) + (minute < 10 ? "0" : "") + std::to_string(minute) + ":00Z"; }

void Ingest(const ResyncWorld& world, const Ev& ev) {
  const auto file = world.dir.path() / "event.json";
  testing::WriteFile(file, EventJson(ev));
  const CliRun r = RunCli(world.dir.path(), {"ingest", "--route", "gh", file.string()});
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.out << r.err);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(resync_cli)

BOOST_AUTO_TEST_CASE(files_what_the_cluster_shows_once_and_a_second_resync_appends_nothing) {
  ResyncWorld world;
  world.WriteConfig();
  const std::string a = testing::Sha(1);
  world.Cluster({Applied(a, At(5))}, {Stored(a, At(4))});

  const CliRun dry = world.Resync({"--dry-run"});
  BOOST_TEST_REQUIRE(dry.exit_code == 0, dry.out << dry.err);
  BOOST_TEST(dry.out.find("would append") != std::string::npos, dry.out);
  BOOST_TEST(world.ResyncEvents() == 0);

  const CliRun first = world.Resync();
  BOOST_TEST_REQUIRE(first.exit_code == 0, first.out << first.err);
  BOOST_TEST(first.out.find("2 appended") != std::string::npos, first.out);
  BOOST_TEST(world.State(a, "kustomization/apps") == "success");
  BOOST_TEST(world.State(a, "gitrepository/flux-system") == "success");
  BOOST_TEST(world.ResyncEvents() == 2);
  // The synthesized event carries the condition's time, not the time resync ran.
  BOOST_TEST(QueryText(world.db_path(), "SELECT event_time FROM events WHERE kind = 'Kustomization'") ==
             "2026-11-24T10:05:00.000Z");

  const CliRun second = world.Resync();
  BOOST_TEST_REQUIRE(second.exit_code == 0, second.out << second.err);
  BOOST_TEST(second.out.find("0 appended, 2 unchanged") != std::string::npos, second.out);
  BOOST_TEST(QueryInt(world.db_path(), "SELECT count(*) FROM events") == 2);
}

BOOST_AUTO_TEST_CASE(never_overwrites_a_newer_event_but_a_newer_condition_overwrites_an_older_event) {
  ResyncWorld world;
  world.WriteConfig();
  const std::string a = testing::Sha(2);
  Ingest(world, Failed(a, 5 * 60));        // kustomization/apps failed at 10:05
  world.Cluster({Applied(a, At(3))}, {});  // the cluster's Ready=True is from 10:03

  // The dry run says why it leaves the key alone.
  const CliRun why = world.Resync({"--dry-run"});
  BOOST_TEST(why.out.find("an event as new or newer decided it") != std::string::npos, why.out);
  const CliRun stale = world.Resync();
  BOOST_TEST_REQUIRE(stale.exit_code == 0, stale.out << stale.err);
  BOOST_TEST(stale.out.find("1 older than a logged event") != std::string::npos, stale.out);
  BOOST_TEST(world.State(a, "kustomization/apps") == "failure");
  BOOST_TEST(world.ResyncEvents() == 0);

  world.Cluster({Applied(a, At(20))}, {});  // Flux retried and succeeded at 10:20
  const CliRun newer = world.Resync();
  BOOST_TEST_REQUIRE(newer.exit_code == 0, newer.out << newer.err);
  BOOST_TEST(world.State(a, "kustomization/apps") == "success");
  BOOST_TEST(world.ResyncEvents() == 1);
}

BOOST_AUTO_TEST_CASE(a_failed_new_revision_fails_while_the_applied_one_stays_success) {
  ResyncWorld world;
  world.WriteConfig();
  const std::string old_sha = testing::Sha(3), new_sha = testing::Sha(4);
  world.Cluster(
      {FailedAttempt(old_sha, new_sha, "ReconciliationFailed",
                     "Deployment/apps/web dry-run failed: spec.replicas: Invalid value: -1\nmore detail", At(30))},
      {});
  const CliRun r = world.Resync();
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(world.State(old_sha, "kustomization/apps") == "success");
  BOOST_TEST(world.State(new_sha, "kustomization/apps") == "failure");
  // The description reads as the event path writes it: the reason, then the message's first line.
  BOOST_TEST(
      QueryText(world.db_path(), "SELECT description FROM current_status WHERE commit_sha = '" + new_sha + "'") ==
      "reconciliation failed: Deployment/apps/web dry-run failed: spec.replicas: Invalid value: -1");
}

BOOST_AUTO_TEST_CASE(a_reconcile_in_progress_never_downgrades_a_stored_failure_to_pending) {
  ResyncWorld world;
  world.WriteConfig();
  const std::string applied = testing::Sha(5), failing = testing::Sha(6);
  Ingest(world, Failed(failing, 60));  // the new revision failed at 10:01; Flux retries it
  KustomizationSpec retrying = FailedAttempt(applied, failing, "Progressing", "Reconciliation in progress", At(9));
  retrying.ready = "Unknown";
  retrying.reconciling = true;
  world.Cluster({retrying}, {});
  const CliRun r = world.Resync();
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(r.out.find("1 pending kept back") != std::string::npos, r.out);
  BOOST_TEST(world.State(failing, "kustomization/apps") == "failure");
  BOOST_TEST(world.ResyncEvents() == 0);
}

BOOST_AUTO_TEST_CASE(skips_suspended_objects_and_kinds_whose_crd_is_absent) {
  ResyncWorld world;
  world.WriteConfig();
  const std::string a = testing::Sha(7), b = testing::Sha(8);
  KustomizationSpec paused = FailedAttempt(a, b, "HealthCheckFailed", "timeout", At(6));
  paused.name = "paused";
  paused.suspend = true;
  world.Cluster({Applied(a, At(5), "live"), paused}, {});
  const CliRun r = world.Resync();
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(r.out.find("HelmRelease: not installed") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("1 suspended") != std::string::npos, r.out);
  BOOST_TEST(world.State(a, "kustomization/live") == "success");
  BOOST_TEST(world.State(b, "kustomization/paused") == "<none>");
  BOOST_TEST(world.State(a, "kustomization/paused") == "<none>");
  const CliRun dry = world.Resync({"--dry-run"});
  BOOST_TEST(dry.out.find("Kustomization flux-system/paused") != std::string::npos, dry.out);
}

BOOST_AUTO_TEST_CASE(a_forbidden_list_names_the_permission_and_the_cluster_role_and_appends_nothing) {
  ResyncWorld world;
  world.WriteConfig();
  world.Cluster({Applied(testing::Sha(9), At(5))}, {});
  world.kube.Forbid("kustomizations");
  const CliRun r = world.Resync();
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(r.err.find("list kustomizations.kustomize.toolkit.fluxcd.io") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("fluxstatus-resync") != std::string::npos, r.err);
  BOOST_TEST(r.err.find(world.kube.token()) == std::string::npos, "the token leaked: " << r.err);
  BOOST_TEST(world.ResyncEvents() == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_context_lists_the_contexts_there_are) {
  ResyncWorld world;
  world.WriteConfig();
  const CliRun r = world.Resync({"--context", "prod"});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(r.err.find("prod") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("fake") != std::string::npos, r.err);
  // Named in fluxstatus.yaml, the same mistake is refused by check-config (and serve) at once,
  // not by every resync later.
  testing::WriteFile(world.dir.path() / "fluxstatus.yaml", world.Config() + "  context: prod\n");
  const CliRun check = RunCli(world.dir.path(), {"check-config"});
  BOOST_TEST(check.exit_code == 2, check.out << check.err);
  BOOST_TEST(check.err.find("kubernetes") != std::string::npos, check.err);
  BOOST_TEST(check.err.find("kubernetes.context") != std::string::npos, check.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
