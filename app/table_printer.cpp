#include "app/table_printer.h"

#include <algorithm>

namespace fluxstatus::app {
namespace {

// Display width in code points (UTF-8 continuation bytes do not count).
std::size_t Width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string Fit(std::string s, std::size_t max) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (Width(s) <= max) return s;
  std::size_t cps = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++cps == max) break;
  }
  return s.substr(0, i) + "…";
}

}  // namespace

TablePrinter::TablePrinter(std::vector<std::string> headers, std::size_t max_cell_width)
    : headers_(std::move(headers)), max_cell_width_(max_cell_width) {}

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
