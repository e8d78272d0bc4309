#include "tests/soak/reference_fold.h"

#include <cctype>
#include <stdexcept>

#include <rapidjson/document.h>

namespace fluxstatus::soak {
namespace {

std::string Member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString()) return {};
  return std::string(object[name].GetString(), object[name].GetStringLength());
}

bool IsHex40(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// flux-events.md, "Revision strings": `<ref>@sha1:<hex>`, `sha1:<hex>`, `<hex>`; anything
// else (a chart version) names no commit.
std::string CommitOf(const std::string& revision) {
  const auto at = revision.rfind("sha1:");
  const std::string hex = at == std::string::npos ? revision : revision.substr(at + 5);
  if (!IsHex40(hex)) return {};
  std::string lower;
  for (char c : hex) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// "HealthCheckFailed" -> "health check failed": split before each capital, lower-cased.
std::string InWords(const std::string& reason) {
  std::string out;
  for (char c : reason) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += ' ';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

Derived Derive(const std::string& body, const std::string& cluster) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("involvedObject")) {
    throw std::runtime_error("reference fold: not a Flux event: " + body.substr(0, 200));
  }
  const rapidjson::Value& object = doc["involvedObject"];
  const std::string severity = Member(doc, "severity");
  const std::string reason = Member(doc, "reason");
  const std::string timestamp = Member(doc, "timestamp");
  if (timestamp.size() != 20 || timestamp.back() != 'Z') {
    throw std::runtime_error("reference fold: timestamp is not whole-second UTC: " + timestamp);
  }
  Derived d;
  d.event_time = timestamp.substr(0, 19) + ".000Z";
  if (doc.HasMember("metadata")) {
    // Precedence as Flux's GetRevision: commit, then originRevision, then revision.
    const rapidjson::Value& meta = doc["metadata"];
    for (const char* key : {"commit", "originRevision", "revision"}) {
      const std::string value = Member(meta, key);
      if (value.empty()) continue;
      d.commit = CommitOf(value);
      break;
    }
  }
  std::string kind;
  for (char c : Member(object, "kind")) kind += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  d.context = kind + "/" + Member(object, "name") + (cluster.empty() ? "" : "/" + cluster);
  if (severity == "error")
    d.state = "failure";
  else if (reason == "Progressing" || reason == "ProgressingWithRetry" || reason == "DependencyNotReady")
    d.state = "pending";
  else if (severity == "info")
    d.state = "success";
  else
    throw std::runtime_error("reference fold: severity '" + severity + "' is not in the stream's vocabulary");
  d.description = InWords(reason);
  if (d.state == "failure") {
    const std::string message = Member(doc, "message");
    d.description += ": " + message.substr(0, message.find('\n'));
  }
  return d;
}

std::string KeyText(const KeyId& key) {
  return "route " + std::get<0>(key) + ", commit " + std::get<1>(key) + ", context " + std::get<2>(key);
}

ReferenceFold Fold(const std::vector<RouteBody>& bodies, const std::map<std::string, std::string>& cluster_of_route) {
  ReferenceFold fold;
  for (const auto& rb : bodies) {
    const Derived d = Derive(rb.body, cluster_of_route.at(rb.route));
    if (d.commit.empty()) {
      ++fold.without_commit;
      continue;
    }
    const KeyId key{rb.route, d.commit, d.context};
    auto [it, fresh] = fold.keys.try_emplace(key, Expected{d, rb.body, 0});
    ++it->second.events;
    if (fresh) continue;
    if (d.event_time == it->second.winner.event_time && rb.body != it->second.body) {
      fold.ties.push_back(KeyText(key) + " at " + d.event_time);
    } else if (d.event_time > it->second.winner.event_time) {  // fixed-width UTC text sorts as time
      it->second.winner = d;
      it->second.body = rb.body;
    }
  }
  return fold;
}

int CountOutOfOrder(const std::vector<RouteBody>& log, const std::map<std::string, std::string>& cluster_of_route) {
  std::map<KeyId, std::string> newest_so_far;
  int late = 0;
  for (const auto& rb : log) {
    const auto found = cluster_of_route.find(rb.route);
    if (found == cluster_of_route.end()) continue;
    const Derived d = Derive(rb.body, found->second);
    if (d.commit.empty()) continue;
    auto [it, fresh] = newest_so_far.try_emplace(KeyId{rb.route, d.commit, d.context}, d.event_time);
    if (fresh) continue;
    if (d.event_time < it->second)
      ++late;
    else
      it->second = d.event_time;
  }
  return late;
}

}  // namespace fluxstatus::soak
