#include "ingest/event_documents.h"

#include <algorithm>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace fluxstatus::ingest {
namespace {

// SAX handler that records where each top-level object (or each object element of a
// top-level array) starts and ends; the values themselves are parsed later by core.
class SpanRecorder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, SpanRecorder> {
 public:
  SpanRecorder(const rapidjson::MemoryStream& stream, std::size_t base) : stream_(stream), base_(base) {}

  bool StartObject() {
    if (depth_ == 0 || (depth_ == 1 && in_array_)) start_ = base_ + stream_.Tell() - 1;
    ++depth_;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    if (depth_ == 0 || (depth_ == 1 && in_array_)) spans_.push_back({start_, base_ + stream_.Tell() - start_});
    return true;
  }
  bool StartArray() {
    if (depth_ == 0) in_array_ = true;
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool Default() {
    // A scalar where an event object belongs.
    if (depth_ == 0 || (depth_ == 1 && in_array_)) {
      bad_scalar_ = true;
      return false;
    }
    return true;
  }

  std::vector<std::pair<std::size_t, std::size_t>> spans_;
  bool bad_scalar_ = false;

 private:
  const rapidjson::MemoryStream& stream_;
  std::size_t base_;
  std::size_t start_ = 0;
  int depth_ = 0;
  bool in_array_ = false;
};

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

SplitDocuments SplitEventDocuments(std::string_view text) {
  SplitDocuments out;
  std::size_t pos = 0, line = 1, counted_to = 0;
  auto line_at = [&](std::size_t offset) {
    line += static_cast<std::size_t>(std::count(text.begin() + counted_to, text.begin() + offset, '\n'));
    counted_to = offset;
    return line;
  };
  while (true) {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
    if (pos >= text.size()) break;
    rapidjson::MemoryStream stream(text.data() + pos, text.size() - pos);
    SpanRecorder rec(stream, pos);
    rapidjson::Reader reader;
    auto result = reader.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseValidateEncodingFlag>(stream, rec);
    for (auto [offset, length] : rec.spans_) out.documents.push_back({offset, length, line_at(offset)});
    if (result.IsError()) {
      const std::size_t at = pos + result.Offset();
      std::string msg = rec.bad_scalar_ ? "expected an event object"
                        : result.Code() == rapidjson::kParseErrorStringInvalidEncoding
                            ? "not valid UTF-8"
                            : std::string("invalid JSON: ") + rapidjson::GetParseError_En(result.Code());
      out.error = DocumentError{line_at(std::min(at, text.size())), msg};
      return out;
    }
    pos += stream.Tell();
  }
  return out;
}

}  // namespace fluxstatus::ingest
