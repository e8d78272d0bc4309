// Splits an import file into event documents: one JSON document, a JSON array of them, or
// JSON Lines (any sequence of documents). Each document keeps its exact bytes, so imported
// bodies are logged verbatim like HTTP ones.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fluxstatus::ingest {

struct DocumentSpan {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::size_t line = 1;  // 1-based line where the document starts
};

struct DocumentError {
  std::size_t line = 1;
  std::string message;
};

struct SplitDocuments {
  std::vector<DocumentSpan> documents;  // every document before the first error
  std::optional<DocumentError> error;   // set when the rest of the text could not be split
};

SplitDocuments SplitEventDocuments(std::string_view text);

}  // namespace fluxstatus::ingest
