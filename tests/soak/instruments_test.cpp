// The soak test's own instruments, checked quickly and on their own: the stream is shaped like
// Flux's wire bodies, the signature is Flux's, the reference fold reads the contract right, and
// the plan has the mix of resends and out-of-order sends the soak claims.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "tests/soak/flux_sender.h"
#include "tests/soak/flux_stream.h"
#include "tests/soak/reference_fold.h"
#include "tests/support/files.h"

namespace fluxstatus::soak {
namespace {

const std::string kFixture =
    std::string(FLUXSTATUS_SOAK_FIXTURES) + "/02-forwarded-kustomization-reconciliation-succeeded.json";

// The member names of an object, in document order.
std::vector<std::string> Keys(const rapidjson::Value& v) {
  std::vector<std::string> keys;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) keys.emplace_back(it->name.GetString());
  return keys;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos, "'" << from << "' is not in the fixture");
  return s.replace(at, from.size(), to);
}

std::vector<Send> Waves(std::uint64_t seed, int n) {
  FluxStream stream(seed, {"a", "b"});
  std::vector<Send> all;
  for (int i = 0; i < n; ++i) {
    auto wave = stream.NextWave();
    all.insert(all.end(), wave.begin(), wave.end());
  }
  return all;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(soak_instruments)

BOOST_AUTO_TEST_CASE(signature_matches_what_fluxs_generic_hmac_provider_sends) {
  // The X-Signature tabled for this sample in flux-notification-controller.md §8.
  BOOST_TEST(Signature("fluxstatus-test-hmac-key", testing::ReadFile(kFixture)) ==
             "sha256=625b5e3631ed2b207da36c7f3a2a208428d0b5fd4098e9a59031d802dfc369e2");
}

BOOST_AUTO_TEST_CASE(generated_bodies_have_the_field_order_of_a_forwarded_flux_event) {
  rapidjson::Document flux;
  flux.Parse(testing::ReadFile(kFixture).c_str());
  FluxStream stream(7, {"a"});
  const auto wave = stream.NextWave();
  const auto success = std::find_if(wave.begin(), wave.end(), [](const Send& s) {
    return s.body.find("\"kind\":\"Kustomization\"") != std::string::npos &&
           s.body.find("ReconciliationSucceeded") != std::string::npos;
  });
  BOOST_TEST_REQUIRE((success != wave.end()), "the wave has no Kustomization success");
  rapidjson::Document ours;
  ours.Parse(success->body.c_str());
  BOOST_TEST_REQUIRE(!ours.HasParseError());
  BOOST_TEST(Keys(ours) == Keys(flux), boost::test_tools::per_element());
  BOOST_TEST(Keys(ours["involvedObject"]) == Keys(flux["involvedObject"]), boost::test_tools::per_element());
  BOOST_TEST(Keys(ours["metadata"]) == Keys(flux["metadata"]), boost::test_tools::per_element());
  BOOST_TEST(success->body.back() == '}');  // compact, no trailing newline
  BOOST_TEST(success->body.find(": ") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reference_fold_derives_commit_context_and_state_as_the_contract_says) {
  const std::string body = testing::ReadFile(kFixture);
  const Derived d = Derive(body, "");
  BOOST_TEST(d.commit == "69fdd6276a37f5e42af7f0405a21703b605543d0");
  BOOST_TEST(d.context == "kustomization/apps");
  BOOST_TEST(d.state == "success");
  BOOST_TEST(d.description == "reconciliation succeeded");
  BOOST_TEST(d.event_time == "2026-11-24T09:17:31.000Z");
  BOOST_TEST(Derive(body, "eu1").context == "kustomization/apps/eu1");

  const std::string failed =
      Replace(Replace(Replace(body, "\"info\"", "\"error\""), "ReconciliationSucceeded", "HealthCheckFailed"),
              "Reconciliation finished", "timeout waiting for: [Deployment/apps/web]\\nmore");
  BOOST_TEST(Derive(failed, "").state == "failure");
  BOOST_TEST(Derive(failed, "").description == "health check failed: timeout waiting for: [Deployment/apps/web]");
}

BOOST_AUTO_TEST_CASE(reference_fold_keeps_the_newest_event_whatever_the_arrival_order) {
  const std::string newer = testing::ReadFile(kFixture);
  const std::string older = Replace(Replace(newer, "09:17:31Z", "09:17:01Z"), "ReconciliationSucceeded", "Progressing");
  for (const auto& log :
       {std::vector<RouteBody>{{"r", older}, {"r", newer}}, std::vector<RouteBody>{{"r", newer}, {"r", older}}}) {
    const ReferenceFold fold = Fold(log, {{"r", ""}});
    BOOST_TEST_REQUIRE(fold.keys.size() == 1u);
    BOOST_TEST(fold.keys.begin()->second.winner.state == "success");
    BOOST_TEST(fold.keys.begin()->second.events == 2);
  }
  BOOST_TEST(CountOutOfOrder({{"r", older}, {"r", newer}}, {{"r", ""}}) == 0);
  BOOST_TEST(CountOutOfOrder({{"r", newer}, {"r", older}}, {{"r", ""}}) == 1);
}

BOOST_AUTO_TEST_CASE(the_plan_has_the_mix_of_traffic_the_soak_claims_and_replays_by_seed) {
  const auto sends = Waves(42, 40);
  const auto again = Waves(42, 40);
  BOOST_TEST_REQUIRE(sends.size() == again.size());
  for (std::size_t i = 0; i < sends.size(); ++i) BOOST_TEST_REQUIRE(sends[i].body == again[i].body);

  std::size_t resends = 0, late = 0, pauses = 0;
  std::vector<RouteBody> bodies;
  for (const auto& s : sends) {
    resends += (s.kind != SendKind::kOriginal) + s.resend_at_once;
    late += s.out_of_order;
    pauses += s.kind == SendKind::kResendBeforePause;
    if (s.out_of_order || s.kind != SendKind::kOriginal) BOOST_TEST(s.after != nullptr);
    if (s.kind == SendKind::kOriginal) bodies.push_back(RouteBody{s.route, s.body});
  }
  const double all = static_cast<double>(
      sends.size() + std::count_if(sends.begin(), sends.end(), [](const Send& s) { return s.resend_at_once; }));
  BOOST_TEST_MESSAGE("plan for seed 42: " << resends << " resends of " << all << " sends, " << late << " of "
                                          << bodies.size() << " events planned out of order");
  BOOST_TEST(resends / all > 0.10);
  BOOST_TEST(resends / all < 0.20);
  BOOST_TEST(late / static_cast<double>(bodies.size()) > 0.05);
  BOOST_TEST(late / static_cast<double>(bodies.size()) < 0.15);
  BOOST_TEST(pauses == 5u);
  const ReferenceFold fold = Fold(bodies, {{"a", ""}, {"b", "eu1"}});
  BOOST_TEST(fold.ties.empty());
  BOOST_TEST(fold.without_commit > 0);  // the HelmRelease without a commit annotation
  std::set<std::string> contexts;
  for (const auto& [key, e] : fold.keys) contexts.insert(std::get<2>(key));
  BOOST_TEST(contexts.size() >= 2 * (3 + 12 + 2));  // every repository, Kustomization, annotated HelmRelease
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::soak
