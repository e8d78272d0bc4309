#include "app/table_printer.h"

#include <locale.h>
#include <wchar.h>

#include <algorithm>
#include <cstring>

namespace fluxstatus::app {
namespace {

// glibc's C.UTF-8 (built in since 2.35) decodes UTF-8 and knows which characters are wide
// (CJK, emoji: two terminal columns) or zero-width (combining marks). It is made current only
// for the calling thread and only while measuring, so the process locale stays "C".
locale_t Utf8Locale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

// Calls visit(offset, length, columns) for each character of s; an undecodable byte is one
// character one column wide.
template <class Visit>
void ForEachChar(const std::string& s, Visit&& visit) {
  const locale_t loc = Utf8Locale();
  const locale_t previous = loc ? uselocale(loc) : static_cast<locale_t>(nullptr);
  mbstate_t state;
  std::memset(&state, 0, sizeof state);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1, cols = 1;
    if (loc && static_cast<unsigned char>(s[i]) >= 0x80) {
      wchar_t wc = 0;
      const std::size_t n = mbrtowc(&wc, s.data() + i, s.size() - i, &state);
      if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2) || n == 0) {
        std::memset(&state, 0, sizeof state);
      } else {
        len = n;
        const int w = wcwidth(wc);
        cols = w < 0 ? 1 : static_cast<std::size_t>(w);
      }
    }
    if (!visit(i, len, cols)) break;
    i += len;
  }
  if (loc) uselocale(previous);
}

// Display width in terminal columns.
std::size_t Width(const std::string& s) {
  std::size_t width = 0;
  ForEachChar(s, [&](std::size_t, std::size_t, std::size_t cols) {
    width += cols;
    return true;
  });
  return width;
}

// One line per cell: line breaks and tabs become spaces, and other control characters too, so
// that text from events (an escape sequence in a message) cannot drive the terminal.
std::string Fit(std::string s, std::size_t max) {
  for (char& c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  if (Width(s) <= max) return s;
  std::size_t keep = 0, width = 0;  // the longest prefix that leaves one column for "…"
  ForEachChar(s, [&](std::size_t offset, std::size_t len, std::size_t cols) {
    if (width + cols + 1 > max) return false;
    width += cols;
    keep = offset + len;
    return true;
  });
  return s.substr(0, keep) + "…";
}

}  // namespace

TablePrinter::TablePrinter(std::vector<std::string> headers, std::size_t max_cell_width)
    : headers_(std::move(headers)), max_cell_width_(max_cell_width) {
  for (auto& h : headers_) h = Fit(std::move(h), max_cell_width_);
}

void TablePrinter::AddRow(std::vector<std::string> cells) {
  for (auto& c : cells) c = Fit(std::move(c), max_cell_width_);
  rows_.push_back(std::move(cells));
}

void TablePrinter::Print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  for (const auto& h : headers_) widths.push_back(Width(h));
  for (const auto& r : rows_) {
    for (std::size_t i = 0; i < r.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], Width(r[i]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(widths[i] - Width(cells[i]) + 2, ' ');
    }
    out << text << '\n';
  };
  line(headers_);
  for (const auto& r : rows_) line(r);
}

}  // namespace fluxstatus::app
