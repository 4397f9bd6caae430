#include "games/sensitivity.h"

#include <Eigen/Sparse>
#include <Eigen/UmfPackSupport>

namespace ohlin::games {

struct TariffSensitivity::Factor {
  Eigen::SparseMatrix<double> transposed;
  Eigen::UmfPackLU<Eigen::SparseMatrix<double>> lu;
};

TariffSensitivity::TariffSensitivity(const EquilibriumSystem& system, const std::vector<double>& x,
                                     const std::vector<Flow>& flows)
    : factor_(std::make_unique<Factor>()) {
  const int n = system.num_rows();
  std::vector<double> residuals(n), values(static_cast<std::size_t>(system.num_nonzeros()));
  if (!system.Evaluate(x.data(), residuals.data(), values.data())) return;
  // The CSR arrays of J are the CSC arrays of J'.
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(values.size());
  for (int row = 0; row < n; ++row) {
    for (int k = system.row_start()[row]; k < system.row_start()[row + 1]; ++k) {
      triplets.emplace_back(system.columns()[k], row, values[k]);
    }
  }
  factor_->transposed.resize(n, n);
  factor_->transposed.setFromTriplets(triplets.begin(), triplets.end());
  factor_->transposed.makeCompressed();
  factor_->lu.compute(factor_->transposed);
  if (factor_->lu.info() != Eigen::Success) return;
  columns_.resize(flows.size());
  for (std::size_t k = 0; k < flows.size(); ++k) {
    system.TariffDerivative(x.data(), flows[k].sector, flows[k].exporter, flows[k].importer,
                            &columns_[k]);
  }
  ok_ = true;
}

TariffSensitivity::~TariffSensitivity() = default;

std::vector<double> TariffSensitivity::Adjoint(const std::vector<double>& dg_dx) const {
  const Eigen::Map<const Eigen::VectorXd> rhs(dg_dx.data(), static_cast<Eigen::Index>(dg_dx.size()));
  const Eigen::VectorXd lambda = factor_->lu.solve(rhs);
  return std::vector<double>(lambda.data(), lambda.data() + lambda.size());
}

std::vector<double> TariffSensitivity::Gradient(const std::vector<double>& dg_dx) const {
  const std::vector<double> lambda = Adjoint(dg_dx);
  std::vector<double> gradient(columns_.size(), 0.0);
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    for (const auto& [row, value] : columns_[k]) gradient[k] -= lambda[row] * value;
  }
  return gradient;
}

}  // namespace ohlin::games
