// Aggregation of a benchmark: see aggregate.h for the rules.
#include "calibration/aggregate.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "calibration/errors.h"

namespace ohlin {
namespace {

SetGrouping IdentityGrouping(const std::vector<std::string>& names) {
  SetGrouping grouping;
  grouping.group_names = names;
  for (std::size_t k = 0; k < names.size(); ++k) grouping.group_of.push_back(k);
  return grouping;
}

std::string Where(const std::string& path, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return path;
  return fmt::format("{}:{}:{}", path, mark.line + 1, mark.column + 1);
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Reads `key: {GROUP: [member, ...], ...}`; every name of `names` must be in exactly one group.
SetGrouping ReadGrouping(const std::string& path, const YAML::Node& node, const std::string& key,
                         const std::vector<std::string>& names) {
  if (!node.IsMap()) {
    throw InputError(fmt::format("{}: {}: expected a map GROUP: [member, ...]",
                                 Where(path, node), key));
  }
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < names.size(); ++k) index[names[k]] = k;
  SetGrouping grouping;
  grouping.group_of.assign(names.size(), names.size());
  std::set<std::string> group_names;
  for (const auto& entry : node) {
    const std::string group = entry.first.as<std::string>();
    if (!group_names.insert(group).second) {
      throw InputError(fmt::format("{}: {}: group '{}' is repeated", Where(path, entry.first),
                                   key, group));
    }
    const YAML::Node members =
        entry.second.IsScalar() ? YAML::Node(std::vector<std::string>{entry.second.as<std::string>()})
                                : entry.second;
    if (!members.IsSequence() || members.size() == 0) {
      throw InputError(fmt::format("{}: {}: group '{}' needs a list of members",
                                   Where(path, entry.second), key, group));
    }
    const std::size_t group_index = grouping.group_names.size();
    grouping.group_names.push_back(group);
    for (const YAML::Node& member : members) {
      const std::string name = member.as<std::string>();
      const auto found = index.find(name);
      if (found == index.end()) {
        throw InputError(fmt::format("{}: {}: group '{}': unknown name '{}' (the data has: {})",
                                     Where(path, member), key, group, name, JoinNames(names)));
      }
      if (grouping.group_of[found->second] != names.size()) {
        throw InputError(fmt::format("{}: {}: '{}' is in two groups ('{}' and '{}')",
                                     Where(path, member), key, name,
                                     grouping.group_names[grouping.group_of[found->second]],
                                     group));
      }
      grouping.group_of[found->second] = group_index;
    }
  }
  std::vector<std::string> unmapped;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (grouping.group_of[k] == names.size()) unmapped.push_back(names[k]);
  }
  if (!unmapped.empty()) {
    throw InputError(fmt::format("{}: {}: not mapped to any group: {}", Where(path, node), key,
                                 JoinNames(unmapped)));
  }
  return grouping;
}

// Weighted mean of `values` with `weights`; the plain mean when the weights sum to zero.
class WeightedMean {
 public:
  void Add(double value, double weight) {
    weighted_ += value * weight;
    weight_ += weight;
    plain_ += value;
    ++count_;
  }
  double Get() const {
    if (weight_ > 0.0) return weighted_ / weight_;
    return count_ > 0 ? plain_ / static_cast<double>(count_) : 0.0;
  }

 private:
  double weighted_ = 0.0, weight_ = 0.0, plain_ = 0.0;
  int count_ = 0;
};

std::vector<std::vector<std::size_t>> Members(const SetGrouping& grouping) {
  std::vector<std::vector<std::size_t>> members(grouping.group_names.size());
  for (std::size_t k = 0; k < grouping.group_of.size(); ++k) {
    members[grouping.group_of[k]].push_back(k);
  }
  return members;
}

}  // namespace

AggregationMap IdentityAggregation(const Benchmark& data) {
  std::vector<std::string> factor_names;
  for (const Factor& factor : data.factors) factor_names.push_back(factor.name);
  return AggregationMap{IdentityGrouping(data.regions), IdentityGrouping(data.sectors),
                        IdentityGrouping(factor_names)};
}

AggregationMap LoadAggregationMap(const std::string& path, const Benchmark& data) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError(fmt::format("{}: cannot read the mapping file", path));
  } catch (const YAML::Exception& error) {
    throw InputError(fmt::format("{}:{}:{}: {}", path, error.mark.line + 1,
                                 error.mark.column + 1, error.msg));
  }
  if (!root.IsMap()) throw InputError(fmt::format("{}: expected a YAML map", path));
  if (!root["ohlin"] || root["ohlin"].as<std::string>() != "1") {
    throw InputError(fmt::format("{}: expected 'ohlin: 1' (the format version)", path));
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    if (key != "ohlin" && key != "regions" && key != "sectors" && key != "factors") {
      throw InputError(fmt::format("{}: unknown key '{}' (expected regions, sectors, factors)",
                                   Where(path, entry.first), key));
    }
  }
  AggregationMap map = IdentityAggregation(data);
  try {
    if (root["regions"]) map.regions = ReadGrouping(path, root["regions"], "regions", data.regions);
    if (root["sectors"]) map.sectors = ReadGrouping(path, root["sectors"], "sectors", data.sectors);
    if (root["factors"]) {
      std::vector<std::string> factor_names;
      for (const Factor& factor : data.factors) factor_names.push_back(factor.name);
      map.factors = ReadGrouping(path, root["factors"], "factors", factor_names);
    }
  } catch (const YAML::Exception& error) {
    throw InputError(fmt::format("{}:{}:{}: {}", path, error.mark.line + 1,
                                 error.mark.column + 1, error.msg));
  }
  return map;
}

Benchmark Aggregate(const Benchmark& data, const AggregationMap& map, AggregationReport* report) {
  const std::size_t num_r = data.num_regions(), num_i = data.num_sectors();
  const std::size_t num_f = data.num_factors();
  const std::vector<std::size_t>& region_of = map.regions.group_of;
  const std::vector<std::size_t>& sector_of = map.sectors.group_of;
  const std::vector<std::size_t>& factor_of = map.factors.group_of;
  const auto region_members = Members(map.regions);
  const auto sector_members = Members(map.sectors);
  const auto factor_members = Members(map.factors);

  Benchmark out;
  out.name = fmt::format("{} (aggregated to {} regions x {} sectors)", data.name,
                         map.regions.group_names.size(), map.sectors.group_names.size());
  out.units = data.units;
  out.year = data.year;
  out.source = data.source.empty() ? "aggregated by ohlin aggregate"
                                   : data.source + " Aggregated by ohlin aggregate.";
  out.regions = map.regions.group_names;
  out.sectors = map.sectors.group_names;
  for (std::size_t g = 0; g < factor_members.size(); ++g) {
    Factor factor{map.factors.group_names[g], data.factors[factor_members[g][0]].mobility};
    for (std::size_t f : factor_members[g]) {
      if (data.factors[f].mobility != factor.mobility) {
        throw InputError(fmt::format("factors: group '{}' mixes mobile and specific factors",
                                     factor.name));
      }
    }
    out.factors.push_back(factor);
  }
  out.ResizeTables();
  const std::size_t num_rg = out.num_regions(), num_ig = out.num_sectors();

  // Values: sums.
  for (std::size_t f = 0; f < num_f; ++f) {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) {
        out.factor_payments(factor_of[f], sector_of[i], region_of[r]) +=
            data.factor_payments(f, i, r);
      }
    }
  }
  for (std::size_t j = 0; j < num_i; ++j) {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) {
        out.intermediates(sector_of[j], sector_of[i], region_of[r]) += data.intermediates(j, i, r);
      }
    }
  }
  // Trade and rates; revenue on flows that become domestic is folded out of final demand.
  Tensor3 folded(num_ig, num_rg, 1);
  std::vector<WeightedMean> tx_mean(num_ig * num_rg * num_rg), tm_mean(tx_mean.size()),
      ntb_mean(tx_mean.size());
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t s = 0; s < num_r; ++s) {
        const double x = data.trade(i, r, s);
        const double tx = data.export_taxes(i, r, s), tm = data.tariffs(i, r, s);
        const std::size_t ig = sector_of[i], rg = region_of[r], sg = region_of[s];
        out.trade(ig, rg, sg) += x;
        if (rg == sg) {
          folded(ig, rg, 0) += x * tx + x * (1.0 + tx) * tm;
          continue;
        }
        const std::size_t cell = (ig * num_rg + rg) * num_rg + sg;
        tx_mean[cell].Add(tx, x);
        tm_mean[cell].Add(tm, x * (1.0 + tx));
        ntb_mean[cell].Add(data.ntb(i, r, s), x);
      }
    }
  }
  for (std::size_t ig = 0; ig < num_ig; ++ig) {
    for (std::size_t rg = 0; rg < num_rg; ++rg) {
      for (std::size_t sg = 0; sg < num_rg; ++sg) {
        if (rg == sg) continue;
        const std::size_t cell = (ig * num_rg + rg) * num_rg + sg;
        out.export_taxes(ig, rg, sg) = tx_mean[cell].Get();
        out.tariffs(ig, rg, sg) = tm_mean[cell].Get();
        out.ntb(ig, rg, sg) = ntb_mean[cell].Get();
      }
    }
  }

  // Households and final demand.
  std::vector<double> endowment(num_f * num_r, 0.0);  // at [f * num_r + r]
  for (std::size_t f = 0; f < num_f; ++f) {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) endowment[f * num_r + r] += data.factor_payments(f, i, r);
    }
  }
  out.households.assign(num_rg, {});
  out.final_demand.assign(num_rg, {});
  for (std::size_t rg = 0; rg < num_rg; ++rg) {
    const std::vector<std::size_t>& members = region_members[rg];
    const std::vector<Household>& first = data.households[members[0]];
    for (std::size_t r : members) {
      const std::vector<Household>& households = data.households[r];
      bool same = households.size() == first.size();
      for (std::size_t h = 0; same && h < households.size(); ++h) {
        same = households[h].name == first[h].name &&
               households[h].consumption_elasticity == first[h].consumption_elasticity;
      }
      if (!same) {
        throw InputError(fmt::format(
            "regions: group '{}': '{}' and '{}' have different household groups (names or "
            "consumption elasticities); merged regions need the same households",
            out.regions[rg], data.regions[members[0]], data.regions[r]));
      }
    }
    std::vector<Household> merged(first.size());
    out.final_demand[rg].assign(first.size(), std::vector<double>(num_ig, 0.0));
    for (std::size_t h = 0; h < first.size(); ++h) {
      merged[h].name = first[h].name;
      merged[h].consumption_elasticity = first[h].consumption_elasticity;
      merged[h].population = 0.0;
      for (std::size_t r : members) {
        merged[h].population += data.households[r][h].population;
        for (std::size_t i = 0; i < num_i; ++i) {
          out.final_demand[rg][h][sector_of[i]] += data.final_demand[r][h][i];
        }
      }
      merged[h].owns.assign(out.num_factors(), 0.0);
      for (std::size_t fg = 0; fg < out.num_factors(); ++fg) {
        WeightedMean share;
        for (std::size_t f : factor_members[fg]) {
          for (std::size_t r : members) {
            share.Add(data.households[r][h].owns[f], endowment[f * num_r + r]);
          }
        }
        merged[h].owns[fg] = share.Get();
      }
    }
    // Folded revenue leaves final demand in proportion to each household's purchases.
    double region_folded = 0.0;
    for (std::size_t ig = 0; ig < num_ig; ++ig) {
      const double revenue = folded(ig, rg, 0);
      if (revenue == 0.0) continue;
      region_folded += revenue;
      double total = 0.0;
      for (const std::vector<double>& household : out.final_demand[rg]) total += household[ig];
      if (total <= revenue) {
        throw InputError(fmt::format(
            "regions: group '{}': the tariffs and export taxes on trade between its members "
            "({:.6g} on {}) exceed its final demand of that good ({:.6g}), so they cannot be "
            "folded into domestic sales",
            out.regions[rg], revenue, out.sectors[ig], total));
      }
      for (std::vector<double>& household : out.final_demand[rg]) {
        household[ig] -= revenue * household[ig] / total;
      }
    }
    out.households[rg] = std::move(merged);
    if (report != nullptr) {
      report->folded_revenue.push_back(region_folded);
      if (region_folded != 0.0) {
        report->notes.push_back(fmt::format(
            "{}: tariffs and export taxes on trade between its members ({:.6g}) removed from "
            "its final demand: that trade is now domestic, where the model has no tax",
            out.regions[rg], region_folded));
      }
    }
  }

  // Elasticities of merged sectors.
  std::vector<double> absorption(num_i, 0.0), value_added(num_i, 0.0), output(num_i, 0.0);
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t s = 0; s < num_r; ++s) {
        const double x = data.trade(i, r, s);
        output[i] += x;
        absorption[i] += x * (1.0 + data.export_taxes(i, r, s)) * (1.0 + data.tariffs(i, r, s));
      }
      for (std::size_t f = 0; f < num_f; ++f) value_added[i] += data.factor_payments(f, i, r);
    }
  }
  for (std::size_t ig = 0; ig < num_ig; ++ig) {
    WeightedMean armington, value_added_sigma, top;
    for (std::size_t i : sector_members[ig]) {
      armington.Add(data.elasticities.armington[i], absorption[i]);
      value_added_sigma.Add(data.elasticities.value_added[i], value_added[i]);
      top.Add(data.elasticities.top[i], output[i]);
    }
    out.elasticities.armington[ig] = armington.Get();
    out.elasticities.value_added[ig] = value_added_sigma.Get();
    out.elasticities.top[ig] = top.Get();
  }
  out.elasticities.consumption = data.elasticities.consumption;
  if (report != nullptr) {
    for (std::size_t ig = 0; ig < num_ig; ++ig) {
      if (sector_members[ig].size() < 2) continue;
      report->notes.push_back(fmt::format(
          "{}: elasticities armington {:.6g}, value_added {:.6g}, top {:.6g} (weighted by "
          "absorption, value added and output of {} sectors)",
          out.sectors[ig], out.elasticities.armington[ig], out.elasticities.value_added[ig],
          out.elasticities.top[ig], sector_members[ig].size()));
    }
  }
  return out;
}

}  // namespace ohlin
