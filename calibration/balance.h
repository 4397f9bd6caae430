// Balancing a benchmark (`ohlin balance`): restores the identities of MODEL.md section 2 by the
// smallest relative adjustments, and says which accounts moved and by how much.
//
// Method: least squares on relative adjustments (a chi-square or "weighted least squares"
// balancing, as for input-output tables). Trade flows and every rate are kept: they are the
// observed side of most data sets and they fix each sector's output value and each good's
// absorption at purchaser prices. Each region's factor payments, intermediates and final demand
// v_k move to v_k (1 + d_k), minimising sum_k v_k d_k^2 subject to
//   zero profit:       sum_f VFM[f,i,r] + sum_j VIM[j,i,r] = sum_s X[i,r,s]          (each i, r)
//   composite market:  sum_i VIM[j,i,r] + sum_h VFD[j,r,h] = sum_o V[j,o,r]         (each j, r)
// The constraints are linear, so the solution is exact: d = A' lambda with
// (A diag(v) A') lambda = b - A v, one small dense system per region (2S equations). Cells that
// are zero stay zero, so the pattern of the data is kept. With both identities, the income
// identity and the world deficit sum hold too (Walras' law in the data).
#pragma once

#include <string>
#include <vector>

#include "calibration/benchmark.h"

namespace ohlin {

struct BalanceOptions {
  // Refuse (InputError) when any relative adjustment |d_k| exceeds this.
  double tolerance = 0.05;
  // Adjustments at least this large (relative) are listed in the report.
  double report_threshold = 1e-4;
  // A benchmark whose largest relative identity gap is at most this is left unchanged.
  double already_balanced = 1e-12;
};

struct Adjustment {
  std::string account;  // e.g. "factor_payments USA/MAN/capital"
  double before = 0.0;
  double after = 0.0;
  double relative() const { return before != 0.0 ? after / before - 1.0 : 0.0; }
};

struct BalanceReport {
  double gap_before = 0.0;  // largest relative identity gap
  double gap_after = 0.0;
  double largest_adjustment = 0.0;  // max |d_k|
  int accounts_moved = 0;           // cells with d_k != 0
  std::vector<Adjustment> adjustments;  // |d_k| >= report_threshold, largest first
};

// Returns the balanced benchmark. Throws InputError when an adjustment exceeds the tolerance
// (the message names the largest ones) or when an identity cannot be met (e.g. a sector with
// output but no cost cell to adjust).
Benchmark Balance(const Benchmark& data, const BalanceOptions& options, BalanceReport* report);

}  // namespace ohlin
