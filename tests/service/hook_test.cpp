// POST /hook/{route}: acceptance, de-duplication, HMAC and bearer authentication, and every
// error answer, against the service wired in-process.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "ingest/secret.h"
#include "tests/service/service_fixtures.h"
#include "tests/service/service_support.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;

namespace {

// flux-notification-controller.md §8: X-Signature of each wire sample under the key
// `fluxstatus-test-hmac-key`, as tabled (not recomputed by the test).
const std::map<std::string, std::string> kTabledSignatures = {
    {"01-direct-kustomization-reconciliation-succeeded.json", "sha256=466f34c1da354d65fc1daaa55106cb0987e8bab64f403b87d7bc7936f199dade"},
    {"02-forwarded-kustomization-reconciliation-succeeded.json", "sha256=625b5e3631ed2b207da36c7f3a2a208428d0b5fd4098e9a59031d802dfc369e2"},
    {"03-direct-kustomization-progressing-changeset.json", "sha256=7e22f11a68e09a62973a3ae648742db44e00146a8d4b10123c4520a62c793b18"},
    {"04-direct-kustomization-health-check-failed.json", "sha256=bf5033e8cd1b0701c904e91b1bd8521ea387a20225ade8100b1141bba925c831"},
    {"05-direct-kustomization-oci-origin-revision.json", "sha256=6ed85bc0d98b896a876fff2540ef29f026f2907bc3568280ada11cc31025976c"},
    {"06-direct-gitrepository-new-artifact-nested-branch.json", "sha256=88c0ba2f8e84e341da3b0eafab9fae1ce8880af0640c26fee5e7e9909eed8e38"},
    {"07-direct-gitrepository-git-operation-failed-no-metadata.json", "sha256=5817b3ca8cea01face1402de5e3ab8fc77fbd4e9f53dfa4c52dab0bdb0fd38c5"},
    {"08-direct-ocirepository-new-artifact.json", "sha256=eef4b80efa7c46ae874e8c5fbc2841650245edcbc186edfb56629551d8b38a66"},
    {"09-direct-helmrelease-upgrade-succeeded-commit-annotation.json", "sha256=7086189821afec9013408747e18fc2d1186b1b82046a873c24216da2726f3a5b"},
    {"10-direct-helmrelease-install-failed-unicode.json", "sha256=3731570f2655b1e3d2f89c06bb1d06d93b5171c5c2a02b6f3de5c974bae65f44"},
    {"11-direct-kustomization-reconciliation-failed-long-message.json", "sha256=fff4ce56a38b5561560c8c2d39a53d11989a7426296e1f9da6dd6eefceb196d9"},
    {"12-direct-kustomization-build-failed-sha1-only-revision.json", "sha256=71e6e0d2d9de6c9a0e24257f511fc4e9375dbeeeaed1920ffcef4f6b0073ebe8"},
};

// The body is exactly {"id":<id>,"duplicate":<duplicate>} (as JSON: no other members).
bool IsAcceptance(const std::string& body, std::int64_t id, bool duplicate) {
  const auto acc = st::ParseAccepted(body);
  return acc && acc->id == id && acc->duplicate == duplicate && !acc->routes;
}

std::int64_t Count(const std::string& db_path, const std::string& view) {
  auto db = st::OpenReader(db_path);
  return st::QueryInt(*db, "SELECT count(*) FROM " + view);
}

// A valid event (for auth tests that do not need the shared samples).
std::string SomeEvent(int n = 0) {
  st::EventSpec e;
  e.message = "event " + std::to_string(n);
  e.revision = "main@sha1:" + st::Sha(static_cast<std::uint64_t>(n) + 1);
  return st::EventJson(e);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hook)

BOOST_AUTO_TEST_CASE(answers_202_with_id_and_keeps_body_byte_identical_when_sample_posted) {
  const auto samples = st::SharedSamples();
  if (!samples) return;
  InProcessService svc;  // no routes configured: every /hook/{name} is open
  Client client;
  std::set<std::int64_t> ids;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(*samples / "events")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const std::string body = st::ReadBytes(entry.path());
    const Answer a = client.Post(svc.Url("/hook/contoso2"), body);
    BOOST_TEST_CONTEXT(entry.path().filename().string()) {
      BOOST_TEST(a.status == 202);
      const auto acc = st::ParseAccepted(a.body);
      BOOST_TEST_REQUIRE(acc.has_value(), "not an acceptance: " << a.body);
      BOOST_TEST_REQUIRE(acc->id.has_value());
      BOOST_TEST(IsAcceptance(a.body, *acc->id, false), a.body);
      BOOST_TEST(ids.insert(*acc->id).second, "id " << *acc->id << " answered twice");
      auto db = st::OpenReader(svc.db_path());
      BOOST_TEST(st::QueryBytes(*db, "SELECT body FROM events WHERE id = ?", *acc->id) == body);
      BOOST_TEST(st::QueryBytes(*db, "SELECT route FROM events WHERE id = ?", *acc->id) == std::string("contoso2"));
    }
  }
  BOOST_TEST(files == 12);
  BOOST_TEST(Count(svc.db_path(), "events") == 12);
}

BOOST_AUTO_TEST_CASE(answers_duplicate_with_same_id_and_stores_once_when_same_bytes_posted_again) {
  const auto samples = st::SharedSamples();
  if (!samples) return;
  InProcessService svc;
  Client client;
  const std::string body = st::ReadBytes(*samples / "events" / "03-kustomization-succeeded.json");
  const Answer first = client.Post(svc.Url("/hook/contoso2"), body);
  BOOST_TEST_REQUIRE(first.status == 202);
  const auto acc = st::ParseAccepted(first.body);
  BOOST_TEST_REQUIRE((acc && acc->id), first.body);
  BOOST_TEST(IsAcceptance(first.body, *acc->id, false), first.body);
  for (int i = 0; i < 3; ++i) {
    const Answer again = client.Post(svc.Url("/hook/contoso2"), body);
    BOOST_TEST(again.status == 202);
    BOOST_TEST(IsAcceptance(again.body, *acc->id, true), again.body);
  }
  BOOST_TEST(Count(svc.db_path(), "events") == 1);
  // The same bytes on another route are another delivery.
  const Answer other = client.Post(svc.Url("/hook/other"), body);
  BOOST_TEST(other.status == 202);
  const auto other_acc = st::ParseAccepted(other.body);
  BOOST_TEST_REQUIRE((other_acc && other_acc->id));
  BOOST_TEST(other_acc->duplicate == false);
  BOOST_TEST(*other_acc->id != *acc->id);
  BOOST_TEST(Count(svc.db_path(), "events") == 2);
  // One byte more (a trailing newline) is a different body: stored, byte for byte.
  const Answer nl = client.Post(svc.Url("/hook/contoso2"), body + "\n");
  BOOST_TEST(nl.status == 202);
  const auto nl_acc = st::ParseAccepted(nl.body);
  BOOST_TEST_REQUIRE((nl_acc && nl_acc->id));
  BOOST_TEST(nl_acc->duplicate == false);
  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryBytes(*db, "SELECT body FROM events WHERE id = ?", *nl_acc->id) == body + "\n");
  // The fold saw it: the sample's commit is green on its context.
  BOOST_TEST(st::QueryText(*db,
                           "SELECT state FROM current_status WHERE route = 'contoso2' AND commit_sha = "
                           "'2f5e7c0d9a4b3e1f6a7b8c9d0e1f2a3b4c5d6e7f' AND context = 'kustomization/contoso2'") ==
             "success");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hmac)

BOOST_AUTO_TEST_CASE(accepts_every_wire_sample_when_signature_is_the_tabled_one) {
  const auto samples = st::SharedSamples();
  if (!samples) return;
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  int posted = 0;
  for (const auto& [file, signature] : kTabledSignatures) {
    const std::string body = st::ReadBytes(*samples / "wire" / file);
    BOOST_TEST_CONTEXT(file) {
      const Answer a = client.Post(svc.Url("/hook/signed"), body, {"X-Signature: " + signature});
      BOOST_TEST(a.status == 202, a.status << " " << a.body);
      const auto acc = st::ParseAccepted(a.body);
      BOOST_TEST_REQUIRE((acc && acc->id), a.body);
      BOOST_TEST(acc->duplicate == false);
      auto db = st::OpenReader(svc.db_path());
      BOOST_TEST(st::QueryBytes(*db, "SELECT body FROM events WHERE id = ?", *acc->id) == body);
    }
    ++posted;
  }
  BOOST_TEST(posted == 12);
  BOOST_TEST(Count(svc.db_path(), "events") == 12);
  BOOST_TEST(Count(svc.db_path(), "rejected_events") == 0);
}

BOOST_AUTO_TEST_CASE(accepts_other_algorithms_and_upper_case_hex_when_signature_matches) {
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  int n = 0;
  for (const char* algorithm : {"sha1", "sha384", "sha512"}) {
    const std::string body = SomeEvent(++n);
    const Answer a = client.Post(svc.Url("/hook/signed"), body, {"X-Signature: " + st::Signature(st::kSampleHmacKey, body, algorithm)});
    BOOST_TEST(a.status == 202, algorithm << ": " << a.body);
  }
  const std::string body = SomeEvent(++n);
  std::string sig = st::Signature(st::kSampleHmacKey, body);
  for (auto i = sig.find('=') + 1; i < sig.size(); ++i) sig[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(sig[i])));
  BOOST_TEST(client.Post(svc.Url("/hook/signed"), body, {"X-Signature: " + sig}).status == 202);
  BOOST_TEST(Count(svc.db_path(), "events") == 4);
}

BOOST_AUTO_TEST_CASE(answers_401_and_stores_nothing_when_signature_is_wrong_or_missing) {
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  const std::string body = SomeEvent();
  const std::string good = st::Signature(st::kSampleHmacKey, body);
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  const std::vector<std::pair<std::string, std::vector<std::string>>> attempts = {
      {"signed with another key", {"X-Signature: " + st::Signature("another-key", body)}},
      {"one hex digit changed", {"X-Signature: " + flipped}},
      {"digest of the wrong length", {"X-Signature: " + good.substr(0, good.size() - 2)}},
      {"no algorithm", {"X-Signature: " + good.substr(good.find('=') + 1)}},
      {"empty", {"X-Signature:"}},
      {"missing", {}},
      {"bearer instead", {"Authorization: Bearer " + std::string(st::kSampleHmacKey)}},
  };
  for (const auto& [what, headers] : attempts) {
    BOOST_TEST_CONTEXT(what) {
      const Answer a = client.Post(svc.Url("/hook/signed"), body, headers);
      BOOST_TEST(a.status == 401);
      BOOST_TEST(a.Header("content-type").value_or("") == "application/json");
      const auto err = st::ErrorOf(a.body);
      BOOST_TEST_REQUIRE(err.has_value(), "not a JSON error: " << a.body);
      BOOST_TEST(err->find("X-Signature") != std::string::npos, *err);
      BOOST_TEST(a.body.find(st::kSampleHmacKey) == std::string::npos);
    }
  }
  // The body changed after signing (one byte): refused too.
  std::string tampered = body;
  tampered[tampered.find("event 0")] = 'E';
  BOOST_TEST(client.Post(svc.Url("/hook/signed"), tampered, {"X-Signature: " + good}).status == 401);
  // A missing header says so.
  const auto missing = st::ErrorOf(client.Post(svc.Url("/hook/signed"), body).body);
  BOOST_TEST(missing.value_or("").find("missing") != std::string::npos, missing.value_or("<none>"));

  BOOST_TEST(Count(svc.db_path(), "events") == 0);
  BOOST_TEST(Count(svc.db_path(), "rejected_events") == 0);
  // The good signature still works afterwards.
  BOOST_TEST(client.Post(svc.Url("/hook/signed"), body, {"X-Signature: " + good}).status == 202);
  BOOST_TEST(Count(svc.db_path(), "events") == 1);
}

BOOST_AUTO_TEST_CASE(accepts_signature_made_without_newline_when_key_file_ends_with_newline) {
  fluxstatus::testing::TempDir keys;
  st::WriteBytes(keys.File("hmac-key"), std::string(st::kSampleHmacKey) + "\n");
  // As serve reads HMAC key files: as-is, not trimmed.
  const std::string key = fluxstatus::ingest::ReadSecretFile(keys.File("hmac-key"), false);
  BOOST_TEST_REQUIRE(key == std::string(st::kSampleHmacKey) + "\n");
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", key)}));
  Client client;

  const std::string a_body = SomeEvent(1);
  const Answer without = client.Post(svc.Url("/hook/signed"), a_body, {"X-Signature: " + st::Signature(st::kSampleHmacKey, a_body)});
  BOOST_TEST(without.status == 202, without.body);
  const std::string b_body = SomeEvent(2);
  const Answer with = client.Post(svc.Url("/hook/signed"), b_body, {"X-Signature: " + st::Signature(key, b_body)});
  BOOST_TEST(with.status == 202, with.body);
  const std::string c_body = SomeEvent(3);
  const Answer other = client.Post(svc.Url("/hook/signed"), c_body,
                                   {"X-Signature: " + st::Signature(std::string(st::kSampleHmacKey) + "\n\n", c_body)});
  BOOST_TEST(other.status == 401);
  BOOST_TEST(Count(svc.db_path(), "events") == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bearer)

BOOST_AUTO_TEST_CASE(accepts_good_token_and_answers_401_when_token_bad_or_missing) {
  const std::string token = "s3cr3t-bearer-token-for-tests";
  InProcessService svc(st::WithRoutes({st::BearerRoute("tokened", token)}));
  Client client;
  const std::string body = SomeEvent();
  const Answer good = client.Post(svc.Url("/hook/tokened"), body, {"Authorization: Bearer " + token});
  BOOST_TEST(good.status == 202, good.body);
  const Answer lower_scheme = client.Post(svc.Url("/hook/tokened"), SomeEvent(1), {"Authorization: bearer " + token});
  BOOST_TEST(lower_scheme.status == 202, lower_scheme.body);

  const std::vector<std::pair<std::string, std::vector<std::string>>> attempts = {
      {"wrong token", {"Authorization: Bearer not-the-token"}},
      {"token prefix", {"Authorization: Bearer " + token.substr(0, token.size() - 1)}},
      {"token plus a byte", {"Authorization: Bearer " + token + "x"}},
      {"basic scheme", {"Authorization: Basic " + token}},
      {"bare token", {"Authorization: " + token}},
      {"missing", {}},
      {"hmac instead", {"X-Signature: " + st::Signature(token, body)}},
  };
  for (const auto& [what, headers] : attempts) {
    BOOST_TEST_CONTEXT(what) {
      const Answer a = client.Post(svc.Url("/hook/tokened"), SomeEvent(7), headers);
      BOOST_TEST(a.status == 401);
      const auto err = st::ErrorOf(a.body);
      BOOST_TEST(err.has_value(), a.body);
      BOOST_TEST(a.body.find(token) == std::string::npos);
    }
  }
  BOOST_TEST(Count(svc.db_path(), "events") == 2);
  BOOST_TEST(Count(svc.db_path(), "rejected_events") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(answers_400_naming_the_field_and_keeps_body_when_route_authenticated) {
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  const std::string no_name =
      R"({"involvedObject":{"kind":"Kustomization","namespace":"flux-system"},"severity":"info",)"
      R"("timestamp":"2026-11-24T09:17:31Z","message":"m","reason":"ReconciliationSucceeded"})";
  const Answer a = client.Post(svc.Url("/hook/signed"), no_name, {"X-Signature: " + st::Signature(st::kSampleHmacKey, no_name)});
  BOOST_TEST(a.status == 400);
  const auto err = st::ErrorOf(a.body);
  BOOST_TEST_REQUIRE(err.has_value(), a.body);
  BOOST_TEST(err->find("involvedObject.name is missing") != std::string::npos, *err);

  const std::string not_json = "{\"involvedObject\": ";
  const Answer b = client.Post(svc.Url("/hook/signed"), not_json, {"X-Signature: " + st::Signature(st::kSampleHmacKey, not_json)});
  BOOST_TEST(b.status == 400);
  BOOST_TEST(st::ErrorOf(b.body).has_value(), b.body);

  const std::string bad_severity =
      R"({"involvedObject":{"kind":"Kustomization","namespace":"flux-system","name":"apps"},"severity":"warning",)"
      R"("timestamp":"2026-11-24T09:17:31Z","message":"m","reason":"ReconciliationSucceeded"})";
  const Answer c = client.Post(svc.Url("/hook/signed"), bad_severity, {"X-Signature: " + st::Signature(st::kSampleHmacKey, bad_severity)});
  BOOST_TEST(c.status == 400);
  BOOST_TEST(st::ErrorOf(c.body).value_or("").find("severity") != std::string::npos, c.body);

  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 0);
  BOOST_TEST_REQUIRE(st::WaitForCount(svc.db_path(), "SELECT count(*) FROM rejected_events", 3) == 3);
  // body -> (route, reason). The rows are written after the answers, so their ids need not
  // follow the order of the requests.
  std::map<std::string, std::pair<std::string, std::string>> kept;
  {
    SQLite::Statement q(*db, "SELECT route, reason, body, received_at FROM rejected_events");
    while (q.executeStep()) {
      const SQLite::Column body = q.getColumn(2);
      kept[std::string(static_cast<const char*>(body.getBlob()), static_cast<std::size_t>(body.getBytes()))] = {
          q.getColumn(0).getString(), q.getColumn(1).getString()};
      BOOST_TEST(q.getColumn(3).getString().size() == 24u, q.getColumn(3).getString());  // RFC 3339 with ms
    }
  }
  BOOST_TEST_REQUIRE(kept.size() == 3u);
  BOOST_TEST_REQUIRE(kept.count(no_name) == 1u);
  BOOST_TEST(kept[no_name].first == "signed");
  BOOST_TEST(kept[no_name].second.find("involvedObject.name is missing") != std::string::npos, kept[no_name].second);
  BOOST_TEST(kept.count(not_json) == 1u);
  BOOST_TEST_REQUIRE(kept.count(bad_severity) == 1u);
  BOOST_TEST(kept[bad_severity].second.find("severity") != std::string::npos, kept[bad_severity].second);

  // A 400 that failed authentication first is a 401, and is not kept.
  const Answer unsigned_bad = client.Post(svc.Url("/hook/signed"), no_name);
  BOOST_TEST(unsigned_bad.status == 401);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM rejected_events") == 3);
}

BOOST_AUTO_TEST_CASE(answers_413_and_keeps_body_up_to_limit_when_body_over_max_body_bytes) {
  const std::string token = "token-for-413";
  auto options = st::WithRoutes({st::BearerRoute("tokened", token)});
  options.settings.max_body_bytes = 2048;
  InProcessService svc(std::move(options));
  Client client;
  st::EventSpec spec;
  spec.message = std::string(4000, 'x');
  const std::string big = st::EventJson(spec);
  BOOST_TEST_REQUIRE(big.size() > 2048u);
  const Answer a = client.Post(svc.Url("/hook/tokened"), big, {"Authorization: Bearer " + token});
  BOOST_TEST(a.status == 413);
  const auto err = st::ErrorOf(a.body);
  BOOST_TEST_REQUIRE(err.has_value(), a.body);
  BOOST_TEST(err->find("2048") != std::string::npos, *err);

  // Just at the limit is fine.
  spec.message = "y";
  std::string at_limit = st::EventJson(spec);
  spec.message = std::string(2048 - at_limit.size() + 1, 'y');
  at_limit = st::EventJson(spec);
  BOOST_TEST_REQUIRE(at_limit.size() == 2048u);
  BOOST_TEST(client.Post(svc.Url("/hook/tokened"), at_limit, {"Authorization: Bearer " + token}).status == 202);

  auto db = st::OpenReader(svc.db_path());
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 1);
  BOOST_TEST_REQUIRE(st::WaitForCount(svc.db_path(), "SELECT count(*) FROM rejected_events", 1) == 1);
  const auto kept = st::QueryBytes(*db, "SELECT body FROM rejected_events WHERE id >= ?", 0);
  BOOST_TEST(kept == big.substr(0, 2048));
  BOOST_TEST(st::QueryText(*db, "SELECT route FROM rejected_events") == "tokened");

  // Far over the server's own read limit (max(2 x max_body_bytes, 4 MiB)): still a JSON 413.
  const Answer huge = client.Post(svc.Url("/hook/tokened"), std::string(5u << 20, ' '), {"Authorization: Bearer " + token});
  BOOST_TEST(huge.status == 413);
  BOOST_TEST(st::ErrorOf(huge.body).has_value(), huge.body);
  BOOST_TEST(st::QueryInt(*db, "SELECT count(*) FROM events") == 1);
}

BOOST_AUTO_TEST_CASE(answers_404_when_route_unknown_or_path_unknown) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("known")}));
  Client client;
  const std::string body = SomeEvent();
  const Answer unknown_route = client.Post(svc.Url("/hook/unknown"), body);
  BOOST_TEST(unknown_route.status == 404);
  BOOST_TEST(st::ErrorOf(unknown_route.body).value_or("").find("unknown") != std::string::npos, unknown_route.body);
  BOOST_TEST(client.Post(svc.Url("/hook/"), body).status == 404);
  BOOST_TEST(client.Post(svc.Url("/hook/known/extra"), body).status == 404);
  for (const char* path : {"/nope", "/hooks/known", "/hook", "/api/v1/events"}) {
    BOOST_TEST_CONTEXT(path) {
      const Answer a = client.Post(svc.Url(path), body);
      BOOST_TEST(a.status == 404);
      BOOST_TEST(st::ErrorOf(a.body).has_value(), a.body);
      BOOST_TEST(client.Get(svc.Url(path)).status == 404);
    }
  }
  BOOST_TEST(client.Post(svc.Url("/hook/known"), body).status == 202);
  BOOST_TEST(Count(svc.db_path(), "events") == 1);
  BOOST_TEST(Count(svc.db_path(), "rejected_events") == 0);

  // Without configured routes, any tame name is a route, but not any string.
  InProcessService open;
  const Answer odd = client.Post(open.Url("/hook/a%20b"), body);
  BOOST_TEST(odd.status == 404);
  BOOST_TEST(st::ErrorOf(odd.body).has_value(), odd.body);
  BOOST_TEST(Count(open.db_path(), "events") == 0);
}

BOOST_AUTO_TEST_CASE(answers_405_with_allow_when_method_wrong) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("known")}));
  Client client;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"GET", "/hook/known", "POST"},   {"PUT", "/hook/known", "POST"},   {"DELETE", "/hook/known", "POST"},
      {"GET", "/events", "POST"},       {"GET", "/", "POST"},             {"POST", "/healthz", "GET"},
      {"DELETE", "/readyz", "GET"},     {"POST", "/metrics", "GET"},
  };
  for (const auto& [method, path, allow] : cases) {
    BOOST_TEST_CONTEXT(method << " " << path) {
      const Answer a = client.Request(method, svc.Url(path), method == "GET" ? "" : SomeEvent(),
                                      {"Content-Type: application/json"}, std::chrono::seconds(10));
      BOOST_TEST(a.status == 405);
      BOOST_TEST(a.Header("allow").value_or("<none>") == allow);
      BOOST_TEST(st::ErrorOf(a.body).has_value(), a.body);
    }
  }
  BOOST_TEST(Count(svc.db_path(), "events") == 0);
}

BOOST_AUTO_TEST_CASE(answers_415_and_stores_nothing_when_content_type_is_not_json) {
  InProcessService svc(st::WithRoutes({st::OpenRoute("known"), st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  const std::string body = SomeEvent();
  for (const char* type : {"text/plain", "text/plain; charset=utf-8", "application/xml", "multipart/form-data"}) {
    BOOST_TEST_CONTEXT(type) {
      const Answer a = client.Post(svc.Url("/hook/known"), body, {std::string("Content-Type: ") + type});
      BOOST_TEST(a.status == 415);
      BOOST_TEST(st::ErrorOf(a.body).has_value(), a.body);
      const Answer s = client.Post(svc.Url("/hook/signed"), body,
                                   {std::string("Content-Type: ") + type, "X-Signature: " + st::Signature(st::kSampleHmacKey, body)});
      BOOST_TEST(s.status == 415);
      const Answer d = client.Post(svc.Url("/events"), body, {std::string("Content-Type: ") + type});
      BOOST_TEST(d.status == 415);
    }
  }
  BOOST_TEST(Count(svc.db_path(), "events") == 0);
  BOOST_TEST(Count(svc.db_path(), "rejected_events") == 0);
  // application/json with parameters is JSON.
  BOOST_TEST(client.Post(svc.Url("/hook/known"), body, {"Content-Type: application/json; charset=utf-8"}).status == 202);
}

BOOST_AUTO_TEST_SUITE_END()
