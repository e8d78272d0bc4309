#include "app/verb_suggestion.h"

#include <algorithm>

namespace fluxstatus::app {

std::size_t EditDistance(const std::string& a, const std::string& b) {
  // d[i][j]: edits from a's first i characters to b's first j (optimal string alignment).
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> NearestVerb(const std::string& typed, const std::vector<std::string>& verbs) {
  const std::size_t near_enough = std::max<std::size_t>(2, typed.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = near_enough + 1;
  for (const auto& verb : verbs) {
    const std::size_t distance = EditDistance(typed, verb);
    if (distance < best_distance) {
      best = verb;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace fluxstatus::app
