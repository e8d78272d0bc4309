// The dispatch lease rule (lease_budget.h): a send starts only while the lease stays valid for
// its whole worst case (the in-flight record, the POST, the result's record), and a step that
// outlives its holder's lease changes nothing the new holder did.
#include <boost/test/unit_test.hpp>

#include <SQLiteCpp/Database.h>

#include <thread>

#include "dispatch/lease_budget.h"
#include "tests/dispatch_e2e/e2e_support.h"
#include "tests/support/manual_clock.h"

namespace fluxstatus::dispatch_e2e {
namespace {

using std::chrono::milliseconds;
const std::string kApps = "kustomization/apps";

void Exec(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  db.exec(sql);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(LeaseBudget)

BOOST_AUTO_TEST_CASE(each_action_needs_its_worst_case_and_the_default_ttl_covers_a_send_between_renewals) {
  const dispatch::StepTimeouts t{milliseconds(5000), milliseconds(15000)};
  BOOST_TEST(dispatch::LeaseNeededFor(dispatch::LeaseAction::kRecord, t).count() == 5000);
  BOOST_TEST(dispatch::LeaseNeededFor(dispatch::LeaseAction::kList, t).count() == 20000);
  BOOST_TEST(dispatch::LeaseNeededFor(dispatch::LeaseAction::kSend, t).count() == 25000);
  const auto ttl = dispatch::LeaseTtlFor(t, milliseconds(5000));
  BOOST_TEST(ttl.count() == 52500);
  BOOST_TEST(dispatch::LeaseUsableFor(ttl).count() == 35000);  // a send (25 s) + two renewal periods
  for (const auto& [record, call, renew] : {std::tuple{300, 1000, 200}, std::tuple{1, 1, 1}, std::tuple{7, 13, 29}}) {
    const dispatch::StepTimeouts small{milliseconds(record), milliseconds(call)};
    const auto usable = dispatch::LeaseUsableFor(dispatch::LeaseTtlFor(small, milliseconds(renew)));
    BOOST_TEST(usable >= dispatch::LeaseNeededFor(dispatch::LeaseAction::kSend, small) + 2 * milliseconds(renew));
  }
}

BOOST_AUTO_TEST_CASE(no_send_starts_once_the_lease_left_cannot_cover_it) {
  FakeGitHost host;
  testing::ManualClock clock;
  InProcessOptions options;
  options.transport_timeout = milliseconds(1000);
  options.record_wait = milliseconds(300);
  options.clock = &clock;
  // Taken once and renewed only after 60 s: usable for 2 s; a send needs 1.6 s of it.
  options.lease = dispatch::DispatcherOptions::Lease{"lease-test.example:1:0000000000000001", milliseconds(3000),
                                                     std::chrono::seconds(60)};
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  const std::string early = Sha(90), late = Sha(91);
  svc.StartDispatcher();
  svc.Submit("gh", Succeeded(early, 0));
  BOOST_TEST_REQUIRE(WaitAllSynced(svc.db_path(), 1));
  clock.Advance(milliseconds(700));  // 1.3 s of the lease left: under the 1.6 s a send needs
  svc.Submit("gh", Succeeded(late, 0));
  // The clock stands still: every scheduler turn from now on decides as the next one does.
  const auto polls = svc.dispatcher().polls();
  BOOST_TEST_REQUIRE(WaitUntil([&] { return svc.dispatcher().polls() >= polls + 5; }));
  BOOST_TEST(CountRequests(host, "POST", early) == 1);
  BOOST_TEST(CountRequests(host, "POST", late) == 0);
  BOOST_TEST(SyncState(svc.db_path(), late, kApps) == "pending");
  // The renewal is due: the lease is taken again and the waiting key is sent.
  clock.Advance(std::chrono::seconds(60));
  BOOST_TEST(WaitUntil([&] { return CountRequests(host, "POST", late) == 1; }));
}

BOOST_AUTO_TEST_CASE(a_step_that_outlives_its_lease_leaves_the_key_to_the_new_holder) {
  FakeGitHost host;
  InProcessOptions options;
  options.workers = 1;
  options.lease = dispatch::DispatcherOptions::Lease{"lease-test.example:1:0000000000000002", milliseconds(30000),
                                                     milliseconds(100)};
  InProcess svc(host, {{"gh", HostKind::kGitHub}}, options);
  svc.StartDispatcher();
  const std::string sha = Sha(92);
  host.SetDelay(milliseconds(1500));
  host.FailNext(1, 422);  // a permanent refusal, answered late
  svc.Submit("gh", Succeeded(sha, 0));
  BOOST_TEST_REQUIRE(WaitUntil([&] { return CountRequests(host, "POST") == 1; }));

  // Meanwhile the lease passes on (this process stalled past its expiry, say) and the new
  // holder syncs the key.
  Exec(svc.db_path(),
       "UPDATE dispatch_lease SET holder = 'other.example:2:00000000000000ff',"
       " expires_at_ms = strftime('%s', 'now') * 1000 + 600000");
  svc.RecordForCurrentState("gh", sha, kApps, store::DeliveryRecord::Result::kSynced);

  // The old holder's 422 arrives: its call is recorded, its verdict is not.
  BOOST_TEST_REQUIRE(WaitUntil([&] { return Outcomes(svc.db_path(), sha, kApps).size() == 1; }));
  std::this_thread::sleep_for(milliseconds(300));
  BOOST_TEST(Outcomes(svc.db_path(), sha, kApps) == std::vector<std::string>{"failed"});
  BOOST_TEST(QueryRows(svc.db_path(), "SELECT sync_state, attempts FROM current_status") ==
             (std::vector<Row>{{"synced", "0"}}));
  BOOST_TEST(CountRequests(host, "POST") == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::dispatch_e2e
