// Kubernetes LIST response (one page) -> Flux objects. The only code that knows the JSON shape of
// Flux objects (../shared/reference/flux-objects.md §1.3, §2). Untrusted input: every problem is a
// ParseError naming the field, never an exception.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/flux_json.h"
#include "core/flux_object.h"

namespace fluxstatus::core {

struct ObjectListPage {
  std::string item_kind;    // the List's kind minus "List": "Kustomization", "GitRepository", ...
  std::string api_version;  // the List's apiVersion, copied into every item
  std::vector<FluxObject> items;
  std::string continue_token;    // metadata.continue; "" on the last page
  std::string resource_version;  // metadata.resourceVersion (the same on every page of one list)
};

// Parses one page. Every item takes its kind and apiVersion from the List (items' own are not
// relied on). Unknown fields are ignored, every status field is optional, and null counts as
// absent. Rejected, with the field's path ("items[3].status.conditions is not an array"): invalid
// JSON, a List kind not ending in "List", items that are not an array, an item without
// metadata.name, a condition without type, and a field resync reads that has the wrong type.
std::variant<ObjectListPage, ParseError> ParseObjectList(std::string_view body);

}  // namespace fluxstatus::core
