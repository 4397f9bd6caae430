// Benchmark reader: FORMATS.md "Benchmark data". Every error is an InputError that starts with
// "FILE:LINE:COLUMN: " (YAML) or "FILE:LINE: " (CSV) and names the row and what was expected.
#include "calibration/loader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "calibration/accounts.h"
#include "calibration/csv.h"
#include "calibration/yaml_util.h"

namespace ohlin {
namespace {

using input::JoinNames;
using input::YamlDocument;

// Tolerance on ownership shares summing to one (per factor over a region's households).
constexpr double kOwnershipTolerance = 1e-9;
constexpr double kMaxTableEntries = kMaxBenchmarkTableEntries;

const std::vector<std::string> kTopLevelKeys = {
    "ohlin",      "name",         "units",   "year",    "source",          "regions",
    "sectors",    "factors",      "households", "elasticities", "elasticity_sets",
    "factor_payments",
    "intermediates", "trade",     "tariffs", "ntb",     "export_taxes",    "final_demand"};
const std::vector<std::string> kRequiredKeys = {"regions", "sectors",         "factors",
                                                "trade",   "factor_payments", "final_demand"};

// Table columns of FORMATS.md; the last column is the value (or rate), the others the key.
const std::vector<std::string> kFactorPaymentColumns = {"region", "sector", "factor", "value"};
const std::vector<std::string> kIntermediateColumns = {"region", "input", "sector", "value"};
const std::vector<std::string> kTradeColumns = {"exporter", "importer", "sector", "value"};
const std::vector<std::string> kRateColumns = {"exporter", "importer", "sector", "rate"};
const std::vector<std::string> kElasticitySetColumns = {"set", "sector", "value"};
const std::vector<std::string> kRegionDemandColumns = {"region", "sector", "value"};
const std::vector<std::string> kHouseholdDemandColumns = {"region", "household", "sector",
                                                          "value"};

// A set of names (regions, sectors, factors, a region's households) for lookups and messages.
struct NameSet {
  std::string singular;  // "region"
  std::string plural;    // "regions"
  std::vector<std::string> names;

  std::optional<std::size_t> Find(std::string_view name) const {
    if (names.size() < 16) {
      for (std::size_t k = 0; k < names.size(); ++k) {
        if (names[k] == name) return k;
      }
      return std::nullopt;
    }
    // Large sets (GTAP-size tables look up millions of names): a hash index, rebuilt whenever
    // names were added since. Duplicates keep their first position, as the scan above does.
    if (index_size != names.size()) {
      index.clear();
      for (std::size_t k = 0; k < names.size(); ++k) index.emplace(names[k], k);
      index_size = names.size();
    }
    const auto found = index.find(name);
    if (found == index.end()) return std::nullopt;
    return found->second;
  }

  // Lookup cache for Find (not part of the set's value), searchable by string_view.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>()(text);
    }
  };
  mutable std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index = {};
  mutable std::size_t index_size = 0;
};

// The most columns a table has (FORMATS.md).
constexpr std::size_t kMaxColumns = 4;

// One table row, inline or from CSV, with its fields in the table's column order. The fields
// view text the table owns: no string per field (a GTAP-size benchmark has millions).
struct TableRow {
  std::array<std::string_view, kMaxColumns> fields{};
  // Inline rows: the location of each field, "file:line:column". CSV rows leave it empty and
  // keep their line number (the file is the table's): a CSV of a million rows would otherwise
  // spend most of its loading time formatting and copying locations.
  std::vector<std::string> where;
  // The row's line in the CSV file, or its position (from 1) in an inline table.
  std::size_t id = 0;
};

struct Table {
  std::string key;                   // e.g. "trade"
  std::vector<std::string> columns;  // the column set the rows follow
  std::vector<TableRow> rows;        // inline tables only: CSV rows are split as they are read
  std::string csv_path;              // CSV tables only
  // What inline rows' fields view (they do not move when the table does).
  std::deque<std::string> owned = {};
  // CSV tables: the file's text, where the rows after the header start (offset and line) and
  // the CSV field of each table column.
  std::unique_ptr<const std::string> text = {};
  std::size_t body_offset = 0;
  std::size_t body_line = 0;
  std::vector<std::size_t> position_of_column = {};

  bool is_csv() const { return text != nullptr; }
  // The location of a field, for messages.
  std::string Where(const TableRow& row, std::size_t column) const {
    return row.where.empty() ? fmt::format("{}:{}", csv_path, row.id) : row.where[column];
  }
  // The location of the row with `id`.
  std::string WhereRow(std::size_t id) const {
    return is_csv() ? fmt::format("{}:{}", csv_path, id) : rows[id - 1].where[0];
  }
  // Calls visit(row) on every row in order. CSV rows are split as they come (a GTAP-size
  // table is never held as rows); a malformed line throws InputError naming it.
  template <class Visit>
  void ForEachRow(Visit visit) const;
};

// The next line of `text` from *start that is not blank, with its number; false at the end.
bool NextCsvLine(std::string_view text, std::size_t* start, std::size_t* line_number,
                 std::string_view* line) {
  while (*start < text.size()) {
    std::size_t end = text.find('\n', *start);
    if (end == std::string_view::npos) end = text.size();
    *line = text.substr(*start, end - *start);
    *start = end + 1;
    ++*line_number;
    if (line->find_first_not_of(" \t\r") != std::string_view::npos) return true;
  }
  return false;
}

template <class Visit>
void Table::ForEachRow(Visit visit) const {
  if (!is_csv()) {
    for (const TableRow& row : rows) visit(row);
    return;
  }
  const std::string_view all(*text);
  std::size_t start = body_offset, line_number = body_line;
  std::string_view line;
  std::vector<std::string_view> fields;
  std::deque<std::string> unquoted;  // fields with "" inside (rare; kept: names are compared
                                     // with earlier rows')
  std::string why;
  TableRow row;
  while (NextCsvLine(all, &start, &line_number, &line)) {
    if (!SplitCsvLine(line, &fields, &unquoted, &why)) {
      throw InputError(fmt::format("{}:{}: {}: {}", csv_path, line_number, key, why));
    }
    if (fields.size() != columns.size()) {
      throw InputError(fmt::format("{}:{}: {} row: expected {} fields ({}), got {}", csv_path,
                                   line_number, key, columns.size(), input::JoinNames(columns),
                                   fields.size()));
    }
    for (std::size_t c = 0; c < position_of_column.size(); ++c) {
      row.fields[c] = fields[position_of_column[c]];
    }
    row.id = line_number;
    visit(row);
  }
}

// First row (its id; 0 for none) seen at each flat key of a table, for "repeated row" errors
// without building a string key per row.
using SeenRows = std::vector<std::size_t>;

class BenchmarkLoader {
 public:
  explicit BenchmarkLoader(const std::string& path)
      : document_(YamlDocument::Load(path, "benchmark")) {}

  Benchmark Load();

 private:
  const YAML::Node& root() const { return document_.root(); }

  void ReadDescription();
  void ReadSets();
  void ReadHouseholds();
  void ReadElasticities();
  void ReadSectorElasticity(const std::string& key, double default_value, bool zero_allowed,
                            std::vector<double>* values);
  std::vector<double> ReadElasticitySet(const YAML::Node& set_node, const std::string& context,
                                        bool zero_allowed) const;
  void ReadElasticitySets();
  void ReadFactorPayments();
  void ReadIntermediates();
  void ReadTrade();
  void ReadRates(const std::string& key, Tensor3* rates);
  // A table of three name columns and a value (or a rate: cross-border, 1 + rate > 0): the
  // row's value goes to out(key[slot[0]], key[slot[1]], key[slot[2]]), key being the indices
  // of the row's names in `sets`. A repeated row is an error.
  void ReadKeyedTable(const Table& table, const std::array<const NameSet*, 3>& sets,
                      const std::array<int, 3>& slot, bool rates, Tensor3* out) const;
  void ReadFinalDemand();
  void ShareRegionDemand(const std::vector<std::vector<double>>& region_demand);

  // Reads a table given inline or as {csv: file}; rows follow one of `column_sets`.
  Table ReadTable(const std::string& key,
                  const std::vector<std::vector<std::string>>& column_sets) const;
  Table ReadInlineTable(const std::string& key, const YAML::Node& node,
                        const std::vector<std::vector<std::string>>& column_sets) const;
  Table ReadCsvTable(const std::string& key, const YAML::Node& csv_node,
                     const std::vector<std::vector<std::string>>& column_sets) const;

  // Row helpers; every error names the row.
  [[noreturn]] void FailRow(const Table& table, const TableRow& row, std::size_t column,
                            const std::string& what) const;
  std::size_t RowIndex(const Table& table, const TableRow& row, std::size_t column,
                       const NameSet& set) const;
  double RowValue(const Table& table, const TableRow& row) const;
  double RowRate(const Table& table, const TableRow& row) const;
  // Errors when the row's key columns repeat an earlier row's.
  // `key` is the row's flat index (e.g. of (i, r, s)); `seen` is sized for every key.
  void CheckUnique(const Table& table, const TableRow& row, std::size_t key,
                   SeenRows* seen) const;

  YamlDocument document_;
  Benchmark data_;
  NameSet regions_{"region", "regions", {}};
  NameSet sectors_{"sector", "sectors", {}};
  NameSet factors_{"factor", "factors", {}};
  bool households_declared_ = false;
};

Benchmark BenchmarkLoader::Load() {
  document_.CheckMap(root(), kTopLevelKeys, "benchmark");
  for (const std::string& key : kRequiredKeys) {
    if (!document_.Find(root(), key)) {
      document_.Fail(root(), fmt::format("benchmark: missing required key '{}' (required: {})",
                                         key, JoinNames(kRequiredKeys)));
    }
  }
  data_.path = document_.path();
  ReadDescription();
  ReadSets();
  data_.ResizeTables();
  ReadHouseholds();
  ReadElasticitySets();
  ReadElasticities();
  ReadFactorPayments();
  ReadIntermediates();
  ReadTrade();
  ReadRates("tariffs", &data_.tariffs);
  ReadRates("ntb", &data_.ntb);
  ReadRates("export_taxes", &data_.export_taxes);
  ReadFinalDemand();
  return std::move(data_);
}

void BenchmarkLoader::ReadDescription() {
  data_.name = input::FileStem(document_.path());
  if (auto node = document_.Find(root(), "name")) data_.name = document_.ReadString(*node, "name");
  if (auto node = document_.Find(root(), "units")) {
    data_.units = document_.ReadString(*node, "units");
  }
  if (auto node = document_.Find(root(), "source")) {
    data_.source = document_.ReadString(*node, "source");
  }
  if (auto node = document_.Find(root(), "year")) {
    const long long year = document_.ReadInteger(*node, "year");
    if (year < -100000 || year > 100000) document_.Fail(*node, "year: out of range");
    data_.year = static_cast<int>(year);
  }
}

void BenchmarkLoader::ReadSets() {
  const YAML::Node regions = document_.Require(root(), "regions", "benchmark");
  regions_.names = document_.ReadNameList(regions, "regions");
  if (regions_.names.empty()) document_.Fail(regions, "regions: at least one region is needed");
  const YAML::Node sectors = document_.Require(root(), "sectors", "benchmark");
  sectors_.names = document_.ReadNameList(sectors, "sectors");
  if (sectors_.names.empty()) document_.Fail(sectors, "sectors: at least one sector is needed");

  // factors: a list of {name, mobility} (a bare name is accepted too).
  const YAML::Node factors = document_.Require(root(), "factors", "benchmark");
  if (!factors.IsSequence() || factors.size() == 0) {
    document_.Fail(factors, "factors: expected a list of {name: ..., mobility: mobile|specific}");
  }
  for (std::size_t k = 0; k < factors.size(); ++k) {
    const YAML::Node item = factors[k];
    const std::string context = fmt::format("factors[{}]", k + 1);
    Factor factor;
    // Note: never reassign a YAML::Node (operator= writes through to the document).
    const YAML::Node name_node = item.IsMap() ? document_.Require(item, "name", context) : item;
    if (item.IsMap()) {
      document_.CheckMap(item, {"name", "mobility", "supply_elasticity"}, context);
      if (auto eta = document_.Find(item, "supply_elasticity")) {
        factor.supply_elasticity = document_.ReadNumber(*eta, context + ".supply_elasticity");
        if (!(factor.supply_elasticity >= 0.0) || factor.supply_elasticity > 100.0) {
          document_.Fail(*eta, fmt::format("{}.supply_elasticity must be between 0 and 100, got {}",
                                           context, factor.supply_elasticity));
        }
      }
      if (auto mobility = document_.Find(item, "mobility")) {
        const std::string text = document_.ReadString(*mobility, context + ".mobility");
        if (!StringToFactorMobility(text, &factor.mobility)) {
          document_.Fail(*mobility, fmt::format("{}: unknown mobility '{}' (mobility: mobile, "
                                                "specific)",
                                                context, text));
        }
      }
    }
    factor.name = document_.ReadString(name_node, context + ".name");
    if (factor.name.empty()) document_.Fail(name_node, context + ": a name cannot be empty");
    document_.CheckName(name_node, factor.name, context + ".name");
    if (factors_.Find(factor.name)) {
      document_.Fail(name_node, fmt::format("factors: duplicate name '{}'", factor.name));
    }
    factors_.names.push_back(factor.name);
    data_.factors.push_back(factor);
  }
  data_.regions = regions_.names;
  data_.sectors = sectors_.names;

  const auto num_r = static_cast<double>(regions_.names.size());
  const auto num_i = static_cast<double>(sectors_.names.size());
  const auto num_f = static_cast<double>(factors_.names.size());
  const struct {
    const char* table;
    double entries;
  } sizes[] = {{"trade (sectors x regions x regions)", num_i * num_r * num_r},
               {"intermediates (sectors x sectors x regions)", num_i * num_i * num_r},
               {"factor_payments (factors x sectors x regions)", num_f * num_i * num_r}};
  for (const auto& size : sizes) {
    if (size.entries > kMaxTableEntries) {
      document_.Fail(regions, fmt::format("benchmark too large: {} regions, {} sectors and {} "
                                          "factors give {} with {:.0f} entries; the limit is {:.0f}",
                                          num_r, num_i, num_f, size.table, size.entries,
                                          kMaxTableEntries));
    }
  }
}

// households: {REGION: [{name, population, owns: {factor: share}, consumption_elasticity}]}.
// A region that is not listed keeps the default household "all" that owns everything.
void BenchmarkLoader::ReadHouseholds() {
  const std::optional<YAML::Node> node = document_.Find(root(), "households");
  if (!node) return;
  households_declared_ = true;
  if (!node->IsMap()) document_.Fail(*node, "households: expected a map from region to a list");
  std::vector<bool> region_seen(regions_.names.size(), false);
  // Final demand holds households x sectors entries; keep it within the table limit.
  double demand_entries = 0.0;
  for (auto it = node->begin(); it != node->end(); ++it) {
    const std::string region_name = document_.ReadString(it->first, "households");
    const std::optional<std::size_t> r = regions_.Find(region_name);
    if (!r) {
      document_.Fail(it->first, fmt::format("households: unknown region '{}' (regions: {})",
                                            region_name, JoinNames(regions_.names)));
    }
    if (region_seen[*r]) {
      document_.Fail(it->first, fmt::format("households: region '{}' is given twice", region_name));
    }
    region_seen[*r] = true;
    const YAML::Node list = it->second;
    const std::string region_context = "households of " + region_name;
    if (!list.IsSequence() || list.size() == 0) {
      document_.Fail(list, region_context + ": expected a non-empty list of households");
    }
    demand_entries += static_cast<double>(list.size()) * static_cast<double>(sectors_.names.size());
    if (demand_entries > kMaxTableEntries) {
      document_.Fail(list, fmt::format("{}: too many households: final demand by household and "
                                       "sector would exceed {:.0f} entries",
                                       region_context, kMaxTableEntries));
    }
    std::vector<Household> households;
    std::vector<bool> owns_given;
    for (std::size_t k = 0; k < list.size(); ++k) {
      const YAML::Node item = list[k];
      std::string context = fmt::format("{}[{}]", region_context, k + 1);
      document_.CheckMap(item, {"name", "population", "owns", "consumption_elasticity"}, context);
      Household household;
      const YAML::Node name_node = document_.Require(item, "name", context);
      household.name = document_.ReadString(name_node, context + ".name");
      if (household.name.empty()) document_.Fail(name_node, context + ": a name cannot be empty");
      document_.CheckName(name_node, household.name, context + ".name", {input::kGovernmentName});
      for (const Household& other : households) {
        if (other.name == household.name) {
          document_.Fail(name_node, fmt::format("{}: duplicate name '{}'", region_context,
                                                household.name));
        }
      }
      context = fmt::format("{} household '{}'", region_name, household.name);
      if (auto population = document_.Find(item, "population")) {
        household.population = document_.ReadNumber(*population, context + ": population");
        if (!(household.population > 0.0)) {
          document_.Fail(*population, fmt::format("{}: population must be > 0, got {}", context,
                                                  household.population));
        }
      }
      household.owns.assign(factors_.names.size(), 0.0);
      const std::optional<YAML::Node> owns = document_.Find(item, "owns");
      owns_given.push_back(owns.has_value());
      if (owns) {
        document_.CheckMap(*owns, factors_.names, context + ": owns");
        for (auto own = owns->begin(); own != owns->end(); ++own) {
          const std::size_t f = *factors_.Find(own->first.Scalar());
          const double share = document_.ReadNumber(
              own->second, fmt::format("{}: share of '{}'", context, own->first.Scalar()));
          if (share < 0.0 || share > 1.0 + kOwnershipTolerance) {
            document_.Fail(own->second, fmt::format("{}: share of '{}' must be in [0, 1], got {}",
                                                    context, own->first.Scalar(), share));
          }
          household.owns[f] = share;
        }
      }
      if (auto sigma = document_.Find(item, "consumption_elasticity")) {
        const double value = document_.ReadNumber(*sigma, context + ": consumption_elasticity");
        if (value < 0.0) {
          document_.Fail(*sigma, fmt::format("{}: consumption_elasticity must be >= 0, got {}",
                                             context, value));
        }
        household.consumption_elasticity = value;
      }
      households.push_back(std::move(household));
    }
    // A lone household without `owns` owns everything.
    if (households.size() == 1 && !owns_given[0]) households[0].owns.assign(factors_.names.size(), 1.0);
    for (std::size_t f = 0; f < factors_.names.size(); ++f) {
      double total = 0.0;
      for (const Household& household : households) total += household.owns[f];
      if (std::abs(total - 1.0) > kOwnershipTolerance) {
        document_.Fail(list, fmt::format("{}: ownership shares of '{}' sum to {:.12g}; they must "
                                         "sum to 1 over the region's households",
                                         region_context, factors_.names[f], total));
      }
    }
    data_.households[*r] = std::move(households);
    data_.final_demand[*r].assign(data_.households[*r].size(),
                                  std::vector<double>(sectors_.names.size(), 0.0));
  }
}

// elasticities: armington/value_added/top as {default: x, SECTOR: y} or a number; consumption
// a number. Ranges: armington > 0, the others >= 0.
void BenchmarkLoader::ReadElasticities() {
  const std::optional<YAML::Node> node = document_.Find(root(), "elasticities");
  if (!node) return;
  document_.CheckMap(*node, {"armington", "value_added", "top", "consumption"}, "elasticities");
  ReadSectorElasticity("armington", 5.0, false, &data_.elasticities.armington);
  ReadSectorElasticity("value_added", 1.0, true, &data_.elasticities.value_added);
  ReadSectorElasticity("top", 0.0, true, &data_.elasticities.top);
  if (auto consumption = document_.Find(*node, "consumption")) {
    const double value = document_.ReadNumber(*consumption, "elasticities.consumption");
    if (value < 0.0) {
      document_.Fail(*consumption,
                     fmt::format("elasticities.consumption must be >= 0, got {}", value));
    }
    data_.elasticities.consumption = value;
  }
}

void BenchmarkLoader::ReadSectorElasticity(const std::string& key, double default_value,
                                           bool zero_allowed, std::vector<double>* values) {
  const YAML::Node elasticities = *document_.Find(root(), "elasticities");
  const std::optional<YAML::Node> node = document_.Find(elasticities, key);
  if (!node) return;
  const std::string context = "elasticities." + key;
  auto read_checked = [&](const YAML::Node& value_node, const std::string& what) {
    const double value = document_.ReadNumber(value_node, what);
    if (zero_allowed ? value < 0.0 : value <= 0.0) {
      document_.Fail(value_node, fmt::format("{} must be {} 0, got {}", what,
                                             zero_allowed ? ">=" : ">", value));
    }
    return value;
  };
  if (node->IsScalar()) {
    values->assign(sectors_.names.size(), read_checked(*node, context));
    return;
  }
  if (!node->IsMap()) {
    document_.Fail(*node, context + ": expected a number or a map {default: x, SECTOR: y}");
  }
  const std::optional<YAML::Node> set_node = document_.Find(*node, "set");
  std::vector<std::string> allowed = {set_node ? "set" : "default"};
  allowed.insert(allowed.end(), sectors_.names.begin(), sectors_.names.end());
  for (auto it = node->begin(); it != node->end(); ++it) {
    const std::string name = document_.ReadString(it->first, context);
    if (name == "default" && set_node) {
      document_.Fail(it->first, context + ": give either set or default, not both");
    }
    if (name != allowed.front() && !sectors_.Find(name)) {
      document_.Fail(it->first, fmt::format("{}: unknown sector '{}' (sectors: {}; or {})",
                                            context, name, JoinNames(sectors_.names),
                                            allowed.front()));
    }
  }
  document_.CheckMap(*node, allowed, context);
  double fallback = default_value;
  if (auto default_node = document_.Find(*node, "default")) {
    fallback = read_checked(*default_node, context + ".default");
  }
  values->assign(sectors_.names.size(), fallback);
  if (set_node) {
    *values = ReadElasticitySet(*set_node, context, zero_allowed);
  }
  for (auto it = node->begin(); it != node->end(); ++it) {
    const std::string name = it->first.Scalar();
    if (name == "default" || name == "set") continue;
    (*values)[*sectors_.Find(name)] = read_checked(it->second, context + "." + name);
  }
}

// elasticity_sets (set,sector,value) into data_.elasticity_sets, in order of first appearance;
// a sector a set leaves out is NaN (an error only if the set is picked).
void BenchmarkLoader::ReadElasticitySets() {
  const Table table = ReadTable("elasticity_sets", {kElasticitySetColumns});
  std::map<std::string, std::size_t> index;
  std::vector<SeenRows> seen;
  table.ForEachRow([&](const TableRow& row) {
    auto [it, added] = index.emplace(row.fields[0], data_.elasticity_sets.size());
    if (added) {
      data_.elasticity_sets.push_back(ElasticitySet{
          std::string(row.fields[0]), std::vector<double>(sectors_.names.size(), std::nan(""))});
      seen.emplace_back(sectors_.names.size(), 0);
    }
    const std::size_t i = RowIndex(table, row, 1, sectors_);
    CheckUnique(table, row, i, &seen[it->second]);
    data_.elasticity_sets[it->second].values[i] = RowValue(table, row);
  });
}

// `{set: NAME}`: the values of set NAME, every sector, in range.
std::vector<double> BenchmarkLoader::ReadElasticitySet(const YAML::Node& set_node,
                                                       const std::string& context,
                                                       bool zero_allowed) const {
  const std::string set_name = document_.ReadString(set_node, context + ".set");
  std::string why;
  std::optional<std::vector<double>> values =
      PickElasticitySet(data_, set_name, zero_allowed, &why);
  if (!values) document_.Fail(set_node, context + ": " + why);
  return *values;
}

Table BenchmarkLoader::ReadTable(const std::string& key,
                                 const std::vector<std::vector<std::string>>& column_sets) const {
  const std::optional<YAML::Node> node = document_.Find(root(), key);
  if (!node || node->IsNull()) return Table{key, column_sets.front(), {}, {}};
  if (node->IsSequence()) return ReadInlineTable(key, *node, column_sets);
  if (node->IsMap()) {
    document_.CheckMap(*node, {"csv"}, key);
    return ReadCsvTable(key, document_.Require(*node, "csv", key), column_sets);
  }
  document_.Fail(*node, fmt::format("{}: expected a list of rows or {{csv: FILE.csv}}", key));
}

std::string DescribeColumns(const std::vector<std::vector<std::string>>& column_sets) {
  std::string text;
  for (const auto& columns : column_sets) {
    if (!text.empty()) text += " or ";
    text += JoinNames(columns);
  }
  return text;
}

Table BenchmarkLoader::ReadInlineTable(
    const std::string& key, const YAML::Node& node,
    const std::vector<std::vector<std::string>>& column_sets) const {
  Table table{key, {}, {}, {}};
  for (std::size_t k = 0; k < node.size(); ++k) {
    const YAML::Node item = node[k];
    const std::string context = fmt::format("{} row {}", key, k + 1);
    if (!item.IsMap()) {
      document_.Fail(item, fmt::format("{}: expected a map with keys {}", context,
                                       DescribeColumns(column_sets)));
    }
    // The first row picks the column set (final_demand has two); the others must follow it.
    if (table.columns.empty()) {
      std::size_t best_matches = 0;
      table.columns = column_sets.front();
      for (const auto& columns : column_sets) {
        std::size_t matches = 0;
        for (const std::string& column : columns) {
          if (document_.Find(item, column)) ++matches;
        }
        if (matches > best_matches) {
          best_matches = matches;
          table.columns = columns;
        }
      }
    }
    document_.CheckMap(item, table.columns, context);
    TableRow row;
    for (const std::string& column : table.columns) {
      const std::optional<YAML::Node> field = document_.Find(item, column);
      if (!field) {
        document_.Fail(item, fmt::format("{}: missing key '{}' (expected keys: {})", context,
                                         column, JoinNames(table.columns)));
      }
      if (!field->IsScalar()) {
        document_.Fail(*field, fmt::format("{}: '{}' must be a single value", context, column));
      }
      row.fields[row.where.size()] = table.owned.emplace_back(field->Scalar());
      row.where.push_back(document_.Where(*field));
    }
    row.id = k + 1;
    table.rows.push_back(std::move(row));
  }
  if (table.columns.empty()) table.columns = column_sets.front();
  return table;
}

Table BenchmarkLoader::ReadCsvTable(
    const std::string& key, const YAML::Node& csv_node,
    const std::vector<std::vector<std::string>>& column_sets) const {
  const std::string relative = document_.ReadString(csv_node, key + ".csv");
  const std::string csv_path = input::ResolveBeside(document_.path(), relative);
  std::string text;
  try {
    text = input::ReadTextFile(csv_path);
  } catch (const InputError& error) {
    document_.Fail(csv_node, fmt::format("{}: CSV file '{}': {}", key, relative, error.what()));
  }

  Table table{key, {}, {}, csv_path};
  table.text = std::make_unique<const std::string>(std::move(text));
  std::string_view all(*table.text);
  if (all.substr(0, 3) == "\xEF\xBB\xBF") table.body_offset = 3;  // UTF-8 byte order mark
  std::string_view line;
  if (NextCsvLine(all, &table.body_offset, &table.body_line, &line)) {
    std::vector<std::string_view> fields;
    std::deque<std::string> unquoted;
    std::string why;
    const auto where = [&] { return fmt::format("{}:{}", csv_path, table.body_line); };
    if (!SplitCsvLine(line, &fields, &unquoted, &why)) {
      throw InputError(fmt::format("{}: {}: {}", where(), key, why));
    }
    // Header: exactly one of the column sets, in any order.
    for (const auto& columns : column_sets) {
      if (fields.size() != columns.size()) continue;
      std::vector<std::size_t> positions;
      for (const std::string& column : columns) {
        const auto found = std::find(fields.begin(), fields.end(), column);
        if (found == fields.end()) break;
        positions.push_back(static_cast<std::size_t>(found - fields.begin()));
      }
      if (positions.size() == columns.size()) {
        table.columns = columns;
        table.position_of_column = positions;
        break;
      }
    }
    if (table.columns.empty()) {
      throw InputError(fmt::format(
          "{}: {}: CSV header must have exactly the columns {} (in any order); got '{}'", where(),
          key, DescribeColumns(column_sets),
          JoinNames(std::vector<std::string>(fields.begin(), fields.end()))));
    }
  }
  if (table.columns.empty()) {
    document_.Fail(csv_node, fmt::format("{}: CSV file '{}' is empty: a header line with the "
                                         "columns {} is required",
                                         key, relative, DescribeColumns(column_sets)));
  }
  return table;
}

void BenchmarkLoader::FailRow(const Table& table, const TableRow& row, std::size_t column,
                              const std::string& what) const {
  std::string keys;
  for (std::size_t k = 0; k + 1 < table.columns.size(); ++k) {
    if (!keys.empty()) keys += ", ";
    keys += table.columns[k] + ": " + std::string(row.fields[k]);
  }
  throw InputError(fmt::format("{}: {} row {{{}}}: {}", table.Where(row, column), table.key, keys,
                               what));
}

std::size_t BenchmarkLoader::RowIndex(const Table& table, const TableRow& row, std::size_t column,
                                      const NameSet& set) const {
  const std::optional<std::size_t> index = set.Find(row.fields[column]);
  if (!index) {
    FailRow(table, row, column,
            fmt::format("unknown {} '{}' ({}: {})", set.singular, row.fields[column], set.plural,
                        JoinNames(set.names)));
  }
  return *index;
}

double BenchmarkLoader::RowValue(const Table& table, const TableRow& row) const {
  const std::size_t column = table.columns.size() - 1;
  std::string why;
  const std::optional<double> value = input::ParseStrictNumber(row.fields[column], &why);
  if (!value) FailRow(table, row, column, table.columns[column] + ": " + why);
  if (*value < 0.0) {
    FailRow(table, row, column, fmt::format("value must be >= 0, got {}", row.fields[column]));
  }
  return *value;
}

double BenchmarkLoader::RowRate(const Table& table, const TableRow& row) const {
  const std::size_t column = table.columns.size() - 1;
  std::string why;
  const std::optional<double> rate = input::ParseStrictNumber(row.fields[column], &why);
  if (!rate) FailRow(table, row, column, "rate: " + why);
  if (!(1.0 + *rate > 0.0)) {
    FailRow(table, row, column,
            fmt::format("rate must satisfy 1 + rate > 0, got {}", row.fields[column]));
  }
  return *rate;
}

void BenchmarkLoader::CheckUnique(const Table& table, const TableRow& row, std::size_t key,
                                  SeenRows* seen) const {
  std::size_t& first = (*seen)[key];
  if (first != 0) {
    FailRow(table, row, 0, fmt::format("repeated row (first given at {})", table.WhereRow(first)));
  }
  first = row.id;
}

void BenchmarkLoader::ReadKeyedTable(const Table& table,
                                     const std::array<const NameSet*, 3>& sets,
                                     const std::array<int, 3>& slot, bool rates,
                                     Tensor3* out) const {
  // One bit per key (a row number per key would not stay in cache at GTAP size).
  std::vector<bool> seen(out->data().size(), false);
  const auto flat_key = [&](const std::array<std::size_t, 3>& key) {
    return (key[slot[0]] * out->dim1() + key[slot[1]]) * out->dim2() + key[slot[2]];
  };
  // Tables come sorted more often than not: a name is usually the previous row's.
  std::array<std::string_view, 3> last_name{};
  std::array<std::size_t, 3> last_index{};
  std::array<bool, 3> known{};
  table.ForEachRow([&](const TableRow& row) {
    std::array<std::size_t, 3> key{};
    for (std::size_t c = 0; c < 3; ++c) {
      if (!known[c] || row.fields[c] != last_name[c]) {
        // Sorted tables: the name after the previous one (names are unique), else a lookup.
        const std::vector<std::string>& names = sets[c]->names;
        const std::size_t next = known[c] ? (last_index[c] + 1) % names.size() : 0;
        last_index[c] = names[next] == row.fields[c] ? next
                            : RowIndex(table, row, c, *sets[c]);
        last_name[c] = row.fields[c];
        known[c] = true;
      }
      key[c] = last_index[c];
    }
    if (rates && key[0] == key[1]) {
      FailRow(table, row, 1,
              "exporter and importer are the same: tariffs/taxes/NTBs exist only on "
              "cross-border flows");
    }
    const std::size_t flat = flat_key(key);
    if (seen[flat]) {
      // A repeat (an error): the first row with the key, found by reading the table again.
      std::size_t first = 0;
      table.ForEachRow([&](const TableRow& earlier) {
        if (first != 0 || earlier.id >= row.id) return;
        std::array<std::size_t, 3> earlier_key{};
        for (std::size_t c = 0; c < 3; ++c) earlier_key[c] = RowIndex(table, earlier, c, *sets[c]);
        if (flat_key(earlier_key) == flat) first = earlier.id;
      });
      FailRow(table, row, 0, fmt::format("repeated row (first given at {})", table.WhereRow(first)));
    }
    seen[flat] = true;
    const std::size_t a = key[slot[0]], b = key[slot[1]], c = key[slot[2]];
    (*out)(a, b, c) = rates ? RowRate(table, row) : RowValue(table, row);
  });
}

// Columns region,sector,factor into VFM(f, i, r).
void BenchmarkLoader::ReadFactorPayments() {
  ReadKeyedTable(ReadTable("factor_payments", {kFactorPaymentColumns}),
                 {&regions_, &sectors_, &factors_}, {2, 1, 0}, false, &data_.factor_payments);
}

// Columns region,input,sector into VIM(j, i, r).
void BenchmarkLoader::ReadIntermediates() {
  ReadKeyedTable(ReadTable("intermediates", {kIntermediateColumns}),
                 {&regions_, &sectors_, &sectors_}, {1, 2, 0}, false, &data_.intermediates);
}

// Columns exporter,importer,sector into X(i, r, s).
void BenchmarkLoader::ReadTrade() {
  ReadKeyedTable(ReadTable("trade", {kTradeColumns}), {&regions_, &regions_, &sectors_},
                 {2, 0, 1}, false, &data_.trade);
}

// Columns exporter,importer,sector into a rate (i, r, s), cross-border flows only.
void BenchmarkLoader::ReadRates(const std::string& key, Tensor3* rates) {
  ReadKeyedTable(ReadTable(key, {kRateColumns}), {&regions_, &regions_, &sectors_}, {2, 0, 1},
                 true, rates);
}

void BenchmarkLoader::ReadFinalDemand() {
  const Table table = ReadTable("final_demand", {kRegionDemandColumns, kHouseholdDemandColumns});
  const YAML::Node node = *document_.Find(root(), "final_demand");
  const std::size_t num_r = regions_.names.size();
  const std::size_t num_i = sectors_.names.size();
  const bool by_household = table.columns.size() == kHouseholdDemandColumns.size();
  std::size_t most_households = 1;
  for (const auto& groups : data_.households) most_households = std::max(most_households, groups.size());
  SeenRows seen(num_r * most_households * num_i, 0);
  std::vector<std::vector<double>> region_demand(num_r, std::vector<double>(num_i, 0.0));
  table.ForEachRow([&](const TableRow& row) {
    const std::size_t r = RowIndex(table, row, 0, regions_);
    std::size_t h = 0;
    if (by_household) {
      NameSet households{"household of " + regions_.names[r],
                         "households of " + regions_.names[r], {}};
      for (const Household& household : data_.households[r]) {
        households.names.push_back(household.name);
      }
      h = RowIndex(table, row, 1, households);
    }
    const std::size_t i = RowIndex(table, row, by_household ? 2 : 1, sectors_);
    CheckUnique(table, row, (r * most_households + h) * num_i + i, &seen);
    const double value = RowValue(table, row);
    if (by_household) data_.final_demand[r][h][i] = value;
    region_demand[r][i] = by_household ? region_demand[r][i] + value : value;
  });
  for (std::size_t r = 0; r < num_r; ++r) {
    double total = 0.0;
    for (double value : region_demand[r]) total += value;
    if (!(total > 0.0)) {
      document_.Fail(node, fmt::format("final_demand: region '{}' has zero total final demand "
                                       "(every region needs some)",
                                       regions_.names[r]));
    }
  }
  if (!by_household) ShareRegionDemand(region_demand);
}

// Region rows only (FORMATS.md): household h of r spends the region's budget shares times its
// benchmark income share, where its income is its factor income plus its population share of
// the region's tax revenue. Deficits are thereby shared the same way.
void BenchmarkLoader::ShareRegionDemand(const std::vector<std::vector<double>>& region_demand) {
  const std::size_t num_r = regions_.names.size();
  const std::size_t num_i = sectors_.names.size();
  const std::size_t num_f = factors_.names.size();
  const Accounts accounts = ComputeAccounts(data_);
  for (std::size_t r = 0; r < num_r; ++r) {
    std::vector<Household>& households = data_.households[r];
    const RegionAccounts& region = accounts.regions[r];
    const double revenue = region.tariff_revenue + region.export_tax_revenue;
    const double income = region.factor_income + revenue;
    double population = 0.0;
    for (const Household& household : households) population += household.population;
    for (std::size_t h = 0; h < households.size(); ++h) {
      const double population_share = households[h].population / population;
      double share = population_share;  // a region without income shares by population
      if (income > 0.0) {
        double own_income = population_share * revenue;
        for (std::size_t f = 0; f < num_f; ++f) {
          double factor_income = 0.0;
          for (std::size_t i = 0; i < num_i; ++i) factor_income += data_.factor_payments(f, i, r);
          own_income += households[h].owns[f] * factor_income;
        }
        share = own_income / income;
      }
      for (std::size_t i = 0; i < num_i; ++i) {
        data_.final_demand[r][h][i] = region_demand[r][i] * share;
      }
    }
  }
}

}  // namespace

Benchmark LoadBenchmark(const std::string& path) { return BenchmarkLoader(path).Load(); }

}  // namespace ohlin
