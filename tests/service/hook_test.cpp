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
#include "tests/support/wire_signatures.h"

namespace st = fluxstatus::service_testing;
using st::Answer;
using st::Client;
using st::InProcessService;
using st::SomeEvent;

namespace {

// The body is exactly {"id":<id>,"duplicate":<duplicate>} (as JSON: no other members).
bool IsAcceptance(const std::string& body, std::int64_t id, bool duplicate) {
  const auto acc = st::ParseAccepted(body);
  return acc && acc->id == id && acc->duplicate == duplicate && !acc->routes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hook)

BOOST_AUTO_TEST_CASE(answers_202_with_id_and_keeps_body_byte_identical_when_sample_posted) {
  const std::filesystem::path samples = st::SamplesDir();
  InProcessService svc;  // no routes configured: every /hook/{name} is open
  Client client;
  std::set<std::int64_t> ids;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(samples / "events")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const std::string body = st::ReadFile(entry.path());
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
      BOOST_TEST(st::QueryBytes(*db, "SELECT origin FROM events WHERE id = ?", *acc->id) == std::string("http"));
    }
  }
  BOOST_TEST(files == 12);
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 12);
}

BOOST_AUTO_TEST_CASE(answers_duplicate_with_same_id_and_stores_once_when_same_bytes_posted_again) {
  const std::filesystem::path samples = st::SamplesDir();
  InProcessService svc;
  Client client;
  const std::string body = st::ReadFile(samples / "events" / "03-kustomization-succeeded.json");
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
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 1);
  // The same bytes on another route are another delivery.
  const Answer other = client.Post(svc.Url("/hook/other"), body);
  BOOST_TEST(other.status == 202);
  const auto other_acc = st::ParseAccepted(other.body);
  BOOST_TEST_REQUIRE((other_acc && other_acc->id));
  BOOST_TEST(other_acc->duplicate == false);
  BOOST_TEST(*other_acc->id != *acc->id);
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 2);
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
  const std::filesystem::path samples = st::SamplesDir();
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  int posted = 0;
  for (const auto& [file, signature] : fluxstatus::testing::kWireSampleSignatures) {
    const std::string body = st::ReadFile(samples / "wire" / file);
    BOOST_TEST_CONTEXT(file) {
      const Answer a = client.Post(svc.Url("/hook/signed"), body, {"X-Signature: " + std::string(signature)});
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
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 12);
  BOOST_TEST(st::CountRows(svc.db_path(), "rejected_events") == 0);
}

BOOST_AUTO_TEST_CASE(accepts_other_algorithms_and_upper_case_hex_when_signature_matches) {
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", st::kSampleHmacKey)}));
  Client client;
  int n = 0;
  for (const char* algorithm : {"sha1", "sha384", "sha512"}) {
    const std::string body = SomeEvent(++n);
    const Answer a = client.Post(svc.Url("/hook/signed"), body,
                                 {"X-Signature: " + st::Signature(st::kSampleHmacKey, body, algorithm)});
    BOOST_TEST(a.status == 202, algorithm << ": " << a.body);
  }
  const std::string body = SomeEvent(++n);
  std::string sig = st::Signature(st::kSampleHmacKey, body);
  for (auto i = sig.find('=') + 1; i < sig.size(); ++i)
    sig[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(sig[i])));
  BOOST_TEST(client.Post(svc.Url("/hook/signed"), body, {"X-Signature: " + sig}).status == 202);
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 4);
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

  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 0);
  BOOST_TEST(st::CountRows(svc.db_path(), "rejected_events") == 0);
  // The good signature still works afterwards.
  BOOST_TEST(client.Post(svc.Url("/hook/signed"), body, {"X-Signature: " + good}).status == 202);
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 1);
}

BOOST_AUTO_TEST_CASE(accepts_signature_made_without_newline_when_key_file_ends_with_newline) {
  fluxstatus::testing::TempDir keys;
  st::WriteFile(keys.File("hmac-key"), std::string(st::kSampleHmacKey) + "\n");
  // As serve reads HMAC key files: as-is, not trimmed.
  const std::string key = fluxstatus::ingest::ReadSecretFile(keys.File("hmac-key"), false);
  BOOST_TEST_REQUIRE(key == std::string(st::kSampleHmacKey) + "\n");
  InProcessService svc(st::WithRoutes({st::HmacRoute("signed", key)}));
  Client client;

  const std::string a_body = SomeEvent(1);
  const Answer without =
      client.Post(svc.Url("/hook/signed"), a_body, {"X-Signature: " + st::Signature(st::kSampleHmacKey, a_body)});
  BOOST_TEST(without.status == 202, without.body);
  const std::string b_body = SomeEvent(2);
  const Answer with = client.Post(svc.Url("/hook/signed"), b_body, {"X-Signature: " + st::Signature(key, b_body)});
  BOOST_TEST(with.status == 202, with.body);
  const std::string c_body = SomeEvent(3);
  const Answer other = client.Post(svc.Url("/hook/signed"), c_body,
                                   {"X-Signature: " + st::Signature(std::string(st::kSampleHmacKey) + "\n\n", c_body)});
  BOOST_TEST(other.status == 401);
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 2);
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
  BOOST_TEST(st::CountRows(svc.db_path(), "events") == 2);
  BOOST_TEST(st::CountRows(svc.db_path(), "rejected_events") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
