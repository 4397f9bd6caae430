// Reading a result CSV whole, with the checks that catch a truncated or damaged file.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "calibration/errors.h"
#include "calibration/yaml_util.h"
#include "reports/report.h"

namespace ohlin::reports {
namespace {

// Splits `text` into records of fields (RFC 4180). `lines[i]` is the line record i starts on.
// Throws for an unterminated quote or a last record without its line break.
std::vector<std::vector<std::string>> SplitRecords(const std::string& path, const std::string& text,
                                                   std::vector<int>* lines) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  int line = 1;
  int record_line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      record.push_back(field);
      field.clear();
      records.push_back(record);
      lines->push_back(record_line);
      record.clear();
      record_line = ++line;
    } else {
      field.push_back(c);
    }
  }
  if (quoted) throw InputError(fmt::format("{}:{}: a quoted field is never closed", path, record_line));
  if (!field.empty() || !record.empty()) {
    throw InputError(fmt::format(
        "{}:{}: the last line has no line break: the file is truncated (an ohlin table ends "
        "with one); solve again to rewrite it",
        path, record_line));
  }
  return records;
}

nlohmann::json ParseField(const std::string& text) {
  if (text.empty()) return nullptr;
  std::string why;
  if (const auto number = input::ParseStrictNumber(text, &why)) return *number;
  return text;
}

}  // namespace

Table ReadCsvTable(const std::string& path, const std::vector<std::string>& required,
                   const std::vector<std::string>& numeric, const std::vector<std::string>& text) {
  Table table;
  table.file = path;
  std::vector<int> lines;
  const auto records = SplitRecords(path, input::ReadTextFile(path), &lines);
  if (records.empty()) throw InputError(fmt::format("{}: empty file: no header row", path));
  table.columns = records[0];
  for (const std::string& column : required) {
    if (std::find(table.columns.begin(), table.columns.end(), column) == table.columns.end()) {
      throw InputError(fmt::format("{}:1: no column '{}' (columns: {})", path, column,
                                   input::JoinNames(table.columns)));
    }
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.columns.size()) {
      throw InputError(fmt::format("{}:{}: row {} has {} fields, the header {}: the file is "
                                   "damaged or truncated",
                                   path, lines[r], r, records[r].size(), table.columns.size()));
    }
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const bool keep_text = std::find(text.begin(), text.end(), table.columns[c]) != text.end();
      nlohmann::json value = keep_text ? nlohmann::json(records[r][c]) : ParseField(records[r][c]);
      const bool must_be_number =
          std::find(numeric.begin(), numeric.end(), table.columns[c]) != numeric.end();
      if (must_be_number && value.is_string()) {
        throw InputError(fmt::format("{}:{}: row {}, column {}: '{}' is not a number", path,
                                     lines[r], r, table.columns[c], records[r][c]));
      }
      row.push_back(std::move(value));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace ohlin::reports
