// Fuzz target: Flux revision strings and metadata (sender-controlled) through ExtractCommitSha,
// IsHexPrefix and ResolveCommit. Input: byte 0 picks the involved object's kind and apiVersion;
// the rest is lines, each "<key selector byte><value>", becoming metadata entries.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/revision.h"
#include "fuzz/fuzz_check.h"

namespace core = fluxstatus::core;

namespace {

bool IsLowerHexSha(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

constexpr std::array<std::string_view, 10> kKeys = {
    "commit",
    "originRevision",
    "revision",
    "event.toolkit.fluxcd.io/commit",
    "event.toolkit.fluxcd.io/originRevision",
    "event.toolkit.fluxcd.io/revision",
    "kustomize.toolkit.fluxcd.io/revision",
    "helm.toolkit.fluxcd.io/originRevision",
    "source.toolkit.fluxcd.io/revision",
    "other.example.com/revision",
};
constexpr std::array<std::string_view, 4> kKinds = {"GitRepository", "Kustomization", "OCIRepository", "HelmRelease"};
constexpr std::array<std::string_view, 3> kApiVersions = {"", "kustomize.toolkit.fluxcd.io/v1",
                                                          "source.toolkit.fluxcd.io/v1"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  for (const bool sha256_is_commit : {false, true}) {
    if (const auto sha = core::ExtractCommitSha(rest, sha256_is_commit)) {
      FUZZ_CHECK(IsLowerHexSha(*sha));
      if (!sha256_is_commit) FUZZ_CHECK(sha->size() == 40);
    }
  }
  if (core::IsHexPrefix(rest)) FUZZ_CHECK(!rest.empty());

  core::FluxEvent event;
  event.object.kind = kKinds[data[0] % kKinds.size()];
  event.object.api_version = kApiVersions[(data[0] / kKinds.size()) % kApiVersions.size()];
  std::string_view lines = rest;
  while (!lines.empty()) {
    const auto newline = lines.find('\n');
    const std::string_view line = lines.substr(0, newline);
    lines = newline == std::string_view::npos ? std::string_view{} : lines.substr(newline + 1);
    if (line.empty()) continue;
    event.metadata[std::string(kKeys[static_cast<unsigned char>(line[0]) % kKeys.size()])] =
        std::string(line.substr(1));
  }
  const core::CommitRef ref = core::ResolveCommit(event);
  FUZZ_CHECK(ref.sha.has_value() != !ref.no_commit_reason.empty());
  if (ref.sha) FUZZ_CHECK(IsLowerHexSha(*ref.sha));
  return 0;
}
