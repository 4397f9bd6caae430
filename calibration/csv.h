// Splitting CSV lines (FORMATS.md "Benchmark data", CSV tables): the one splitter of the
// benchmark loader, the WIOD import and the sweeps' tables.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace ohlin {

// Splits one CSV line: comma separated, optional spaces, tabs or a '\r' around fields, fields
// optionally in double quotes ("" inside quotes is a quote; no line breaks inside). Fields view
// the line, or `owned` when they had to be unquoted. Returns false with *why ("unterminated
// quoted field", "unexpected text after a quoted field") on a malformed line.
bool SplitCsvLine(std::string_view line, std::vector<std::string_view>* fields,
                  std::deque<std::string>* owned, std::string* why);

// The same, each field a string of its own; throws InputError "WHERE: why" on a malformed line.
std::vector<std::string> SplitCsvFields(std::string_view line, const std::string& where);

}  // namespace ohlin
