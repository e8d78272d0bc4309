#include "core/description.h"

#include <cctype>
#include <vector>

namespace fluxstatus::core {
namespace {

enum class CharClass { kLower, kUpper, kDigit, kOther };

CharClass Classify(unsigned char c) {
  if (c >= 'a' && c <= 'z') return CharClass::kLower;
  if (c >= 'A' && c <= 'Z') return CharClass::kUpper;
  if (c >= '0' && c <= '9') return CharClass::kDigit;
  return CharClass::kOther;
}

}  // namespace

std::string HumaniseReason(std::string_view reason) {
  // Runs of one character class, as fatih/camelcase (used by Flux) splits them.
  std::vector<std::string> runs;
  CharClass last = CharClass::kOther;
  for (size_t i = 0; i < reason.size(); ++i) {
    const CharClass cls = Classify(static_cast<unsigned char>(reason[i]));
    if (runs.empty() || cls != last) runs.emplace_back();
    runs.back() += reason[i];
    last = cls;
  }
  // "OCIArtifact" splits as "OCIA" + "rtifact": hand the last capital to the lower-case run.
  for (size_t i = 0; i + 1 < runs.size(); ++i) {
    if (Classify(runs[i].front()) == CharClass::kUpper && Classify(runs[i + 1].front()) == CharClass::kLower) {
      runs[i + 1].insert(runs[i + 1].begin(), runs[i].back());
      runs[i].pop_back();
    }
  }
  std::string out;
  for (const auto& run : runs) {
    if (run.empty()) continue;
    if (!out.empty()) out += ' ';
    for (unsigned char c : run) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::string DescribeStatus(StatusState state, std::string_view reason, std::string_view message) {
  std::string text = HumaniseReason(reason);
  if (state != StatusState::kFailure && state != StatusState::kError) return text;
  auto first_line = message.substr(0, message.find('\n'));
  while (!first_line.empty() && (first_line.back() == '\r' || first_line.back() == ' ')) {
    first_line.remove_suffix(1);
  }
  if (first_line.empty()) return text;
  return text.empty() ? std::string(first_line) : text + ": " + std::string(first_line);
}

}  // namespace fluxstatus::core
