// "unknown command 'stauts'; did you mean 'status'?": the verb nearest to a typo.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fluxstatus::app {

// Edit distance counting an insertion, a deletion, a substitution or two swapped neighbours
// as one edit each ("stauts" is one edit from "status").
std::size_t EditDistance(const std::string& a, const std::string& b);

// The verb nearest to `typed` when it is near enough to be a typo (at most 2 edits, or a
// third of the word's length for long words); ties go to the earlier verb.
std::optional<std::string> NearestVerb(const std::string& typed, const std::vector<std::string>& verbs);

}  // namespace fluxstatus::app
