// `ohlin import gtap` and `ohlin import wiod`: convert a published data base into a benchmark,
// say what was folded and what the balance step moved, and write it only when it passes the
// accounting identities.
#include <fmt/format.h>

#include <iostream>
#include <string>

#include "app/commands.h"
#include "calibration/accounts.h"
#include "calibration/balance.h"
#include "calibration/errors.h"
#include "calibration/gtap_import.h"
#include "calibration/wiod_import.h"
#include "calibration/writer.h"

namespace ohlin::app {
namespace {

constexpr double kIdentityTolerance = 1e-6;  // as `ohlin check`

void PrintBalance(const BalanceReport& report, double threshold) {
  std::cout << fmt::format("balance: largest relative identity gap before {:.3e}, after {:.3e}; ",
                           report.gap_before, report.gap_after);
  if (report.accounts_moved == 0) {
    std::cout << "nothing moved\n";
    return;
  }
  std::cout << fmt::format("{} values moved, largest {:.3e}; {} at or above {:g}\n",
                           report.accounts_moved, report.largest_adjustment,
                           report.adjustments.size(), threshold);
  for (const Adjustment& adjustment : report.adjustments) {
    std::cout << fmt::format("  {:<48} {:>16.10g} -> {:<16.10g} {:+.4f}%\n", adjustment.account,
                             adjustment.before, adjustment.after, 100.0 * adjustment.relative());
  }
}

std::string WriteChecked(const Benchmark& data, const std::string& out_dir, const char* what) {
  const Accounts accounts = ComputeAccounts(data, kIdentityTolerance);
  if (!accounts.failures.empty()) {
    const IdentityFailure& worst = accounts.failures.front();
    throw InputError(fmt::format("{}: the result fails {} identities, e.g. {} (relative gap "
                                 "{:.3e}); nothing written",
                                 what, accounts.failures.size(), worst.account, worst.relative));
  }
  return WriteBenchmark(data, out_dir);
}

}  // namespace

// The fold report, printed whether or not the import succeeds (it shows the cause of a refusal).
void PrintGtapReport(const GtapImportReport& report) {
  if (!report.generation.empty()) std::cout << "GTAP data base, " << report.generation << "\n";
  for (const std::string& file : report.files) std::cout << "  read " << file << "\n";
  if (!report.folds.empty()) std::cout << "folded into MODEL.md's accounts (world totals):\n";
  for (const GtapFold& fold : report.folds) {
    std::cout << fmt::format("  {:<72} {:>14.6g}  {:7.3f}% of {}\n", fold.what, fold.value,
                             100.0 * fold.share, fold.of);
  }
  if (!report.cells.empty()) std::cout << "cell by cell:\n";
  for (const std::string& cell : report.cells) std::cout << "  " << cell << "\n";
  for (const std::string& note : report.notes) std::cout << "  " << note << "\n";
}

int RunImportGtap(const ImportGtapArguments& arguments) {
  GtapImportOptions options;
  options.balance.tolerance = arguments.tolerance;
  options.balance.report_threshold = arguments.report_threshold;
  GtapImportReport report;
  Benchmark data;
  try {
    data = ImportGtap(arguments.dir, options, &report);
  } catch (const InputError&) {
    PrintGtapReport(report);
    std::cout.flush();
    throw;
  }
  PrintGtapReport(report);
  std::cout << fmt::format("{} regions, {} sectors, {} factors\n", data.num_regions(),
                           data.num_sectors(), data.num_factors());
  PrintBalance(report.balance, arguments.report_threshold);
  std::cout << WriteChecked(data, arguments.out_dir, "ohlin import gtap") << "\n";
  return kSuccess;
}

int RunImportWiod(const ImportWiodArguments& arguments) {
  WiodImportOptions options;
  options.year = arguments.year;
  options.balance.tolerance = arguments.tolerance;
  options.balance.report_threshold = arguments.report_threshold;
  WiodImportReport report;
  const Benchmark data = ImportWiod(arguments.wiot_path, arguments.sea_path, options, &report);
  std::cout << fmt::format("WIOD {}: {} regions, {} sectors, factors LAB and CAP\n",
                           arguments.year, data.num_regions(), data.num_sectors());
  for (const std::string& note : report.notes) std::cout << "  " << note << "\n";
  PrintBalance(report.balance, arguments.report_threshold);
  std::cout << WriteChecked(data, arguments.out_dir, "ohlin import wiod") << "\n";
  return kSuccess;
}

}  // namespace ohlin::app
