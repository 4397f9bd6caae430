// Where each region's welfare change comes from (MODEL.md section 6, "Decomposition"): the
// equivalent variation split into terms of trade, the allocative efficiency of each kind of
// wedge, iceberg trade costs, lost varieties, endowments, technology, deficits and, with several
// households, redistribution.
//
// The split is exact, not a first-order guess. Along a path of equilibria from the benchmark
// (lambda = 0) to the counterfactual (lambda = 1) the change of household h's EV is
//   dEV_h = (dE_h - sum_i c_ih dP_i) / P_C,h,
// and the region's dE - C.dP = sum_i P_i dC_i is, by zero profit, market clearing and the
// envelope theorem, a sum of the components below (the algebra is in docs/MODEL.md). Each
// component is integrated along the path by the trapezoid rule on its own products; the
// integration error is measured (components against the exact EV) and reported.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "model/equilibrium.h"
#include "model/model.h"
#include "model/policy.h"

namespace ohlin {

// Component names, in the order of decomposition.csv.
enum class WelfareComponent {
  kTermsOfTrade,   // world (fob) prices of exports minus imports, times shipped quantities
  kTariffs,        // allocative efficiency: tariff wedge times the change in imports
  kExportTaxes,    // export-tax wedge times the change in exports
  kFactorTaxes,    // factor-tax wedge times the change in factor use
  kNtbRents,       // rent wedges of NTBs and quotas times the change in the flows they tax
  kIcebergCosts,   // resources lost in transit: import value times the change in log(1+ntb)
  kExportBans,     // varieties lost to bans (market access)
  kEndowments,     // factor supplies (endowment shocks and elastic supply) at factor prices
  kTechnology,     // productivity, Hicks-neutral and factor-augmenting
  kDeficit,        // transfers from abroad (change in the region's deficit)
  kRedistribution, // income moved between the region's households (0 with one household)
  kCount
};
const char* WelfareComponentName(WelfareComponent component);  // e.g. "terms_of_trade"
constexpr int kNumWelfareComponents = static_cast<int>(WelfareComponent::kCount);

// The levels one point of the path contributes to the integrals (benchmark currency units;
// prices as hats). Built by WelfarePath::Point; only differences of two points are used.
struct WelfarePoint {
  std::vector<double> flow;       // per cross-border flow, the path's stored flow fields
  std::vector<double> sector;     // per sector with output: p Y, log a
  std::vector<double> factor;     // per (f, i, r) payment: w t, F, w (1 + t) F, log a_f
  std::vector<double> supply;     // per factor market: w, L
  std::vector<double> household;  // per household: E, 1/P_C, then c_i per good of its region
  std::vector<double> price;      // composite price hat per (i, r) (0 when absent)
  std::vector<double> deficit;    // per region
};

// Components of each region, and their sum, in benchmark currency.
struct WelfareSplit {
  std::vector<std::vector<double>> value;  // [region][component]
  void Add(const WelfareSplit& other, double weight);
};

class WelfarePath {
 public:
  // The path from policy `from` to `to` (InterpolatePolicy's path). A point keeps only the flow
  // fields whose products can be nonzero on it: a wedge that is zero at both ends is zero
  // throughout, an ntb or market access equal at both ends stays so; what is left out would
  // only add exact zeros to the components (a tariff shock keeps 4 of 11).
  WelfarePath(const Model& model, const Policy& from, const Policy& to);
  // The levels at a solved point x of model(policy); the flows on `num_threads` threads (the
  // same numbers whatever the threads).
  WelfarePoint Point(const Policy& policy, const std::vector<double>& x,
                     int num_threads = 1) const;
  // The same with the system of model(policy) made already (e.g. by the solve of x).
  WelfarePoint Point(const EquilibriumSystem& system, const std::vector<double>& x,
                     int num_threads = 1) const;
  // The components accumulated from `a` to `b` (trapezoid rule on each product).
  WelfareSplit Interval(const WelfarePoint& a, const WelfarePoint& b) const;
  WelfareSplit Zero() const;

 private:
  struct Flow {
    int i, r, s;
  };
  const Model& model_;
  std::vector<int> slot_;    // per flow field: its place in a flow's stored values, or -1
  int stored_fields_ = 0;
  // Which wedges' products are integrated (the others are zero on the path).
  bool tariffs_ = true, importer_rents_ = true, export_taxes_ = true, exporter_rents_ = true;
  bool iceberg_ = true, access_ = true;
  std::vector<Flow> flows_;  // cross-border flows with benchmark trade
  std::vector<std::pair<int, int>> sectors_;  // (i, r)
  std::vector<std::array<int, 3>> payments_;  // (f, i, r) with VFM > 0 and a sector
  std::vector<std::array<int, 3>> markets_;   // factor markets (f, i or -1, r)
  std::vector<int> household_offset_;         // into WelfarePoint::household, per (r, h) flat
};

}  // namespace ohlin
