#include "ingest/line_reader.h"

#include <cerrno>
#include <cstring>

namespace fluxstatus::ingest {

namespace {

[[noreturn]] void ThrowReadError(int error) {
  throw ReadError(std::string("cannot read file: ") + (error != 0 ? std::strerror(error) : "read error"));
}

}  // namespace

bool AppendChunk(std::istream& in, std::string& into) {
  if (!in.good()) {
    if (in.bad()) ThrowReadError(0);
    return false;
  }
  const std::size_t old_size = into.size();
  into.resize(old_size + kReadChunkBytes);
  errno = 0;  // streams keep no error code; the failed read(2) leaves one here
  in.read(into.data() + old_size, static_cast<std::streamsize>(kReadChunkBytes));
  const auto got = static_cast<std::size_t>(in.gcount());
  into.resize(old_size + got);
  // failbit with eofbit is the ordinary end; badbit (or failbit alone, e.g. reading a
  // directory) means the bytes could not be read.
  if (in.bad() || (in.fail() && !in.eof())) ThrowReadError(errno);
  return got > 0;
}

LineReader::LineReader(std::istream& in, std::size_t max_line_bytes, std::string already_read)
    : in_(in), max_line_bytes_(max_line_bytes), buffer_(std::move(already_read)) {}

std::optional<LineReader::Line> LineReader::Next() {
  std::size_t searched = pos_;  // bytes before this were already searched for "\n"
  while (true) {
    const std::size_t newline = buffer_.find('\n', searched);
    if (newline != std::string::npos) {
      const std::size_t start = pos_;
      pos_ = newline + 1;
      return Line{++number_, std::string_view(buffer_).substr(start, newline - start), newline - start, false};
    }
    if (buffer_.size() - pos_ > max_line_bytes_) return SkipLongLine();
    // Drop the lines already returned before growing the buffer, so it holds one line at most.
    buffer_.erase(0, pos_);
    searched = buffer_.size();
    pos_ = 0;
    if (!AppendChunk(in_, buffer_)) break;
  }
  if (buffer_.empty()) return std::nullopt;
  pos_ = buffer_.size();
  return Line{++number_, buffer_, buffer_.size(), false};
}

LineReader::Line LineReader::SkipLongLine() {
  std::size_t length = buffer_.size() - pos_;
  buffer_.clear();
  pos_ = 0;
  while (AppendChunk(in_, buffer_)) {
    const std::size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      length += newline;
      pos_ = newline + 1;
      break;
    }
    length += buffer_.size();
    buffer_.clear();
  }
  return Line{++number_, {}, length, true};
}

}  // namespace fluxstatus::ingest
