// Reads a stream line by line in bounded chunks, so memory stays at about one chunk plus the
// longest line it keeps, however large the input is (`fluxstatus ingest` of JSON Lines).
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fluxstatus::ingest {

// Bytes asked of the stream per read.
inline constexpr std::size_t kReadChunkBytes = 64 * 1024;

// The input could not be read (as opposed to having ended).
struct ReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Appends up to one chunk of `in` to `into`; false once the stream has nothing more.
// Throws ReadError when the stream fails.
bool AppendChunk(std::istream& in, std::string& into);

class LineReader {
 public:
  struct Line {
    std::size_t number = 0;  // 1-based, counting every line, blank ones included
    std::string_view text;   // without its "\n"; valid until the next call; empty when too_long
    std::size_t length = 0;  // the line's full length, also when it was too long to keep
    bool too_long = false;   // longer than max_line_bytes: skipped, never held in memory
  };

  // `already_read` is input taken from `in` before (it is read first).
  LineReader(std::istream& in, std::size_t max_line_bytes, std::string already_read = {});

  // The next line, or nullopt at the end. A last line without "\n" is a line too.
  std::optional<Line> Next();

 private:
  Line SkipLongLine();

  std::istream& in_;
  std::size_t max_line_bytes_;
  std::string buffer_;
  std::size_t pos_ = 0;  // start of the next line in buffer_
  std::size_t number_ = 0;
};

}  // namespace fluxstatus::ingest
