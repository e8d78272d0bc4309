// ValidateTemplate, RenderTemplate and ContextTemplateFor: context and target-URL templates.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/route_profile.h"
#include "core/status_template.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::FluxEvent;
using core::testing::MakeEvent;

namespace {

FluxEvent TemplateEvent() {
  FluxEvent ev = MakeEvent(
      "Kustomization", "kustomize.toolkit.fluxcd.io/v1",
      {{"env", "production"}, {"cluster", "from-metadata"}, {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:x"}});
  return ev;  // flux-system/contoso2
}

struct RenderCase {
  std::string tmpl;
  std::string cluster;
  std::string text;
};

std::ostream& operator<<(std::ostream& os, const RenderCase& c) {
  return os << '"' << c.tmpl << "\" cluster \"" << c.cluster << '"';
}

const std::vector<RenderCase> kRenderCases = {
    {std::string(core::kDefaultContextTemplate), "", "kustomization/contoso2"},
    {"{kind}/{name}", "", "kustomization/contoso2"},
    {"{namespace}/{name}", "", "flux-system/contoso2"},
    {"{kind}/{namespace}/{name}", "", "kustomization/flux-system/contoso2"},
    {"{kind}/{name}/{metadata.env}", "", "kustomization/contoso2/production"},
    {"{metadata.kustomize.toolkit.fluxcd.io/revision}", "", "main@sha1:x"},
    {"{kind}/{name}/{cluster}", "prod", "kustomization/contoso2/prod"},
    {"{cluster}", "", ""},
    {"{metadata.cluster}", "prod", "from-metadata"},
    {"[{metadata.missing}]", "", "[]"},
    {"flux", "", "flux"},
    {"", "", ""},
    {"{name}}", "", "contoso2}"},
    {"https://grafana.example.com/d/flux?ns={namespace}&name={name}&c={cluster}", "prod-eu-1",
     "https://grafana.example.com/d/flux?ns=flux-system&name=contoso2&c=prod-eu-1"},
};

struct InvalidCase {
  std::string tmpl;
  std::string error;  // must appear in ValidateTemplate's message
};

std::ostream& operator<<(std::ostream& os, const InvalidCase& c) { return os << '"' << c.tmpl << '"'; }

const std::vector<InvalidCase> kInvalidTemplates = {
    {"{kinds}/{name}", "unknown placeholder {kinds}"},
    {"{Kind}/{name}", "unknown placeholder {Kind}"},
    {"{kind}/{ name }", "unknown placeholder { name }"},
    {"{}", "unknown placeholder {}"},
    {"{metadata.}", "unknown placeholder {metadata.}"},
    {"{metadata}", "unknown placeholder {metadata}"},
    {"{uid}", "unknown placeholder {uid}"},
    {"{kind", "unclosed { at position 0"},
    {"{kind}/{name", "unclosed { at position 7"},
    {"{kind}/{", "unclosed { at position 7"},
};

const std::vector<std::string> kValidTemplates = {
    "{kind}/{name}",
    "",
    "flux",
    "{namespace}/{kind}/{name}",
    "{kind}/{name}/{cluster}",
    "{metadata.env}",
    "a}b",
    "https://ci.example.com/{metadata.summary}",
};

}  // namespace

BOOST_AUTO_TEST_SUITE(RenderTemplate)

BOOST_DATA_TEST_CASE(substitutes_placeholders_when_template_is_valid, bdata::make(kRenderCases), c) {
  BOOST_TEST(core::RenderTemplate(c.tmpl, TemplateEvent(), c.cluster) == c.text);
}

BOOST_AUTO_TEST_CASE(lower_cases_kind_only_when_rendering) {
  FluxEvent ev = TemplateEvent();
  ev.object.kind = "HelmRelease";
  ev.object.name = "Frontend";
  BOOST_TEST(core::RenderTemplate("{kind}/{name}", ev, "") == "helmrelease/Frontend");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ContextTemplateFor)

BOOST_AUTO_TEST_CASE(keeps_template_when_cluster_is_empty) {
  BOOST_TEST(core::ContextTemplateFor("{kind}/{name}", "") == "{kind}/{name}");
}

BOOST_AUTO_TEST_CASE(appends_cluster_when_cluster_is_set) {
  BOOST_TEST(core::ContextTemplateFor("{kind}/{name}", "prod") == "{kind}/{name}/{cluster}");
  FluxEvent ev = TemplateEvent();
  ev.object.name = "app";
  const std::string tmpl = core::ContextTemplateFor(core::kDefaultContextTemplate, "prod");
  BOOST_TEST(core::RenderTemplate(tmpl, ev, "prod") == "kustomization/app/prod");
}

BOOST_AUTO_TEST_CASE(keeps_template_when_it_already_places_cluster) {
  BOOST_TEST(core::ContextTemplateFor("{cluster}:{kind}/{name}", "prod") == "{cluster}:{kind}/{name}");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ValidateTemplate)

BOOST_DATA_TEST_CASE(accepts_template_when_placeholders_are_known, bdata::make(kValidTemplates), tmpl) {
  BOOST_TEST(core::ValidateTemplate(tmpl) == std::optional<std::string>());
}

BOOST_DATA_TEST_CASE(names_the_problem_when_template_is_invalid, bdata::make(kInvalidTemplates), c) {
  const std::optional<std::string> error = core::ValidateTemplate(c.tmpl);
  BOOST_TEST_REQUIRE(error.has_value());
  BOOST_TEST(error->find(c.error) != std::string::npos, "error: " << *error);
}

BOOST_AUTO_TEST_SUITE_END()
