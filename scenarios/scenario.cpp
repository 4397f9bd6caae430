// Scenario files: FORMATS.md "Scenarios". Errors are InputErrors naming file, line and column.
#include "scenarios/scenario.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "calibration/loader.h"
#include "calibration/yaml_util.h"

namespace ohlin {
namespace {

using input::JoinNames;
using input::YamlDocument;

// The loosest solver tolerance: a scaled residual of 1e-4 already moves results in the 4th
// digit; above it an answer would not be worth the name.
constexpr double kMaxTolerance = 1e-4;
// Share tolerance for `redistribution: {rule: shares}`.
constexpr double kShareTolerance = 1e-9;
// The benchmark's accounting identities must hold to this relative tolerance, as in `ohlin check`.
constexpr double kBalanceTolerance = 1e-6;
// Deficits must sum to zero within this fraction of world benchmark spending.
constexpr double kDeficitTolerance = 1e-6;

const std::vector<std::string> kTopLevelKeys = {"ohlin",          "name",      "data", "shocks",
                                                "redistribution", "numeraire", "solver",
                                                "compare",        "elasticities",
                                                "game",           "sweep",
                                                "sensitivity"};
const std::vector<std::string> kChangeKeys = {"set", "add", "scale"};

struct ShockTypeInfo {
  ShockType type;
  const char* name;
  // Keys besides type/set/add/scale: selectors, and `rents` / `level`.
  std::vector<std::string> selectors;
  bool takes_change = true;  // exactly one of set/add/scale; false: none of them is allowed
};

const std::vector<ShockTypeInfo>& ShockTypes() {
  static const std::vector<ShockTypeInfo> types = {
      {ShockType::kTariff, "tariff", {"importer", "exporter", "sectors"}},
      {ShockType::kExportTax, "export_tax", {"exporter", "importer", "sectors"}},
      {ShockType::kNtb, "ntb", {"importer", "exporter", "sectors", "rents"}},
      {ShockType::kProductivity, "productivity", {"region", "sectors"}},
      {ShockType::kFactorProductivity, "factor_productivity", {"region", "factor", "sectors"}},
      {ShockType::kEndowment, "endowment", {"region", "factor"}},
      {ShockType::kDeficit, "deficit", {"region"}},
      {ShockType::kFactorTax, "factor_tax", {"region", "factor", "sectors"}},
      {ShockType::kIncomeTax, "income_tax", {"region"}},
      {ShockType::kQuota, "quota", {"importer", "exporter", "sectors", "level", "rents"}, false},
      {ShockType::kExportBan, "export_ban", {"exporter", "importer", "sectors"}, false},
  };
  return types;
}

const ShockTypeInfo& InfoOf(ShockType type) {
  for (const ShockTypeInfo& info : ShockTypes()) {
    if (info.type == type) return info;
  }
  return ShockTypes().front();
}

struct NamedRule {
  RedistributionRule rule;
  const char* name;
};
const NamedRule kRules[] = {{RedistributionRule::kLumpSum, "lump_sum"},
                            {RedistributionRule::kProportional, "proportional"},
                            {RedistributionRule::kNone, "none"},
                            {RedistributionRule::kCompensate, "compensate"},
                            {RedistributionRule::kShares, "shares"}};

std::vector<std::string> RuleNames() {
  std::vector<std::string> names;
  for (const NamedRule& rule : kRules) names.emplace_back(rule.name);
  return names;
}

std::vector<int> AllIndices(std::size_t count) {
  std::vector<int> indices(count);
  for (std::size_t k = 0; k < count; ++k) indices[k] = static_cast<int>(k);
  return indices;
}

class ScenarioLoader {
 public:
  ScenarioLoader(const std::string& path, Benchmark* data, std::string data_override)
      : document_(YamlDocument::Load(path, "scenario")),
        data_(data),
        data_override_(std::move(data_override)) {}

  Scenario Load();

 private:
  const YAML::Node& root() const { return document_.root(); }
  void ReadData();
  void ReadElasticities();
  void ReadShocks();
  Shock ReadShock(const YAML::Node& node, std::size_t number) const;
  // A selector: a name, a list of names, or "*"; omitted means all.
  std::vector<int> ReadSelector(const YAML::Node& shock, const std::string& key,
                                const std::vector<std::string>& names, const std::string& singular,
                                const std::string& plural, const std::string& context) const;
  void ReadRedistribution();
  void ReadCompare();
  void ReadNumeraire();
  void ReadSolver();

  YamlDocument document_;
  Benchmark* data_;
  std::string data_override_;  // non-empty: read this benchmark instead of `data:`
  Scenario scenario_;
};

Scenario ScenarioLoader::Load() {
  document_.CheckMap(root(), kTopLevelKeys, "scenario");
  scenario_.path = document_.path();
  scenario_.name = input::FileStem(document_.path());
  if (auto name = document_.Find(root(), "name")) {
    scenario_.name = document_.ReadString(*name, "name");
    if (scenario_.name.empty()) document_.Fail(*name, "name: cannot be empty");
  }
  ReadData();
  ReadElasticities();
  ReadShocks();
  ReadRedistribution();
  ReadCompare();
  ReadNumeraire();
  ReadSolver();
  return scenario_;
}

// compare: [RULE, ...]: the rules `ohlin compare` solves the scenario under (no repeats).
void ScenarioLoader::ReadCompare() {
  const std::optional<YAML::Node> node = document_.Find(root(), "compare");
  if (!node) return;
  if (!node->IsSequence() || node->size() == 0) {
    document_.Fail(*node, "compare: expected a non-empty list of redistribution rules");
  }
  for (const YAML::Node& item : *node) {
    const std::string name = document_.ReadString(item, "compare");
    RedistributionRule rule;
    if (!StringToRedistributionRule(name, &rule)) {
      document_.Fail(item, fmt::format("compare: unknown rule '{}' (rules: {})", name,
                                       JoinNames(RuleNames())));
    }
    for (RedistributionRule other : scenario_.compare_rules) {
      if (other == rule) {
        document_.Fail(item, fmt::format("compare: rule '{}' is given twice", name));
      }
    }
    scenario_.compare_rules.push_back(rule);
  }
  scenario_.compare_where = document_.Where(*node);
}

void ScenarioLoader::ReadData() {
  const YAML::Node node = document_.Require(root(), "data", "scenario");
  const std::string relative =
      data_override_.empty() ? document_.ReadString(node, "data") : data_override_;
  scenario_.data_path = input::ResolveBeside(document_.path(), relative);
  std::error_code error;
  if (!std::filesystem::is_regular_file(scenario_.data_path, error)) {
    document_.Fail(node, fmt::format("data: benchmark file '{}' not found (looked for '{}', "
                                     "relative to the scenario file)",
                                     relative, scenario_.data_path));
  }
  *data_ = LoadBenchmark(scenario_.data_path);
  // A model calibrated to data that does not balance would start away from equilibrium and
  // silently rebalance it; refuse, naming the failing accounts and their size (`ohlin check`
  // lists them all).
  const Accounts accounts = ComputeAccounts(*data_, kBalanceTolerance);
  if (!accounts.failures.empty()) {
    std::string failures;
    const std::size_t shown = std::min<std::size_t>(accounts.failures.size(), 5);
    for (std::size_t k = 0; k < shown; ++k) {
      const IdentityFailure& failure = accounts.failures[k];
      failures += fmt::format("{}{} ({:.10g} vs {:.10g}, gap {:.3g}, relative {:.3g})",
                              k == 0 ? "" : "; ", failure.account, failure.lhs, failure.rhs,
                              std::abs(failure.lhs - failure.rhs), failure.relative);
    }
    if (accounts.failures.size() > shown) {
      failures += fmt::format("; and {} more", accounts.failures.size() - shown);
    }
    document_.Fail(node, fmt::format("data: benchmark '{}' does not balance (relative tolerance "
                                     "{:g}): {}; run `ohlin check {}` for every account",
                                     relative, kBalanceTolerance, failures,
                                     scenario_.data_path));
  }
}

// elasticities: {armington: {set: NAME}, ...}: per-sector elasticities of the world replaced by
// one of its named sets (FORMATS.md "Elasticity sets"), e.g. a published set of trade
// elasticities for a sensitivity run.
void ScenarioLoader::ReadElasticities() {
  const std::optional<YAML::Node> node = document_.Find(root(), "elasticities");
  if (!node) return;
  const std::vector<std::string> keys = {"armington", "value_added", "top"};
  document_.CheckMap(*node, keys, "elasticities");
  std::vector<double>* targets[] = {&data_->elasticities.armington,
                                    &data_->elasticities.value_added, &data_->elasticities.top};
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const std::optional<YAML::Node> entry = document_.Find(*node, keys[k]);
    if (!entry) continue;
    const std::string context = "elasticities." + keys[k];
    if (!entry->IsMap()) document_.Fail(*entry, context + ": expected {set: NAME}");
    document_.CheckMap(*entry, {"set"}, context);
    const YAML::Node set_node = document_.Require(*entry, "set", context);
    const std::string name = document_.ReadString(set_node, context + ".set");
    std::string why;
    const std::optional<std::vector<double>> values =
        PickElasticitySet(*data_, name, /*zero_allowed=*/k > 0, &why);
    if (!values) {
      document_.Fail(set_node, fmt::format("{}: {} in the data '{}'", context, why,
                                           scenario_.data_path));
    }
    *targets[k] = *values;
  }
}

void ScenarioLoader::ReadShocks() {
  const std::optional<YAML::Node> shocks = document_.Find(root(), "shocks");
  if (!shocks || shocks->IsNull()) return;
  if (!shocks->IsSequence()) document_.Fail(*shocks, "shocks: expected a list of shocks");
  for (std::size_t k = 0; k < shocks->size(); ++k) {
    scenario_.shocks.push_back(ReadShock((*shocks)[k], k + 1));
  }
}

Shock ScenarioLoader::ReadShock(const YAML::Node& node, std::size_t number) const {
  std::string context = fmt::format("shock {}", number);
  if (!node.IsMap()) document_.Fail(node, context + ": expected a map with a 'type' key");
  Shock shock;
  shock.where = document_.Where(node);

  const YAML::Node type_node = document_.Require(node, "type", context);
  const std::string type_name = document_.ReadString(type_node, context + ".type");
  if (!StringToShockType(type_name, &shock.type)) {
    std::vector<std::string> valid;
    for (const ShockTypeInfo& info : ShockTypes()) valid.emplace_back(info.name);
    document_.Fail(type_node, fmt::format("{}: unknown shock type '{}' (types: {})", context,
                                          type_name, JoinNames(valid)));
  }
  context = fmt::format("shock {} ({})", number, type_name);
  const ShockTypeInfo& info = InfoOf(shock.type);
  std::vector<std::string> allowed = {"type"};
  if (info.takes_change) allowed.insert(allowed.end(), kChangeKeys.begin(), kChangeKeys.end());
  allowed.insert(allowed.end(), info.selectors.begin(), info.selectors.end());
  document_.CheckMap(node, allowed, context);

  // Exactly one of set / add / scale (quota and export_ban take none: CheckMap refuses them).
  if (info.takes_change) {
    std::optional<YAML::Node> change;
    for (std::size_t k = 0; k < kChangeKeys.size(); ++k) {
      if (auto found = document_.Find(node, kChangeKeys[k])) {
        if (change) {
          document_.Fail(*found, context + ": give exactly one of set, add, scale (found more)");
        }
        change = found;
        shock.mode = static_cast<ChangeMode>(k);
        shock.value = document_.ReadNumber(*found, context + "." + kChangeKeys[k]);
      }
    }
    if (!change) {
      document_.Fail(node, context + ": give exactly one of set, add, scale (found none)");
    }
  }

  const Benchmark& data = *data_;
  std::vector<std::string> factor_names;
  for (const Factor& factor : data.factors) factor_names.push_back(factor.name);
  for (const std::string& key : info.selectors) {
    if (key == "importer") {
      shock.importers = ReadSelector(node, key, data.regions, "region", "regions", context);
    } else if (key == "exporter") {
      shock.exporters = ReadSelector(node, key, data.regions, "region", "regions", context);
    } else if (key == "region") {
      shock.regions = ReadSelector(node, key, data.regions, "region", "regions", context);
    } else if (key == "sectors") {
      shock.sectors = ReadSelector(node, key, data.sectors, "sector", "sectors", context);
    } else if (key == "factor") {
      shock.factors = ReadSelector(node, key, factor_names, "factor", "factors", context);
    } else if (key == "rents") {
      // ntb: default none (iceberg); quota: default importer, and none is not an owner.
      const bool quota = shock.type == ShockType::kQuota;
      shock.rents = quota ? RentOwner::kImporter : RentOwner::kNone;
      const std::optional<YAML::Node> rents = document_.Find(node, "rents");
      if (!rents) continue;
      const std::string owner = document_.ReadString(*rents, context + ".rents");
      if (owner == "importer") {
        shock.rents = RentOwner::kImporter;
      } else if (owner == "exporter") {
        shock.rents = RentOwner::kExporter;
      } else if (owner == "none" && !quota) {
        shock.rents = RentOwner::kNone;
      } else if (owner == "none") {
        document_.Fail(*rents, context + ": rents: none is not allowed: a quota's rent goes to "
                                         "the importer or the exporter (rents: importer, "
                                         "exporter)");
      } else {
        document_.Fail(*rents, fmt::format("{}: unknown rents '{}' (rents: {})", context, owner,
                                           quota ? "importer, exporter"
                                                 : "none, importer, exporter"));
      }
    } else if (key == "level") {
      const YAML::Node level = document_.Require(node, "level", context);
      shock.level = document_.ReadNumber(level, context + ".level");
      if (!(shock.level > 0.0)) {
        document_.Fail(level, fmt::format("{}: level must be > 0 (a share of the flow's "
                                          "benchmark quantity), got {}",
                                          context, shock.level));
      }
    }
  }
  return shock;
}

std::vector<int> ScenarioLoader::ReadSelector(const YAML::Node& shock, const std::string& key,
                                              const std::vector<std::string>& names,
                                              const std::string& singular,
                                              const std::string& plural,
                                              const std::string& context) const {
  const std::optional<YAML::Node> node = document_.Find(shock, key);
  if (!node || (node->IsScalar() && node->Scalar() == "*")) return AllIndices(names.size());
  auto resolve = [&](const YAML::Node& item) {
    const std::string name = document_.ReadString(item, context + "." + key);
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (names[k] == name) return static_cast<int>(k);
    }
    document_.Fail(item, fmt::format("{}: unknown {} '{}' in {} ({}: {})", context, singular,
                                     name, key, plural, JoinNames(names)));
  };
  if (node->IsScalar()) return {resolve(*node)};
  if (!node->IsSequence() || node->size() == 0) {
    document_.Fail(*node, fmt::format("{}: {} must be a name, a non-empty list of names, or "
                                      "\"*\"",
                                      context, key));
  }
  std::vector<int> indices;
  for (std::size_t k = 0; k < node->size(); ++k) {
    const YAML::Node item = (*node)[k];
    const int index = resolve(item);
    if (std::find(indices.begin(), indices.end(), index) != indices.end()) {
      document_.Fail(item, fmt::format("{}: {} '{}' is listed twice in {}", context, singular,
                                       item.Scalar(), key));
    }
    indices.push_back(index);
  }
  return indices;
}

// redistribution: {rule: NAME} (a bare NAME is accepted); rule shares needs {shares: {h: x}}.
void ScenarioLoader::ReadRedistribution() {
  const std::optional<YAML::Node> node = document_.Find(root(), "redistribution");
  if (!node) return;
  if (node->IsMap()) document_.CheckMap(*node, {"rule", "shares"}, "redistribution");
  // Note: never reassign a YAML::Node (operator= writes through to the document).
  const YAML::Node rule_node =
      node->IsMap() ? document_.Require(*node, "rule", "redistribution") : *node;
  const std::string rule = document_.ReadString(rule_node, "redistribution.rule");
  if (!StringToRedistributionRule(rule, &scenario_.redistribution)) {
    document_.Fail(rule_node, fmt::format("redistribution: unknown rule '{}' (rules: {})", rule,
                                          JoinNames(RuleNames())));
  }
  const std::optional<YAML::Node> shares =
      node->IsMap() ? document_.Find(*node, "shares") : std::nullopt;
  if (scenario_.redistribution != RedistributionRule::kShares) {
    if (shares) document_.Fail(*shares, "redistribution: 'shares' goes only with rule: shares");
    return;
  }
  if (!shares) {
    document_.Fail(*node, "redistribution: rule shares needs a map 'shares: {HOUSEHOLD: share}'");
  }
  if (!shares->IsMap() || shares->size() == 0) {
    document_.Fail(*shares, "redistribution.shares: expected a map {HOUSEHOLD: share}");
  }
  std::vector<std::string> household_names;
  for (const auto& region : data_->households) {
    for (const Household& household : region) {
      if (std::find(household_names.begin(), household_names.end(), household.name) ==
          household_names.end()) {
        household_names.push_back(household.name);
      }
    }
  }
  document_.CheckMap(*shares, household_names, "redistribution.shares");
  double total = 0.0;
  for (auto it = shares->begin(); it != shares->end(); ++it) {
    const std::string name = it->first.Scalar();
    const double share = document_.ReadNumber(it->second, "redistribution.shares." + name);
    if (share < 0.0) {
      document_.Fail(it->second, fmt::format("redistribution.shares.{} must be >= 0", name));
    }
    total += share;
    scenario_.redistribution_shares.emplace_back(name, share);
  }
  if (std::abs(total - 1.0) > kShareTolerance) {
    document_.Fail(*shares, fmt::format("redistribution.shares sum to {:.12g}; they must sum to 1",
                                        total));
  }
}

// numeraire: world_factor_income, or {region: R, factor: F}.
void ScenarioLoader::ReadNumeraire() {
  const std::optional<YAML::Node> node = document_.Find(root(), "numeraire");
  if (!node) return;
  if (node->IsScalar()) {
    if (node->Scalar() != "world_factor_income") {
      document_.Fail(*node, fmt::format("numeraire: unknown choice '{}' (expected "
                                        "world_factor_income or {{region: R, factor: F}})",
                                        node->Scalar()));
    }
    scenario_.numeraire = NumeraireChoice{};
    return;
  }
  document_.CheckMap(*node, {"region", "factor"}, "numeraire");
  const YAML::Node region = document_.Require(*node, "region", "numeraire");
  const YAML::Node factor = document_.Require(*node, "factor", "numeraire");
  const std::string region_name = document_.ReadString(region, "numeraire.region");
  const std::string factor_name = document_.ReadString(factor, "numeraire.factor");
  NumeraireChoice choice;
  choice.kind = NumeraireChoice::Kind::kFactorPrice;
  for (std::size_t r = 0; r < data_->regions.size(); ++r) {
    if (data_->regions[r] == region_name) choice.region = static_cast<int>(r);
  }
  std::vector<std::string> factor_names;
  for (std::size_t f = 0; f < data_->factors.size(); ++f) {
    factor_names.push_back(data_->factors[f].name);
    if (data_->factors[f].name == factor_name) choice.factor = static_cast<int>(f);
  }
  if (choice.region < 0) {
    document_.Fail(region, fmt::format("numeraire: unknown region '{}' (regions: {})",
                                       region_name, JoinNames(data_->regions)));
  }
  if (choice.factor < 0) {
    document_.Fail(factor, fmt::format("numeraire: unknown factor '{}' (factors: {})",
                                       factor_name, JoinNames(factor_names)));
  }
  // Its price must exist: the factor must earn something in the region.
  std::vector<std::string> paid_in;
  for (std::size_t r = 0; r < data_->regions.size(); ++r) {
    double income = 0.0;
    for (std::size_t i = 0; i < data_->sectors.size(); ++i) {
      income += data_->factor_payments(static_cast<std::size_t>(choice.factor), i, r);
    }
    if (income > 0.0) paid_in.push_back(data_->regions[r]);
  }
  if (std::find(paid_in.begin(), paid_in.end(), region_name) == paid_in.end()) {
    document_.Fail(*node, fmt::format("numeraire: factor '{}' has no income in region '{}' "
                                      "(it has in: {})",
                                      factor_name, region_name,
                                      paid_in.empty() ? "none" : JoinNames(paid_in)));
  }
  scenario_.numeraire = choice;
}

// solver: {tolerance: in (0, 1e-4], max_iterations: >= 0, method: auto|newton|levenberg_marquardt}.
void ScenarioLoader::ReadSolver() {
  const std::optional<YAML::Node> node = document_.Find(root(), "solver");
  if (!node) return;
  document_.CheckMap(*node, {"tolerance", "max_iterations", "method"}, "solver");
  if (auto method = document_.Find(*node, "method")) {
    const std::string value = document_.ReadString(*method, "solver.method");
    if (value != "auto" && value != "newton" && value != "levenberg_marquardt") {
      document_.Fail(*method, fmt::format("solver.method: unknown method '{}' (methods: auto, "
                                          "newton, levenberg_marquardt)",
                                          value));
    }
    scenario_.solver.method = value;
  }
  if (auto tolerance = document_.Find(*node, "tolerance")) {
    const double value = document_.ReadNumber(*tolerance, "solver.tolerance");
    if (!(value > 0.0) || value > kMaxTolerance) {
      document_.Fail(*tolerance, fmt::format("solver.tolerance must be > 0 and at most {:g} (a "
                                             "largest scaled residual; the default is 1e-10), "
                                             "got {}",
                                             kMaxTolerance, value));
    }
    scenario_.solver.tolerance = value;
  }
  if (auto iterations = document_.Find(*node, "max_iterations")) {
    const long long value = document_.ReadInteger(*iterations, "solver.max_iterations");
    if (value < 0 || value > std::numeric_limits<int>::max()) {
      document_.Fail(*iterations,
                     fmt::format("solver.max_iterations must be between 0 and {}, got {}",
                                 std::numeric_limits<int>::max(), value));
    }
    scenario_.solver.max_iterations = static_cast<int>(value);
  }
}

double Apply(ChangeMode mode, double current, double value) {
  switch (mode) {
    case ChangeMode::kSet:
      return value;
    case ChangeMode::kAdd:
      return current + value;
    case ChangeMode::kScale:
      return current * value;
  }
  return current;
}

// The last shock that changed each entry, to name it when the result is invalid.
struct Touched {
  std::vector<int> tariffs, export_taxes, ntb, importer_rent, exporter_rent, access,
      factor_productivity, productivity, endowment, deficit, factor_tax, income_tax;
};

const std::string& WhereOf(const std::vector<Shock>& shocks, int index) {
  static const std::string kBenchmark = "benchmark";
  return index < 0 ? kBenchmark : shocks[static_cast<std::size_t>(index)].where;
}

// `where` ("file:line:column") for a message that already starts with `context` (another
// "file:line:column"): "line L, column C" when both are in the same file, else `where`.
std::string WhereBeside(const std::string& where, const std::string& context) {
  const std::size_t column = where.rfind(':');
  const std::size_t line = column == std::string::npos || column == 0
                               ? std::string::npos
                               : where.rfind(':', column - 1);
  if (line == std::string::npos) return where;
  const std::string file = where.substr(0, line + 1);
  if (context.compare(0, file.size(), file) != 0) return where;
  return fmt::format("line {}, column {}", where.substr(line + 1, column - line - 1),
                     where.substr(column + 1));
}

}  // namespace

const char* ShockTypeToString(ShockType type) { return InfoOf(type).name; }

bool StringToShockType(const std::string& name, ShockType* type) {
  for (const ShockTypeInfo& info : ShockTypes()) {
    if (name == info.name) {
      *type = info.type;
      return true;
    }
  }
  return false;
}

const char* RedistributionRuleToString(RedistributionRule rule) {
  for (const NamedRule& named : kRules) {
    if (named.rule == rule) return named.name;
  }
  return "lump_sum";
}

bool StringToRedistributionRule(const std::string& name, RedistributionRule* rule) {
  for (const NamedRule& named : kRules) {
    if (name == named.name) {
      *rule = named.rule;
      return true;
    }
  }
  return false;
}

std::string NumeraireChoice::Describe(const Benchmark& data) const {
  if (kind == Kind::kWorldFactorIncome) return "world_factor_income";
  const std::string region_name =
      region >= 0 && static_cast<std::size_t>(region) < data.regions.size()
          ? data.regions[static_cast<std::size_t>(region)]
          : "?";
  const std::string factor_name =
      factor >= 0 && static_cast<std::size_t>(factor) < data.factors.size()
          ? data.factors[static_cast<std::size_t>(factor)].name
          : "?";
  return region_name + "/" + factor_name;
}

Scenario LoadScenario(const std::string& path, Benchmark* data,
                      const std::string& data_override) {
  return ScenarioLoader(path, data, data_override).Load();
}

Policy ApplyShocks(const Benchmark& data, const std::vector<Shock>& shocks) {
  Policy policy = Policy::Benchmark(data);
  const std::size_t num_r = data.num_regions();
  const std::size_t num_i = data.num_sectors();
  const std::size_t num_f = data.num_factors();
  Touched touched;
  touched.tariffs.assign(policy.tariffs.data().size(), -1);
  touched.export_taxes.assign(policy.export_taxes.data().size(), -1);
  touched.ntb.assign(policy.ntb.data().size(), -1);
  touched.importer_rent.assign(policy.importer_rent.data().size(), -1);
  touched.exporter_rent.assign(policy.exporter_rent.data().size(), -1);
  touched.access.assign(policy.access.data().size(), -1);
  // Quotas by flow (sector, exporter, importer), with the shock that set each: the map keeps
  // them in the documented order and lets a later quota replace an earlier one.
  std::map<std::tuple<int, int, int>, std::pair<Quota, int>> quotas;
  touched.factor_productivity.assign(policy.factor_productivity.data().size(), -1);
  touched.productivity.assign(policy.productivity.size(), -1);
  touched.endowment.assign(policy.endowment.size(), -1);
  touched.deficit.assign(policy.deficit.size(), -1);
  touched.factor_tax.assign(policy.factor_tax.data().size(), -1);
  touched.income_tax.assign(policy.income_tax.size(), -1);

  auto u = [](int index) { return static_cast<std::size_t>(index); };
  for (std::size_t k = 0; k < shocks.size(); ++k) {
    const Shock& shock = shocks[k];
    const int shock_index = static_cast<int>(k);
    switch (shock.type) {
      case ShockType::kTariff:
      case ShockType::kExportTax:
      case ShockType::kNtb: {
        // An ntb shock changes the rate of its kind: iceberg, importer's or exporter's rent.
        Tensor3* rate_table = &policy.tariffs;
        std::vector<int>* last_table = &touched.tariffs;
        if (shock.type == ShockType::kExportTax) {
          rate_table = &policy.export_taxes;
          last_table = &touched.export_taxes;
        } else if (shock.type == ShockType::kNtb) {
          switch (shock.rents) {
            case RentOwner::kNone:
              rate_table = &policy.ntb;
              last_table = &touched.ntb;
              break;
            case RentOwner::kImporter:
              rate_table = &policy.importer_rent;
              last_table = &touched.importer_rent;
              break;
            case RentOwner::kExporter:
              rate_table = &policy.exporter_rent;
              last_table = &touched.exporter_rent;
              break;
          }
        }
        Tensor3& rates = *rate_table;
        std::vector<int>& last = *last_table;
        for (int i : shock.sectors) {
          for (int r : shock.exporters) {
            for (int s : shock.importers) {
              if (r == s) continue;  // never on domestic flows (FORMATS.md)
              double& rate = rates(u(i), u(r), u(s));
              rate = Apply(shock.mode, rate, shock.value);
              last[(u(i) * num_r + u(r)) * num_r + u(s)] = shock_index;
            }
          }
        }
        break;
      }
      case ShockType::kProductivity:
        for (int i : shock.sectors) {
          for (int r : shock.regions) {
            double& level = policy.productivity_at(u(i), u(r), num_r);
            level = Apply(shock.mode, level, shock.value);
            touched.productivity[u(i) * num_r + u(r)] = shock_index;
          }
        }
        break;
      case ShockType::kFactorProductivity:
        for (int f : shock.factors) {
          for (int i : shock.sectors) {
            for (int r : shock.regions) {
              double& level = policy.factor_productivity(u(f), u(i), u(r));
              level = Apply(shock.mode, level, shock.value);
              touched.factor_productivity[(u(f) * num_i + u(i)) * num_r + u(r)] = shock_index;
            }
          }
        }
        break;
      case ShockType::kEndowment:
        for (int f : shock.factors) {
          for (int r : shock.regions) {
            double& level = policy.endowment_at(u(f), u(r), num_r);
            level = Apply(shock.mode, level, shock.value);
            touched.endowment[u(f) * num_r + u(r)] = shock_index;
          }
        }
        break;
      case ShockType::kDeficit:
        for (int r : shock.regions) {
          policy.deficit[u(r)] = Apply(shock.mode, policy.deficit[u(r)], shock.value);
          touched.deficit[u(r)] = shock_index;
        }
        break;
      case ShockType::kFactorTax:  // on the payments of factor f by sector i of r
        for (int f : shock.factors) {
          for (int i : shock.sectors) {
            for (int r : shock.regions) {
              double& rate = policy.factor_tax(u(f), u(i), u(r));
              rate = Apply(shock.mode, rate, shock.value);
              touched.factor_tax[(u(f) * num_i + u(i)) * num_r + u(r)] = shock_index;
            }
          }
        }
        break;
      case ShockType::kIncomeTax:  // on household factor income of r
        for (int r : shock.regions) {
          policy.income_tax[u(r)] = Apply(shock.mode, policy.income_tax[u(r)], shock.value);
          touched.income_tax[u(r)] = shock_index;
        }
        break;
      case ShockType::kQuota: {  // one Quota per selected cross-border flow with trade
        if (shock.rents == RentOwner::kNone) {  // the loader refuses this; Shocks built in code
          throw InputError(fmt::format("{}: a quota's rent goes to the importer or the exporter "
                                       "(rents: none is not allowed)",
                                       shock.where));
        }
        if (!std::isfinite(shock.level) || !(shock.level > 0.0)) {
          throw InputError(fmt::format("{}: a quota's level must be > 0 and finite, got {}",
                                       shock.where, shock.level));
        }
        std::size_t count = 0;
        for (int i : shock.sectors) {
          for (int r : shock.exporters) {
            for (int s : shock.importers) {
              if (r == s || !(data.trade(u(i), u(r), u(s)) > 0.0)) continue;
              Quota quota;
              quota.sector = i;
              quota.exporter = r;
              quota.importer = s;
              quota.level = shock.level;
              quota.owner = shock.rents;
              quotas[{i, r, s}] = {quota, shock_index};
              ++count;
            }
          }
        }
        if (count == 0) {
          throw InputError(fmt::format("{}: the quota selects no cross-border flow with "
                                       "benchmark trade (a quota applies only to flows with "
                                       "exporter != importer and benchmark trade > 0)",
                                       shock.where));
        }
        break;
      }
      case ShockType::kExportBan: {  // access 0 on the selected cross-border flows
        std::size_t count = 0;
        for (int i : shock.sectors) {
          bool any = false;
          for (int r : shock.exporters) {
            for (int s : shock.importers) {
              if (r == s) continue;
              policy.access(u(i), u(r), u(s)) = 0.0;
              touched.access[(u(i) * num_r + u(r)) * num_r + u(s)] = shock_index;
              any = true;
              ++count;
            }
          }
          const double sigma = data.elasticities.armington[u(i)];
          if (any && !(sigma > 1.0)) {
            throw InputError(fmt::format("{}: export_ban on {} needs an Armington elasticity "
                                         "above 1 (it is {}): with complements a banned variety "
                                         "leaves no finite equilibrium",
                                         shock.where, data.sectors[u(i)], sigma));
          }
        }
        if (count == 0) {
          throw InputError(fmt::format("{}: the export_ban selects no cross-border flow "
                                       "(exporter = importer is never banned)",
                                       shock.where));
        }
        break;
      }
    }
  }

  // Quotas in (sector, exporter, importer) order; none on a banned flow.
  for (const auto& [flow, entry] : quotas) {
    const auto [i, r, s] = flow;
    const int ban = touched.access[(u(i) * num_r + u(r)) * num_r + u(s)];
    if (policy.access(u(i), u(r), u(s)) == 0.0) {
      const int later = std::max(ban, entry.second);
      const int earlier = std::min(ban, entry.second);
      throw InputError(fmt::format(
          "{}: {} on {} from {} to {}, which already has {} ({}): a flow can have a quota or "
          "an export_ban, not both",
          WhereOf(shocks, later), later == ban ? "an export_ban" : "a quota",
          data.sectors[u(i)], data.regions[u(r)], data.regions[u(s)],
          later == ban ? "a quota" : "an export_ban",
          WhereBeside(WhereOf(shocks, earlier), WhereOf(shocks, later))));
    }
    policy.quotas.push_back(entry.first);
  }
  // Bans must leave every absorbed good an open origin with benchmark trade, and every sector
  // with output an open destination (otherwise demand or supply has nowhere to go).
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t s = 0; s < num_r; ++s) {
      double absorbed = 0.0;
      bool open = false;
      int last_ban = -1;
      for (std::size_t r = 0; r < num_r; ++r) {
        const double flow = data.trade(i, r, s);
        absorbed += flow;
        if (flow > 0.0 && policy.access(i, r, s) > 0.0) open = true;
        last_ban = std::max(last_ban, touched.access[(i * num_r + r) * num_r + s]);
      }
      if (absorbed > 0.0 && !open) {
        throw InputError(fmt::format(
            "{}: after the shocks, {} absorbed in {} has no open origin: every region that "
            "supplies it in the benchmark is banned from exporting it there",
            WhereOf(shocks, last_ban), data.sectors[i], data.regions[s]));
      }
    }
    for (std::size_t r = 0; r < num_r; ++r) {
      double output = 0.0;
      bool open = false;
      int last_ban = -1;
      for (std::size_t s = 0; s < num_r; ++s) {
        const double flow = data.trade(i, r, s);
        output += flow;
        if (flow > 0.0 && policy.access(i, r, s) > 0.0) open = true;
        last_ban = std::max(last_ban, touched.access[(i * num_r + r) * num_r + s]);
      }
      if (output > 0.0 && !open) {
        throw InputError(fmt::format(
            "{}: after the shocks, {} of {} has no open destination: every region that buys it "
            "in the benchmark is closed to it by an export_ban",
            WhereOf(shocks, last_ban), data.sectors[i], data.regions[r]));
      }
    }
  }

  // Rates: 1 + rate > 0 and finite, on every cross-border flow.
  const struct {
    const char* label;
    const Tensor3* rates;
    const std::vector<int>* last;
  } rate_tables[] = {{"tariff", &policy.tariffs, &touched.tariffs},
                     {"export tax", &policy.export_taxes, &touched.export_taxes},
                     {"ntb", &policy.ntb, &touched.ntb},
                     {"ntb (rents: importer)", &policy.importer_rent, &touched.importer_rent},
                     {"ntb (rents: exporter)", &policy.exporter_rent, &touched.exporter_rent}};
  for (const auto& table : rate_tables) {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) {
        for (std::size_t s = 0; s < num_r; ++s) {
          const double rate = (*table.rates)(i, r, s);
          if (std::isfinite(rate) && 1.0 + rate > 0.0) continue;
          throw InputError(fmt::format(
              "{}: after the shocks, the {} on {} from {} to {} is {}: 1 + rate must be > 0",
              WhereOf(shocks, (*table.last)[(i * num_r + r) * num_r + s]), table.label,
              data.sectors[i], data.regions[r], data.regions[s], rate));
        }
      }
    }
  }
  // Factor taxes: 1 + rate > 0; income taxes: below 1 (households keep something) and
  // above -1.
  for (std::size_t k = 0; k < policy.factor_tax.data().size(); ++k) {
    const double rate = policy.factor_tax.data()[k];
    if (std::isfinite(rate) && 1.0 + rate > 0.0) continue;
    const std::size_t r = k % num_r, i = (k / num_r) % num_i, f = k / (num_r * num_i);
    throw InputError(fmt::format(
        "{}: after the shocks, the factor tax on {} in {}/{} is {}: 1 + rate must be > 0",
        WhereOf(shocks, touched.factor_tax[k]), data.factors[f].name, data.regions[r],
        data.sectors[i], rate));
  }
  for (std::size_t r = 0; r < num_r; ++r) {
    const double rate = policy.income_tax[r];
    if (std::isfinite(rate) && rate < 1.0 && rate > -1.0) continue;
    throw InputError(fmt::format(
        "{}: after the shocks, the income tax of {} is {}: it must be between -1 and 1",
        WhereOf(shocks, touched.income_tax[r]), data.regions[r], rate));
  }
  // Levels: positive and finite.
  auto check_level = [&](double level, int last, const std::string& what) {
    if (std::isfinite(level) && level > 0.0) return;
    throw InputError(fmt::format("{}: after the shocks, {} is {}: it must be > 0 and finite",
                                 WhereOf(shocks, last), what, level));
  };
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      check_level(policy.productivity[i * num_r + r], touched.productivity[i * num_r + r],
                  fmt::format("productivity of {}/{}", data.regions[r], data.sectors[i]));
    }
  }
  for (std::size_t f = 0; f < num_f; ++f) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t i = 0; i < num_i; ++i) {
        const std::size_t at = (f * num_i + i) * num_r + r;
        check_level(policy.factor_productivity.data()[at], touched.factor_productivity[at],
                    fmt::format("factor_productivity of {} in {}/{}", data.factors[f].name,
                                data.regions[r], data.sectors[i]));
      }
      check_level(policy.endowment[f * num_r + r], touched.endowment[f * num_r + r],
                  fmt::format("endowment of {} in {}", data.factors[f].name, data.regions[r]));
    }
  }
  // Deficits: finite, summing to zero across regions (relative to world benchmark spending).
  const Accounts accounts = ComputeAccounts(data);
  double world_spending = 0.0;
  for (const RegionAccounts& region : accounts.regions) world_spending += region.spending;
  double total = 0.0;
  int last_deficit_shock = -1;
  for (std::size_t r = 0; r < num_r; ++r) {
    total += policy.deficit[r];
    last_deficit_shock = std::max(last_deficit_shock, touched.deficit[r]);
  }
  if (!std::isfinite(total) || std::abs(total) > kDeficitTolerance * world_spending) {
    throw InputError(fmt::format("{}: after the shocks, deficits sum to {:.6g}; they must sum to "
                                 "zero across regions",
                                 WhereOf(shocks, last_deficit_shock), total));
  }
  return policy;
}

}  // namespace ohlin
