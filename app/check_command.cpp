// `ohlin check DATA.yaml`: dimensions, totals, deficits, failing identities and the
// benchmark replication residual of a benchmark.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "calibration/loader.h"
#include "model/equilibrium.h"

namespace ohlin::app {
namespace {

// Relative tolerance of the benchmark identities (MODEL.md section 8: tolerances are relative).
constexpr double kIdentityTolerance = 1e-6;
// The model must reproduce the benchmark to this (MODEL.md section 7).
constexpr double kReplicationTolerance = 1e-10;

struct WorldTotals {
  double output = 0.0;  // sum of sales X(i, r, s) over every destination, home included
  double trade = 0.0;   // cross-border sales only
  double intermediates = 0.0;
  std::vector<double> factor_income;  // by factor
};

WorldTotals ComputeWorldTotals(const Benchmark& data) {
  WorldTotals totals;
  totals.factor_income.assign(data.num_factors(), 0.0);
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      for (std::size_t s = 0; s < data.num_regions(); ++s) {
        totals.output += data.trade(i, r, s);
        if (r != s) totals.trade += data.trade(i, r, s);
      }
    }
  }
  for (std::size_t f = 0; f < data.num_factors(); ++f) {
    for (std::size_t i = 0; i < data.num_sectors(); ++i) {
      for (std::size_t r = 0; r < data.num_regions(); ++r) {
        totals.factor_income[f] += data.factor_payments(f, i, r);
      }
    }
  }
  for (const double value : data.intermediates.data()) totals.intermediates += value;
  return totals;
}

std::size_t NumHouseholds(const Benchmark& data) {
  std::size_t count = 0;
  for (const auto& households : data.households) count += households.size();
  return count;
}

}  // namespace

int RunCheck(const CheckArguments& arguments) {
  const Benchmark data = LoadBenchmark(arguments.data_path);
  const Accounts accounts = ComputeAccounts(data, kIdentityTolerance);
  const WorldTotals totals = ComputeWorldTotals(data);
  const std::string units = data.units.empty() ? "" : " " + data.units;

  std::cout << fmt::format("Benchmark   {} ({})\n", data.name, arguments.data_path);
  if (data.year != 0) std::cout << fmt::format("Year        {}\n", data.year);
  if (!data.source.empty()) std::cout << fmt::format("Source      {}\n", data.source);
  std::cout << fmt::format("Dimensions  {} regions, {} sectors, {} factors, {} households\n",
                           data.num_regions(), data.num_sectors(), data.num_factors(),
                           NumHouseholds(data));

  double tariff_revenue = 0.0, export_tax_revenue = 0.0, spending = 0.0, income = 0.0;
  for (const RegionAccounts& region : accounts.regions) {
    tariff_revenue += region.tariff_revenue;
    export_tax_revenue += region.export_tax_revenue;
    spending += region.spending;
    income += region.income();
  }
  std::cout << fmt::format("\nWorld totals{}\n", units.empty() ? "" : " (" + data.units + ")");
  std::cout << fmt::format("  {:<28} {:>16.6g}\n", "output (sales, home included)", totals.output);
  std::cout << fmt::format("  {:<28} {:>16.6g}\n", "cross-border trade", totals.trade);
  std::cout << fmt::format("  {:<28} {:>16.6g}\n", "intermediate use", totals.intermediates);
  for (std::size_t f = 0; f < data.num_factors(); ++f) {
    std::cout << fmt::format("  {:<28} {:>16.6g}\n", "factor income: " + data.factors[f].name,
                             totals.factor_income[f]);
  }
  std::cout << fmt::format("  {:<28} {:>16.6g}\n", "tariff revenue", tariff_revenue);
  std::cout << fmt::format("  {:<28} {:>16.6g}\n", "export tax revenue", export_tax_revenue);
  std::cout << fmt::format("  {:<28} {:>16.6g}\n", "income", income);
  std::cout << fmt::format("  {:<28} {:>16.6g}\n", "final spending", spending);

  std::cout << "\nDeficits (spending - income)\n";
  std::cout << fmt::format("  {:<12} {:>16} {:>16} {:>10}\n", "region", "income", "deficit",
                           "% income");
  for (std::size_t r = 0; r < accounts.regions.size() && r < data.num_regions(); ++r) {
    const RegionAccounts& region = accounts.regions[r];
    const double share = region.income() != 0.0 ? 100.0 * region.deficit / region.income() : 0.0;
    std::cout << fmt::format("  {:<12} {:>16.6g} {:>16.6g} {:>10.3f}\n", data.regions[r],
                             region.income(), region.deficit, share);
  }

  std::cout << fmt::format("\nIdentities (relative tolerance {:g}): largest relative gap {:.3e}\n",
                           kIdentityTolerance, accounts.largest_relative_gap);
  if (accounts.failures.empty()) {
    std::cout << "  all hold\n";
  } else {
    std::cout << fmt::format("  {} FAIL:\n", accounts.failures.size());
    for (const IdentityFailure& failure : accounts.failures) {
      std::cout << fmt::format("  {:<40} lhs {:.10g}  rhs {:.10g}  gap {:.3e} (relative {:.3e})\n",
                               failure.account, failure.lhs, failure.rhs,
                               std::abs(failure.lhs - failure.rhs), failure.relative);
    }
  }

  std::cout << "\nBenchmark replication\n";
  try {
    const Model model = Model::Calibrate(data);
    const double residual = BenchmarkReplicationResidual(model);
    std::cout << fmt::format("  {} unknowns; max scaled residual at the benchmark {:.3e} ({})\n",
                             model.num_variables(), residual,
                             residual <= kReplicationTolerance ? "ok" : "ABOVE 1e-10");
  } catch (const InputError& error) {
    std::cout << fmt::format("  cannot calibrate a model: {}\n", error.what());
    return kBadInput;
  }
  return accounts.failures.empty() ? kSuccess : kBadInput;
}

}  // namespace ohlin::app
