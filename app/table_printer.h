// Plain-text tables for terminal output: a header, columns aligned by display width (wide CJK
// and emoji characters take two columns), long cells cut with "…", one line per row.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace fluxstatus::app {

class TablePrinter {
 public:
  explicit TablePrinter(std::vector<std::string> headers, std::size_t max_cell_width = 72);
  void AddRow(std::vector<std::string> cells);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
  std::size_t max_cell_width_;
};

}  // namespace fluxstatus::app
