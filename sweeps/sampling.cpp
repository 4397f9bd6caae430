#include "sweeps/sampling.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <numbers>

namespace ohlin::sweeps {
namespace {

std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A uniform number in (0, 1) from a 64-bit word: 53 bits, never 0.
double Unit(std::uint64_t word) {
  return (static_cast<double>(word >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace

std::vector<std::vector<double>> StroudPoints(int n) {
  std::vector<std::vector<double>> points(static_cast<std::size_t>(2 * n),
                                          std::vector<double>(static_cast<std::size_t>(n)));
  for (int k = 1; k <= 2 * n; ++k) {
    std::vector<double>& z = points[static_cast<std::size_t>(k - 1)];
    for (int r = 1; 2 * r <= n; ++r) {
      const double angle = (2.0 * r - 1.0) * k * std::numbers::pi / n;
      z[static_cast<std::size_t>(2 * r - 2)] = std::sqrt(2.0) * std::cos(angle);
      z[static_cast<std::size_t>(2 * r - 1)] = std::sqrt(2.0) * std::sin(angle);
    }
    if (n % 2 == 1) z[static_cast<std::size_t>(n - 1)] = k % 2 == 0 ? 1.0 : -1.0;
  }
  return points;
}

double StandardDraw(Distribution distribution, std::uint64_t seed, long long draw,
                    int component) {
  const std::uint64_t key = SplitMix64(SplitMix64(SplitMix64(seed) ^ static_cast<std::uint64_t>(draw)) ^
                                       static_cast<std::uint64_t>(component));
  const double u1 = Unit(SplitMix64(key ^ 1));
  const double u2 = Unit(SplitMix64(key ^ 2));
  switch (distribution) {
    case Distribution::kUniform:
      return (2.0 * u1 - 1.0) * std::sqrt(3.0);
    case Distribution::kTriangular:
      return (u1 + u2 - 1.0) * std::sqrt(6.0);
    case Distribution::kNormal:
      return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  return 0.0;
}

Sample MakeSample(const Sensitivity& analysis) {
  const int n = static_cast<int>(analysis.components.size());
  const auto un = static_cast<Eigen::Index>(n);
  Eigen::MatrixXd r(un, un);
  for (Eigen::Index a = 0; a < un; ++a) {
    for (Eigen::Index b = 0; b < un; ++b) {
      r(a, b) = analysis.correlation[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
    }
  }
  const Eigen::MatrixXd l = Eigen::LLT<Eigen::MatrixXd>(r).matrixL();
  std::vector<std::vector<double>> z;
  if (analysis.method == SensitivityMethod::kQuadrature) {
    z = StroudPoints(n);
  } else {
    z.resize(static_cast<std::size_t>(analysis.draws), std::vector<double>(static_cast<std::size_t>(n)));
    for (long long d = 0; d < analysis.draws; ++d) {
      for (int c = 0; c < n; ++c) {
        z[static_cast<std::size_t>(d)][static_cast<std::size_t>(c)] = StandardDraw(
            analysis.components[static_cast<std::size_t>(c)].distribution, analysis.seed, d, c);
      }
    }
  }
  Sample sample;
  for (const std::vector<double>& point : z) {
    const Eigen::VectorXd y = l * Eigen::Map<const Eigen::VectorXd>(point.data(), un);
    std::vector<double> values(static_cast<std::size_t>(n));
    std::vector<double> mixed(static_cast<std::size_t>(n));
    for (int c = 0; c < n; ++c) {
      const UncertainComponent& component = analysis.components[static_cast<std::size_t>(c)];
      mixed[static_cast<std::size_t>(c)] = y(c);
      values[static_cast<std::size_t>(c)] = component.base + component.scale * y(c);
    }
    sample.values.push_back(values);
    sample.mixed.push_back(mixed);
  }
  sample.weights.assign(z.size(), 1.0 / static_cast<double>(z.size()));
  return sample;
}

}  // namespace ohlin::sweeps
