// Fuzz target: every provider's reading of a Git host's answer (InterpretCreate, InterpretList,
// and through them reply_reading.cpp: Retry-After, HTTP dates, rate-limit headers, RapidJSON
// error bodies). One target for the six providers, chosen by the first input byte, so CI fuzzes
// them all in one time budget. Input: byte 0 provider, byte 1 call (bit 0: list, bits 1-7:
// page), bytes 2-3 the HTTP status, then "name: value" header lines up to an empty line, then
// the body. Properties: total (no crash, exception or leak), bounded error text, no negative
// delay.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dispatch/provider.h"
#include "dispatch/provider_factory.h"
#include "fuzz/fuzz_check.h"

namespace dispatch = fluxstatus::dispatch;

namespace {

struct Host {
  const char* kind;
  const char* address;
};
constexpr std::array<Host, 6> kHosts = {{
    {"github", "https://github.com/owner/repo"},
    {"gitlab", "https://gitlab.com/group/sub/proj"},
    {"gitea", "https://gitea.example.com/owner/repo"},
    {"bitbucket", "https://bitbucket.org/workspace/repo"},
    {"bitbucketserver", "https://bbs.example.com/scm/PROJ/repo.git"},
    {"azuredevops", "https://dev.azure.com/org/project/_git/repo"},
}};

const std::array<std::unique_ptr<dispatch::Provider>, 6>& Providers() {
  static const auto providers = [] {
    std::array<std::unique_ptr<dispatch::Provider>, 6> built;
    for (std::size_t i = 0; i < kHosts.size(); ++i) {
      built[i] = dispatch::MakeProvider({"fuzz", kHosts[i].kind, kHosts[i].address, ""});
    }
    return built;
  }();
  return providers;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void CheckOutcome(const dispatch::SendOutcome& outcome) {
  FUZZ_CHECK(outcome.error.size() <= 1024);
  if (outcome.retry_after) FUZZ_CHECK(outcome.retry_after->count() >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const dispatch::Provider& provider = *Providers()[data[0] % kHosts.size()];
  const bool list = (data[1] & 1) != 0;
  const int page = 1 + (data[1] >> 1);

  dispatch::HttpReply reply;
  reply.status = ((data[2] << 8) | data[3]) % 1000;
  std::string_view rest(reinterpret_cast<const char*>(data) + 4, size - 4);
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    reply.headers.emplace_back(Lower(line.substr(0, colon)), std::string(value));
  }
  reply.body = std::string(rest);

  constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
  if (list) {
    const fluxstatus::core::StatusKey key{"fuzz", "", "0c9c2e41a33b5b2b4b0e4c5a1f6e3d2c1b0a9f8e",
                                          "kustomization/apps/" + std::to_string(page)};
    const dispatch::Provider::ListPage read = provider.InterpretList(reply, key, kNow);
    CheckOutcome(read.outcome);
    if (read.outcome.kind != dispatch::OutcomeKind::kSynced) {
      FUZZ_CHECK(!read.newest_for_context && !read.more_pages);
    }
  } else {
    CheckOutcome(provider.InterpretCreate(reply, kNow));
  }
  return 0;
}
