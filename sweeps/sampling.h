// The points of a sensitivity analysis (FORMATS.md "Sensitivity analysis"): Stroud's
// degree-3 quadrature (2n points, as GEMPACK's systematic sensitivity analysis: Arndt 1996,
// Pearson & Arndt 2000) or seeded Monte Carlo draws, in standardized coordinates z (each
// component mean 0, variance 1, the distribution's shape), mixed by the Cholesky factor of the
// correlation matrix and mapped to values base + scale * y.
#pragma once

#include <cstdint>
#include <vector>

#include "sweeps/spec.h"

namespace ohlin::sweeps {

struct Sample {
  std::vector<std::vector<double>> values;  // [point][component]
  std::vector<std::vector<double>> mixed;   // [point][component]: y = L z, in standard deviations
  std::vector<double> weights;              // sum to 1
};

// Stroud's degree-3 rule for n independent symmetric variables of unit variance: 2n points of
// weight 1/(2n), z(k, 2r-1) = sqrt(2) cos((2r-1) k pi / n), z(k, 2r) = sqrt(2) sin(...),
// r = 1..n/2, and z(k, n) = (-1)^k when n is odd (k = 1..2n). Exact for every polynomial of
// degree <= 3 in z (Stroud 1957).
std::vector<std::vector<double>> StroudPoints(int n);

// Draw d of component c: a portable generator (splitmix64 of seed, d, c), so a draw does not
// depend on the order draws are made in: uniform on [-sqrt(3), sqrt(3)], triangular on
// [-sqrt(6), sqrt(6)] (the mean of two uniforms), or normal (Box–Muller).
double StandardDraw(Distribution distribution, std::uint64_t seed, long long draw, int component);

// The points of the analysis (2n for quadrature, `draws` for Monte Carlo).
Sample MakeSample(const Sensitivity& analysis);

}  // namespace ohlin::sweeps
