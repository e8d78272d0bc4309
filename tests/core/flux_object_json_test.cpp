// ParseObjectList: a Kubernetes LIST page (untrusted) -> Flux objects. The samples must read as
// the reference describes them; a broken page must be refused with the field's path.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/flux_object_json.h"
#include "tests/core/flux_object_support.h"

namespace core = fluxstatus::core;
using core::ObjectListPage;
using core::ParseError;
using core::ParseObjectList;
using core::testing::Sample;
using core::testing::SamplePage;

namespace {

// The parser's message for a page that must be refused.
std::string ErrorOf(std::string_view body) {
  auto result = ParseObjectList(body);
  if (const auto* err = std::get_if<ParseError>(&result)) return err->message;
  BOOST_ERROR("expected a parse error, but the page was accepted: " << body);
  return "";
}

ObjectListPage PageOf(std::string_view body) {
  auto result = ParseObjectList(body);
  if (const auto* err = std::get_if<ParseError>(&result)) BOOST_FAIL("expected a page, got: " << err->message);
  return std::get<ObjectListPage>(std::move(result));
}

// A Kustomization page whose one item has `status` (JSON).
std::string KustomizationPage(std::string_view status) {
  return R"({"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"KustomizationList","metadata":{},"items":[)"
         R"({"metadata":{"name":"apps","namespace":"flux-system"},"status":)" +
         std::string(status) + "}]}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ParseObjectList_)

BOOST_AUTO_TEST_CASE(sample_kustomization_reads_its_revisions_and_conditions) {
  const ObjectListPage page = SamplePage("02-kustomization-failed-new-revision.json");
  BOOST_TEST(page.item_kind == "Kustomization");
  BOOST_TEST(page.resource_version == "100002");
  BOOST_TEST(page.continue_token == "");
  BOOST_REQUIRE_EQUAL(page.items.size(), 1u);
  const core::FluxObject& k = page.items.front();
  BOOST_TEST(k.kind == "Kustomization");
  BOOST_TEST(k.api_version == "kustomize.toolkit.fluxcd.io/v1");
  BOOST_TEST(k.namespace_ == "default");
  BOOST_TEST(k.name == "backend");
  BOOST_TEST(k.last_applied_revision == "master@sha1:" + core::testing::kApplied);
  BOOST_TEST(k.last_attempted_revision == "master@sha1:" + core::testing::kAttempted);
  BOOST_REQUIRE(k.source_ref.has_value());
  BOOST_TEST(k.source_ref->kind == "GitRepository");
  BOOST_TEST(k.source_ref->name == "webapp");
  BOOST_TEST(k.source_ref->namespace_ == "default");  // defaults to the Kustomization's
  BOOST_REQUIRE_EQUAL(k.conditions.size(), 1u);
  BOOST_TEST(k.conditions[0].type == "Ready");
  BOOST_TEST(k.conditions[0].status == "False");
  BOOST_TEST(k.conditions[0].reason == "ValidationFailed");
  BOOST_TEST(k.conditions[0].last_transition_time == "2020-09-17T07:26:48Z");
  BOOST_TEST(k.conditions[0].time_ms == 1600327608000);
  BOOST_TEST(!k.generation.has_value());
  BOOST_TEST(!k.suspended);
  BOOST_TEST(!k.deleting);
}

BOOST_AUTO_TEST_CASE(sample_generations_are_read) {
  const core::FluxObject k = Sample("03-kustomization-retrying-new-generation.json");
  BOOST_TEST(k.generation == std::optional<std::int64_t>(3));
  BOOST_TEST(k.observed_generation == std::optional<std::int64_t>(2));
  BOOST_TEST(k.conditions.size() == 2u);
}

BOOST_AUTO_TEST_CASE(sample_oci_artifact_keeps_its_metadata) {
  const core::FluxObject oci = Sample("05-ocirepository-origin-revision.json");
  BOOST_TEST(oci.kind == "OCIRepository");
  BOOST_REQUIRE(oci.artifact.has_value());
  BOOST_TEST(oci.artifact->revision ==
             "latest@sha256:3b6cdcc7adcc9a84d3214ee1c029543789d90b5ae69debe9efa3f66e982875de");
  BOOST_TEST(oci.artifact->metadata.at("org.opencontainers.image.revision") ==
             "6.1.8/b3b00fe35424a45d373bf4c7214178bc36fd7872");
}

BOOST_AUTO_TEST_CASE(sample_helmrelease_reads_chart_source_and_history) {
  const core::FluxObject hr = Sample("06-helmrelease-history.json");
  BOOST_TEST(hr.kind == "HelmRelease");
  BOOST_TEST(hr.last_attempted_revision == "6.5.3");
  BOOST_TEST(hr.helm_chart == "default/default-podinfo");
  BOOST_REQUIRE(hr.chart_source_ref.has_value());
  BOOST_TEST(hr.chart_source_ref->kind == "HelmRepository");
  BOOST_TEST(!hr.chart_ref.has_value());
  BOOST_REQUIRE_EQUAL(hr.releases.size(), 1u);
  BOOST_TEST(hr.releases[0].chart_version == "6.5.3");
  BOOST_TEST(hr.releases[0].status == "deployed");
  BOOST_TEST(hr.releases[0].version == 1);
  BOOST_TEST(hr.applied_history.empty());  // a HelmRelease's history is releases, not revisions
}

// A HelmChart's spec.chart is a string (the chart's name or path), unlike a HelmRelease's.
BOOST_AUTO_TEST_CASE(helm_chart_reads_its_strategy_and_source_revision) {
  const auto page =
      PageOf(R"({"kind":"HelmChartList","items":[{"metadata":{"name":"default-podinfo",)"
             R"("namespace":"flux-system"},"spec":{"chart":"./charts/podinfo","reconcileStrategy":)"
             R"("Revision","sourceRef":{"kind":"GitRepository","name":"podinfo"}},"status":{)"
             R"("observedSourceArtifactRevision":"main@sha1:abc","artifact":{"revision":"6.0.3+abc"}}}]})");
  const core::FluxObject& chart = page.items.at(0);
  BOOST_TEST(chart.reconcile_strategy == "Revision");
  BOOST_TEST(chart.observed_source_artifact_revision == "main@sha1:abc");
  BOOST_TEST(chart.source_ref->kind == "GitRepository");
  BOOST_TEST(chart.artifact->revision == "6.0.3+abc");
  BOOST_TEST(!chart.chart_source_ref.has_value());
}

BOOST_AUTO_TEST_CASE(kind_comes_from_the_list_not_the_items) {
  const auto page = PageOf(R"({"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"BucketList",)"
                           R"("metadata":{"continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","resourceVersion":"7",)"
                           R"("remainingItemCount":3},"items":[{"kind":"Something","apiVersion":"x/v9",)"
                           R"("metadata":{"name":"b","namespace":"ns","uid":"u","managedFields":[{}]}}]})");
  BOOST_TEST(page.item_kind == "Bucket");
  BOOST_TEST(page.continue_token == "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ");
  BOOST_TEST(page.resource_version == "7");
  BOOST_TEST(page.items.at(0).kind == "Bucket");
  BOOST_TEST(page.items.at(0).api_version == "source.toolkit.fluxcd.io/v1");
}

BOOST_AUTO_TEST_CASE(nulls_and_unknown_fields_are_absent_values) {
  const auto page = PageOf(KustomizationPage(
      R"({"conditions":null,"lastAppliedRevision":null,"artifact":null,"history":null,"newField":{"a":[1]}})"));
  const core::FluxObject& k = page.items.at(0);
  BOOST_TEST(k.conditions.empty());
  BOOST_TEST(k.last_applied_revision.empty());
  BOOST_TEST(!k.artifact.has_value());
}

BOOST_AUTO_TEST_CASE(never_reconciled_status_and_empty_list_parse) {
  const auto page = PageOf(KustomizationPage(R"({"observedGeneration":-1})"));
  BOOST_TEST(page.items.at(0).observed_generation == std::optional<std::int64_t>(-1));
  BOOST_TEST(page.items.at(0).conditions.empty());
  BOOST_TEST(PageOf(R"({"kind":"HelmReleaseList","metadata":{},"items":[]})").items.empty());
}

BOOST_AUTO_TEST_CASE(suspend_deletion_and_annotations_are_read) {
  const auto page = PageOf(R"({"kind":"KustomizationList","items":[{"metadata":{"name":"a","namespace":"n",)"
                           R"("deletionTimestamp":"2026-12-01T10:00:00Z","creationTimestamp":"2026-11-01T10:00:00Z",)"
                           R"("annotations":{"event.toolkit.fluxcd.io/commit":"abc"}},"spec":{"suspend":true,)"
                           R"("sourceRef":{"kind":"OCIRepository","name":"o","namespace":"other"}}}]})");
  const core::FluxObject& k = page.items.at(0);
  BOOST_TEST(k.deleting);
  BOOST_TEST(k.suspended);
  BOOST_TEST(k.annotations.at("event.toolkit.fluxcd.io/commit") == "abc");
  BOOST_TEST(k.creation_time_ms == 1793527200000);
  BOOST_TEST(k.source_ref->namespace_ == "other");
}

BOOST_AUTO_TEST_CASE(refusals_name_what_is_wrong) {
  BOOST_TEST(ErrorOf("<html>502 Bad Gateway</html>").starts_with("list is not valid JSON"));
  BOOST_TEST(ErrorOf("[]") == "list is not a JSON object");
  BOOST_TEST(ErrorOf(R"({"kind":"Kustomization","items":[]})") == "kind \"Kustomization\" is not a List kind");
  BOOST_TEST(ErrorOf(R"({"items":[]})") == "kind is missing");
  BOOST_TEST(ErrorOf(R"({"kind":"KustomizationList","items":{}})") == "items is not an array");
  BOOST_TEST(ErrorOf(R"({"kind":"KustomizationList","items":[7]})") == "items[0] is not an object");
  BOOST_TEST(ErrorOf(R"({"kind":"KustomizationList","items":[{"metadata":{}}]})") ==
             "items[0].metadata.name is missing");
  BOOST_TEST(ErrorOf(KustomizationPage(R"({"conditions":[{"status":"True"}]})")) ==
             "items[0].status.conditions[0].type is missing");
  BOOST_TEST(ErrorOf(KustomizationPage(R"({"conditions":{"type":"Ready"}})")) ==
             "items[0].status.conditions is not an array");
  BOOST_TEST(ErrorOf(KustomizationPage(R"({"lastAppliedRevision":42})")) ==
             "items[0].status.lastAppliedRevision is not a string");
  BOOST_TEST(ErrorOf(KustomizationPage(R"({"observedGeneration":"2"})")) ==
             "items[0].status.observedGeneration is not an integer");
  BOOST_TEST(ErrorOf(KustomizationPage(R"({"conditions":[{"type":"Ready","lastTransitionTime":"yesterday"}]})")) ==
             "items[0].status.conditions[0].lastTransitionTime is not RFC 3339");
  BOOST_TEST(ErrorOf(KustomizationPage(R"({"artifact":{"metadata":{"k":1}}})")) ==
             "items[0].status.artifact.metadata.k is not a string");
}

// A full page (500, the usual limit) parses well within a resync's budget; 5,000 objects are ten.
BOOST_AUTO_TEST_CASE(a_page_of_500_objects_parses_fast) {
  // Sample 03's object, written out again by RapidJSON, 500 times.
  rapidjson::Document sample;
  sample.Parse(fluxstatus::testing::ReadFile(fluxstatus::testing::FixturesDir() / "kubernetes" /
                                             "03-kustomization-retrying-new-generation.json")
                   .c_str());
  rapidjson::StringBuffer object;
  rapidjson::Writer<rapidjson::StringBuffer> writer(object);
  sample["items"][0].Accept(writer);
  std::string body = R"({"kind":"KustomizationList","metadata":{"continue":"next"},"items":[)";
  for (int i = 0; i < 500; ++i) body += (i ? "," : "") + std::string(object.GetString());
  body += "]}";
  const auto start = std::chrono::steady_clock::now();
  const ObjectListPage page = PageOf(body);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  BOOST_TEST(page.items.size() == 500u);
  BOOST_TEST(page.items.back().name == "podinfo");
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() < 200);
}

BOOST_AUTO_TEST_SUITE_END()
