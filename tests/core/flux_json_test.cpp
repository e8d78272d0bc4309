// ParseFluxEvent: the untrusted-input boundary. Every rejection must name what is wrong.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "core/flux_json.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
using fluxstatus::core::FluxEvent;
using fluxstatus::core::kDefaultMaxBodyBytes;
using fluxstatus::core::ParseError;
namespace core = fluxstatus::core;
using fluxstatus::core::testing::ParseErrorOf;
using fluxstatus::core::testing::ParseOrFail;

namespace {

// The smallest event the parser accepts.
constexpr std::string_view kMinimal = R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info",)"
                                      R"("timestamp":"2026-11-24T09:17:31Z","reason":"ReconciliationSucceeded"})";

// ../shared/samples/wire/01-direct-kustomization-reconciliation-succeeded.json, byte for byte.
constexpr std::string_view kWire01 =
    R"({"involvedObject":{"kind":"Kustomization","namespace":"flux-system","name":"apps",)"
    R"("uid":"44786c6a-a31c-474a-aa3c-2f55a52aefd9","apiVersion":"kustomize.toolkit.fluxcd.io/v1",)"
    R"("resourceVersion":"918273"},"severity":"info","timestamp":"2026-11-24T09:17:31Z",)"
    R"("message":"Reconciliation finished in 1.842s, next run in 10m0s","reason":"ReconciliationSucceeded",)"
    R"("metadata":{"kustomize.toolkit.fluxcd.io/commit_status":"update",)"
    R"("kustomize.toolkit.fluxcd.io/revision":"main@sha1:69fdd6276a37f5e42af7f0405a21703b605543d0"},)"
    R"("reportingController":"kustomize-controller","reportingInstance":"kustomize-controller-6d9c7f8b94-q7x2m"})";

// ../shared/samples/wire/10-direct-helmrelease-install-failed-unicode.json, byte for byte.
constexpr std::string_view kWire10 =
    R"({"involvedObject":{"kind":"HelmRelease","namespace":"cafe-prod","name":"frontend",)"
    R"("uid":"dbde3398-efc0-4143-a399-29762c3b7c63","apiVersion":"helm.toolkit.fluxcd.io/v2","resourceVersion":"40551"},)"
    R"("severity":"error","timestamp":"2026-11-24T11:30:18Z","message":"Helm install failed for release )"
    R"(cafe-prod/frontend with chart frontend@2.0.0-rc.1+build.7: template: frontend/templates/configmap.yaml:12:20: )"
    R"(executing \"frontend/templates/configmap.yaml\" at \u003c.Values.greeting\u003e: nil pointer evaluating )"
    R"(interface {}.greeting\n\nLast Helm logs:\n\ncreating 1 resource(s) — ConfigMap «frontend-messages» )"
    R"((ключ: приветствие) ✗\nvalues: greeting=\"Grüß Gott \u0026 👋\" path=/srv/ünïcødé → failed 💥",)"
    R"("reason":"InstallFailed","metadata":{"helm.toolkit.fluxcd.io/revision":"2.0.0-rc.1+build.7",)"
    R"("helm.toolkit.fluxcd.io/token":"sha256:571c15896eef928772ac2854820af65a50ca9083d3dab557b053b565ae95f725"},)"
    R"("reportingController":"helm-controller","reportingInstance":"helm-controller-7f5d9b6c8d-w2p6j"})";

// The message of kWire10 after JSON decoding: escapes resolved, Unicode and newlines kept.
const std::string kWire10Message =
    "Helm install failed for release cafe-prod/frontend with chart frontend@2.0.0-rc.1+build.7: "
    "template: frontend/templates/configmap.yaml:12:20: executing "
    "\"frontend/templates/configmap.yaml\" at <.Values.greeting>: nil pointer evaluating "
    "interface {}.greeting\n\nLast Helm logs:\n\ncreating 1 resource(s) — ConfigMap "
    "«frontend-messages» (ключ: приветствие) ✗\nvalues: greeting=\"Grüß Gott & 👋\" "
    "path=/srv/ünïcødé → failed 💥";

// The body of an event whose message is `message_json` (already JSON-encoded, without quotes).
std::string EventWithMessage(std::string_view message_json) {
  std::string body = R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"error",)"
                     R"("timestamp":"2026-11-24T09:17:31Z","reason":"BuildFailed","message":")";
  body += message_json;
  body += "\"}";
  return body;
}

struct RejectCase {
  const char* name;
  std::string body;
  std::string message;  // the exact ParseError message
};

std::ostream& operator<<(std::ostream& os, const RejectCase& c) { return os << c.name; }

// Valid JSON, wrong shape: each rejection names the field, exactly.
const std::vector<RejectCase> kShapeErrors = {
    {"involvedObject missing", R"({"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject is missing"},
    {"involvedObject null",
     R"({"involvedObject":null,"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject is missing"},
    {"involvedObject a string",
     R"({"involvedObject":"Kustomization/apps","severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject is not an object"},
    {"involvedObject an array",
     R"({"involvedObject":[],"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject is not an object"},
    {"kind missing",
     R"({"involvedObject":{"name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.kind is missing"},
    {"kind empty",
     R"({"involvedObject":{"kind":"","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.kind is empty"},
    {"kind a number",
     R"({"involvedObject":{"kind":7,"name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.kind is not a string"},
    {"name missing",
     R"({"involvedObject":{"kind":"Kustomization"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.name is missing"},
    {"name empty",
     R"({"involvedObject":{"kind":"Kustomization","name":""},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.name is empty"},
    {"name an object",
     R"({"involvedObject":{"kind":"Kustomization","name":{}},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.name is not a string"},
    {"namespace a number",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps","namespace":5},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.namespace is not a string"},
    {"apiVersion a bool",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps","apiVersion":true},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "involvedObject.apiVersion is not a string"},
    {"severity missing",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "severity is missing"},
    {"severity empty",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     "severity is empty"},
    {"severity unknown",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"warning","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     R"(severity is "warning", not info, error or trace)"},
    {"severity in the wrong case",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"Info","timestamp":"2026-11-24T09:17:31Z","reason":"r"})",
     R"(severity is "Info", not info, error or trace)"},
    {"timestamp missing", R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","reason":"r"})",
     "timestamp is missing"},
    {"timestamp null (Go's zero time)",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":null,"reason":"r"})",
     "timestamp is missing"},
    {"timestamp a number",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":1795511851,"reason":"r"})",
     "timestamp is not a string"},
    {"timestamp not RFC 3339",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"24 Nov 2026 09:17","reason":"r"})",
     "timestamp is not RFC 3339"},
    {"timestamp without a zone",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31","reason":"r"})",
     "timestamp is not RFC 3339"},
    {"reason missing",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z"})",
     "reason is missing"},
    {"reason a number",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":1})",
     "reason is not a string"},
    {"message a number",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r","message":42})",
     "message is not a string"},
    {"reportingController an array",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r","reportingController":[]})",
     "reportingController is not a string"},
    {"metadata an array",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r","metadata":[]})",
     "metadata is not an object"},
    {"metadata a string",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r","metadata":"revision"})",
     "metadata is not an object"},
    {"metadata value a number",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r","metadata":{"revision":42}})",
     "metadata.revision is not a string"},
    {"metadata value null",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r","metadata":{"summary":"ok","revision":null}})",
     "metadata.revision is not a string"},
    {"top level an array", "[]", "event is not a JSON object"},
    {"top level a string", R"("event")", "event is not a JSON object"},
    {"top level null", "null", "event is not a JSON object"},
    {"top level a number", "42", "event is not a JSON object"},
};

// Not JSON at all: the message says so and where (the offset of the first bad byte).
const std::vector<RejectCase> kSyntaxErrors = {
    {"empty body", "", "invalid JSON at byte 0"},
    {"whitespace only", "  \n", "invalid JSON at byte 3"},
    {"trailing garbage", std::string(kMinimal) + "x", "invalid JSON at byte 145"},
    {"two documents", std::string(kMinimal) + std::string(kMinimal), "invalid JSON at byte 145"},
    {"truncated", std::string(kMinimal.substr(0, 57)), "invalid JSON at byte 57"},
    {"single quotes", "{'severity':'info'}", "invalid JSON at byte 1"},
};

// Bytes that are not UTF-8 inside a JSON string (split literals keep \x escapes short).
const std::vector<RejectCase> kInvalidUtf8 = {
    {"C3 28 (bad continuation)",
     EventWithMessage("caf\xC3\x28"
                      "e"),
     "UTF-8"},
    {"lone continuation byte",
     EventWithMessage("a\x80"
                      "b"),
     "UTF-8"},
    {"overlong slash C0 AF", EventWithMessage("\xC0\xAF"), "UTF-8"},
    {"truncated 3-byte sequence", EventWithMessage("\xE2\x82"), "UTF-8"},
    {"UTF-16 surrogate encoded as UTF-8", EventWithMessage("\xED\xA0\x80"), "UTF-8"},
    {"byte FF", EventWithMessage("\xFF"), "UTF-8"},
    {"in a metadata key",
     R"({"involvedObject":{"kind":"Kustomization","name":"apps"},"severity":"info",)"
     R"("timestamp":"2026-11-24T09:17:31Z","reason":"r","metadata":{"rev)"
     "\xC3\x28"
     R"(":"x"}})",
     "UTF-8"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ParseFluxEvent)

BOOST_AUTO_TEST_CASE(parses_required_fields_when_event_is_minimal) {
  const FluxEvent ev = ParseOrFail(kMinimal);
  BOOST_TEST(ev.object.kind == "Kustomization");
  BOOST_TEST(ev.object.name == "apps");
  BOOST_TEST(ev.object.namespace_.empty());
  BOOST_TEST(ev.object.api_version.empty());
  BOOST_TEST(ev.severity == "info");
  BOOST_TEST(ev.timestamp == "2026-11-24T09:17:31Z");
  BOOST_TEST(ev.time_ms == 1795511851000);
  BOOST_TEST(ev.reason == "ReconciliationSucceeded");
  BOOST_TEST(ev.message.empty());
  BOOST_TEST(ev.metadata.empty());
  BOOST_TEST(ev.reporting_controller.empty());
}

BOOST_AUTO_TEST_CASE(keeps_every_field_when_event_is_a_wire_sample) {
  const FluxEvent ev = ParseOrFail(kWire01);
  BOOST_TEST(ev.object.kind == "Kustomization");
  BOOST_TEST(ev.object.namespace_ == "flux-system");
  BOOST_TEST(ev.object.name == "apps");
  BOOST_TEST(ev.object.uid == "44786c6a-a31c-474a-aa3c-2f55a52aefd9");
  BOOST_TEST(ev.object.api_version == "kustomize.toolkit.fluxcd.io/v1");
  BOOST_TEST(ev.severity == "info");
  BOOST_TEST(ev.time_ms == 1795511851000);
  BOOST_TEST(ev.message == "Reconciliation finished in 1.842s, next run in 10m0s");
  BOOST_TEST(ev.reason == "ReconciliationSucceeded");
  BOOST_TEST(ev.reporting_controller == "kustomize-controller");
  BOOST_TEST(ev.reporting_instance == "kustomize-controller-6d9c7f8b94-q7x2m");
  const std::map<std::string, std::string> expected_metadata = {
      {"kustomize.toolkit.fluxcd.io/commit_status", "update"},
      {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:69fdd6276a37f5e42af7f0405a21703b605543d0"}};
  BOOST_TEST((ev.metadata == expected_metadata));
}

BOOST_AUTO_TEST_CASE(accepts_trace_and_error_severities_when_spelled_exactly) {
  for (std::string severity : {"info", "error", "trace"}) {
    std::string body(kMinimal);
    body.replace(body.find("\"info\""), 6, "\"" + severity + "\"");
    BOOST_TEST_CONTEXT("severity " << severity) { BOOST_TEST(ParseOrFail(body).severity == severity); }
  }
}

BOOST_AUTO_TEST_CASE(accepts_empty_reason_when_present) {
  std::string body(kMinimal);
  body.replace(body.find("ReconciliationSucceeded"), 23, "");
  BOOST_TEST(ParseOrFail(body).reason.empty());
}

BOOST_AUTO_TEST_CASE(treats_null_optional_fields_as_absent_when_null) {
  const FluxEvent ev =
      ParseOrFail(R"({"involvedObject":{"kind":"Kustomization","name":"apps","namespace":null},"severity":"info",)"
                  R"("timestamp":"2026-11-24T09:17:31Z","reason":"r","message":null,"metadata":null})");
  BOOST_TEST(ev.object.namespace_.empty());
  BOOST_TEST(ev.message.empty());
  BOOST_TEST(ev.metadata.empty());
}

BOOST_AUTO_TEST_CASE(ignores_unknown_fields_when_at_top_level_or_in_involved_object) {
  const FluxEvent ev = ParseOrFail(
      R"({"apiVersion":"event.toolkit.fluxcd.io/v1beta1","involvedObject":{"kind":"Kustomization",)"
      R"("name":"apps","resourceVersion":"918273","fieldPath":"spec","futureField":{"a":[1,2,{"b":null}]}},)"
      R"("severity":"info","timestamp":"2026-11-24T09:17:31Z","reason":"r","count":3,"related":null,)"
      R"("series":{"count":2,"lastObservedTime":"2026-11-24T09:17:31Z"},"extras":[true,false]})");
  BOOST_TEST(ev.object.kind == "Kustomization");
  BOOST_TEST(ev.object.name == "apps");
  BOOST_TEST(ev.reason == "r");
  BOOST_TEST(ev.metadata.empty());
}

BOOST_DATA_TEST_CASE(rejects_with_field_message_when_shape_is_wrong, bdata::make(kShapeErrors), c) {
  BOOST_TEST(ParseErrorOf(c.body) == c.message);
}

BOOST_DATA_TEST_CASE(rejects_with_offset_when_body_is_not_json, bdata::make(kSyntaxErrors), c) {
  const std::string message = ParseErrorOf(c.body);
  BOOST_TEST(message.rfind(c.message + ":", 0) == 0u, "message: " << message);
}

BOOST_DATA_TEST_CASE(rejects_naming_utf8_when_bytes_are_invalid_utf8, bdata::make(kInvalidUtf8), c) {
  const std::string message = ParseErrorOf(c.body);
  BOOST_TEST(message.find(c.message) != std::string::npos, "message: " << message);
}

BOOST_AUTO_TEST_CASE(accepts_multibyte_utf8_when_well_formed) {
  const FluxEvent ev = ParseOrFail(EventWithMessage("caf\xC3\xA9 \xE2\x9C\x97 \xF0\x9F\x92\xA5"));
  BOOST_TEST(ev.message == "café ✗ 💥");
}

BOOST_AUTO_TEST_CASE(rejects_naming_the_limit_when_body_is_over_max_bytes) {
  const std::string message = ParseErrorOf(kMinimal, 100);
  BOOST_TEST(message == "event is 145 bytes, over the limit of 100 bytes");
}

BOOST_AUTO_TEST_CASE(accepts_body_when_exactly_at_max_bytes) {
  BOOST_TEST(ParseOrFail(kMinimal).reason == "ReconciliationSucceeded");  // sanity: 145 bytes
  BOOST_TEST(kMinimal.size() == 145u);
  auto result = core::ParseFluxEvent(kMinimal, kMinimal.size());
  BOOST_TEST(std::holds_alternative<FluxEvent>(result));
  BOOST_TEST(ParseErrorOf(kMinimal, kMinimal.size() - 1) == "event is 145 bytes, over the limit of 144 bytes");
}

BOOST_AUTO_TEST_CASE(applies_one_mib_default_when_no_limit_is_given) {
  // A valid event padded (inside its message) to exactly the default limit, then one byte over.
  const std::string shell = EventWithMessage("");
  std::string at_limit = EventWithMessage(std::string(kDefaultMaxBodyBytes - shell.size(), 'a'));
  BOOST_TEST(at_limit.size() == kDefaultMaxBodyBytes);
  BOOST_TEST(ParseOrFail(at_limit).message.size() == kDefaultMaxBodyBytes - shell.size());

  std::string over = EventWithMessage(std::string(kDefaultMaxBodyBytes - shell.size() + 1, 'a'));
  const std::string message = ParseErrorOf(over);
  BOOST_TEST(message.find("1048576") != std::string::npos, "message: " << message);
  BOOST_TEST(message.find("1048577") != std::string::npos, "message: " << message);
}

BOOST_AUTO_TEST_CASE(keeps_message_whole_when_longer_than_flux_marker) {
  // Flux's MaxLength 39000 is documentation only; the parser must not truncate.
  std::string long_message;
  for (int i = 0; long_message.size() < 45000; ++i) {
    long_message += "line " + std::to_string(i) + ": Invalid value ü\\n";
  }
  const FluxEvent ev = ParseOrFail(EventWithMessage(long_message));
  std::string expected = long_message;
  for (auto pos = expected.find("\\n"); pos != std::string::npos; pos = expected.find("\\n", pos)) {
    expected.replace(pos, 2, "\n");
  }
  BOOST_TEST(ev.message.size() > 39000u);
  BOOST_TEST(ev.message == expected);
}

BOOST_AUTO_TEST_CASE(decodes_escapes_when_go_escaped_html_characters) {
  const FluxEvent ev = ParseOrFail(EventWithMessage(R"(at \u003c.Values\u003e \u0026 \"q\" tab\there\u2028end)"));
  BOOST_TEST(ev.message ==
             "at <.Values> & \"q\" tab\there\xE2\x80\xA8"
             "end");
}

BOOST_AUTO_TEST_CASE(decodes_surrogate_pair_when_escaped) {
  const FluxEvent ev = ParseOrFail(EventWithMessage(R"(wave \ud83d\udc4b)"));
  BOOST_TEST(ev.message == "wave \xF0\x9F\x91\x8B");
}

BOOST_AUTO_TEST_CASE(keeps_embedded_nul_when_escaped) {
  const FluxEvent ev = ParseOrFail(EventWithMessage(R"(a\u0000b)"));
  BOOST_TEST(ev.message.size() == 3u);
  BOOST_TEST(ev.message == std::string("a\0b", 3));
}

BOOST_AUTO_TEST_CASE(keeps_message_exactly_when_multiline_unicode_wire_sample) {
  const FluxEvent ev = ParseOrFail(kWire10);
  BOOST_TEST(ev.message == kWire10Message);
  BOOST_TEST(ev.severity == "error");
  BOOST_TEST(ev.reason == "InstallFailed");
  BOOST_TEST(ev.time_ms == 1795519818000);
  BOOST_TEST(ev.metadata.at("helm.toolkit.fluxcd.io/revision") == "2.0.0-rc.1+build.7");
  BOOST_TEST(ev.metadata.size() == 2u);
}

BOOST_AUTO_TEST_CASE(converts_timestamp_to_utc_millis_when_offset_and_fraction_given) {
  std::string body(kMinimal);
  body.replace(body.find("2026-11-24T09:17:31Z"), 20, "2026-11-24T11:17:31.250+02:00");
  const FluxEvent ev = ParseOrFail(body);
  BOOST_TEST(ev.timestamp == "2026-11-24T11:17:31.250+02:00");  // kept as received
  BOOST_TEST(ev.time_ms == 1795511851250);
}

BOOST_AUTO_TEST_SUITE_END()
