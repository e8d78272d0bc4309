// Splits an import file's whole text into event documents: a JSON array of them, or any
// sequence of (pretty-printed) documents. Each document keeps its exact bytes, so imported
// bodies are logged verbatim like HTTP ones. JSON Lines is read line by line instead
// (ingest/import_reader), so that a bad line costs that line only.
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
