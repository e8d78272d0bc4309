// `fluxstatus sql "QUERY" [--json|--csv]`: read-only SQL over the inspection views.
#include <iomanip>
#include <iostream>
#include <sstream>

#include <cereal/external/base64.hpp>

#include "app/cli_context.h"
#include "app/table_printer.h"
#include "core/compact_json.h"
#include "store/database.h"
#include "store/sql_query.h"

namespace fluxstatus::app {
namespace {

std::string CellText(const store::Cell& cell) {
  struct {
    std::string operator()(std::nullptr_t) const { return "NULL"; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      std::ostringstream os;
      os << std::setprecision(15) << v;  // as the sqlite3 shell prints reals
      return os.str();
    }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(const store::Blob& v) const { return v.bytes; }
  } visit;
  return std::visit(visit, cell);
}

// RFC 4180: quote a field holding a comma, quote or line break; double the quotes.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void WriteJson(const store::QueryResult& result) {
  std::cout << core::CompactJson([&](cereal::JSONOutputArchive& ar) {
    ar.setNextName("rows");
    ar.startNode();
    ar.makeArray();
    for (const auto& row : result.rows) {
      ar.startNode();
      for (std::size_t i = 0; i < row.size(); ++i) {
        ar.setNextName(result.columns[i].c_str());
        ar.writeName();
        std::visit(
            [&](const auto& v) {
              using T = std::decay_t<decltype(v)>;
              if constexpr (std::is_same_v<T, store::Blob>) {
                // Blobs (e.g. rejected bodies, possibly invalid UTF-8) travel as base64.
                ar.saveValue(
                    cereal::base64::encode(reinterpret_cast<const unsigned char*>(v.bytes.data()), v.bytes.size()));
              } else {
                ar.saveValue(v);
              }
            },
            row[i]);
      }
      ar.finishNode();
    }
    ar.finishNode();
  }) << "\n";
}

}  // namespace

int RunSql(const CliContext& ctx, const SqlOptions& opts) {
  if (opts.json && opts.csv) {
    std::cerr << "fluxstatus sql: choose one of --json and --csv\n";
    return 2;
  }
  auto db = store::OpenForReading(ctx.db_path);
  if (store::StatementWouldWrite(*db, opts.query)) {
    std::cerr << "fluxstatus sql: the database is opened read-only and this statement would change it; "
                 "only queries run (SELECT, WITH ... SELECT, EXPLAIN, read-only PRAGMAs)\n";
    return 1;
  }
  store::QueryResult result;
  try {
    result = store::RunQuery(*db, opts.query);
  } catch (const SQLite::Exception& e) {
    std::cerr << "fluxstatus sql: " << e.what() << "\n";
    return 1;
  } catch (const std::invalid_argument& e) {
    std::cerr << "fluxstatus sql: " << e.what() << "\n";
    return 1;
  }
  if (opts.json) {
    WriteJson(result);
  } else if (opts.csv) {
    for (std::size_t i = 0; i < result.columns.size(); ++i) std::cout << (i ? "," : "") << CsvField(result.columns[i]);
    std::cout << "\r\n";
    for (const auto& row : result.rows) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        // NULL is an empty field (as sqlite3 -csv and psql do), not the text "NULL".
        const bool null = std::holds_alternative<std::nullptr_t>(row[i]);
        std::cout << (i ? "," : "") << (null ? std::string() : CsvField(CellText(row[i])));
      }
      std::cout << "\r\n";
    }
  } else {
    TablePrinter table(result.columns, 100);
    for (const auto& row : result.rows) {
      std::vector<std::string> cells;
      for (const auto& c : row) cells.push_back(CellText(c));
      table.AddRow(std::move(cells));
    }
    table.Print(std::cout);
  }
  return 0;
}

}  // namespace fluxstatus::app
