// A sparse LU factorisation (UMFPACK) of the equilibrium Jacobian J of an EquilibriumSystem,
// for Newton steps (J d = b) and adjoints (J' lambda = g) from one factorisation. The system's
// CSR arrays are the CSC arrays of J', which is what is factorised; the symbolic analysis is
// kept and reused while the sparsity pattern does not change.
#pragma once

#include <vector>

#include "model/equilibrium.h"

namespace ohlin::games {

class JacobianLu {
 public:
  JacobianLu() = default;
  ~JacobianLu();
  JacobianLu(const JacobianLu&) = delete;
  JacobianLu& operator=(const JacobianLu&) = delete;

  // Factorises J with `system`'s pattern and `values` (in the pattern's order). False when
  // the matrix is singular or UMFPACK fails.
  bool Factorise(const EquilibriumSystem& system, const std::vector<double>& values);
  // True when a factorisation with `system`'s pattern is held (of another point, perhaps).
  bool Ready(const EquilibriumSystem& system) const {
    return numeric_ != nullptr && ap_ == system.row_start() && ai_ == system.columns();
  }
  // J x = b and J' x = b with the last factorisation; false when there is none.
  bool Solve(const std::vector<double>& b, std::vector<double>* x) const;
  bool SolveTransposed(const std::vector<double>& b, std::vector<double>* x) const;
  // J' x = b for the Jacobian `values` (with `system`'s pattern) to relative accuracy 1e-14,
  // with the held factorisation, perhaps of a nearby Jacobian, as the preconditioner of an
  // iterative refinement; refactorises at `values` when that does not converge quickly.
  bool SolveTransposedNear(const EquilibriumSystem& system, const std::vector<double>& values,
                           const std::vector<double>& b, std::vector<double>* x);
  int factorisations() const { return factorisations_; }

 private:
  bool SolveSystem(int sys, const std::vector<double>& b, std::vector<double>* x) const;
  void FreeNumeric();
  std::vector<int> ap_, ai_;
  std::vector<double> ax_;
  void* symbolic_ = nullptr;
  void* numeric_ = nullptr;
  int factorisations_ = 0;
};

}  // namespace ohlin::games
