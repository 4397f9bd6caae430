#include "calibration/csv.h"

#include <fmt/format.h>

#include "calibration/errors.h"

namespace ohlin {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The field in quotes that starts at line[*pos] == '"'; *pos ends after the closing quote.
bool SplitQuoted(std::string_view line, std::size_t* pos, std::string_view* field,
                 std::deque<std::string>* owned, std::string* why) {
  const std::size_t n = line.size();
  const std::size_t first = ++*pos;
  bool escaped = false;
  while (*pos < n) {
    if (line[*pos] == '"') {
      if (*pos + 1 < n && line[*pos + 1] == '"') {
        escaped = true;
        *pos += 2;
        continue;
      }
      *field = line.substr(first, *pos - first);
      ++*pos;  // the closing quote
      if (escaped) {
        std::string unquoted;
        for (std::size_t k = 0; k < field->size(); ++k) {
          unquoted += (*field)[k];
          if ((*field)[k] == '"') ++k;  // the second of a pair
        }
        *field = owned->emplace_back(std::move(unquoted));
      }
      while (*pos < n && IsBlank(line[*pos])) ++*pos;
      if (*pos < n && line[*pos] != ',') {
        *why = "unexpected text after a quoted field";
        return false;
      }
      return true;
    }
    ++*pos;
  }
  *why = "unterminated quoted field";
  return false;
}

}  // namespace

bool SplitCsvLine(std::string_view line, std::vector<std::string_view>* fields,
                  std::deque<std::string>* owned, std::string* why) {
  fields->clear();
  std::size_t pos = 0;
  const std::size_t n = line.size();
  while (true) {
    while (pos < n && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    std::string_view field;
    if (pos < n && line[pos] == '"') {
      if (!SplitQuoted(line, &pos, &field, owned, why)) return false;
    } else {
      std::size_t end = pos;  // fields are short: a loop beats memchr's set-up
      while (end < n && line[end] != ',') ++end;
      field = line.substr(pos, end - pos);
      while (!field.empty() && IsBlank(field.back())) field.remove_suffix(1);
      pos = end;
    }
    fields->push_back(field);
    if (pos >= n) return true;
    ++pos;  // the comma
  }
}

std::vector<std::string> SplitCsvFields(std::string_view line, const std::string& where) {
  std::vector<std::string_view> fields;
  std::deque<std::string> owned;
  std::string why;
  if (!SplitCsvLine(line, &fields, &owned, &why)) {
    throw InputError(fmt::format("{}: {}", where, why));
  }
  return std::vector<std::string>(fields.begin(), fields.end());
}

}  // namespace ohlin
