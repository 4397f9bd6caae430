// Reading a result folder for `ohlin report`: which command wrote it, and every table checked.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "calibration/errors.h"
#include "calibration/yaml_util.h"
#include "reports/report.h"

namespace ohlin::reports {
namespace {

namespace fs = std::filesystem;

// The cross-border trade flows the page can show: the largest changes in value.
constexpr std::size_t kTradeRowsKept = 150;
// Rows of a table the page does not know (a game's or a sweep's) kept for the page.
constexpr std::size_t kOtherRowsKept = 5000;
constexpr std::size_t kScenarioTextLimit = 100000;

struct KnownTable {
  const char* stem;
  std::vector<std::string> required;
  std::vector<std::string> numeric;
};

// Columns of names: text even where a name looks like a number.
const std::vector<std::string>& NameColumns() {
  static const std::vector<std::string> names = {"region", "household", "factor", "sector",
                                                 "exporter", "importer", "component", "measure"};
  return names;
}

const std::vector<KnownTable>& SolveTables() {
  static const std::vector<KnownTable> tables = {
      {"welfare",
       {"region", "household", "population", "income_base", "income_new", "ev", "ev_pct"},
       {"population", "income_base", "income_new", "ev", "ev_pct"}},
      {"factors", {"region", "factor", "price_pct", "real_price_pct"},
       {"price_pct", "real_price_pct"}},
      {"sectors", {"region", "sector", "price_pct", "output_pct", "exports_pct", "imports_pct"},
       {"price_pct", "output_pct", "exports_pct", "imports_pct"}},
      {"trade", {"exporter", "importer", "sector", "value_base", "value_new", "pct"},
       {"value_base", "value_new", "pct"}},
      {"distribution",
       {"region", "gini_base", "gini_new", "theil_base", "theil_new", "population_losing_pct"},
       {"gini_base", "gini_new", "theil_base", "theil_new", "population_losing_pct"}},
  };
  return tables;
}

// Files of a solve the report does not show (state.csv is the solver's, not a result).
bool IsUnshownSolveFile(const std::string& name) {
  return name == "state.csv" || name == "income_sources.csv" || name == "ntb.csv";
}

std::size_t ColumnIndex(const Table& table, const std::string& column) {
  return static_cast<std::size_t>(
      std::find(table.columns.begin(), table.columns.end(), column) - table.columns.begin());
}

nlohmann::json TableJson(const Table& table) {
  return {{"file", fs::path(table.file).filename().string()},
          {"columns", table.columns},
          {"rows", table.rows}};
}

// A name field as text (a name that looks like a number was read as one).
std::string Name(const nlohmann::json& field) {
  return field.is_string() ? field.get<std::string>() : field.is_null() ? "" : field.dump();
}

std::set<std::string> RegionsOf(const Table& table, const std::string& region_column = "region") {
  std::set<std::string> regions;
  const std::size_t column = ColumnIndex(table, region_column);
  for (const auto& row : table.rows) regions.insert(Name(row[column]));
  return regions;
}

// Every table names the same regions as welfare.csv (a file cut at a line break loses some);
// trade.csv has every region as an exporter.
void CheckRegionsAgree(const Table& welfare, const Table& other,
                       const std::string& region_column = "region") {
  const std::set<std::string> expected = RegionsOf(welfare);
  const std::set<std::string> found = RegionsOf(other, region_column);
  for (const std::string& region : expected) {
    if (!found.count(region)) {
      throw InputError(fmt::format("{}: no rows for region '{}' (which {} has): the file is "
                                   "incomplete or from another run",
                                   other.file, region, welfare.file));
    }
  }
  if (welfare.rows.empty()) throw InputError(fmt::format("{}: no rows", welfare.file));
}

// decomposition.csv ends each region with its `total`; a truncated file lacks the last one.
void CheckDecomposition(const Table& table) {
  const std::size_t region = ColumnIndex(table, "region");
  const std::size_t component = ColumnIndex(table, "component");
  std::set<std::string> regions, totals;
  for (const auto& row : table.rows) {
    regions.insert(Name(row[region]));
    if (row[component] == "total") totals.insert(Name(row[region]));
  }
  for (const std::string& name : regions) {
    if (!totals.count(name)) {
      throw InputError(fmt::format("{}: region {} has no `total` row: the file is truncated",
                                   table.file, name));
    }
  }
}

// The largest changes in value among cross-border flows, at most kTradeRowsKept.
nlohmann::json LargestTradeChanges(const Table& trade) {
  std::vector<nlohmann::json> flows;
  const std::size_t exporter = ColumnIndex(trade, "exporter");
  const std::size_t importer = ColumnIndex(trade, "importer");
  const std::size_t base = ColumnIndex(trade, "value_base");
  const std::size_t after = ColumnIndex(trade, "value_new");
  for (const auto& row : trade.rows) {
    if (row[exporter] != row[importer] && row[base].is_number() && row[after].is_number()) {
      flows.push_back(row);
    }
  }
  auto change = [&](const nlohmann::json& row) {
    return std::abs(row[after].get<double>() - row[base].get<double>());
  };
  std::stable_sort(flows.begin(), flows.end(),
                   [&](const auto& a, const auto& b) { return change(a) > change(b); });
  const std::size_t total = flows.size();
  if (flows.size() > kTradeRowsKept) flows.resize(kTradeRowsKept);
  nlohmann::json json = TableJson(trade);
  json["rows"] = flows;
  json["rows_in_file"] = total;
  return json;
}

// `relative` as given (from the working folder) or from the folder two levels above the
// results (results/<name>/ of a solve run in the project folder); empty if neither exists.
std::string FindBeside(const std::string& dir, const std::string& relative) {
  if (relative.empty()) return "";
  std::error_code error;
  for (const fs::path& candidate :
       {fs::path(relative), fs::path(dir) / ".." / ".." / relative, fs::path(dir) / relative}) {
    if (fs::is_regular_file(candidate, error)) return candidate.string();
  }
  return "";
}

// The data set's name, source, year and units from its YAML header, where readable.
nlohmann::json DataSetInfo(const std::string& path) {
  nlohmann::json info = {{"path", path}};
  try {
    const YAML::Node root = YAML::LoadFile(path);
    for (const char* key : {"name", "source", "year", "units"}) {
      if (root[key] && root[key].IsScalar()) info[key] = root[key].as<std::string>();
    }
  } catch (const YAML::Exception&) {
    info["note"] = "the data file could not be read";
  }
  return info;
}

nlohmann::json ReadSummary(const std::string& path) {
  nlohmann::json summary;
  try {
    summary = nlohmann::json::parse(input::ReadTextFile(path));
  } catch (const nlohmann::json::exception& error) {
    throw InputError(fmt::format("{}: not valid JSON ({}): the file is damaged or truncated",
                                 path, error.what()));
  }
  if (!summary.is_object() || !summary.contains("status")) {
    throw InputError(fmt::format("{}: no `status`: not an ohlin summary", path));
  }
  if (summary["status"] != "converged") {
    const std::string reason = summary.value("reason", summary.value("message", std::string()));
    throw InputError(fmt::format(
        "{}: status '{}': these are the results of a solve that found no equilibrium, and a "
        "report of them would show numbers that are not an answer{}",
        path, summary["status"].is_string() ? summary["status"].get<std::string>() : summary["status"].dump(),
        reason.empty() ? "" : " (the solver said: " + reason + ")"));
  }
  return summary;
}

// Every CSV of the folder the page has no section for: read generically, first rows kept.
nlohmann::json OtherTables(const std::string& dir, const std::set<std::string>& known) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".csv" && !known.count(name) && !IsUnshownSolveFile(name)) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  nlohmann::json tables = nlohmann::json::object();
  for (const fs::path& file : files) {
    nlohmann::json json = TableJson(ReadCsvTable(file.string()));
    json["rows_in_file"] = json["rows"].size();
    if (json["rows"].size() > kOtherRowsKept) {
      json["rows"].erase(json["rows"].begin() + kOtherRowsKept, json["rows"].end());
    }
    tables[file.stem().string()] = std::move(json);
  }
  return tables;
}

void AddScenarioAndData(const std::string& dir, nlohmann::json* page) {
  const nlohmann::json& summary = (*page)["summary"];
  const std::string scenario = FindBeside(dir, summary.value("scenario_file", std::string()));
  if (!scenario.empty()) {
    std::string text = input::ReadTextFile(scenario);
    if (text.size() > kScenarioTextLimit) text = text.substr(0, kScenarioTextLimit) + "\n...";
    (*page)["scenario_text"] = text;
    (*page)["scenario_path"] = scenario;
  }
  const std::string data = FindBeside(dir, summary.value("data", std::string()));
  if (!data.empty()) (*page)["data_set"] = DataSetInfo(data);
}

nlohmann::json ReadSolveFolder(const std::string& dir, const fs::path& folder) {
  nlohmann::json page = {{"kind", "solve"}, {"dir", dir}};
  page["summary"] = ReadSummary((folder / "summary.json").string());
  std::set<std::string> known = {"decomposition.csv"};
  std::vector<Table> tables;
  for (const KnownTable& known_table : SolveTables()) {
    const fs::path path = folder / (std::string(known_table.stem) + ".csv");
    known.insert(path.filename().string());
    if (!fs::exists(path)) {
      throw InputError(fmt::format("{}: missing: summary.json says the solve converged, but its "
                                   "tables are incomplete; solve again",
                                   path.string()));
    }
    tables.push_back(ReadCsvTable(path.string(), known_table.required, known_table.numeric,
                                  NameColumns()));
  }
  nlohmann::json json_tables;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const std::string stem = SolveTables()[t].stem;
    CheckRegionsAgree(tables[0], tables[t], stem == "trade" ? "exporter" : "region");
    json_tables[stem] = stem == "trade" ? LargestTradeChanges(tables[t]) : TableJson(tables[t]);
  }
  const fs::path decomposition = folder / "decomposition.csv";
  if (fs::exists(decomposition)) {
    const Table table = ReadCsvTable(decomposition.string(),
                                     {"region", "component", "value", "pct_of_income"},
                                     {"value", "pct_of_income"}, NameColumns());
    CheckRegionsAgree(tables[0], table);
    CheckDecomposition(table);
    json_tables["decomposition"] = TableJson(table);
  }
  page["tables"] = json_tables;
  page["other_tables"] = OtherTables(dir, known);
  AddScenarioAndData(dir, &page);
  return page;
}

// Every region of compare.csv has the same region measures as the first (a file cut at a line
// break lacks the last region's last rows).
void CheckCompareComplete(const Table& table) {
  std::map<std::string, std::set<std::string>> measures;
  std::vector<std::string> order;
  for (const auto& row : table.rows) {
    const std::string region = Name(row[0]);
    if (!measures.count(region)) order.push_back(region);
    if (Name(row[1]).empty()) measures[region].insert(Name(row[2]));
  }
  for (const std::string& region : order) {
    if (measures[region] != measures[order.front()]) {
      throw InputError(fmt::format("{}: region {} has the measures {{{}}}, region {} has {{{}}}: "
                                   "the file is truncated or damaged",
                                   table.file, region,
                                   input::JoinNames({measures[region].begin(), measures[region].end()}),
                                   order.front(),
                                   input::JoinNames({measures[order.front()].begin(),
                                                     measures[order.front()].end()})));
    }
  }
}

nlohmann::json ReadCompareFolder(const std::string& dir, const fs::path& folder) {
  nlohmann::json page = {{"kind", "compare"}, {"dir", dir}};
  const Table table = ReadCsvTable((folder / "compare.csv").string(),
                                   {"region", "household", "measure"}, {}, NameColumns());
  if (table.columns.size() < 4 || table.columns[2] != "measure") {
    throw InputError(fmt::format("{}:1: expected region,household,measure and a column per rule",
                                 table.file));
  }
  std::vector<std::string> rules(table.columns.begin() + 3, table.columns.end());
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    for (std::size_t c = 3; c < table.columns.size(); ++c) {
      if (table.rows[r][c].is_string()) {
        throw InputError(fmt::format("{}: row {}, column {}: '{}' is not a number", table.file,
                                     r + 1, table.columns[c], table.rows[r][c].get<std::string>()));
      }
    }
  }
  if (table.rows.empty()) throw InputError(fmt::format("{}: no rows", table.file));
  CheckCompareComplete(table);
  page["tables"] = {{"compare", TableJson(table)}};
  page["rules"] = rules;
  page["other_tables"] = OtherTables(dir, {"compare.csv"});
  return page;
}

// The folder of a sweep (points.csv and long tables) or a sensitivity analysis (points.csv,
// statistics tables, a summary.json without a status): every CSV read as it is.
nlohmann::json ReadOtherFolder(const std::string& dir, const fs::path& folder) {
  nlohmann::json page = {{"kind", "tables"}, {"dir", dir}, {"summary", nlohmann::json::object()}};
  if (fs::exists(folder / "summary.json")) {
    const std::string path = (folder / "summary.json").string();
    try {
      page["summary"] = nlohmann::json::parse(input::ReadTextFile(path));
    } catch (const nlohmann::json::exception& error) {
      throw InputError(fmt::format("{}: not valid JSON ({}): the file is damaged or truncated",
                                   path, error.what()));
    }
  }
  if (!fs::exists(folder / "points.csv")) {
    throw InputError(fmt::format(
        "{}: no ohlin results here: expected summary.json and the tables of `ohlin solve` (or "
        "`ohlin game`), compare.csv of `ohlin compare`, or points.csv of `ohlin sweep` or "
        "`ohlin sensitivity`",
        dir));
  }
  page["other_tables"] = OtherTables(dir, {});
  page["kind"] = page["summary"].contains("method") ? "sensitivity" : "sweep";
  return page;
}

}  // namespace

nlohmann::json ReadResultFolder(const std::string& dir) {
  const fs::path folder(dir);
  std::error_code error;
  if (!fs::is_directory(folder, error)) {
    throw InputError(fmt::format("{}: not a folder: give the result folder of `ohlin solve` or "
                                 "`ohlin compare`",
                                 dir));
  }
  if (fs::exists(folder / "summary.json") && !fs::exists(folder / "points.csv")) {
    return ReadSolveFolder(dir, folder);
  }
  if (fs::exists(folder / "compare.csv")) return ReadCompareFolder(dir, folder);
  return ReadOtherFolder(dir, folder);
}

}  // namespace ohlin::reports
