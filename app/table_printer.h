// Plain-text tables for terminal output: a header, aligned columns, long cells cut with "…".
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
