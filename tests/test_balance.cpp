// Balancing (calibration/balance.h): a balanced benchmark is left alone, a perturbed one is
// restored with the moved accounts named, and adjustments beyond the tolerance are refused.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "calibration/accounts.h"
#include "calibration/balance.h"
#include "calibration/errors.h"
#include "calibration/synth.h"

namespace ohlin {
namespace {

Benchmark World() {
  SynthOptions options;
  options.regions = 4;
  options.sectors = 3;
  options.factors = 2;
  options.households = 2;
  options.seed = 5;
  options.export_taxes = true;
  return Synthesize(options);
}

bool Contains(const BalanceReport& report, const std::string& account) {
  for (const Adjustment& adjustment : report.adjustments) {
    if (adjustment.account == account) return true;
  }
  return false;
}

TEST_CASE("a balanced benchmark is left unchanged", "[balance]") {
  const Benchmark data = World();
  BalanceReport report;
  const Benchmark balanced = Balance(data, BalanceOptions{}, &report);
  CHECK(report.accounts_moved == 0);
  CHECK(report.adjustments.empty());
  CHECK(balanced.factor_payments.data() == data.factor_payments.data());
  CHECK(balanced.intermediates.data() == data.intermediates.data());
  CHECK(balanced.trade.data() == data.trade.data());
  CHECK(balanced.final_demand == data.final_demand);
}

TEST_CASE("a perturbed benchmark is restored and the moved accounts are named", "[balance]") {
  const Benchmark data = World();
  Benchmark perturbed = data;
  perturbed.intermediates(0, 1, 2) *= 1.01;   // input 0 in sector 1 of region 2
  perturbed.factor_payments(1, 2, 0) *= 0.98;  // factor 1 in sector 2 of region 0
  perturbed.final_demand[3][1][0] *= 1.015;
  REQUIRE_FALSE(ComputeAccounts(perturbed).failures.empty());

  BalanceReport report;
  const Benchmark balanced = Balance(perturbed, BalanceOptions{}, &report);
  const Accounts accounts = ComputeAccounts(balanced, 1e-12);
  CHECK(accounts.failures.empty());
  CHECK(report.gap_before > 1e-3);
  CHECK(report.gap_after < 1e-13);
  CHECK(report.largest_adjustment < 0.05);
  CHECK(report.accounts_moved > 0);
  // Trade and rates are kept.
  CHECK(balanced.trade.data() == perturbed.trade.data());
  CHECK(balanced.tariffs.data() == perturbed.tariffs.data());
  // The perturbed cells are among the accounts moved, named by region, sector and factor.
  const std::string in = data.sectors[0] + " in " + data.sectors[1];
  CHECK(Contains(report, "intermediates " + data.regions[2] + "/" + in));
  CHECK(Contains(report, "factor_payments " + data.regions[0] + "/" + data.sectors[2] + "/" +
                             data.factors[1].name));
  CHECK(Contains(report, "final_demand " + data.regions[3] + "/" + data.households[3][1].name +
                             "/" + data.sectors[0]));
  // Largest first; regions that were not perturbed do not move.
  for (std::size_t k = 1; k < report.adjustments.size(); ++k) {
    CHECK(std::abs(report.adjustments[k].relative()) <=
          std::abs(report.adjustments[k - 1].relative()));
  }
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t f = 0; f < data.num_factors(); ++f) {
      CHECK(balanced.factor_payments(f, i, 1) == perturbed.factor_payments(f, i, 1));
    }
  }
  // Balancing the result again changes nothing.
  BalanceReport again;
  const Benchmark twice = Balance(balanced, BalanceOptions{}, &again);
  CHECK(again.accounts_moved == 0);
  CHECK(twice.intermediates.data() == balanced.intermediates.data());
}

TEST_CASE("adjustments beyond the tolerance are refused with the largest named",
          "[balance]") {
  Benchmark data = World();
  data.final_demand[0][0][1] *= 1.5;
  BalanceOptions options;
  options.tolerance = 0.01;
  try {
    Balance(data, options, nullptr);
    FAIL("no error");
  } catch (const InputError& error) {
    CHECK_THAT(error.what(), Catch::Contains("exceeds the tolerance 0.01") &&
                                 Catch::Contains("final_demand " + data.regions[0]));
  }
  options.tolerance = 1.0;
  BalanceReport report;
  const Benchmark balanced = Balance(data, options, &report);
  CHECK(ComputeAccounts(balanced, 1e-12).failures.empty());
}

}  // namespace
}  // namespace ohlin
