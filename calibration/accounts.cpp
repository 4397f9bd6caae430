// Benchmark accounts and the identities of MODEL.md section 2.
#include "calibration/accounts.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace ohlin {
namespace {

// Accounts whose both sides are below this are empty and not checked.
constexpr double kEmptyAccount = 1e-300;

class IdentityChecker {
 public:
  IdentityChecker(double tolerance, Accounts* accounts)
      : tolerance_(tolerance), accounts_(accounts) {}

  // Checks lhs == rhs relative to `scale` (default: the larger side); `account()` names it,
  // called only for a failure (a string per check cost more than the check at GTAP size).
  template <class Name>
  void Check(const Name& account, double lhs, double rhs, double scale = -1.0) {
    if (scale < 0.0) scale = std::max(std::abs(lhs), std::abs(rhs));
    const double gap = std::abs(lhs - rhs);
    if (scale < kEmptyAccount) {
      if (gap < kEmptyAccount) return;
      scale = kEmptyAccount;
    }
    const double relative = gap / scale;
    accounts_->largest_relative_gap = std::max(accounts_->largest_relative_gap, relative);
    if (relative > tolerance_ || !std::isfinite(relative)) {
      accounts_->failures.push_back(IdentityFailure{account(), lhs, rhs, relative});
    }
  }

 private:
  double tolerance_;
  Accounts* accounts_;
};

}  // namespace

Accounts ComputeAccounts(const Benchmark& benchmark, double relative_tolerance) {
  const std::size_t num_r = benchmark.num_regions();
  const std::size_t num_i = benchmark.num_sectors();
  const std::size_t num_f = benchmark.num_factors();
  const Tensor3& vfm = benchmark.factor_payments;
  const Tensor3& vim = benchmark.intermediates;
  const Tensor3& trade = benchmark.trade;
  const Tensor3& tm = benchmark.tariffs;
  const Tensor3& tx = benchmark.export_taxes;

  // Every sum adds its terms in the order of the formulas (so the same bits as term by term),
  // with the loops in memory order (Tensor3's last index is contiguous): at GTAP size a loop
  // across the tables' strides cost more than the rest of calibrating.
  Accounts accounts;
  accounts.regions.assign(num_r, RegionAccounts{});
  std::vector<RegionAccounts>& regions = accounts.regions;
  for (std::size_t f = 0; f < num_f; ++f) {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) regions[r].factor_income += vfm(f, i, r);
    }
  }
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t s = 0; s < num_r; ++s) {
        // s as importer collects tm on the cif value X(1+tx); r as exporter collects tx on X.
        regions[s].tariff_revenue += tm(i, r, s) * trade(i, r, s) * (1.0 + tx(i, r, s));
        regions[r].export_tax_revenue += tx(i, r, s) * trade(i, r, s);
      }
    }
  }
  for (std::size_t r = 0; r < num_r; ++r) {
    RegionAccounts& region = regions[r];
    if (r < benchmark.final_demand.size()) {
      for (const std::vector<double>& household : benchmark.final_demand[r]) {
        for (double value : household) region.spending += value;
      }
    }
    region.deficit = region.spending - region.income();
  }

  IdentityChecker checker(relative_tolerance, &accounts);
  // Zero profit: sum_f VFM + sum_j VIM = sum_s X, per (i, r) at [i * num_r + r].
  std::vector<double> costs(num_i * num_r, 0.0);
  for (std::size_t f = 0; f < num_f; ++f) {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) costs[i * num_r + r] += vfm(f, i, r);
    }
  }
  for (std::size_t j = 0; j < num_i; ++j) {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) costs[i * num_r + r] += vim(j, i, r);
    }
  }
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t i = 0; i < num_i; ++i) {
      double output = 0.0;
      for (std::size_t s = 0; s < num_r; ++s) output += trade(i, r, s);
      checker.Check(
          [&] { return "zero profit " + benchmark.regions[r] + "/" + benchmark.sectors[i]; },
          costs[i * num_r + r], output);
    }
  }
  // Composite market: sum_r X(1+tx)(1+tm) = sum_j VIM(i,j,s) + sum_h VFD(i,s,h), per (i, s).
  std::vector<double> supply(num_i * num_r, 0.0);
  std::vector<double> demand(num_i * num_r, 0.0);
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t s = 0; s < num_r; ++s) {
        supply[i * num_r + s] += trade(i, r, s) * (1.0 + tx(i, r, s)) * (1.0 + tm(i, r, s));
      }
    }
    for (std::size_t j = 0; j < num_i; ++j) {
      for (std::size_t s = 0; s < num_r; ++s) demand[i * num_r + s] += vim(i, j, s);
    }
  }
  for (std::size_t s = 0; s < num_r; ++s) {
    for (std::size_t i = 0; i < num_i; ++i) {
      double& market_demand = demand[i * num_r + s];
      if (s < benchmark.final_demand.size()) {
        for (const std::vector<double>& household : benchmark.final_demand[s]) {
          if (i < household.size()) market_demand += household[i];
        }
      }
      checker.Check(
          [&] { return "composite market " + benchmark.regions[s] + "/" + benchmark.sectors[i]; },
          supply[i * num_r + s], market_demand);
    }
  }
  // World deficits sum to zero, relative to world spending.
  double world_deficit = 0.0;
  double world_spending = 0.0;
  for (const RegionAccounts& region : accounts.regions) {
    world_deficit += region.deficit;
    world_spending += region.spending;
  }
  checker.Check([] { return std::string("world deficits"); }, world_deficit, 0.0,
                std::abs(world_spending));

  std::stable_sort(accounts.failures.begin(), accounts.failures.end(),
                   [](const IdentityFailure& a, const IdentityFailure& b) {
                     return a.relative > b.relative;
                   });
  return accounts;
}

}  // namespace ohlin
