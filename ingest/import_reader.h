// Reads an import file (`fluxstatus ingest`) as a sequence of event documents, each with the
// 1-based line it starts on, and the lines or places that are not a document.
//
// How the file's format is decided, from its first bytes only:
//   - first non-whitespace byte `[`: a JSON array of events;
//   - else, if its first or its second non-blank line is a JSON object by itself: JSON Lines.
//     Each line is its own document; a bad line is one rejection and the next line goes on,
//     so a file whose first line is cut short is still JSON Lines;
//   - else: one or more (pretty-printed) documents one after the other, e.g. a single
//     multi-line document. A pretty-printed event's first two lines are `{` and a member, never
//     an object by itself.
// Only JSON Lines is read as a stream (memory bounded by the longest line); an array or a
// pretty-printed file is read whole and split as one text (ingest/event_documents), where a
// syntax error ends the file: the documents before it are kept.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ingest/event_documents.h"
#include "ingest/line_reader.h"

namespace fluxstatus::ingest {

enum class ImportFormat { kJsonArray, kJsonLines, kDocuments };

// Decides the format from the input's start (`head`); nullopt when it needs more bytes to
// decide. `whole_input`: head is all there is.
std::optional<ImportFormat> DetectImportFormat(std::string_view head, bool whole_input);

struct ImportedDocument {
  std::size_t line = 1;
  std::string body;  // the document's exact bytes, without surrounding whitespace
};

struct ImportRejection {
  std::size_t line = 1;
  std::string reason;
};

using ImportItem = std::variant<ImportedDocument, ImportRejection>;

class ImportReader {
 public:
  // Reads the start of `in` to decide its format. A JSON Lines line longer than
  // max_document_bytes (plus room for whitespace) is rejected without being held in memory.
  // Throws ReadError when `in` cannot be read, here and in Next().
  ImportReader(std::istream& in, std::size_t max_document_bytes);

  // The next document or rejection; nullopt at the end of the input.
  std::optional<ImportItem> Next();

 private:
  std::optional<ImportItem> NextLine();
  std::optional<ImportItem> NextSplitDocument();

  std::size_t max_document_bytes_;
  std::optional<LineReader> lines_;  // JSON Lines
  std::string text_;                 // an array or pretty-printed documents: the whole input
  SplitDocuments split_;
  std::size_t next_document_ = 0;
  bool split_error_reported_ = false;
};

}  // namespace fluxstatus::ingest
