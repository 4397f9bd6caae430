// The `sweep:` and `sensitivity:` sections (FORMATS.md). Errors name file, line and key.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <filesystem>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "calibration/errors.h"
#include "calibration/yaml_util.h"
#include "sweeps/spec.h"

namespace ohlin::sweeps {
namespace {

using input::JoinNames;
using input::YamlDocument;

// A grid has at most this many values; a sweep at most this many points.
constexpr long long kMaxGridValues = 100000;
constexpr long long kMaxPoints = 1000000;

const std::vector<std::string> kElasticityNames = {"armington", "value_added", "top",
                                                   "consumption"};

ElasticityKind ReadElasticityKind(const YamlDocument& doc, const YAML::Node& node,
                                  const std::string& context) {
  const std::string name = doc.ReadString(node, context);
  for (std::size_t k = 0; k < kElasticityNames.size(); ++k) {
    if (kElasticityNames[k] == name) return static_cast<ElasticityKind>(k);
  }
  doc.Fail(node, fmt::format("{}: unknown elasticity '{}' (elasticities: {})", context, name,
                             JoinNames(kElasticityNames)));
}

// `sectors:` a name, a list of names or "*" (default: every sector).
std::vector<int> ReadSectors(const YamlDocument& doc, const YAML::Node& map,
                             const Benchmark& data, const std::string& context) {
  std::vector<int> all(data.num_sectors());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  const std::optional<YAML::Node> node = doc.Find(map, "sectors");
  if (!node || (node->IsScalar() && node->Scalar() == "*")) return all;
  std::vector<int> sectors;
  auto add = [&](const YAML::Node& item) {
    const std::string name = doc.ReadString(item, context + ".sectors");
    const auto found = std::find(data.sectors.begin(), data.sectors.end(), name);
    if (found == data.sectors.end()) {
      doc.Fail(item, fmt::format("{}.sectors: unknown sector '{}' (sectors: {})", context, name,
                                 JoinNames(data.sectors)));
    }
    const int index = static_cast<int>(found - data.sectors.begin());
    if (std::find(sectors.begin(), sectors.end(), index) != sectors.end()) {
      doc.Fail(item, fmt::format("{}.sectors: '{}' is listed twice", context, name));
    }
    sectors.push_back(index);
  };
  if (node->IsScalar()) {
    add(*node);
  } else if (node->IsSequence() && node->size() > 0) {
    for (const YAML::Node& item : *node) add(item);
  } else {
    doc.Fail(*node, context + ".sectors: expected a sector, a non-empty list of sectors or \"*\"");
  }
  return sectors;
}

// A number rounded to 12 significant digits, so that grid steps print as written (0.3, not
// 0.30000000000000004).
double Tidy(double value) {
  return std::stod(fmt::format("{:.12g}", value));
}

std::string NumberLabel(double value) { return fmt::format("{}", value); }

// `shock: N`, 1-based, a shock with a set/add/scale value.
int ReadShockIndex(const YamlDocument& doc, const YAML::Node& node, const Scenario& base,
                   const std::string& context) {
  const long long number = doc.ReadInteger(node, context + ".shock");
  if (number < 1 || number > static_cast<long long>(base.shocks.size())) {
    doc.Fail(node, fmt::format("{}.shock: no shock {} (the scenario has {}; shocks are numbered "
                               "from 1 in file order)",
                               context, number, base.shocks.size()));
  }
  const Shock& shock = base.shocks[static_cast<std::size_t>(number - 1)];
  if (shock.type == ShockType::kQuota || shock.type == ShockType::kExportBan) {
    doc.Fail(node, fmt::format("{}.shock: shock {} ({}) has no set/add/scale value to vary",
                               context, number, ShockTypeToString(shock.type)));
  }
  return static_cast<int>(number - 1);
}

void CheckElasticityValue(const YamlDocument& doc, const YAML::Node& node, ElasticityKind kind,
                          const std::vector<int>& sectors, double value, const Scenario& base,
                          const Benchmark& data, const std::string& context) {
  const std::vector<int> none = {-1};
  for (int i : kind == ElasticityKind::kConsumption ? none : sectors) {
    bool strict = false;
    const double bound = ElasticityLowerBound(kind, i, base, &strict);
    if (strict ? value > bound : value >= bound) continue;
    doc.Fail(node, fmt::format("{}: {} elasticity {}{} must be {} {}{}, got {}", context,
                               ElasticityKindToString(kind), i < 0 ? "" : "of ",
                               i < 0 ? "" : data.sectors[static_cast<std::size_t>(i)],
                               strict ? ">" : ">=", bound,
                               bound > 0.0 ? " (an export_ban in the scenario needs it)" : "",
                               value));
  }
}

class SpecLoader {
 public:
  SpecLoader(const std::string& path, const Scenario& base, const Benchmark& data)
      : doc_(YamlDocument::Load(path, "scenario")), base_(base), data_(data) {}

  Sweep LoadSweep();
  Sensitivity LoadSensitivity();

 private:
  YAML::Node Section(const std::string& key) const;
  SweepParameter ReadSweepParameter(const YAML::Node& node, const std::string& context,
                                    bool with_values);
  std::vector<Alternative> ReadNumbers(const YAML::Node& node, const SweepParameter& parameter,
                                       const std::string& context) const;
  Alternative ReadPointValue(const YAML::Node& node, const SweepParameter& parameter,
                             const std::string& context) const;
  Alternative ReadElasticitySet(const YAML::Node& node, const std::string& context) const;
  void ReadPoints(const YAML::Node& section, Sweep* sweep);
  void ReadUncertain(const YAML::Node& node, int group, const std::string& context,
                     Sensitivity* analysis);
  void CheckSupport(const YAML::Node& parameters, const Sensitivity& analysis) const;
  void ReadCorrelations(const YAML::Node& node, Sensitivity* analysis) const;

  // The benchmark's elasticity of `kind` of sectors[k] (consumption: the one value).
  double ElasticityValue(ElasticityKind kind, const std::vector<int>& sectors,
                         std::size_t k) const {
    const Elasticities& e = data_.elasticities;
    if (kind == ElasticityKind::kConsumption) return e.consumption;
    const auto i = static_cast<std::size_t>(sectors.at(k));
    return kind == ElasticityKind::kArmington    ? e.armington[i]
           : kind == ElasticityKind::kValueAdded ? e.value_added[i]
                                                 : e.top[i];
  }

  YamlDocument doc_;
  const Scenario& base_;
  const Benchmark& data_;
};

YAML::Node SpecLoader::Section(const std::string& key) const {
  const std::optional<YAML::Node> node = doc_.Find(doc_.root(), key);
  if (!node) {
    doc_.Fail(doc_.root(), fmt::format("no '{}:' section (FORMATS.md \"{}\")", key,
                                       key == "sweep" ? "Sweeps" : "Sensitivity analysis"));
  }
  return *node;
}

// values: [x, ...] or grid: {from, to, step | count}.
std::vector<Alternative> SpecLoader::ReadNumbers(const YAML::Node& node,
                                                 const SweepParameter& parameter,
                                                 const std::string& context) const {
  std::vector<double> numbers;
  const std::optional<YAML::Node> values = doc_.Find(node, "values");
  const std::optional<YAML::Node> grid = doc_.Find(node, "grid");
  if (values.has_value() == grid.has_value()) {
    doc_.Fail(node, context + ": give exactly one of 'values: [..]' or 'grid: {from, to, step}'");
  }
  if (values) {
    if (!values->IsSequence() || values->size() == 0) {
      doc_.Fail(*values, context + ".values: empty; expected a non-empty list of numbers");
    }
    for (const YAML::Node& item : *values) numbers.push_back(doc_.ReadNumber(item, context + ".values"));
  } else {
    doc_.CheckMap(*grid, {"from", "to", "step", "count"}, context + ".grid");
    const double from = doc_.ReadNumber(doc_.Require(*grid, "from", context + ".grid"),
                                        context + ".grid.from");
    const double to =
        doc_.ReadNumber(doc_.Require(*grid, "to", context + ".grid"), context + ".grid.to");
    const std::optional<YAML::Node> step = doc_.Find(*grid, "step");
    const std::optional<YAML::Node> count = doc_.Find(*grid, "count");
    if (step.has_value() == count.has_value()) {
      doc_.Fail(*grid, context + ".grid: give exactly one of step or count");
    }
    if (to < from) {
      doc_.Fail(*grid, fmt::format("{}.grid: empty grid: to ({}) is below from ({})", context,
                                   to, from));
    }
    long long n = 0;
    double width = 0.0;
    if (step) {
      width = doc_.ReadNumber(*step, context + ".grid.step");
      if (!(width > 0.0)) doc_.Fail(*step, context + ".grid.step: empty grid: step must be > 0");
      const double steps = (to - from) / width;
      if (steps + 1.0 > static_cast<double>(kMaxGridValues)) {
        doc_.Fail(*grid, fmt::format("{}.grid: more than {} values", context, kMaxGridValues));
      }
      n = static_cast<long long>(std::floor(steps + 1e-9)) + 1;
    } else {
      n = doc_.ReadInteger(*count, context + ".grid.count");
      if (n < 1) doc_.Fail(*count, context + ".grid.count: empty grid: count must be >= 1");
      if (n > kMaxGridValues) {
        doc_.Fail(*count, fmt::format("{}.grid.count: more than {}", context, kMaxGridValues));
      }
      width = n == 1 ? 0.0 : (to - from) / static_cast<double>(n - 1);
    }
    for (long long k = 0; k < n; ++k) numbers.push_back(Tidy(from + static_cast<double>(k) * width));
  }
  std::vector<Alternative> alternatives;
  for (double number : numbers) {
    if (parameter.target.kind == TargetKind::kElasticity) {
      CheckElasticityValue(doc_, values ? *values : *grid, parameter.target.elasticity,
                           parameter.target.sectors, number, base_, data_, context);
    }
    Alternative alternative;
    alternative.number = number;
    alternative.label = NumberLabel(number);
    alternatives.push_back(alternative);
  }
  return alternatives;
}

// An elasticity set: {label: NAME, armington: x | {SECTOR: x, default: x}, ...}.
Alternative SpecLoader::ReadElasticitySet(const YAML::Node& node,
                                          const std::string& context) const {
  if (!node.IsMap()) doc_.Fail(node, context + ": expected a map {label: NAME, armington: ...}");
  std::vector<std::string> keys = {"label"};
  keys.insert(keys.end(), kElasticityNames.begin(), kElasticityNames.end());
  doc_.CheckMap(node, keys, context);
  Alternative alternative;
  alternative.label = doc_.ReadString(doc_.Require(node, "label", context), context + ".label");
  for (std::size_t k = 0; k < kElasticityNames.size(); ++k) {
    const std::optional<YAML::Node> value = doc_.Find(node, kElasticityNames[k]);
    if (!value) continue;
    const auto kind = static_cast<ElasticityKind>(k);
    const std::string key = context + "." + kElasticityNames[k];
    if (value->IsScalar() || kind == ElasticityKind::kConsumption) {
      ElasticityAssignment assignment{kind, {}, doc_.ReadNumber(*value, key)};
      if (kind != ElasticityKind::kConsumption) {
        for (std::size_t i = 0; i < data_.num_sectors(); ++i) {
          assignment.sectors.push_back(static_cast<int>(i));
        }
      }
      CheckElasticityValue(doc_, *value, kind, assignment.sectors, assignment.value, base_, data_,
                           key);
      alternative.elasticities.push_back(assignment);
      continue;
    }
    if (!value->IsMap()) doc_.Fail(*value, key + ": expected a number or {SECTOR: x, default: x}");
    std::vector<std::string> allowed = data_.sectors;
    allowed.emplace_back("default");
    doc_.CheckMap(*value, allowed, key);
    std::set<std::string> named;
    for (auto it = value->begin(); it != value->end(); ++it) named.insert(it->first.Scalar());
    for (auto it = value->begin(); it != value->end(); ++it) {
      const std::string sector = it->first.Scalar();
      ElasticityAssignment assignment{kind, {}, doc_.ReadNumber(it->second, key + "." + sector)};
      for (std::size_t i = 0; i < data_.num_sectors(); ++i) {
        if (sector == "default" ? named.count(data_.sectors[i]) == 0
                                : data_.sectors[i] == sector) {
          assignment.sectors.push_back(static_cast<int>(i));
        }
      }
      CheckElasticityValue(doc_, it->second, kind, assignment.sectors, assignment.value, base_,
                           data_, key);
      alternative.elasticities.push_back(assignment);
    }
  }
  return alternative;
}

SweepParameter SpecLoader::ReadSweepParameter(const YAML::Node& node, const std::string& context,
                                              bool with_values) {
  if (!node.IsMap()) doc_.Fail(node, context + ": expected a map {name: ..., shock: N, ...}");
  doc_.CheckMap(node, {"name", "shock", "elasticity", "sectors", "redistribution", "data",
                       "elasticity_sets", "values", "grid"},
                context);
  SweepParameter parameter;
  parameter.where = doc_.Where(node);
  parameter.name = doc_.ReadString(doc_.Require(node, "name", context), context + ".name");
  const std::string named = fmt::format("{} ({})", context, parameter.name);
  const std::vector<std::string> kinds = {"shock", "elasticity", "redistribution", "data",
                                          "elasticity_sets"};
  int found = -1;
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    if (!doc_.Find(node, kinds[k])) continue;
    if (found >= 0) {
      doc_.Fail(node, fmt::format("{}: give one of {} (found {} and {})", named, JoinNames(kinds),
                                  kinds[static_cast<std::size_t>(found)], kinds[k]));
    }
    found = static_cast<int>(k);
  }
  if (found < 0) {
    doc_.Fail(node, fmt::format("{}: unknown parameter: say what it changes, one of {}", named,
                                JoinNames(kinds)));
  }
  parameter.target.kind = static_cast<TargetKind>(found);
  const YAML::Node what = *doc_.Find(node, kinds[static_cast<std::size_t>(found)]);
  const bool numeric = parameter.target.kind == TargetKind::kShock ||
                       parameter.target.kind == TargetKind::kElasticity;
  if (doc_.Find(node, "sectors") && parameter.target.kind != TargetKind::kElasticity) {
    doc_.Fail(*doc_.Find(node, "sectors"), named + ".sectors: only with 'elasticity:'");
  }
  if (!numeric && (doc_.Find(node, "values") || doc_.Find(node, "grid"))) {
    doc_.Fail(node, named + ": values and grid go with shock and elasticity parameters; list "
                            "the alternatives under the parameter's own key");
  }
  if (parameter.target.kind == TargetKind::kShock) {
    parameter.target.shock = ReadShockIndex(doc_, what, base_, named);
  } else if (parameter.target.kind == TargetKind::kElasticity) {
    parameter.target.elasticity = ReadElasticityKind(doc_, what, named + ".elasticity");
    parameter.target.sectors = ReadSectors(doc_, node, data_, named);
  }
  if (numeric) {
    if (with_values) parameter.values = ReadNumbers(node, parameter, named);
    else if (doc_.Find(node, "values") || doc_.Find(node, "grid")) {
      doc_.Fail(node, named + ": with 'points:' the values are in the points, not here");
    }
    return parameter;
  }
  const std::string key = named + "." + kinds[static_cast<std::size_t>(found)];
  if (!what.IsSequence() || what.size() == 0) {
    doc_.Fail(what, key + ": empty; expected a non-empty list of alternatives");
  }
  std::set<std::string> labels;
  for (const YAML::Node& item : what) {
    Alternative alternative;
    if (parameter.target.kind == TargetKind::kElasticitySet && item.IsScalar()) {
      // A name: the world's named set of Armington elasticities (FORMATS.md "Elasticity sets").
      alternative.label = doc_.ReadString(item, key);
      std::string why;
      const std::optional<std::vector<double>> values =
          PickElasticitySet(data_, alternative.label, /*zero_allowed=*/false, &why);
      if (!values) doc_.Fail(item, fmt::format("{}: {}", key, why));
      for (std::size_t i = 0; i < values->size(); ++i) {
        alternative.elasticities.push_back(
            {ElasticityKind::kArmington, {static_cast<int>(i)}, (*values)[i]});
        CheckElasticityValue(doc_, item, ElasticityKind::kArmington, {static_cast<int>(i)},
                             (*values)[i], base_, data_, key);
      }
    } else if (parameter.target.kind == TargetKind::kElasticitySet) {
      alternative = ReadElasticitySet(item, key);
    } else {
      alternative.label = doc_.ReadString(item, key);
      if (parameter.target.kind == TargetKind::kRedistribution) {
        if (!StringToRedistributionRule(alternative.label, &alternative.rule) ||
            alternative.rule == RedistributionRule::kShares) {
          doc_.Fail(item, fmt::format("{}: unknown rule '{}' (rules: lump_sum, proportional, "
                                      "none, compensate)",
                                      key, alternative.label));
        }
      } else {
        alternative.data_path = alternative.label;
        const std::string resolved = input::ResolveBeside(doc_.path(), alternative.label);
        if (!std::filesystem::is_regular_file(resolved)) {
          doc_.Fail(item, fmt::format("{}: benchmark file '{}' not found (looked for '{}')", key,
                                      alternative.label, resolved));
        }
      }
    }
    if (!labels.insert(alternative.label).second) {
      doc_.Fail(item, fmt::format("{}: '{}' is listed twice", key, alternative.label));
    }
    parameter.values.push_back(alternative);
  }
  return parameter;
}

// A point's value of a numeric parameter, or the label of one of its alternatives.
Alternative SpecLoader::ReadPointValue(const YAML::Node& node, const SweepParameter& parameter,
                                       const std::string& context) const {
  if (parameter.target.kind == TargetKind::kShock ||
      parameter.target.kind == TargetKind::kElasticity) {
    Alternative alternative;
    alternative.number = doc_.ReadNumber(node, context);
    alternative.label = NumberLabel(alternative.number);
    if (parameter.target.kind == TargetKind::kElasticity) {
      CheckElasticityValue(doc_, node, parameter.target.elasticity, parameter.target.sectors,
                           alternative.number, base_, data_, context);
    }
    return alternative;
  }
  const std::string label = doc_.ReadString(node, context);
  for (const Alternative& alternative : parameter.values) {
    if (alternative.label == label) return alternative;
  }
  std::vector<std::string> labels;
  for (const Alternative& alternative : parameter.values) labels.push_back(alternative.label);
  doc_.Fail(node, fmt::format("{}: '{}' is not one of the alternatives of {} ({})", context,
                              label, parameter.name, JoinNames(labels)));
}

// points: [[v1, v2, ...], ...], one value per parameter in order. Numeric values are
// collected as the parameter's values (first appearance order).
void SpecLoader::ReadPoints(const YAML::Node& section, Sweep* sweep) {
  const YAML::Node points = doc_.Require(section, "points", "sweep (combine: points)");
  if (!points.IsSequence() || points.size() == 0) {
    doc_.Fail(points, "sweep.points: empty; expected a non-empty list of points");
  }
  std::vector<std::vector<Alternative>> catalogues(sweep->parameters.size());
  for (std::size_t k = 0; k < sweep->parameters.size(); ++k) {
    catalogues[k] = sweep->parameters[k].values;
    sweep->parameters[k].values.clear();
  }
  for (std::size_t p = 0; p < points.size(); ++p) {
    const YAML::Node point = points[p];
    const std::string context = fmt::format("sweep.points[{}]", p + 1);
    if (!point.IsSequence() || point.size() != sweep->parameters.size()) {
      doc_.Fail(point, fmt::format("{}: expected a list of {} values, one per parameter", context,
                                   sweep->parameters.size()));
    }
    std::vector<int> indices;
    for (std::size_t k = 0; k < sweep->parameters.size(); ++k) {
      SweepParameter& parameter = sweep->parameters[k];
      std::swap(parameter.values, catalogues[k]);
      const Alternative value = ReadPointValue(point[k], parameter,
                                               fmt::format("{}.{}", context, parameter.name));
      std::swap(parameter.values, catalogues[k]);
      auto found = std::find_if(parameter.values.begin(), parameter.values.end(),
                                [&](const Alternative& a) { return a.label == value.label; });
      if (found == parameter.values.end()) {
        parameter.values.push_back(value);
        found = parameter.values.end() - 1;
      }
      indices.push_back(static_cast<int>(found - parameter.values.begin()));
    }
    sweep->points.push_back(indices);
  }
}

Sweep SpecLoader::LoadSweep() {
  const YAML::Node section = Section("sweep");
  doc_.CheckMap(section, {"combine", "parameters", "points"}, "sweep");
  std::string combine = "product";
  if (auto node = doc_.Find(section, "combine")) {
    combine = doc_.ReadString(*node, "sweep.combine");
    if (combine != "product" && combine != "points") {
      doc_.Fail(*node, fmt::format("sweep.combine: unknown '{}' (product, points)", combine));
    }
  }
  if (combine == "product" && doc_.Find(section, "points")) {
    doc_.Fail(*doc_.Find(section, "points"), "sweep.points: only with combine: points");
  }
  const YAML::Node parameters = doc_.Require(section, "parameters", "sweep");
  if (!parameters.IsSequence() || parameters.size() == 0) {
    doc_.Fail(parameters, "sweep.parameters: empty; expected a non-empty list of parameters");
  }
  Sweep sweep;
  std::set<std::string> names;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    const std::string context = fmt::format("sweep.parameters[{}]", k + 1);
    sweep.parameters.push_back(ReadSweepParameter(parameters[k], context, combine == "product"));
    const std::string& name = sweep.parameters.back().name;
    if (name.empty() || name == "point" || name == "status" || !names.insert(name).second) {
      doc_.Fail(parameters[k], fmt::format("{}.name: '{}' is empty, reserved or used twice",
                                           context, name));
    }
  }
  if (combine == "points") {
    ReadPoints(section, &sweep);
    return sweep;
  }
  long long total = 1;
  for (const SweepParameter& parameter : sweep.parameters) {
    total *= static_cast<long long>(parameter.values.size());
    if (total > kMaxPoints) doc_.Fail(parameters, fmt::format("sweep: more than {} points", kMaxPoints));
  }
  // The product, the last parameter varying fastest.
  std::vector<int> index(sweep.parameters.size(), 0);
  for (long long p = 0; p < total; ++p) {
    sweep.points.push_back(index);
    for (std::size_t k = index.size(); k-- > 0;) {
      if (++index[k] < static_cast<int>(sweep.parameters[k].values.size())) break;
      index[k] = 0;
    }
  }
  return sweep;
}


// One entry of sensitivity.parameters: a shock or an elasticity (all selected sectors
// together, or `by_sector`), its distribution, and its width relative or absolute.
void SpecLoader::ReadUncertain(const YAML::Node& node, int group, const std::string& context,
                               Sensitivity* analysis) {
  if (!node.IsMap()) doc_.Fail(node, context + ": expected a map {name: ..., elasticity: ...}");
  doc_.CheckMap(node, {"name", "shock", "elasticity", "sectors", "by_sector", "distribution",
                       "relative", "absolute", "correlation"},
                context);
  const std::string name =
      doc_.ReadString(doc_.Require(node, "name", context), context + ".name");
  const std::string named = fmt::format("{} ({})", context, name);
  const std::optional<YAML::Node> shock = doc_.Find(node, "shock");
  const std::optional<YAML::Node> elasticity = doc_.Find(node, "elasticity");
  if (shock.has_value() == elasticity.has_value()) {
    doc_.Fail(node, named + ": unknown parameter: give exactly one of 'shock: N' or "
                            "'elasticity: armington|value_added|top|consumption'");
  }
  Target target;
  if (shock) {
    target.kind = TargetKind::kShock;
    target.shock = ReadShockIndex(doc_, *shock, base_, named);
  } else {
    target.kind = TargetKind::kElasticity;
    target.elasticity = ReadElasticityKind(doc_, *elasticity, named + ".elasticity");
    target.sectors = ReadSectors(doc_, node, data_, named);
    if (target.elasticity == ElasticityKind::kConsumption) target.sectors.clear();
  }
  bool by_sector = false;
  if (auto flag = doc_.Find(node, "by_sector")) {
    if (!flag->IsScalar() || (flag->Scalar() != "true" && flag->Scalar() != "false")) {
      doc_.Fail(*flag, named + ".by_sector: expected true or false");
    }
    by_sector = flag->Scalar() == "true";
    if (by_sector && (target.kind != TargetKind::kElasticity ||
                      target.elasticity == ElasticityKind::kConsumption)) {
      doc_.Fail(*flag, named + ".by_sector: only for a sector elasticity");
    }
  }
  Distribution distribution = Distribution::kUniform;
  const YAML::Node shape = doc_.Require(node, "distribution", named);
  const std::string shape_name = doc_.ReadString(shape, named + ".distribution");
  if (shape_name == "triangular") distribution = Distribution::kTriangular;
  else if (shape_name == "normal") distribution = Distribution::kNormal;
  else if (shape_name != "uniform") {
    doc_.Fail(shape, fmt::format("{}.distribution: unknown '{}' (uniform, triangular, normal)",
                                 named, shape_name));
  }
  const std::optional<YAML::Node> relative = doc_.Find(node, "relative");
  const std::optional<YAML::Node> absolute = doc_.Find(node, "absolute");
  if (relative.has_value() == absolute.has_value()) {
    doc_.Fail(node, named + ": give exactly one of 'relative: r' (a share of the base value) or "
                            "'absolute: a'");
  }
  const YAML::Node width_node = relative ? *relative : *absolute;
  const double width = doc_.ReadNumber(width_node, named + (relative ? ".relative" : ".absolute"));
  if (!(width > 0.0)) doc_.Fail(width_node, named + ": the width must be > 0");
  // Uniform and triangular: the half-width of the support; normal: the standard deviation.
  const double to_sd = distribution == Distribution::kUniform      ? 1.0 / std::sqrt(3.0)
                       : distribution == Distribution::kTriangular ? 1.0 / std::sqrt(6.0)
                                                                   : 1.0;
  const std::size_t first = analysis->components.size();
  const std::vector<int> sectors = by_sector ? target.sectors : std::vector<int>{-1};
  for (int sector : sectors) {
    UncertainComponent component;
    component.name = sector < 0 ? name : name + "/" + data_.sectors[static_cast<std::size_t>(sector)];
    component.target = target;
    if (sector >= 0) component.target.sectors = {sector};
    component.distribution = distribution;
    component.group = group;
    if (target.kind == TargetKind::kShock) {
      component.base = base_.shocks[static_cast<std::size_t>(target.shock)].value;
    } else if (component.target.sectors.size() > 1) {
      // Several sectors together: one common change, relative or absolute.
      component.target.change = relative ? Target::Change::kRelative : Target::Change::kAbsolute;
    } else {
      component.base = ElasticityValue(target.elasticity, component.target.sectors, 0);
    }
    if (component.target.change != Target::Change::kSet) {
      component.scale = width * to_sd;
      analysis->components.push_back(component);
      continue;
    }
    component.scale = width * to_sd * (relative ? std::abs(component.base) : 1.0);
    if (!(component.scale > 0.0)) {
      doc_.Fail(width_node, named + ": relative width of a base value of 0 is no width; give "
                                    "'absolute:'");
    }
    analysis->components.push_back(component);
  }
  const std::size_t n = analysis->components.size();
  analysis->correlation.resize(n);
  for (auto& row : analysis->correlation) row.resize(n, 0.0);
  for (std::size_t a = 0; a < n; ++a) analysis->correlation[a][a] = 1.0;
  if (auto rho_node = doc_.Find(node, "correlation")) {
    const double rho = doc_.ReadNumber(*rho_node, named + ".correlation");
    if (!by_sector) doc_.Fail(*rho_node, named + ".correlation: only with by_sector: true");
    const double count = static_cast<double>(n - first);
    if (!(rho > -1.0 / (count - 1.0)) || !(rho < 1.0)) {
      doc_.Fail(*rho_node, fmt::format("{}.correlation: must be above {:.4g} and below 1 for {} "
                                       "sectors (a positive definite matrix)",
                                       named, -1.0 / (count - 1.0), count));
    }
    for (std::size_t a = first; a < n; ++a) {
      for (std::size_t b = first; b < n; ++b) {
        if (a != b) analysis->correlation[a][b] = rho;
      }
    }
  }
}

// An elasticity's values must stay in range over the whole support of its distribution (with
// correlation mixing, over the support of the mixed component).
void SpecLoader::CheckSupport(const YAML::Node& parameters, const Sensitivity& analysis) const {
  const std::size_t n = analysis.components.size();
  Eigen::MatrixXd r(n, n);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      r(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = analysis.correlation[a][b];
    }
  }
  const Eigen::MatrixXd l = Eigen::LLT<Eigen::MatrixXd>(r).matrixL();
  for (std::size_t a = 0; a < n; ++a) {
    const UncertainComponent& c = analysis.components[a];
    if (c.target.kind != TargetKind::kElasticity) continue;
    const YAML::Node node = parameters[static_cast<std::size_t>(c.group)];
    const std::string named = fmt::format("sensitivity.parameters[{}] ({})", c.group + 1, c.name);
    const double reach = c.distribution == Distribution::kUniform      ? std::sqrt(3.0)
                         : c.distribution == Distribution::kTriangular ? std::sqrt(6.0)
                                                                       : std::numeric_limits<double>::infinity();
    const double drop = c.scale * reach * l.row(static_cast<Eigen::Index>(a)).cwiseAbs().sum();
    const bool consumption = c.target.elasticity == ElasticityKind::kConsumption;
    const std::vector<int> none = {-1};
    for (std::size_t k = 0; k < (consumption ? 1 : c.target.sectors.size()); ++k) {
      const int i = consumption ? -1 : c.target.sectors[k];
      const double base = ElasticityValue(c.target.elasticity, consumption ? none : c.target.sectors, k);
      const double low = c.target.change == Target::Change::kRelative ? base * (1.0 - drop)
                         : c.target.change == Target::Change::kAbsolute ? base - drop
                                                                         : c.base - drop;
      bool strict = false;
      const double bound = ElasticityLowerBound(c.target.elasticity, i, base_, &strict);
      if (strict ? low > bound : low >= bound) continue;
      doc_.Fail(node, fmt::format(
          "{}: the distribution's support reaches {} {} of {}, below the bound {} {}{}{}", named,
          ElasticityKindToString(c.target.elasticity), "elasticity",
          i < 0 ? std::string("households") : data_.sectors[static_cast<std::size_t>(i)],
          strict ? ">" : ">=", bound,
          bound > 0.0 ? " (an export_ban in the scenario needs it)" : "",
          std::isfinite(low) ? fmt::format(" (lowest value {:.6g}; narrow the width)", low)
                             : std::string(" (a normal distribution is unbounded: use uniform "
                                           "or triangular for an elasticity)")));
    }
  }
}

// correlations: [{between: [NAME, NAME], rho: x}, ...] between any two uncertain quantities
// (names as in points.csv); the whole matrix must stay positive definite.
void SpecLoader::ReadCorrelations(const YAML::Node& node, Sensitivity* analysis) const {
  if (!node.IsSequence() || node.size() == 0) {
    doc_.Fail(node, "sensitivity.correlations: expected a non-empty list of {between: [a, b], "
                    "rho: x}");
  }
  std::vector<std::string> names;
  for (const UncertainComponent& c : analysis->components) names.push_back(c.name);
  for (std::size_t k = 0; k < node.size(); ++k) {
    const YAML::Node item = node[k];
    const std::string context = fmt::format("sensitivity.correlations[{}]", k + 1);
    if (!item.IsMap()) doc_.Fail(item, context + ": expected {between: [a, b], rho: x}");
    doc_.CheckMap(item, {"between", "rho"}, context);
    const YAML::Node between = doc_.Require(item, "between", context);
    const std::vector<std::string> pair = doc_.ReadNameList(between, context + ".between");
    if (pair.size() != 2) doc_.Fail(between, context + ".between: expected two names");
    std::size_t index[2];
    for (int e = 0; e < 2; ++e) {
      const auto found = std::find(names.begin(), names.end(), pair[static_cast<std::size_t>(e)]);
      if (found == names.end()) {
        doc_.Fail(between, fmt::format("{}.between: unknown parameter '{}' (parameters: {})",
                                       context, pair[static_cast<std::size_t>(e)],
                                       JoinNames(names)));
      }
      index[e] = static_cast<std::size_t>(found - names.begin());
    }
    const YAML::Node rho_node = doc_.Require(item, "rho", context);
    const double rho = doc_.ReadNumber(rho_node, context + ".rho");
    if (!(rho > -1.0 && rho < 1.0)) doc_.Fail(rho_node, context + ".rho: must be in (-1, 1)");
    analysis->correlation[index[0]][index[1]] = rho;
    analysis->correlation[index[1]][index[0]] = rho;
    const auto n = static_cast<Eigen::Index>(names.size());
    Eigen::MatrixXd r(n, n);
    for (Eigen::Index a = 0; a < n; ++a) {
      for (Eigen::Index b = 0; b < n; ++b) {
        r(a, b) = analysis->correlation[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
      }
    }
    if (Eigen::LLT<Eigen::MatrixXd>(r).info() != Eigen::Success) {
      doc_.Fail(rho_node, context + ": the correlation matrix is no longer positive definite");
    }
  }
}

Sensitivity SpecLoader::LoadSensitivity() {
  const YAML::Node section = Section("sensitivity");
  doc_.CheckMap(section, {"method", "draws", "seed", "parameters", "correlations"},
                "sensitivity");
  Sensitivity analysis;
  const YAML::Node method = doc_.Require(section, "method", "sensitivity");
  const std::string method_name = doc_.ReadString(method, "sensitivity.method");
  if (method_name == "monte_carlo") {
    analysis.method = SensitivityMethod::kMonteCarlo;
    const YAML::Node draws = doc_.Require(section, "draws", "sensitivity (method: monte_carlo)");
    analysis.draws = doc_.ReadInteger(draws, "sensitivity.draws");
    if (analysis.draws < 1 || analysis.draws > kMaxPoints) {
      doc_.Fail(draws, fmt::format("sensitivity.draws: N = {} draws; must be between 1 and {}",
                                   analysis.draws, kMaxPoints));
    }
  } else if (method_name != "quadrature") {
    doc_.Fail(method, fmt::format("sensitivity.method: unknown '{}' (quadrature, monte_carlo)",
                                  method_name));
  } else if (auto draws = doc_.Find(section, "draws")) {
    doc_.Fail(*draws, "sensitivity.draws: only with method: monte_carlo (quadrature takes 2n "
                      "points for n parameters)");
  }
  if (auto seed = doc_.Find(section, "seed")) {
    const long long value = doc_.ReadInteger(*seed, "sensitivity.seed");
    if (value < 0) doc_.Fail(*seed, "sensitivity.seed: must be >= 0");
    analysis.seed = static_cast<std::uint64_t>(value);
  }
  const YAML::Node parameters = doc_.Require(section, "parameters", "sensitivity");
  if (!parameters.IsSequence() || parameters.size() == 0) {
    doc_.Fail(parameters, "sensitivity.parameters: empty; expected a non-empty list");
  }
  std::set<std::string> names;
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    const std::string context = fmt::format("sensitivity.parameters[{}]", k + 1);
    const std::size_t before = analysis.components.size();
    ReadUncertain(parameters[k], static_cast<int>(k), context, &analysis);
    for (std::size_t c = before; c < analysis.components.size(); ++c) {
      if (!names.insert(analysis.components[c].name).second) {
        doc_.Fail(parameters[k], fmt::format("{}.name: '{}' is used twice", context,
                                             analysis.components[c].name));
      }
    }
  }
  if (auto correlations = doc_.Find(section, "correlations")) {
    ReadCorrelations(*correlations, &analysis);
  }
  CheckSupport(parameters, analysis);
  return analysis;
}

}  // namespace

const char* ElasticityKindToString(ElasticityKind kind) {
  return kElasticityNames[static_cast<std::size_t>(kind)].c_str();
}

double ElasticityLowerBound(ElasticityKind kind, int sector, const Scenario& scenario,
                            bool* strict) {
  *strict = kind == ElasticityKind::kArmington;
  if (kind != ElasticityKind::kArmington) return 0.0;
  for (const Shock& shock : scenario.shocks) {
    if (shock.type == ShockType::kExportBan &&
        std::find(shock.sectors.begin(), shock.sectors.end(), sector) != shock.sectors.end()) {
      return 1.0;
    }
  }
  return 0.0;
}

void ApplyAlternative(const Target& target, const Alternative& value, Scenario* scenario,
                      Benchmark* data) {
  auto set = [data](const ElasticityAssignment& assignment) {
    Elasticities& e = data->elasticities;
    if (assignment.kind == ElasticityKind::kConsumption) {
      e.consumption = assignment.value;
      return;
    }
    std::vector<double>& v = assignment.kind == ElasticityKind::kArmington    ? e.armington
                             : assignment.kind == ElasticityKind::kValueAdded ? e.value_added
                                                                              : e.top;
    for (int i : assignment.sectors) v[static_cast<std::size_t>(i)] = assignment.value;
  };
  switch (target.kind) {
    case TargetKind::kShock:
      scenario->shocks[static_cast<std::size_t>(target.shock)].value = value.number;
      return;
    case TargetKind::kElasticity:
      if (target.change == Target::Change::kSet) {
        set(ElasticityAssignment{target.elasticity, target.sectors, value.number});
        return;
      }
      for (int i : target.sectors) {
        Elasticities& e = data->elasticities;
        std::vector<double>& v = target.elasticity == ElasticityKind::kArmington    ? e.armington
                                 : target.elasticity == ElasticityKind::kValueAdded ? e.value_added
                                                                                    : e.top;
        double& x = v[static_cast<std::size_t>(i)];
        x = target.change == Target::Change::kRelative ? x * (1.0 + value.number) : x + value.number;
      }
      return;
    case TargetKind::kRedistribution:
      scenario->redistribution = value.rule;
      return;
    case TargetKind::kElasticitySet:
      for (const ElasticityAssignment& assignment : value.elasticities) set(assignment);
      return;
    case TargetKind::kData:
      return;
  }
}

Sweep LoadSweep(const std::string& path, const Scenario& base, const Benchmark& data) {
  return SpecLoader(path, base, data).LoadSweep();
}

Sensitivity LoadSensitivity(const std::string& path, const Scenario& base,
                            const Benchmark& data) {
  return SpecLoader(path, base, data).LoadSensitivity();
}

}  // namespace ohlin::sweeps
