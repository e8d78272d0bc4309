// ExtractCommitSha and ResolveCommit: which Git commit an event is about (flux-events.md,
// flux-notification-controller.md §1.7, §1.8).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/revision.h"
#include "tests/core/test_support.h"

namespace bdata = boost::unit_test::data;
namespace core = fluxstatus::core;
using core::CommitRef;
using core::FluxEvent;
using core::testing::kOtherSha1;
using core::testing::kSha1;
using core::testing::kSha1Upper;
using core::testing::kSha256;
using core::testing::kThirdSha1;
using core::testing::MakeEvent;

namespace {

struct ExtractCase {
  const char* name;
  std::string revision;
  bool sha256_is_commit;
  std::optional<std::string> sha;
};

std::ostream& operator<<(std::ostream& os, const ExtractCase& c) {
  return os << c.name << " (" << c.revision << ", sha256_is_commit=" << c.sha256_is_commit << ")";
}

const std::optional<std::string> kNone;

const std::vector<ExtractCase> kExtractCases = {
    // Flux 2 forms.
    {"branch@sha1", "main@sha1:" + kSha1, false, kSha1},
    {"nested branch@sha1", "feature/x@sha1:" + kSha1, false, kSha1},
    {"env/dev@sha1", "env/dev@sha1:" + kSha1, false, kSha1},
    {"release/v2.3@sha1 (wire sample 06)", "release/v2.3@sha1:1941ef8213b285be7f22c77a7f57b18d5c026cb0", false,
     "1941ef8213b285be7f22c77a7f57b18d5c026cb0"},
    {"non-ASCII branch@sha1", "feature/ünïcode@sha1:" + kSha1, false, kSha1},
    {"sha1 only (wire sample 12)", "sha1:" + kSha1, false, kSha1},
    // Legacy Flux < 2.0 forms and a bare hash.
    {"legacy main/<sha>", "main/" + kSha1, false, kSha1},
    {"legacy env/dev/<sha>", "env/dev/" + kSha1, false, kSha1},
    {"legacy HEAD/<sha>", "HEAD/" + kSha1, false, kSha1},
    {"bare 40 hex", kSha1, false, kSha1},
    // Upper-case hex is normalised to lower case.
    {"upper-case branch@sha1", "main@sha1:" + kSha1Upper, false, kSha1},
    {"upper-case bare", kSha1Upper, false, kSha1},
    {"upper-case legacy", "main/" + kSha1Upper, false, kSha1},
    // SHA-256: a commit only for Git sources.
    {"OCI tag@sha256, not a Git source", "v1.4.2@sha256:" + kSha256, false, kNone},
    {"tag@sha256 of a Git SHA-256 repository", "v1.4.2@sha256:" + kSha256, true, kSha256},
    {"sha256 only (Bucket), not a Git source", "sha256:" + kSha256, false, kNone},
    {"sha256 only, Git source", "sha256:" + kSha256, true, kSha256},
    {"bare 64 hex, not a Git source", kSha256, false, kNone},
    {"bare 64 hex, Git source", kSha256, true, kSha256},
    {"sha1 label on 64 hex", "main@sha1:" + kSha256, true, kNone},
    {"sha256 label on 40 hex", "main@sha256:" + kSha1, true, kNone},
    {"unknown algorithm label", "main@md5:" + kSha1, true, kNone},
    // Chart versions, tags and branches name no commit.
    {"chart version 4.1.2", "4.1.2", true, kNone},
    {"chart version with build metadata", "1.8.0+1", true, kNone},
    {"pre-release chart version (wire sample 10)", "2.0.0-rc.1+build.7", true, kNone},
    {"bare branch", "master", true, kNone},
    {"branch@sha1 with nothing after the colon", "main@sha1:", true, kNone},
    {"empty", "", true, kNone},
    // Lengths and alphabets Flux would accept (it only checks the length).
    {"39 hex", kSha1.substr(1), true, kNone},
    {"41 hex", kSha1 + "0", true, kNone},
    {"40 chars, not hex", "g" + kSha1.substr(1), true, kNone},
    {"branch@sha1 with 40 non-hex chars", "main@sha1:" + std::string(40, 'z'), true, kNone},
    {"legacy with 39 hex", "main/" + kSha1.substr(1), true, kNone},
};

struct ResolveCase {
  const char* name;
  std::string kind;
  std::string api_version;
  std::map<std::string, std::string> metadata;
  std::optional<std::string> sha;
  std::string revision;          // the value CommitRef.revision must record
  std::string no_commit_reason;  // "" when sha is set
};

std::ostream& operator<<(std::ostream& os, const ResolveCase& c) { return os << c.name; }

constexpr const char* kKustomizeApi = "kustomize.toolkit.fluxcd.io/v1";
constexpr const char* kSourceApi = "source.toolkit.fluxcd.io/v1";
constexpr const char* kHelmApi = "helm.toolkit.fluxcd.io/v2";

// One row a line reads as the table it is.
// clang-format off
const std::vector<ResolveCase> kResolveCases = {
    // Forwarded (prefix-stripped) keys.
    {"plain revision", "Kustomization", kKustomizeApi, {{"revision", "main@sha1:" + kSha1}},
     kSha1, "main@sha1:" + kSha1, ""},
    {"legacy plain revision (sample 06)", "Kustomization", kKustomizeApi,
     {{"revision", "main/" + kSha1}}, kSha1, "main/" + kSha1, ""},
    {"upper-case revision keeps its text, SHA lower-cased", "Kustomization", kKustomizeApi,
     {{"revision", "main@sha1:" + kSha1Upper}}, kSha1, "main@sha1:" + kSha1Upper, ""},
    // Direct (group-prefixed) keys.
    {"kustomize-prefixed revision (wire sample 01)", "Kustomization", kKustomizeApi,
     {{"kustomize.toolkit.fluxcd.io/commit_status", "update"},
      {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:" + kSha1}},
     kSha1, "main@sha1:" + kSha1, ""},
    {"source-prefixed revision with a digest key (wire sample 06)", "GitRepository", kSourceApi,
     {{"source.toolkit.fluxcd.io/digest", "sha256:" + kSha256},
      {"source.toolkit.fluxcd.io/revision", "release/v2.3@sha1:" + kSha1}},
     kSha1, "release/v2.3@sha1:" + kSha1, ""},
    // Precedence: commit, then originRevision, then revision.
    {"commit beats originRevision and revision", "Kustomization", kKustomizeApi,
     {{"commit", kThirdSha1}, {"originRevision", "main@sha1:" + kOtherSha1},
      {"revision", "main@sha1:" + kSha1}},
     kThirdSha1, kThirdSha1, ""},
    {"originRevision beats revision", "Kustomization", kKustomizeApi,
     {{"originRevision", "main@sha1:" + kOtherSha1}, {"revision", "main@sha1:" + kSha1}},
     kOtherSha1, "main@sha1:" + kOtherSha1, ""},
    {"prefixed originRevision beats OCI revision (wire sample 05)", "Kustomization", kKustomizeApi,
     {{"kustomize.toolkit.fluxcd.io/commit_status", "update"},
      {"kustomize.toolkit.fluxcd.io/originRevision", "main@sha1:" + kOtherSha1},
      {"kustomize.toolkit.fluxcd.io/revision", "v1.4.2@sha256:" + kSha256}},
     kOtherSha1, "main@sha1:" + kOtherSha1, ""},
    {"event.toolkit.fluxcd.io/commit beats chart version (wire sample 09)", "HelmRelease", kHelmApi,
     {{"event.toolkit.fluxcd.io/change_request", "1287"},
      {"event.toolkit.fluxcd.io/commit", kThirdSha1},
      {"helm.toolkit.fluxcd.io/revision", "4.1.2"},
      {"helm.toolkit.fluxcd.io/token", "sha256:" + kSha256}},
     kThirdSha1, kThirdSha1, ""},
    {"event.toolkit.fluxcd.io/commit beats a plain revision", "Kustomization", kKustomizeApi,
     {{"event.toolkit.fluxcd.io/commit", kThirdSha1}, {"revision", "main@sha1:" + kSha1}},
     kThirdSha1, kThirdSha1, ""},
    {"plain key beats the same key prefixed", "Kustomization", kKustomizeApi,
     {{"revision", "main@sha1:" + kSha1},
      {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:" + kOtherSha1}},
     kSha1, "main@sha1:" + kSha1, ""},
    {"a higher key naming no commit falls back to a lower key", "Kustomization", kKustomizeApi,
     {{"originRevision", "v1.4.2"}, {"revision", "main@sha1:" + kSha1}},
     kSha1, "main@sha1:" + kSha1, ""},
    // SHA-256 revisions: a commit only for GitRepository, or from originRevision/commit.
    {"sha256 revision of a Kustomization is an artifact digest", "Kustomization", kKustomizeApi,
     {{"revision", "v1.4.2@sha256:" + kSha256}},
     std::nullopt, "v1.4.2@sha256:" + kSha256,
     "revision 'v1.4.2@sha256:" + kSha256 + "' names no Git commit"},
    {"sha256 revision of an OCIRepository (wire sample 08)", "OCIRepository", kSourceApi,
     {{"source.toolkit.fluxcd.io/digest", "sha256:" + kSha256},
      {"source.toolkit.fluxcd.io/revision", "v1.4.2@sha256:" + kSha256}},
     std::nullopt, "v1.4.2@sha256:" + kSha256,
     "revision 'v1.4.2@sha256:" + kSha256 + "' names no Git commit"},
    {"sha256 revision of a GitRepository is a commit", "GitRepository", kSourceApi,
     {{"source.toolkit.fluxcd.io/revision", "main@sha256:" + kSha256}},
     kSha256, "main@sha256:" + kSha256, ""},
    {"sha256 originRevision of a Kustomization is a commit", "Kustomization", kKustomizeApi,
     {{"originRevision", "main@sha256:" + kSha256}, {"revision", "latest@sha256:" + kSha256}},
     kSha256, "main@sha256:" + kSha256, ""},
    // Chart versions.
    {"chart version 4.1.2", "HelmRelease", kHelmApi, {{"helm.toolkit.fluxcd.io/revision", "4.1.2"}},
     std::nullopt, "4.1.2", "revision '4.1.2' names no Git commit"},
    {"chart version 1.8.0+1", "HelmRelease", kHelmApi, {{"revision", "1.8.0+1"}},
     std::nullopt, "1.8.0+1", "revision '1.8.0+1' names no Git commit"},
    {"no key resolves: the highest-precedence key is recorded", "Kustomization", kKustomizeApi,
     {{"originRevision", "v1.4.2"}, {"revision", "4.1.2"}},
     std::nullopt, "v1.4.2", "originRevision 'v1.4.2' names no Git commit"},
    // apiVersion missing: any *.fluxcd.io group prefix is accepted, nothing else.
    {"prefixed revision without apiVersion", "Kustomization", "",
     {{"kustomize.toolkit.fluxcd.io/revision", "main@sha1:" + kSha1}},
     kSha1, "main@sha1:" + kSha1, ""},
    {"prefixed originRevision without apiVersion", "Kustomization", "",
     {{"kustomize.toolkit.fluxcd.io/originRevision", "main@sha1:" + kOtherSha1},
      {"kustomize.toolkit.fluxcd.io/revision", "v1.4.2@sha256:" + kSha256}},
     kOtherSha1, "main@sha1:" + kOtherSha1, ""},
    {"non-flux group without apiVersion", "Kustomization", "",
     {{"example.com/revision", "main@sha1:" + kSha1}},
     std::nullopt, "", "the event has no revision metadata"},
    {"non-flux group with apiVersion", "Kustomization", kKustomizeApi,
     {{"example.com/revision", "main@sha1:" + kSha1}},
     std::nullopt, "", "the event has no revision metadata"},
    {"group merely ending in fluxcd.io", "Kustomization", "",
     {{"notfluxcd.io/revision", "main@sha1:" + kSha1}},
     std::nullopt, "", "the event has no revision metadata"},
    {"key that only ends in revision", "Kustomization", kKustomizeApi,
     {{"kustomize.toolkit.fluxcd.io/lastRevision", "main@sha1:" + kSha1}},
     std::nullopt, "", "the event has no revision metadata"},
    // No revision at all.
    {"no metadata (sample 09 / wire sample 07)", "GitRepository", kSourceApi, {},
     std::nullopt, "", "the event has no revision metadata"},
    {"only unrelated keys", "Kustomization", kKustomizeApi,
     {{"cluster", "prod-eu-1"}, {"summary", "prod"}, {"kustomize.toolkit.fluxcd.io/token", "c1f0a9"},
      {"source.toolkit.fluxcd.io/digest", "sha256:" + kSha256}},
     std::nullopt, "", "the event has no revision metadata"},
};
// clang-format on

}  // namespace

BOOST_AUTO_TEST_SUITE(ExtractCommitSha)

BOOST_DATA_TEST_CASE(returns_lower_case_sha_when_revision_names_a_commit, bdata::make(kExtractCases), c) {
  BOOST_TEST(core::ExtractCommitSha(c.revision, c.sha256_is_commit) == c.sha);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ResolveCommit)

BOOST_DATA_TEST_CASE(resolves_by_precedence_when_metadata_has_revision_keys, bdata::make(kResolveCases), c) {
  const FluxEvent ev = MakeEvent(c.kind, c.api_version, c.metadata);
  const CommitRef ref = core::ResolveCommit(ev);
  BOOST_TEST(ref.sha == c.sha);
  BOOST_TEST(ref.revision == c.revision);
  BOOST_TEST(ref.no_commit_reason == c.no_commit_reason);
}

BOOST_AUTO_TEST_CASE(sets_exactly_one_of_sha_and_reason_when_resolving) {
  for (const auto& c : kResolveCases) {
    const CommitRef ref = core::ResolveCommit(MakeEvent(c.kind, c.api_version, c.metadata));
    BOOST_TEST_CONTEXT(c.name) { BOOST_TEST(ref.sha.has_value() == ref.no_commit_reason.empty()); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
