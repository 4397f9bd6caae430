#include "calibration/benchmark.h"

#include <fmt/format.h>

#include <cmath>

namespace ohlin {

const char* FactorMobilityToString(FactorMobility mobility) {
  switch (mobility) {
    case FactorMobility::kMobile:
      return "mobile";
    case FactorMobility::kSpecific:
      return "specific";
  }
  return "mobile";
}

bool StringToFactorMobility(const std::string& name, FactorMobility* mobility) {
  if (name == "mobile") {
    *mobility = FactorMobility::kMobile;
    return true;
  }
  if (name == "specific") {
    *mobility = FactorMobility::kSpecific;
    return true;
  }
  return false;
}

void Benchmark::ResizeTables() {
  const std::size_t num_r = num_regions();
  const std::size_t num_i = num_sectors();
  const std::size_t num_f = num_factors();

  factor_payments = Tensor3(num_f, num_i, num_r);
  intermediates = Tensor3(num_i, num_i, num_r);
  trade = Tensor3(num_i, num_r, num_r);
  tariffs = Tensor3(num_i, num_r, num_r);
  ntb = Tensor3(num_i, num_r, num_r);
  export_taxes = Tensor3(num_i, num_r, num_r);

  // Defaults of FORMATS.md "Benchmark data".
  elasticities.armington.assign(num_i, 5.0);
  elasticities.value_added.assign(num_i, 1.0);
  elasticities.top.assign(num_i, 0.0);
  elasticities.consumption = 1.0;

  // One representative household per region, owning every factor.
  Household all;
  all.name = "all";
  all.population = 1.0;
  all.owns.assign(num_f, 1.0);
  households.assign(num_r, std::vector<Household>{all});
  final_demand.assign(num_r, std::vector<std::vector<double>>(1, std::vector<double>(num_i, 0.0)));
}

}  // namespace ohlin

namespace ohlin {

std::optional<std::vector<double>> PickElasticitySet(const Benchmark& data,
                                                     const std::string& name, bool zero_allowed,
                                                     std::string* why) {
  std::string names;
  for (const ElasticitySet& set : data.elasticity_sets) {
    if (set.name != name) {
      names += (names.empty() ? "" : ", ") + set.name;
      continue;
    }
    for (std::size_t i = 0; i < set.values.size(); ++i) {
      const double value = set.values[i];
      if (std::isnan(value)) {
        *why = fmt::format("set '{}' has no row for sector '{}'", name, data.sectors[i]);
        return std::nullopt;
      }
      if (zero_allowed ? value < 0.0 : value <= 0.0) {
        *why = fmt::format("set '{}': the value for sector '{}' must be {} 0, got {}", name,
                           data.sectors[i], zero_allowed ? ">=" : ">", value);
        return std::nullopt;
      }
    }
    return set.values;
  }
  *why = data.elasticity_sets.empty()
             ? fmt::format("set '{}' needs an elasticity_sets table (columns set,sector,value)",
                           name)
             : fmt::format("unknown elasticity set '{}' (sets: {})", name, names);
  return std::nullopt;
}

}  // namespace ohlin
