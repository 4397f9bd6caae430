// CES price kernels in calibrated-share form, in logs (MODEL.md section 3).
//
// For shares theta_k (summing to 1) and log price hats l_k, the log of the CES unit cost hat is
//   L = (1/rho) log( sum_k theta_k exp(rho l_k) ),   rho = 1 - sigma,
// with the Cobb–Douglas limit L = sum_k theta_k l_k at rho = 0 and Leontief at rho = 1. Its
// derivative dL/dl_k is the current cost share theta_k exp(rho (l_k - L)) (Shephard's lemma),
// which is how every demand in model/ is written.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace ohlin {

// Log CES cost index. `log_prices[k]` for k < n; `shares_out` (may be null) receives the current
// cost shares. Stable for every rho: near rho = 0 it uses expm1/log1p so that sigma -> 1
// converges smoothly to the Cobb–Douglas formula; far from it, log-sum-exp avoids overflow.
template <typename LogPriceAt>
double LogCesIndex(double rho, std::size_t n, const double* shares, LogPriceAt log_price_at,
                   double* shares_out) {
  double result = 0.0;
  if (rho == 0.0) {
    for (std::size_t k = 0; k < n; ++k) result += shares[k] * log_price_at(k);
    if (shares_out != nullptr) std::copy(shares, shares + n, shares_out);
    return result;
  }
  double largest = -HUGE_VAL;
  for (std::size_t k = 0; k < n; ++k) largest = std::max(largest, std::abs(rho * log_price_at(k)));
  if (largest < 0.5) {
    // sum theta (e^{rho l} - 1) is accurate to relative rounding even when rho l is tiny.
    double sum = 0.0;
    for (std::size_t k = 0; k < n; ++k) sum += shares[k] * std::expm1(rho * log_price_at(k));
    result = std::log1p(sum) / rho;
  } else {
    double peak = -HUGE_VAL;
    for (std::size_t k = 0; k < n; ++k) peak = std::max(peak, rho * log_price_at(k));
    double sum = 0.0;
    for (std::size_t k = 0; k < n; ++k) sum += shares[k] * std::exp(rho * log_price_at(k) - peak);
    result = (peak + std::log(sum)) / rho;
  }
  if (shares_out != nullptr) {
    for (std::size_t k = 0; k < n; ++k) {
      shares_out[k] = shares[k] * std::exp(rho * (log_price_at(k) - result));
    }
  }
  return result;
}

// log( sum_k weight_k exp(z_k) ) with softmax weights out: d/dz_k = weights_out[k].
template <typename ExponentAt>
double LogSumExp(std::size_t n, const double* weights, ExponentAt exponent_at,
                 double* weights_out) {
  double peak = -HUGE_VAL;
  for (std::size_t k = 0; k < n; ++k) peak = std::max(peak, exponent_at(k));
  double sum = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double term = weights[k] * std::exp(exponent_at(k) - peak);
    weights_out[k] = term;
    sum += term;
  }
  for (std::size_t k = 0; k < n; ++k) weights_out[k] /= sum;
  return peak + std::log(sum);
}

}  // namespace ohlin
