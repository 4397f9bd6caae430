// The exogenous variables of a counterfactual (MODEL.md sections 3-4): counterfactual rates
// and levels. A Policy made by Policy::Benchmark(data) reproduces the benchmark.
#pragma once

#include <vector>

#include "calibration/benchmark.h"
#include "calibration/tensor.h"

namespace ohlin {

struct Policy {
  Tensor3 tariffs;                // tm'(i, r, s)
  Tensor3 export_taxes;           // tx'(i, r, s)
  Tensor3 ntb;                    // ntb'(i, r, s), iceberg
  Tensor3 factor_productivity;    // a(f, i, r), benchmark 1
  std::vector<double> productivity;  // a(i, r) at [i * N + r], benchmark 1
  std::vector<double> endowment;     // E_f(f, r) at [f * N + r], benchmark 1
  std::vector<double> deficit;       // D'[r], in units of the numeraire (benchmark currency)
  Tensor3 factor_tax;                // t(f, i, r), ad valorem on factor payments, benchmark 0
  std::vector<double> income_tax;    // per region, on household factor income, benchmark 0

  static Policy Benchmark(const ohlin::Benchmark& data);  // deficits from ComputeAccounts
  double& productivity_at(std::size_t i, std::size_t r, std::size_t num_regions) {
    return productivity[i * num_regions + r];
  }
  double& endowment_at(std::size_t f, std::size_t r, std::size_t num_regions) {
    return endowment[f * num_regions + r];
  }
};

}  // namespace ohlin
