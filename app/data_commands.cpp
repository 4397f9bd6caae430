// `ohlin aggregate` and `ohlin balance`: turn a benchmark into another one, say what changed,
// and write it only when it passes the accounting identities.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <string>

#include "app/commands.h"
#include "calibration/accounts.h"
#include "calibration/aggregate.h"
#include "calibration/balance.h"
#include "calibration/errors.h"
#include "calibration/loader.h"
#include "calibration/writer.h"

namespace ohlin::app {
namespace {

// Relative tolerance of the identities a written benchmark must pass (as `ohlin check`).
constexpr double kIdentityTolerance = 1e-6;

void RequireBalanced(const Benchmark& data, const std::string& what) {
  const Accounts accounts = ComputeAccounts(data, kIdentityTolerance);
  if (accounts.failures.empty()) return;
  const IdentityFailure& worst = accounts.failures.front();
  throw InputError(fmt::format("{}: the result fails {} identities, e.g. {} (relative gap "
                               "{:.3e}); nothing written",
                               what, accounts.failures.size(), worst.account, worst.relative));
}

}  // namespace

int RunAggregate(const AggregateArguments& arguments) {
  const Benchmark data = LoadBenchmark(arguments.data_path);
  const AggregationMap map = LoadAggregationMap(arguments.map_path, data);
  AggregationReport report;
  const Benchmark aggregated = Aggregate(data, map, &report);
  RequireBalanced(aggregated, "ohlin aggregate");
  std::cout << fmt::format("{} regions, {} sectors, {} factors -> {} regions, {} sectors, {} "
                           "factors\n",
                           data.num_regions(), data.num_sectors(), data.num_factors(),
                           aggregated.num_regions(), aggregated.num_sectors(),
                           aggregated.num_factors());
  for (const std::string& note : report.notes) std::cout << "  " << note << "\n";
  std::cout << fmt::format("largest relative identity gap {:.3e}\n",
                           ComputeAccounts(aggregated).largest_relative_gap);
  std::cout << WriteBenchmark(aggregated, arguments.out_dir) << "\n";
  return kSuccess;
}

int RunBalance(const BalanceArguments& arguments) {
  const Benchmark data = LoadBenchmark(arguments.data_path);
  BalanceOptions options;
  options.tolerance = arguments.tolerance;
  options.report_threshold = arguments.report_threshold;
  BalanceReport report;
  const Benchmark balanced = Balance(data, options, &report);
  RequireBalanced(balanced, "ohlin balance");
  std::cout << fmt::format("largest relative identity gap: before {:.3e}, after {:.3e}\n",
                           report.gap_before, report.gap_after);
  if (report.accounts_moved == 0) {
    std::cout << "already balanced: nothing moved\n";
  } else {
    std::cout << fmt::format(
        "{} accounts moved (least squares on relative adjustments; trade and rates kept); "
        "largest {:.3e}; {} at or above {:g}:\n",
        report.accounts_moved, report.largest_adjustment, report.adjustments.size(),
        options.report_threshold);
    for (const Adjustment& adjustment : report.adjustments) {
      std::cout << fmt::format("  {:<48} {:>16.10g} -> {:<16.10g} {:+.4f}%\n", adjustment.account,
                               adjustment.before, adjustment.after,
                               100.0 * adjustment.relative());
    }
  }
  std::cout << WriteBenchmark(balanced, arguments.out_dir) << "\n";
  return kSuccess;
}

}  // namespace ohlin::app
