// Aggregation (calibration/aggregate.h): totals are preserved, the result balances, merging
// identical sectors is neutral (MODEL.md section 8), and bad mappings are refused by name.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "calibration/accounts.h"
#include "calibration/aggregate.h"
#include "calibration/errors.h"
#include "calibration/loader.h"
#include "calibration/synth.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "model/policy.h"
#include "solver/solver.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

Benchmark SmallWorld(int households = 1) {
  SynthOptions options;
  options.regions = 4;
  options.sectors = 3;
  options.factors = 3;
  options.households = households;
  options.seed = 17;
  options.export_taxes = true;
  return Synthesize(options);
}

// Splits sector `k` into two identical halves named k+"_a" and k+"_b" (placed at the end):
// every value of k is halved (the k-by-k intermediate block quartered), rates and elasticities
// copied. The split world is the same economy, so merging the halves must give it back.
Benchmark SplitSector(const Benchmark& data, std::size_t k) {
  Benchmark split = data;
  const std::size_t num_i = data.num_sectors(), num_r = data.num_regions();
  const std::size_t num_f = data.num_factors();
  split.sectors[k] = data.sectors[k] + "_a";
  split.sectors.push_back(data.sectors[k] + "_b");
  split.ResizeTables();
  split.households = data.households;
  const std::size_t b = num_i;  // index of the second half
  const auto to = [&](std::size_t i, int half) { return i == k && half == 1 ? b : i; };
  const auto share = [&](std::size_t i) { return i == k ? 0.5 : 1.0; };
  for (int half_i = 0; half_i < 2; ++half_i) {
    for (std::size_t i = 0; i < num_i; ++i) {
      if (half_i == 1 && i != k) continue;
      for (std::size_t r = 0; r < num_r; ++r) {
        for (std::size_t f = 0; f < num_f; ++f) {
          split.factor_payments(f, to(i, half_i), r) = share(i) * data.factor_payments(f, i, r);
        }
        for (std::size_t s = 0; s < num_r; ++s) {
          split.trade(to(i, half_i), r, s) = share(i) * data.trade(i, r, s);
          split.tariffs(to(i, half_i), r, s) = data.tariffs(i, r, s);
          split.export_taxes(to(i, half_i), r, s) = data.export_taxes(i, r, s);
          split.ntb(to(i, half_i), r, s) = data.ntb(i, r, s);
        }
        for (int half_j = 0; half_j < 2; ++half_j) {
          for (std::size_t j = 0; j < num_i; ++j) {
            if (half_j == 1 && j != k) continue;
            split.intermediates(to(j, half_j), to(i, half_i), r) =
                share(i) * share(j) * data.intermediates(j, i, r);
          }
        }
      }
      split.elasticities.armington[to(i, half_i)] = data.elasticities.armington[i];
      split.elasticities.value_added[to(i, half_i)] = data.elasticities.value_added[i];
      split.elasticities.top[to(i, half_i)] = data.elasticities.top[i];
    }
  }
  split.final_demand = data.final_demand;
  for (auto& households : split.final_demand) {
    for (std::vector<double>& demand : households) {
      demand[k] *= 0.5;
      demand.push_back(demand[k]);
    }
  }
  return split;
}

std::string WriteMap(const std::string& text) {
  const std::string path = testing::MakeTempDir("aggregate_map") + "/map.yaml";
  std::ofstream(path) << text;
  return path;
}

void CheckClose(const std::vector<double>& a, const std::vector<double>& b, double tolerance) {
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k] == Approx(b[k]).epsilon(tolerance).margin(1e-300));
  }
}

Outcome SolveAllTariffsUp(const Benchmark& data, double add) {
  const Model model = Model::Calibrate(data);
  Policy policy = Policy::Benchmark(data);
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      for (std::size_t s = 0; s < data.num_regions(); ++s) {
        if (r != s) policy.tariffs(i, r, s) += add;
      }
    }
  }
  State state = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, policy, &state, &summary);
  REQUIRE(summary.IsConverged());
  return model.ComputeOutcome(policy, state);
}

TEST_CASE("merging two identical halves of a sector gives the world back", "[aggregate]") {
  const int households = GENERATE(1, 2);
  const Benchmark data = SmallWorld(households);
  const Benchmark split = SplitSector(data, 1);
  REQUIRE(ComputeAccounts(split).failures.empty());

  AggregationMap map = IdentityAggregation(split);
  map.sectors.group_names = data.sectors;
  map.sectors.group_of = {0, 1, 2, 1};
  const Benchmark merged = Aggregate(split, map);
  CHECK(merged.sectors == data.sectors);
  CheckClose(merged.factor_payments.data(), data.factor_payments.data(), 1e-14);
  CheckClose(merged.intermediates.data(), data.intermediates.data(), 1e-14);
  CheckClose(merged.trade.data(), data.trade.data(), 1e-14);
  CheckClose(merged.tariffs.data(), data.tariffs.data(), 1e-14);
  CheckClose(merged.export_taxes.data(), data.export_taxes.data(), 1e-14);
  CheckClose(merged.ntb.data(), data.ntb.data(), 1e-14);
  CheckClose(merged.elasticities.armington, data.elasticities.armington, 1e-14);
  CheckClose(merged.elasticities.value_added, data.elasticities.value_added, 1e-14);
  CheckClose(merged.elasticities.top, data.elasticities.top, 1e-14);
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    for (std::size_t h = 0; h < data.final_demand[r].size(); ++h) {
      CheckClose(merged.final_demand[r][h], data.final_demand[r][h], 1e-14);
      CheckClose(merged.households[r][h].owns, data.households[r][h].owns, 1e-14);
    }
  }
}

TEST_CASE("merging identical sectors is neutral for a uniform tariff shock", "[aggregate]") {
  // MODEL.md section 8: the split world and the world solve to the same welfare and prices.
  const Benchmark data = SmallWorld(2);
  const Benchmark split = SplitSector(data, 0);
  const Outcome whole = SolveAllTariffsUp(data, 0.1);
  const Outcome halves = SolveAllTariffsUp(split, 0.1);
  REQUIRE(whole.households.size() == halves.households.size());
  for (std::size_t k = 0; k < whole.households.size(); ++k) {
    CHECK(halves.households[k].utility_hat == Approx(whole.households[k].utility_hat).epsilon(1e-9));
  }
  REQUIRE(whole.factors.size() == halves.factors.size());
  for (std::size_t k = 0; k < whole.factors.size(); ++k) {
    CHECK(halves.factors[k].real_price_hat == Approx(whole.factors[k].real_price_hat).epsilon(1e-9));
  }
}

TEST_CASE("aggregating the default world preserves totals and balances", "[aggregate]") {
  const Benchmark data = LoadBenchmark(std::string(OHLIN_SOURCE_DIR) + "/data/default/data.yaml");
  const std::string path = WriteMap(
      "ohlin: 1\n"
      "regions: {USA: [USA], CHN: [CHN], EU: [EU], NAM: [CAN, MEX], ASIA: [JPN, KOR, IND],\n"
      "          ROW: [BRA, RUS, ROW]}\n"
      "sectors: {PRIMARY: [AGR, MIN], MANUF: [MAN, HIT], SERVICES: [SER]}\n"
      "factors: {labour: [skilled, unskilled], capital: [capital]}\n");
  AggregationReport report;
  const Benchmark aggregated = Aggregate(data, LoadAggregationMap(path, data), &report);
  CHECK(aggregated.num_regions() == 6);
  CHECK(aggregated.num_sectors() == 3);
  CHECK(aggregated.num_factors() == 2);
  const Accounts accounts = ComputeAccounts(aggregated, 1e-12);
  CHECK(accounts.failures.empty());
  CHECK(BenchmarkReplicationResidual(Model::Calibrate(aggregated)) < 1e-10);

  const auto sum = [](const Tensor3& table) {
    double total = 0.0;
    for (double value : table.data()) total += value;
    return total;
  };
  CHECK(sum(aggregated.trade) == Approx(sum(data.trade)).epsilon(1e-14));
  CHECK(sum(aggregated.factor_payments) == Approx(sum(data.factor_payments)).epsilon(1e-14));
  CHECK(sum(aggregated.intermediates) == Approx(sum(data.intermediates)).epsilon(1e-14));
  // Revenue: what was collected on flows that stayed cross-border is collected again; the rest
  // was folded out of final demand and reported.
  const Accounts before = ComputeAccounts(data);
  double revenue_before = 0.0, revenue_after = 0.0, folded = 0.0;
  for (const RegionAccounts& region : before.regions) {
    revenue_before += region.tariff_revenue + region.export_tax_revenue;
  }
  for (const RegionAccounts& region : accounts.regions) {
    revenue_after += region.tariff_revenue + region.export_tax_revenue;
  }
  for (double value : report.folded_revenue) folded += value;
  CHECK(folded > 0.0);
  CHECK(revenue_after + folded == Approx(revenue_before).epsilon(1e-13));
  // Deficits add up over members.
  const std::size_t nam = 3;
  CHECK(accounts.regions[nam].deficit ==
        Approx(before.regions[6].deficit + before.regions[7].deficit).epsilon(1e-10));
}

TEST_CASE("a mapping that leaves out, repeats or invents a name is refused", "[aggregate]") {
  const Benchmark data = SmallWorld();
  const std::string names = data.regions[0] + ", " + data.regions[1] + ", " + data.regions[2];
  const std::string last = data.regions[3];
  struct Case {
    std::string text, expected;
  };
  const Case bad = GENERATE_COPY(
      Case{"ohlin: 1\nregions: {A: [" + names + "]}\n", "not mapped to any group: " + last},
      Case{"ohlin: 1\nregions: {A: [" + names + "], B: [" + last + ", " + data.regions[0] + "]}\n",
           "is in two groups"},
      Case{"ohlin: 1\nregions: {A: [" + names + ", " + last + ", XXX]}\n", "unknown name 'XXX'"},
      Case{"ohlin: 1\nplaces: {A: [" + names + "]}\n", "unknown key 'places'"},
      Case{"regions: {A: [" + names + "]}\n", "ohlin: 1"});
  CAPTURE(bad.text);
  const std::string path = WriteMap(bad.text);
  try {
    LoadAggregationMap(path, data);
    FAIL("no error");
  } catch (const InputError& error) {
    CHECK_THAT(error.what(), Catch::Contains(bad.expected) && Catch::Contains("map.yaml"));
  }
}

}  // namespace
}  // namespace ohlin
