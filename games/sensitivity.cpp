#include "games/sensitivity.h"

#include <limits>

namespace ohlin::games {

TariffSensitivity::TariffSensitivity(const EquilibriumSystem& system, const std::vector<double>& x,
                                     const std::vector<Flow>& flows)
    : owned_(std::make_unique<JacobianLu>()), system_(&system) {
  std::vector<double> residuals(system.num_rows());
  values_.resize(static_cast<std::size_t>(system.num_nonzeros()));
  if (!system.Evaluate(x.data(), residuals.data(), values_.data())) return;
  if (!owned_->Factorise(system, values_)) return;
  lu_ = owned_.get();
  Columns(system, x, flows);
}

TariffSensitivity::TariffSensitivity(const EquilibriumSystem& system, const std::vector<double>& x,
                                     const std::vector<Flow>& flows,
                                     const std::vector<double>& values, JacobianLu* lu)
    : lu_(lu), system_(&system), values_(values) {
  Columns(system, x, flows);
}

void TariffSensitivity::Columns(const EquilibriumSystem& system, const std::vector<double>& x,
                                const std::vector<Flow>& flows) {
  columns_.resize(flows.size());
  for (std::size_t k = 0; k < flows.size(); ++k) {
    const Flow& f = flows[k];
    if (f.export_tax) {
      system.ExportTaxDerivative(x.data(), f.sector, f.exporter, f.importer, &columns_[k]);
    } else {
      system.TariffDerivative(x.data(), f.sector, f.exporter, f.importer, &columns_[k]);
    }
  }
  ok_ = true;
}

std::vector<double> TariffSensitivity::Adjoint(const std::vector<double>& dg_dx,
                                               std::vector<double> start) const {
  std::vector<double> lambda = std::move(start);
  if (!lu_->SolveTransposedNear(*system_, values_, dg_dx, &lambda)) {
    lambda.assign(dg_dx.size(), std::numeric_limits<double>::quiet_NaN());
  }
  return lambda;
}

std::vector<double> TariffSensitivity::Gradient(const std::vector<double>& dg_dx,
                                                std::vector<double>* adjoint) const {
  const std::vector<double> lambda =
      Adjoint(dg_dx, adjoint != nullptr ? *adjoint : std::vector<double>{});
  if (adjoint != nullptr) *adjoint = lambda;
  std::vector<double> gradient(columns_.size(), 0.0);
  for (std::size_t k = 0; k < columns_.size(); ++k) {
    for (const auto& [row, value] : columns_[k]) gradient[k] -= lambda[row] * value;
  }
  return gradient;
}

}  // namespace ohlin::games
