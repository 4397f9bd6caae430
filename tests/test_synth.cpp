// Synthetic benchmarks (calibration/synth.h), the writer (calibration/writer.h) and the shipped
// default world (data/default/data.yaml). The identities of MODEL.md section 2 are recomputed here
// from the tables, independently of calibration/accounts.cpp.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "calibration/benchmark.h"
#include "calibration/loader.h"
#include "calibration/synth.h"
#include "calibration/writer.h"
#include "model/policy.h"
#include "scenarios/scenario.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

double RelativeGap(double lhs, double rhs) {
  const double scale = std::max({std::abs(lhs), std::abs(rhs), 1e-300});
  return std::abs(lhs - rhs) / scale;
}

// Largest relative gap over every identity of MODEL.md section 2: zero profit, composite
// market, and world deficits summing to zero (relative to world spending).
struct IdentityGaps {
  double zero_profit = 0.0;
  double composite_market = 0.0;
  double world_deficit = 0.0;
  std::vector<double> deficits;  // D[r] = spending - income
  std::vector<double> incomes;   // factor income + tariff and export tax revenue
};

IdentityGaps ComputeIdentityGaps(const Benchmark& data) {
  const std::size_t num_regions = data.num_regions();
  const std::size_t num_sectors = data.num_sectors();
  const std::size_t num_factors = data.num_factors();
  IdentityGaps gaps;
  for (std::size_t r = 0; r < num_regions; ++r) {
    for (std::size_t i = 0; i < num_sectors; ++i) {
      double cost = 0.0;
      for (std::size_t f = 0; f < num_factors; ++f) cost += data.factor_payments(f, i, r);
      for (std::size_t j = 0; j < num_sectors; ++j) cost += data.intermediates(j, i, r);
      double output = 0.0;
      for (std::size_t s = 0; s < num_regions; ++s) output += data.trade(i, r, s);
      gaps.zero_profit = std::max(gaps.zero_profit, RelativeGap(cost, output));
    }
  }
  for (std::size_t s = 0; s < num_regions; ++s) {
    for (std::size_t i = 0; i < num_sectors; ++i) {
      double supply = 0.0;
      for (std::size_t r = 0; r < num_regions; ++r) {
        supply += data.trade(i, r, s) * (1.0 + data.export_taxes(i, r, s)) *
                  (1.0 + data.tariffs(i, r, s));
      }
      double demand = 0.0;
      for (std::size_t j = 0; j < num_sectors; ++j) demand += data.intermediates(i, j, s);
      for (const std::vector<double>& household_demand : data.final_demand[s]) {
        demand += household_demand[i];
      }
      gaps.composite_market = std::max(gaps.composite_market, RelativeGap(supply, demand));
    }
  }
  gaps.incomes.assign(num_regions, 0.0);
  std::vector<double> spending(num_regions, 0.0);
  for (std::size_t r = 0; r < num_regions; ++r) {
    for (std::size_t i = 0; i < num_sectors; ++i) {
      for (std::size_t f = 0; f < num_factors; ++f) {
        gaps.incomes[r] += data.factor_payments(f, i, r);
      }
      for (const std::vector<double>& household_demand : data.final_demand[r]) {
        spending[r] += household_demand[i];
      }
      for (std::size_t s = 0; s < num_regions; ++s) {
        const double shipment = data.trade(i, r, s);
        gaps.incomes[r] += data.export_taxes(i, r, s) * shipment;
        gaps.incomes[s] += data.tariffs(i, r, s) * shipment * (1.0 + data.export_taxes(i, r, s));
      }
    }
  }
  double world_spending = 0.0;
  double world_deficit = 0.0;
  for (std::size_t r = 0; r < num_regions; ++r) {
    gaps.deficits.push_back(spending[r] - gaps.incomes[r]);
    world_spending += spending[r];
    world_deficit += gaps.deficits.back();
  }
  gaps.world_deficit = std::abs(world_deficit) / world_spending;
  return gaps;
}

void RequireBalanced(const Benchmark& data, double tolerance) {
  const IdentityGaps gaps = ComputeIdentityGaps(data);
  CHECK(gaps.zero_profit < tolerance);
  CHECK(gaps.composite_market < tolerance);
  CHECK(gaps.world_deficit < tolerance);
}

std::size_t CountCrossBorderZeros(const Benchmark& data) {
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      for (std::size_t s = 0; s < data.num_regions(); ++s) {
        zeros += r != s && data.trade(i, r, s) == 0.0 ? 1 : 0;
      }
    }
  }
  return zeros;
}

SynthOptions MakeOptions(int regions, int sectors, int factors, int households,
                         std::uint64_t seed) {
  SynthOptions options;
  options.regions = regions;
  options.sectors = sectors;
  options.factors = factors;
  options.households = households;
  options.seed = seed;
  return options;
}

bool SameTables(const Benchmark& a, const Benchmark& b) {
  return a.regions == b.regions && a.sectors == b.sectors &&
         a.factor_payments.data() == b.factor_payments.data() &&
         a.intermediates.data() == b.intermediates.data() && a.trade.data() == b.trade.data() &&
         a.tariffs.data() == b.tariffs.data() && a.ntb.data() == b.ntb.data() &&
         a.export_taxes.data() == b.export_taxes.data() && a.final_demand == b.final_demand;
}

TEST_CASE("synthetic benchmarks satisfy every identity to rounding", "[synth]") {
  struct Size {
    int regions, sectors, factors, households;
  };
  const Size size = GENERATE(Size{1, 1, 1, 1}, Size{2, 2, 2, 1}, Size{30, 20, 4, 1},
                             Size{5, 4, 3, 3}, Size{2, 1, 1, 2});
  const std::uint64_t seed = GENERATE(1u, 7u, 2024u);
  SynthOptions options =
      MakeOptions(size.regions, size.sectors, size.factors, size.households, seed);
  options.export_taxes = true;
  CAPTURE(size.regions, size.sectors, size.factors, size.households, seed);
  const Benchmark data = Synthesize(options);
  RequireBalanced(data, 1e-12);

  // Every sector produces and sells at home; every composite is absorbed (at home and as a
  // final good), every household consumes; all values are finite and non-negative.
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      CHECK(data.trade(i, r, r) > 0.0);
      for (std::size_t h = 0; h < data.households[r].size(); ++h) {
        CHECK(data.final_demand[r][h][i] > 0.0);
      }
    }
  }
  for (const Tensor3* table : {&data.factor_payments, &data.intermediates, &data.trade}) {
    for (double value : table->data()) CHECK((std::isfinite(value) && value >= 0.0));
  }
  // Households: ownership shares of each factor sum to one over a region's households.
  for (const std::vector<Household>& households : data.households) {
    REQUIRE(static_cast<int>(households.size()) == size.households);
    for (std::size_t f = 0; f < data.num_factors(); ++f) {
      double total = 0.0;
      for (const Household& household : households) total += household.owns[f];
      CHECK(total == Approx(1.0).epsilon(1e-14));
    }
  }
}

// GTAP size; hidden because it takes a while in Debug builds: run with `test_synth "[.large]"`.
TEST_CASE("a GTAP-size synthetic world balances", "[.large][synth]") {
  const Benchmark data = Synthesize(MakeOptions(140, 65, 5, 1, 1));
  RequireBalanced(data, 1e-12);
}

TEST_CASE("synthetic benchmarks have realistic structure", "[synth]") {
  SynthOptions options = MakeOptions(30, 20, 4, 1, 3);
  options.zero_flow_share = 0.2;
  const Benchmark data = Synthesize(options);
  const std::size_t num_regions = data.num_regions();
  const std::size_t num_sectors = data.num_sectors();

  // About zero_flow_share of the cross-border flows are exactly zero.
  const double cross_border = static_cast<double>(num_sectors * num_regions * (num_regions - 1));
  const double zero_share = static_cast<double>(CountCrossBorderZeros(data)) / cross_border;
  CHECK(zero_share == Approx(0.2).margin(0.03));

  // Home bias: domestic purchases are 0.5-0.9 of purchaser-price absorption (or all of it).
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t s = 0; s < num_regions; ++s) {
      double absorption = 0.0;
      for (std::size_t r = 0; r < num_regions; ++r) {
        absorption += data.trade(i, r, s) * (1.0 + data.export_taxes(i, r, s)) *
                      (1.0 + data.tariffs(i, r, s));
      }
      const double domestic_share = data.trade(i, s, s) / absorption;
      CHECK(domestic_share >= 0.5 - 1e-12);
      CHECK(domestic_share <= 0.9 + 1e-12);
    }
  }

  // Value added is 0.3-0.7 of output; rates lie in their documented ranges.
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      double value_added = 0.0;
      for (std::size_t f = 0; f < data.num_factors(); ++f) {
        value_added += data.factor_payments(f, i, r);
      }
      double output = 0.0;
      for (std::size_t s = 0; s < num_regions; ++s) output += data.trade(i, r, s);
      CHECK(value_added / output >= 0.3 - 1e-12);
      CHECK(value_added / output <= 0.7 + 1e-12);
      for (std::size_t s = 0; s < num_regions; ++s) {
        CHECK(data.tariffs(i, r, s) >= 0.0);
        CHECK(data.tariffs(i, r, s) <= 0.15);
        CHECK(data.ntb(i, r, s) >= 0.0);
        CHECK(data.ntb(i, r, s) <= 0.2);
        if (r == s) {
          CHECK(data.tariffs(i, r, s) == 0.0);
          CHECK(data.ntb(i, r, s) == 0.0);
          CHECK(data.export_taxes(i, r, s) == 0.0);
        }
      }
    }
  }

  // Deficits are a few percent of income, not all zero, and sum to zero.
  const IdentityGaps gaps = ComputeIdentityGaps(data);
  double largest_ratio = 0.0;
  for (std::size_t r = 0; r < num_regions; ++r) {
    largest_ratio = std::max(largest_ratio, std::abs(gaps.deficits[r]) / gaps.incomes[r]);
  }
  CHECK(largest_ratio > 0.01);
  CHECK(largest_ratio < 0.1);

  // Heckscher-Ohlin: factor intensities differ across sectors and abundance across regions.
  const auto factor_share = [&](std::size_t f, std::size_t i, std::size_t r) {
    double value_added = 0.0;
    for (std::size_t g = 0; g < data.num_factors(); ++g) {
      value_added += data.factor_payments(g, i, r);
    }
    return data.factor_payments(f, i, r) / value_added;
  };
  CHECK(factor_share(0, 0, 0) != Approx(factor_share(0, 1, 0)).epsilon(0.01));
  CHECK(factor_share(0, 0, 0) != Approx(factor_share(0, 0, 1)).epsilon(0.01));

  // Elasticities in their ranges, with Leontief and non-Leontief top nests both present.
  const Elasticities& elasticities = data.elasticities;
  REQUIRE(elasticities.armington.size() == num_sectors);
  bool some_leontief = false;
  bool some_substitution = false;
  for (std::size_t i = 0; i < num_sectors; ++i) {
    CHECK(elasticities.armington[i] >= 3.0);
    CHECK(elasticities.armington[i] <= 8.0);
    CHECK(elasticities.value_added[i] >= 0.5);
    CHECK(elasticities.value_added[i] <= 1.5);
    some_leontief = some_leontief || elasticities.top[i] == 0.0;
    some_substitution = some_substitution || elasticities.top[i] > 0.0;
  }
  CHECK(some_leontief);
  CHECK(some_substitution);
  CHECK(elasticities.consumption == 1.0);
}

TEST_CASE("options switch features off", "[synth]") {
  SynthOptions options = MakeOptions(6, 5, 2, 1, 11);
  options.deficits = false;
  options.tariffs = false;
  options.ntb = false;
  options.export_taxes = false;
  options.intermediates = false;
  options.zero_flow_share = 0.0;
  const Benchmark data = Synthesize(options);
  RequireBalanced(data, 1e-12);
  CHECK(CountCrossBorderZeros(data) == 0);
  for (const Tensor3* table : {&data.intermediates, &data.tariffs, &data.ntb, &data.export_taxes}) {
    for (double value : table->data()) CHECK(value == 0.0);
  }
  const IdentityGaps gaps = ComputeIdentityGaps(data);
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    CHECK(std::abs(gaps.deficits[r]) < 1e-10 * gaps.incomes[r]);
  }
}

TEST_CASE("synthesis is deterministic for a seed", "[synth]") {
  const Benchmark first = Synthesize(MakeOptions(5, 4, 3, 3, 42));
  const Benchmark again = Synthesize(MakeOptions(5, 4, 3, 3, 42));
  const Benchmark other = Synthesize(MakeOptions(5, 4, 3, 3, 43));
  CHECK(SameTables(first, again));
  CHECK_FALSE(SameTables(first, other));
  CHECK(first.elasticities.armington == again.elasticities.armington);
}

TEST_CASE("SynthOptions::IsValid names the field and its bound", "[synth]") {
  std::string why;
  CHECK(SynthOptions{}.IsValid(&why));
  CHECK(why.empty());

  SynthOptions options;
  options.regions = 0;
  CHECK_FALSE(options.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("regions") && Catch::Contains("at least 1"));
  options = SynthOptions{};
  options.sectors = -2;
  CHECK_FALSE(options.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("sectors"));
  options = SynthOptions{};
  options.factors = 0;
  CHECK_FALSE(options.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("factors"));
  options = SynthOptions{};
  options.households = 0;
  CHECK_FALSE(options.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("households"));
  options = SynthOptions{};
  options.zero_flow_share = 1.0;
  CHECK_FALSE(options.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("zero_flow_share") && Catch::Contains("[0, 1)"));
  options.zero_flow_share = -0.1;
  CHECK_FALSE(options.IsValid(&why));
  options.zero_flow_share = std::nan("");
  CHECK_FALSE(options.IsValid(&why));
  CHECK_FALSE(options.IsValid(nullptr));
  CHECK_THROWS_AS(Synthesize(options), std::invalid_argument);
}

TEST_CASE("WriteBenchmark then LoadBenchmark gives the same benchmark", "[synth]") {
  const int households = GENERATE(1, 3);
  SynthOptions options = MakeOptions(4, 3, 2, households, 5);
  options.export_taxes = true;
  Benchmark written = Synthesize(options);
  written.name = "round trip: \"quoted\" # not a comment";
  written.regions[1] = "NO";  // a YAML 1.1 boolean, must stay a name
  const std::string dir = testing::MakeTempDir("synth_round_trip");
  const std::string path = WriteBenchmark(written, dir, "world.yaml");
  const Benchmark read = LoadBenchmark(path);

  CHECK(read.name == written.name);
  CHECK(read.units == written.units);
  CHECK(read.source == written.source);
  CHECK(read.year == written.year);
  CHECK(read.factors.size() == written.factors.size());
  CHECK(read.regions == written.regions);
  CHECK(read.sectors == written.sectors);
  CHECK(read.factor_payments.data() == written.factor_payments.data());
  CHECK(read.intermediates.data() == written.intermediates.data());
  CHECK(read.trade.data() == written.trade.data());
  CHECK(read.tariffs.data() == written.tariffs.data());
  CHECK(read.ntb.data() == written.ntb.data());
  CHECK(read.export_taxes.data() == written.export_taxes.data());
  // With region rows the loader gives each household the region's demand times its income
  // share, which for a lone household is 1 only up to rounding.
  REQUIRE(read.final_demand.size() == written.final_demand.size());
  for (std::size_t r = 0; r < read.final_demand.size(); ++r) {
    REQUIRE(read.final_demand[r].size() == written.final_demand[r].size());
    for (std::size_t h = 0; h < read.final_demand[r].size(); ++h) {
      for (std::size_t i = 0; i < read.num_sectors(); ++i) {
        const double expected = written.final_demand[r][h][i];
        if (households > 1) {
          CHECK(read.final_demand[r][h][i] == expected);
        } else {
          CHECK(read.final_demand[r][h][i] == Approx(expected).epsilon(1e-14));
        }
      }
    }
  }
  CHECK(read.elasticities.armington == written.elasticities.armington);
  CHECK(read.elasticities.value_added == written.elasticities.value_added);
  CHECK(read.elasticities.top == written.elasticities.top);
  CHECK(read.elasticities.consumption == written.elasticities.consumption);
  REQUIRE(read.households.size() == written.households.size());
  for (std::size_t r = 0; r < read.households.size(); ++r) {
    REQUIRE(read.households[r].size() == written.households[r].size());
    for (std::size_t h = 0; h < read.households[r].size(); ++h) {
      CHECK(read.households[r][h].name == written.households[r][h].name);
      CHECK(read.households[r][h].population == written.households[r][h].population);
      CHECK(read.households[r][h].owns == written.households[r][h].owns);
    }
  }
  RequireBalanced(read, 1e-12);
}

TEST_CASE("the shipped default world loads and balances", "[synth]") {
  const Benchmark data = LoadBenchmark(std::string(OHLIN_SOURCE_DIR) + "/data/default/data.yaml");
  const std::vector<std::string> regions = {"USA", "CHN", "EU",  "JPN", "KOR", "IND",
                                            "MEX", "CAN", "BRA", "RUS", "ROW"};
  CHECK(data.regions == regions);
  const std::vector<std::string> sectors = {"AGR", "MIN", "MAN", "HIT", "SER"};
  CHECK(data.sectors == sectors);
  CHECK(data.num_factors() == 3);
  RequireBalanced(data, 1e-9);

  // The story the demo tells: a US deficit, a Chinese surplus (WIOD 2014); tariffs present.
  const IdentityGaps gaps = ComputeIdentityGaps(data);
  CHECK(gaps.deficits[0] > 0.0);
  CHECK(gaps.deficits[1] < 0.0);
  CHECK(CountCrossBorderZeros(data) == 0);
  bool any_tariff = false;
  for (double rate : data.tariffs.data()) any_tariff = any_tariff || rate > 0.0;
  CHECK(any_tariff);

  // Household groups (data/README.md R6): three in every region, each mostly owning its
  // factor, ownership summing to one per factor, and each spending its income.
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    CAPTURE(data.regions[r]);
    REQUIRE(data.households[r].size() == 3);
    CHECK(data.households[r][0].name == "unskilled");
    CHECK(data.households[r][1].name == "skilled");
    CHECK(data.households[r][2].name == "owners");
    for (std::size_t f = 0; f < data.num_factors(); ++f) {
      double total = 0.0;
      for (const Household& h : data.households[r]) total += h.owns[f];
      CHECK(total == Approx(1.0).epsilon(1e-12));
    }
    CHECK(data.households[r][0].owns[1] > 0.5);  // unskilled labour
    CHECK(data.households[r][1].owns[0] > 0.5);  // skilled labour
    CHECK(data.households[r][2].owns[2] > 0.5);  // capital
    for (const auto& demand : data.final_demand[r]) {
      double spending = 0.0;
      for (double v : demand) spending += v;
      CHECK(spending > 0.0);
    }
  }
}

TEST_CASE("the shipped scenarios on the WIOD worlds load and apply", "[synth]") {
  Benchmark data;
  const Scenario china = LoadScenario(
      std::string(OHLIN_SOURCE_DIR) + "/scenarios/china_shock.yaml", &data);
  CHECK(data.year == 2000);
  CHECK(data.regions.size() == 44);
  REQUIRE(china.shocks.size() == 1);
  const auto chn = static_cast<std::size_t>(
      std::find(data.regions.begin(), data.regions.end(), "CHN") - data.regions.begin());
  REQUIRE(chn < data.regions.size());
  const Policy policy = ApplyShocks(data, china.shocks);
  for (const char* sector : {"FOOD", "ELEC", "OTHMAN"}) {
    const auto i = static_cast<std::size_t>(
        std::find(data.sectors.begin(), data.sectors.end(), sector) - data.sectors.begin());
    REQUIRE(i < data.sectors.size());
    CHECK(policy.productivity[i * data.num_regions() + chn] == Approx(1.9554));
  }
}

TEST_CASE("the shipped scenarios load and apply to the default world", "[synth]") {
  const std::string name = GENERATE(as<std::string>{}, "default", "free_trade", "tariff_war",
                                    "ntb_rise", "migration",
                                    "tariff_war_compensated", "free_trade_compensated");
  CAPTURE(name);
  Benchmark data;
  const Scenario scenario =
      LoadScenario(std::string(OHLIN_SOURCE_DIR) + "/scenarios/" + name + ".yaml", &data);
  CHECK(data.regions.size() == 11);
  CHECK_FALSE(scenario.shocks.empty());
  const Policy policy = ApplyShocks(data, scenario.shocks);
  const std::size_t usa = 0;
  const std::size_t chn = 1;
  const std::size_t man = 2;
  REQUIRE(data.sectors[man] == "MAN");
  if (name == "tariff_war_compensated" || name == "free_trade_compensated") {
    CHECK(scenario.redistribution == RedistributionRule::kCompensate);
  }
  if (name == "tariff_war") {
    CHECK(scenario.compare_rules.size() == 4);
  }
  if (name == "default") {  // Bown (2023): +16.2 points by the USA, +13.1 by China
    CHECK(policy.tariffs(man, chn, usa) == Approx(data.tariffs(man, chn, usa) + 0.162));
    CHECK(policy.tariffs(man, usa, chn) == Approx(data.tariffs(man, usa, chn) + 0.131));
  } else if (name == "tariff_war" || name == "tariff_war_compensated") {
    CHECK(policy.tariffs(man, chn, usa) == Approx(data.tariffs(man, chn, usa) + 0.25));
    CHECK(policy.tariffs(man, usa, chn) == Approx(data.tariffs(man, usa, chn) + 0.25));
  } else if (name == "free_trade" || name == "free_trade_compensated") {
    for (double rate : policy.tariffs.data()) CHECK(rate == 0.0);
  }
}

}  // namespace
}  // namespace ohlin
