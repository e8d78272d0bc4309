#include "ingest/import_reader.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace fluxstatus::ingest {
namespace {

constexpr std::string_view kJsonSpace = " \t\r\n";

// Room for a line's indentation and "\r" around an event of the maximum size.
constexpr std::size_t kLineSlackBytes = 4096;

std::string_view TrimJsonSpace(std::string_view text) {
  const std::size_t first = text.find_first_not_of(kJsonSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kJsonSpace) - first + 1);
}

// True when `line` holds one JSON object and nothing else: the mark of a JSON Lines line.
// Only the syntax is checked (no DOM is built); the event itself is read later by core.
bool IsLoneObject(std::string_view line) {
  line = TrimJsonSpace(line);
  if (line.empty() || line.front() != '{') return false;
  rapidjson::MemoryStream stream(line.data(), line.size());
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::Reader reader;
  return !reader.Parse(stream, ignore).IsError();
}

}  // namespace

std::optional<ImportFormat> DetectImportFormat(std::string_view head, bool whole_input) {
  std::size_t pos = head.find_first_not_of(kJsonSpace);
  if (pos == std::string_view::npos) {
    return whole_input ? std::optional(ImportFormat::kJsonLines) : std::nullopt;  // empty: nothing to read
  }
  if (head[pos] == '[') return ImportFormat::kJsonArray;
  // The first two non-blank lines: JSON Lines if either is an object by itself (the first may
  // be cut short). Otherwise pretty-printed documents.
  for (int seen = 0; seen < 2; ++seen) {
    pos = head.find_first_not_of(kJsonSpace, pos);
    if (pos == std::string_view::npos) {
      return whole_input ? std::optional(ImportFormat::kDocuments) : std::nullopt;
    }
    const std::size_t end = head.find('\n', pos);
    if (end == std::string_view::npos && !whole_input) return std::nullopt;  // line not complete yet
    if (IsLoneObject(head.substr(pos, end - pos))) return ImportFormat::kJsonLines;
    if (end == std::string_view::npos) return ImportFormat::kDocuments;
    pos = end + 1;
  }
  return ImportFormat::kDocuments;
}

ImportReader::ImportReader(std::istream& in, std::size_t max_document_bytes) : max_document_bytes_(max_document_bytes) {
  const std::size_t max_line_bytes = max_document_bytes + kLineSlackBytes;
  std::string head;
  bool more = true;
  std::optional<ImportFormat> format;
  while (!format) {
    more = AppendChunk(in, head);
    format = DetectImportFormat(head, !more);
    // Two lines too long for an event yield no event either way; JSON Lines rejects such lines
    // one by one without holding them.
    if (!format && head.size() > 2 * max_line_bytes) format = ImportFormat::kJsonLines;
  }
  if (*format == ImportFormat::kJsonLines) {
    lines_.emplace(in, max_line_bytes, std::move(head));
    return;
  }
  // An array or pretty-printed documents are read whole: a document may span any number of
  // lines, and these files are small hand-written or exported ones (JSON Lines is the bulk format).
  while (more) more = AppendChunk(in, head);
  text_ = std::move(head);
  split_ = SplitEventDocuments(text_);
}

std::optional<ImportItem> ImportReader::Next() { return lines_ ? NextLine() : NextSplitDocument(); }

std::optional<ImportItem> ImportReader::NextLine() {
  while (auto line = lines_->Next()) {
    if (line->too_long) {
      return ImportRejection{line->number, "event is " + std::to_string(line->length) + " bytes, over the limit of " +
                                               std::to_string(max_document_bytes_) + " bytes"};
    }
    const std::string_view body = TrimJsonSpace(line->text);
    if (!body.empty()) return ImportedDocument{line->number, std::string(body)};  // blank lines are skipped
  }
  return std::nullopt;
}

std::optional<ImportItem> ImportReader::NextSplitDocument() {
  if (next_document_ < split_.documents.size()) {
    const DocumentSpan& span = split_.documents[next_document_++];
    return ImportedDocument{span.line, text_.substr(span.offset, span.length)};
  }
  if (split_.error && !split_error_reported_) {
    split_error_reported_ = true;
    return ImportRejection{split_.error->line, split_.error->message};
  }
  return std::nullopt;
}

}  // namespace fluxstatus::ingest
