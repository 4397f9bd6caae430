// Balancing a benchmark by least squares on relative adjustments: see balance.h.
#include "calibration/balance.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "calibration/accounts.h"
#include "calibration/errors.h"

namespace ohlin {
namespace {

// A cell that balancing may move: a pointer into the benchmark and the identities it enters.
struct Cell {
  double* value = nullptr;
  int zero_profit = -1;  // sector i whose costs it is part of, or -1
  int composite = -1;    // good j whose use it is part of, or -1
};

std::vector<Cell> RegionCells(Benchmark* data, std::size_t r) {
  std::vector<Cell> cells;
  const std::size_t num_i = data->num_sectors();
  for (std::size_t f = 0; f < data->num_factors(); ++f) {
    for (std::size_t i = 0; i < num_i; ++i) {
      double& value = data->factor_payments(f, i, r);
      if (value > 0.0) cells.push_back({&value, static_cast<int>(i), -1});
    }
  }
  for (std::size_t j = 0; j < num_i; ++j) {
    for (std::size_t i = 0; i < num_i; ++i) {
      double& value = data->intermediates(j, i, r);
      if (value > 0.0) cells.push_back({&value, static_cast<int>(i), static_cast<int>(j)});
    }
  }
  for (std::vector<double>& household : data->final_demand[r]) {
    for (std::size_t j = 0; j < num_i; ++j) {
      if (household[j] > 0.0) cells.push_back({&household[j], -1, static_cast<int>(j)});
    }
  }
  return cells;
}

// One least-squares step for region r: moves its cells so that both identities hold. A region
// whose identities already hold to `already_balanced` (relative) is left as it is.
void BalanceRegion(Benchmark* data, std::size_t r, double already_balanced) {
  const std::size_t num_i = data->num_sectors();
  const Eigen::Index size = static_cast<Eigen::Index>(2 * num_i);
  Eigen::VectorXd gap = Eigen::VectorXd::Zero(size);  // b - A v
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t s = 0; s < data->num_regions(); ++s) {
      const double x = data->trade(i, r, s);
      gap[static_cast<Eigen::Index>(i)] += x;
      const double landed = data->trade(i, s, r);
      gap[static_cast<Eigen::Index>(num_i + i)] +=
          landed * (1.0 + data->export_taxes(i, s, r)) * (1.0 + data->tariffs(i, s, r));
    }
  }
  const std::vector<Cell> cells = RegionCells(data, r);
  const Eigen::VectorXd target = gap;
  Eigen::MatrixXd normal = Eigen::MatrixXd::Zero(size, size);  // A diag(v) A'
  for (const Cell& cell : cells) {
    Eigen::Index rows[2];
    int count = 0;
    if (cell.zero_profit >= 0) rows[count++] = cell.zero_profit;
    if (cell.composite >= 0) rows[count++] = static_cast<Eigen::Index>(num_i) + cell.composite;
    for (int a = 0; a < count; ++a) {
      gap[rows[a]] -= *cell.value;
      for (int b = 0; b < count; ++b) normal(rows[a], rows[b]) += *cell.value;
    }
  }
  double largest_relative_gap = 0.0;
  for (Eigen::Index c = 0; c < size; ++c) {
    const double scale = std::max(std::abs(target[c]), std::abs(target[c] - gap[c]));
    if (scale > 0.0) largest_relative_gap = std::max(largest_relative_gap, std::abs(gap[c]) / scale);
  }
  if (largest_relative_gap <= already_balanced) return;
  const Eigen::VectorXd lambda = normal.completeOrthogonalDecomposition().solve(gap);
  for (const Cell& cell : cells) {
    double change = 0.0;
    if (cell.zero_profit >= 0) change += lambda[cell.zero_profit];
    if (cell.composite >= 0) change += lambda[static_cast<Eigen::Index>(num_i) + cell.composite];
    *cell.value *= 1.0 + change;
  }
}

}  // namespace

Benchmark Balance(const Benchmark& data, const BalanceOptions& options, BalanceReport* report) {
  BalanceReport local;
  BalanceReport& out = report != nullptr ? *report : local;
  out = BalanceReport{};
  out.gap_before = ComputeAccounts(data).largest_relative_gap;
  if (out.gap_before <= options.already_balanced) {
    out.gap_after = out.gap_before;
    return data;
  }
  Benchmark balanced = data;
  for (int pass = 0; pass < 4; ++pass) {
    for (std::size_t r = 0; r < balanced.num_regions(); ++r) BalanceRegion(&balanced, r, options.already_balanced);
    out.gap_after = ComputeAccounts(balanced).largest_relative_gap;
    if (out.gap_after <= options.already_balanced) break;
  }

  // What moved, by how much.
  const auto record = [&](std::string account, double before, double after) {
    if (before == after) return;
    if (after < 0.0) {
      throw InputError(fmt::format("balance: refused: {} would become negative ({:.10g} -> {:.10g})",
                                   account, before, after));
    }
    ++out.accounts_moved;
    const Adjustment adjustment{std::move(account), before, after};
    const double size = std::abs(adjustment.relative());
    out.largest_adjustment = std::max(out.largest_adjustment, size);
    if (size >= options.report_threshold) out.adjustments.push_back(adjustment);
  };
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    const std::string& region = data.regions[r];
    for (std::size_t i = 0; i < data.num_sectors(); ++i) {
      for (std::size_t f = 0; f < data.num_factors(); ++f) {
        record(fmt::format("factor_payments {}/{}/{}", region, data.sectors[i],
                           data.factors[f].name),
               data.factor_payments(f, i, r), balanced.factor_payments(f, i, r));
      }
      for (std::size_t j = 0; j < data.num_sectors(); ++j) {
        record(fmt::format("intermediates {}/{} in {}", region, data.sectors[j],
                           data.sectors[i]),
               data.intermediates(j, i, r), balanced.intermediates(j, i, r));
      }
      for (std::size_t h = 0; h < data.final_demand[r].size(); ++h) {
        record(fmt::format("final_demand {}/{}/{}", region, data.households[r][h].name,
                           data.sectors[i]),
               data.final_demand[r][h][i], balanced.final_demand[r][h][i]);
      }
    }
  }
  std::sort(out.adjustments.begin(), out.adjustments.end(),
            [](const Adjustment& a, const Adjustment& b) {
              return std::abs(a.relative()) > std::abs(b.relative());
            });

  if (out.gap_after > 1e-9) {
    throw InputError(fmt::format(
        "balance: the identities cannot all be met by moving factor payments, intermediates and "
        "final demand (largest relative gap left {:.3e}); a sector with output needs a cost "
        "cell, a good that is absorbed needs a use cell",
        out.gap_after));
  }
  if (out.largest_adjustment > options.tolerance) {
    std::string largest;
    for (std::size_t k = 0; k < out.adjustments.size() && k < 5; ++k) {
      const Adjustment& adjustment = out.adjustments[k];
      largest += fmt::format("\n  {}: {:.10g} -> {:.10g} ({:+.3f}%)", adjustment.account,
                             adjustment.before, adjustment.after, 100.0 * adjustment.relative());
    }
    throw InputError(fmt::format(
        "balance: refused: the largest relative adjustment {:.4g} exceeds the tolerance {:.4g} "
        "(the data are further from balance than a repair should hide); largest:{}",
        out.largest_adjustment, options.tolerance, largest));
  }
  return balanced;
}

}  // namespace ohlin
