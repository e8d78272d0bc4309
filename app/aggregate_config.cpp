#include "app/aggregate_config.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "app/deployment_config.h"
#include "app/verb_suggestion.h"

namespace fluxstatus::app {
namespace {

constexpr std::initializer_list<const char*> kAggregateKeys = {"name",     "route", "members",
                                                               "contexts", "rule",  "report"};

const RouteConfig* FindRoute(const std::vector<RouteConfig>& routes, const std::string& name) {
  const auto found = std::find_if(routes.begin(), routes.end(), [&](const RouteConfig& rc) { return rc.name == name; });
  return found == routes.end() ? nullptr : &*found;
}

// What to write instead of a route name that is not configured: the near one when it looks
// like a typo, else every route there is (in the file's order), so the fix is in the message.
std::string RouteHint(const std::string& typed, const std::vector<RouteConfig>& routes) {
  if (routes.empty()) return "; no routes are configured: add one route per cluster under routes first";
  std::vector<std::string> names;
  for (const auto& rc : routes) names.push_back(rc.name);
  if (auto near = NearestVerb(typed, names)) return "; did you mean '" + *near + "'?";
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  return "; the configured routes are: " + list;
}

// The words of a `report:` list; nullopt when the key is not written. `check` is a route's
// word: an aggregate refuses it by name rather than as unknown, so the reader learns where it
// belongs, not that it is misspelt.
std::optional<std::vector<std::string>> ReportWords(const ConfigReader& r, const YAML::Node& n, const std::string& who,
                                                    bool of_route) {
  const auto words = r.StringList(n, "report", who);
  if (!words) return std::nullopt;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < words->size(); ++i) {
    const std::string& word = (*words)[i];
    const YAML::Node at = n["report"][i];
    if (word == "check" && !of_route) {
      r.Fail(at, who + ": an aggregate reports status or deployment; check runs are per route: add `check` to " +
                     "the report of the member routes instead");
    }
    if (word != "status" && word != "deployment" && !(word == "check" && of_route)) {
      r.Fail(at, who + ": unknown report '" + word + "' (status, deployment" + (of_route ? ", check)" : ")"));
    }
    if (!seen.insert(word).second) r.Fail(at, who + ": report lists '" + word + "' twice; list it once");
  }
  return words;
}

bool Lists(const std::vector<std::string>& words, const char* word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string ParseName(const ConfigReader& r, const YAML::Node& n, const std::string& where) {
  const std::string name = r.String(n, "name", "");
  if (name.empty()) r.Fail(n, where + ".name is required: the aggregate posts the status fleet/<name>");
  // Hosts and branch protection rules take the context as typed; a space or a slash in it
  // would make `fleet/<name>` hard to require and easy to mistype.
  const bool plain = std::all_of(name.begin(), name.end(),
                                 [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; });
  if (!plain) {
    r.Fail(n["name"], "aggregate name '" + name + "' may contain only letters, digits, '.', '_' and '-' (it becomes " +
                          "the status fleet/" + name + "); use a name such as production or prod.eu");
  }
  return name;
}

// The route the aggregate is posted through; it needs a provider unless nothing is posted.
const RouteConfig& PostingRoute(const ConfigReader& r, const YAML::Node& n, const core::FleetAggregate& a,
                                const std::vector<RouteConfig>& routes) {
  const std::string who = "aggregate '" + a.name + "'";
  const std::string name = r.String(n, "route", "");
  if (name.empty()) {
    r.Fail(n, who + ": route is required: the route whose provider, repository and token post " + a.Context());
  }
  const RouteConfig* route = FindRoute(routes, name);
  if (!route) r.Fail(n["route"], who + ": route '" + name + "' is not configured" + RouteHint(name, routes));
  if (a.report_status && route->provider.empty()) {
    r.Fail(n["route"], who + " cannot post " + a.Context() + ": route '" + name +
                           "' has no provider; set provider/address on it or name a route that has one");
  }
  return *route;
}

// An aggregate's deployment goes to the environment named after it, through its route: that
// route must post deployments, and no route may deploy to that environment of the same
// repository (the host would hold one deployment for both, moved by two different states).
void CheckAggregateDeployment(const ConfigReader& r, const YAML::Node& n, const core::FleetAggregate& a,
                              const RouteConfig& route, const std::vector<RouteConfig>& routes) {
  const std::string who = "aggregate '" + a.name + "'";
  if (route.provider.empty()) {
    r.Fail(n["report"], who + " cannot post its deployment to environment '" + a.name + "': route '" + route.name +
                            "' has no provider; set provider (github or gitlab) and address on it, name a route " +
                            "that has one, or remove `deployment` from report");
  }
  if (!PostsDeployments(route.provider)) {
    r.Fail(n["report"], "deployments are posted to GitHub and GitLab only; " + who + " is posted through route '" +
                            route.name + "', which uses provider '" + route.provider +
                            "': remove `deployment` from report");
  }
  const std::string key = DeploymentHostKey(route, a.name);
  for (const auto& other : routes) {
    if (!other.deployment || DeploymentHostKey(other, other.deployment->environment) != key) continue;
    r.Fail(n["name"], who + ": its deployment to environment '" + a.name + "' of " + route.repo +
                          " would be the same deployment on the host as route '" + other.name +
                          "''s (its deployment.environment resolves to '" + a.name +
                          "'); rename the aggregate, change that route's deployment.environment, or remove " +
                          "`deployment` from the aggregate's report");
  }
}

std::vector<std::string> ParseMembers(const ConfigReader& r, const YAML::Node& n, const std::string& who,
                                      const std::vector<RouteConfig>& routes) {
  const auto members = r.StringList(n, "members", who);
  if (!members || members->empty()) {
    r.Fail(members ? n["members"] : n,
           who + " has no members; list the routes it sums up (one per cluster), e.g. members: [prod-eu, prod-us]");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < members->size(); ++i) {
    const std::string& member = (*members)[i];
    if (!FindRoute(routes, member)) {
      r.Fail(n["members"][i], who + ": member '" + member + "' is not a configured route" + RouteHint(member, routes));
    }
    if (!seen.insert(member).second) {
      r.Fail(n["members"][i], who + ": member '" + member + "' is listed twice; list each route once");
    }
  }
  return *members;
}

std::vector<std::string> ParseContexts(const ConfigReader& r, const YAML::Node& n, const std::string& who,
                                       const std::string& fleet_context) {
  auto patterns = r.StringList(n, "contexts", who);
  if (!patterns) return {"*"};  // every member context counts
  // An empty list would count nothing: every member stays pending and the aggregate can never
  // succeed, which looks like a stuck fleet rather than a config mistake.
  if (patterns->empty()) {
    r.Fail(n["contexts"], who + ": contexts is empty, so no member status would count and " + fleet_context +
                              " could never succeed; leave contexts out to count every context, or list globs " +
                              "such as \"kustomization/*\"");
  }
  for (std::size_t i = 0; i < patterns->size(); ++i) {
    if ((*patterns)[i].empty()) {
      r.Fail(n["contexts"][i], who + ": contexts has an empty pattern, which matches no context; remove it or " +
                                   "write a glob such as \"kustomization/*\"");
    }
  }
  return *patterns;
}

core::AggregateRule ParseRule(const ConfigReader& r, const YAML::Node& n, const std::string& who,
                              std::size_t member_count) {
  const std::string text = r.String(n, "rule", "all");
  auto parsed = core::ParseAggregateRule(text, member_count);
  if (const auto* error = std::get_if<core::AggregateRuleError>(&parsed)) {
    const std::string range = "from 1 to " + std::to_string(member_count);
    const bool says_range = error->message.find(range) != std::string::npos;  // "N must be a whole number …"
    r.Fail(n["rule"], who + ": " + error->message + (says_range ? "" : "; write all, or quorum N with N " + range));
  }
  return std::get<core::AggregateRule>(parsed);
}

core::FleetAggregate ParseAggregate(const ConfigReader& r, const YAML::Node& n, std::size_t index,
                                    const std::vector<RouteConfig>& routes) {
  const std::string where = "aggregates[" + std::to_string(index) + "]";
  r.KnownKeys(n, where, kAggregateKeys);
  core::FleetAggregate a;
  a.name = ParseName(r, n, where);
  const std::string who = "aggregate '" + a.name + "'";
  // `report: []` folds and keeps the aggregate without posting it (no provider needed).
  if (const auto report = ReportWords(r, n, who, false)) {
    a.report_status = Lists(*report, "status");
    a.report_deployment = Lists(*report, "deployment");
  }
  const RouteConfig& route = PostingRoute(r, n, a, routes);
  if (a.report_deployment) CheckAggregateDeployment(r, n, a, route, routes);
  a.route = route.name;
  a.repo = route.repo;
  a.members = ParseMembers(r, n, who, routes);
  a.contexts = ParseContexts(r, n, who, a.Context());
  a.rule = ParseRule(r, n, who, a.members.size());
  return a;
}

}  // namespace

RouteReports ParseRouteReport(const ConfigReader& r, const YAML::Node& route, const std::string& rw) {
  const auto report = ReportWords(r, route, rw, true);
  if (!report) return {};
  if (report->empty()) {
    r.Fail(route["report"], rw + ": report: [] would post nothing; list status, deployment, check or several " +
                                "(to fold statuses without posting them, leave provider out)");
  }
  return {Lists(*report, "status"), Lists(*report, "deployment"), Lists(*report, "check")};
}

std::vector<core::FleetAggregate> ParseAggregates(const ConfigReader& r, const YAML::Node& list,
                                                  const std::vector<RouteConfig>& routes) {
  if (!list.IsDefined() || list.IsNull()) return {};
  if (!list.IsSequence()) r.Fail(list, "aggregates must be a list");
  std::vector<core::FleetAggregate> aggregates;
  std::map<std::string, int> first_line;  // name -> its line, to point at the first definition
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node entry = list[i];
    core::FleetAggregate a = ParseAggregate(r, entry, i, routes);
    const YAML::Node name = entry["name"];
    const auto [first, inserted] = first_line.emplace(a.name, name.Mark().line + 1);
    if (!inserted) {
      r.Fail(name, "aggregate '" + a.name + "' is defined twice (first at line " + std::to_string(first->second) +
                       "); both would post " + a.Context() + ": give each aggregate its own name");
    }
    aggregates.push_back(std::move(a));
  }
  return aggregates;
}

}  // namespace fluxstatus::app
