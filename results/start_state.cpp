// The start of `ohlin solve --start` (FORMATS.md state.csv): read with the guards of every
// input file.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "calibration/errors.h"
#include "calibration/yaml_util.h"
#include "results/files.h"

namespace ohlin {
namespace {

namespace fs = std::filesystem;

// One `variable,value` row of state.csv; the name may be quoted (RFC 4180). False when the
// row is not two fields.
bool SplitStateRow(const std::string& line, std::string* name, std::string* value) {
  std::size_t pos = 0;
  name->clear();
  if (!line.empty() && line[0] == '"') {
    for (pos = 1; pos < line.size(); ++pos) {
      if (line[pos] != '"') {
        name->push_back(line[pos]);
      } else if (pos + 1 < line.size() && line[pos + 1] == '"') {
        name->push_back('"');
        ++pos;
      } else {
        break;
      }
    }
    if (pos >= line.size() || pos + 1 >= line.size() || line[pos + 1] != ',') return false;
    pos += 2;
  } else {
    const std::size_t comma = line.find(',');
    if (comma == std::string::npos) return false;
    *name = line.substr(0, comma);
    pos = comma + 1;
  }
  *value = line.substr(pos);
  return value->find(',') == std::string::npos;
}

}  // namespace

std::string StartFile(const std::string& given) {
  std::error_code error;
  if (fs::is_directory(given, error)) return (fs::path(given) / "state.csv").string();
  return given;
}

std::vector<double> ReadStartState(const std::string& given, const std::vector<std::string>& names,
                                   std::vector<double> state, std::string* note) {
  const std::string path = StartFile(given);
  const std::string text = [&] {
    try {
      return input::ReadTextFile(path);
    } catch (const InputError& error) {
      throw InputError(fmt::format("--start: {} (a state.csv written by `ohlin solve`)",
                                   error.what()));
    }
  }();
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < names.size(); ++k) index.emplace(names[k], k);
  state.resize(names.size(), 0.0);
  std::vector<bool> seen(state.size(), false);
  std::vector<std::string> unknown;
  std::size_t matched = 0, rows = 0;
  std::istringstream in(text);
  std::string line, name, value_text;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1) {
      if (line != "variable,value") {
        throw InputError(fmt::format("{}:1: expected the header 'variable,value'", path));
      }
      continue;
    }
    if (line.empty()) continue;
    if (!SplitStateRow(line, &name, &value_text)) {
      throw InputError(fmt::format("{}:{}: expected 'variable,value'", path, line_number));
    }
    std::string why;
    const std::optional<double> value = input::ParseStrictNumber(value_text, &why);
    if (!value) throw InputError(fmt::format("{}:{}: value: {}", path, line_number, why));
    ++rows;
    const auto found = index.find(name);
    if (found == index.end()) {
      if (unknown.size() < 3) unknown.push_back("'" + name + "'");
      continue;
    }
    if (seen[found->second]) {
      throw InputError(fmt::format("{}:{}: variable '{}' is given twice", path, line_number, name));
    }
    seen[found->second] = true;
    state[found->second] = *value;
    ++matched;
  }
  if (matched == 0) {
    throw InputError(fmt::format(
        "--start {}: none of its {} rows names an unknown of this model ({} unknowns, e.g. '{}'); "
        "it is the state of another model{}",
        path, rows, names.size(), names.empty() ? std::string() : names[0],
        unknown.empty() ? "" : fmt::format(" (it names {})", fmt::join(unknown, ", "))));
  }
  *note = fmt::format("start: {} matched {} of this model's {} unknowns", path, matched,
                      names.size());
  if (matched < names.size()) *note += "; the others start at the benchmark";
  if (rows > matched) {
    *note += fmt::format("; {} rows name unknowns this model does not have (e.g. {}) and are "
                         "ignored",
                         rows - matched, fmt::join(unknown, ", "));
  }
  return state;
}

}  // namespace ohlin
