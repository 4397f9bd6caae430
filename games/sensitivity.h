// Derivatives of functions of the equilibrium with respect to tariffs and export taxes
// (MODEL.md sections 12.3 and 12.5), by the implicit function theorem: at an equilibrium
// F(x, t) = 0, dx/dt = -J^-1 dF/dt, so the gradient of any g(x) is -lambda' dF/dt with
// J' lambda = dg/dx: one transposed solve per function, whatever the number of rates.
// Reusable by any caller that has an equilibrium.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "games/jacobian_lu.h"
#include "model/equilibrium.h"

namespace ohlin::games {

// A tariff rate of the model: importer's tariff on `sector` from `exporter`; or, when
// `export_tax`, the exporter's export tax on `sector` to `importer` (MODEL.md section 12.5).
struct Flow {
  int sector = 0, exporter = 0, importer = 0;
  bool export_tax = false;
};

// The rate of `policy` that `flow` stands for: tariffs(i, r, s) or export_taxes(i, r, s).
inline double& RateOf(Policy* policy, const Flow& flow) {
  return (flow.export_tax ? policy->export_taxes : policy->tariffs)(flow.sector, flow.exporter,
                                                                    flow.importer);
}

class TariffSensitivity {
 public:
  // Evaluates and factorises the Jacobian of `system` at x (an equilibrium of it), and the
  // residuals' partial derivatives with respect to the tariffs of `flows`. ok() is false when
  // the Jacobian is singular or not evaluable there.
  TariffSensitivity(const EquilibriumSystem& system, const std::vector<double>& x,
                    const std::vector<Flow>& flows);
  // The same with the Jacobian's `values` at x and `lu`, a factorisation of it or of a nearby
  // Jacobian (refined, or refactorised, as needed), that the caller keeps alive.
  TariffSensitivity(const EquilibriumSystem& system, const std::vector<double>& x,
                    const std::vector<Flow>& flows, const std::vector<double>& values,
                    JacobianLu* lu);

  bool ok() const { return ok_; }
  // Total derivative d g(x(t)) / d tm'(flow) (d tx'(flow) for an export tax) for each flow of
  // the constructor, given dg/dx at x (dense, one entry per variable): one transposed solve.
  // A non-null `adjoint` of the right size is the first guess of lambda (e.g. the last one of
  // a nearby equilibrium), and is set to lambda.
  std::vector<double> Gradient(const std::vector<double>& dg_dx,
                               std::vector<double>* adjoint = nullptr) const;
  // The adjoint lambda of J' lambda = dg/dx (from the guess `start` if not empty).
  std::vector<double> Adjoint(const std::vector<double>& dg_dx,
                              std::vector<double> start = {}) const;

 private:
  void Columns(const EquilibriumSystem& system, const std::vector<double>& x,
               const std::vector<Flow>& flows);
  std::unique_ptr<JacobianLu> owned_;
  JacobianLu* lu_ = nullptr;
  const EquilibriumSystem* system_ = nullptr;
  std::vector<double> values_;
  bool ok_ = false;
  std::vector<std::vector<std::pair<int, double>>> columns_;  // dF/dt per flow
};

}  // namespace ohlin::games
