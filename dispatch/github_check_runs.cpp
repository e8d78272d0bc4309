#include "dispatch/github_check_runs.h"

#include <charconv>
#include <limits>
#include <string>

#include "core/compact_json.h"
#include "dispatch/github.h"
#include "dispatch/github_api.h"
#include "dispatch/reply_reading.h"
#include "dispatch/request_encoding.h"
#include "dispatch/route_address.h"

namespace fluxstatus::dispatch {
namespace {

constexpr int kPageSize = 100;  // list-for-ref's maximum per_page

bool AllDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// IdMember's decimal text as a number (ids past int64 do not occur; they would compare as the
// largest).
std::int64_t IdNumber(const std::string& id) {
  std::uint64_t value = 0;
  std::from_chars(id.data(), id.data() + id.size(), value);
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(value > kMax ? kMax : value);
}

// The check_runs array of a list-for-ref answer ({total_count, check_runs}), or nullptr.
const rapidjson::Value* RunsOf(const rapidjson::Document& doc) {
  if (!doc.IsObject()) return nullptr;
  const auto runs = doc.FindMember("check_runs");
  return runs != doc.MemberEnd() && runs->value.IsArray() ? &runs->value : nullptr;
}

// The fields a create and an update share; status first, as GitHub's examples have it.
void WriteState(cereal::JSONOutputArchive& ar, const DesiredCheckRun& d) {
  ar(cereal::make_nvp("status", std::string(d.phase.completed ? "completed" : "in_progress")));
  if (d.phase.completed) {
    // completed without a conclusion is a 422 (2.4); fluxstatus has none without one.
    ar(cereal::make_nvp("conclusion", CapText(d.phase.conclusion, 0)));
    if (!d.completed_at.empty()) ar(cereal::make_nvp("completed_at", CapText(d.completed_at, 0)));
  }
  if (!d.details_url.empty()) ar(cereal::make_nvp("details_url", CapText(d.details_url, 0)));
}

void WriteOutput(cereal::JSONOutputArchive& ar, const core::CheckRunOutput& output) {
  ar.setNextName("output");
  ar.startNode();
  // CapText also turns invalid UTF-8 into U+FFFD, which GitHub would otherwise refuse.
  ar(cereal::make_nvp("title", CapText(output.title, core::kCheckRunTitleLimit)));
  ar(cereal::make_nvp("summary", CapText(output.summary, core::kCheckRunTextLimit)));
  ar(cereal::make_nvp("text", CapText(output.text, core::kCheckRunTextLimit)));
  ar.finishNode();
}

// GitHub's 403s that no retry can mend, with what to change: GitHub's words alone do not say
// that a token route cannot have check runs, or that the App lacks a permission.
void ExplainRefusal(const HttpReply& reply, SendOutcome& o) {
  if (reply.status != 403 || o.kind == OutcomeKind::kRetry) return;
  const std::string lower = LowerAscii(o.error);
  std::string fix;
  if (lower.find("must authenticate via a github app") != std::string::npos ||
      lower.find("personal access token") != std::string::npos) {
    fix =
        "only a GitHub App installation token can write check runs: authenticate the route as a GitHub App "
        "with the Checks: write permission";
  } else if (lower.find("invalid app_id") != std::string::npos) {
    fix = "the check run was made by another GitHub App, and only its creator may change it";
  } else if (lower.find("resource not accessible by integration") != std::string::npos) {
    fix = "grant the GitHub App the Checks: write permission and accept it on the installation";
  }
  if (fix.empty()) return;
  o.kind = OutcomeKind::kPermanent;
  o.error = CapText(o.error + " (" + fix + ")", 500);
}

}  // namespace

GitHubCheckRuns::GitHubCheckRuns(std::string route, std::string_view address, std::string app_id)
    : route_(std::move(route)), endpoint_(GitHubProvider::ResolveAddress(route_, address)), app_id_(std::move(app_id)) {
  if (app_id_.empty()) {
    ThrowConfigError(route_, "check runs need a GitHub App (github_app_id): only a GitHub App can create check runs");
  }
  if (!AllDigits(app_id_)) ThrowConfigError(route_, "github_app_id '" + app_id_ + "' is not a number");
}

std::string GitHubCheckRuns::HostKey() const { return AuthorityOf(endpoint_.api_base); }

std::string GitHubCheckRuns::CheckRunsUrl() const {
  return endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/check-runs";
}

HttpCall GitHubCheckRuns::BuildFind(const DesiredCheckRun& d, const Credentials& creds, int page) const {
  // filter=all: `latest` would hide an older run of ours behind a newer one (2.5).
  return HttpCall{"GET",
                  endpoint_.api_base + "/repos/" + endpoint_.repo_id + "/commits/" + PercentEncode(d.commit_sha) +
                      "/check-runs?check_name=" + PercentEncode(d.name) + "&filter=all&app_id=" + app_id_ +
                      "&per_page=" + std::to_string(kPageSize) + "&page=" + std::to_string(page < 1 ? 1 : page),
                  GitHubHeaders(creds), ""};
}

CheckRunProvider::Found GitHubCheckRuns::InterpretFind(const HttpReply& reply, const DesiredCheckRun& d,
                                                       std::int64_t now_epoch_s) const {
  Found found;
  found.outcome = ClassifyGitHubReply(reply, now_epoch_s);
  if (found.outcome.kind != OutcomeKind::kSynced) return found;
  rapidjson::Document doc;
  const rapidjson::Value* runs = ParseJsonBody(reply.body, doc) ? RunsOf(doc) : nullptr;
  if (!runs) {
    found.outcome.kind = OutcomeKind::kPermanent;
    found.outcome.error = "check-run list is not a JSON object with a check_runs array";
    return found;
  }
  for (const auto& run : runs->GetArray()) {
    const auto id = IdMember(run, "id");
    if (!id || StringMember(run, "external_id") != d.external_id) continue;
    // Several can exist (a crash between create and store); the newest is the one GitHub shows.
    if (const std::int64_t number = IdNumber(*id); !found.id || number > found.id_number) {
      found.id = id;
      found.id_number = number;
      found.phase.completed = StringMember(run, "status") == "completed";
      found.phase.conclusion = found.phase.completed ? StringMember(run, "conclusion") : std::string();
      const auto output = run.FindMember("output");
      found.title = output != run.MemberEnd() ? StringMember(output->value, "title") : std::string();
    }
  }
  // Unlike deployments, a match does not end the search: a later page may hold a newer run.
  const std::string* link = reply.Header("link");
  found.more_pages = link ? LinkHasNext(link) : runs->Size() >= static_cast<rapidjson::SizeType>(kPageSize);
  return found;
}

HttpCall GitHubCheckRuns::BuildCreate(const DesiredCheckRun& d, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar(cereal::make_nvp("name", CapText(d.name, 0)));
    ar(cereal::make_nvp("head_sha", CapText(d.commit_sha, 0)));
    ar(cereal::make_nvp("external_id", CapText(d.external_id, 0)));
    if (!d.started_at.empty()) ar(cereal::make_nvp("started_at", CapText(d.started_at, 0)));
    WriteState(ar, d);
    WriteOutput(ar, d.output);
  });
  return JsonPost(CheckRunsUrl(), GitHubHeaders(creds), body);
}

CheckRunProvider::Created GitHubCheckRuns::InterpretCreate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  Created created;
  created.outcome = ClassifyGitHubReply(reply, now_epoch_s);
  ExplainRefusal(reply, created.outcome);
  created.id = CreatedId(reply, created.outcome, "GitHub", "check run");
  return created;
}

HttpCall GitHubCheckRuns::BuildUpdate(const std::string& id, const DesiredCheckRun& d, const Credentials& creds) const {
  const std::string body = core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    WriteState(ar, d);
    WriteOutput(ar, d.output);
  });
  return JsonCall("PATCH", CheckRunsUrl() + "/" + PercentEncode(id), GitHubHeaders(creds), body);
}

SendOutcome GitHubCheckRuns::InterpretUpdate(const HttpReply& reply, std::int64_t now_epoch_s) const {
  SendOutcome o = ClassifyGitHubReply(reply, now_epoch_s);
  ExplainRefusal(reply, o);
  return o;
}

}  // namespace fluxstatus::dispatch
