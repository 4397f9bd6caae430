// A sparse LU factorisation (UMFPACK) of the equilibrium Jacobian J of an EquilibriumSystem,
// for Newton steps (J d = b) and adjoints (J' lambda = g) from one factorisation. The system's
// CSR arrays are the CSC arrays of J', which is what is factorised; the symbolic analysis is
// kept and reused while the sparsity pattern does not change. Besides UMFPACK's own factors
// (for exact solves), a compact copy of them is kept as the preconditioner of SolveNear: the
// entries above a drop tolerance, in single precision (MODEL.md section 12.3).
#pragma once

#include <cstdint>
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
  // True when a factorisation of a matrix of `system`'s size is held (perhaps of another
  // pattern: the pattern changes as tariffs leave zero), good as a preconditioner.
  bool Held(const EquilibriumSystem& system) const {
    return numeric_ != nullptr && static_cast<int>(ap_.size()) == system.num_rows() + 1;
  }
  // J x = b and J' x = b with the last factorisation (exactly: UMFPACK's solve); false when
  // there is none.
  bool Solve(const std::vector<double>& b, std::vector<double>* x) const;
  bool SolveTransposed(const std::vector<double>& b, std::vector<double>* x) const;
  // J x = b (J' x = b when `transposed`) for the Jacobian `values` (with `system`'s pattern)
  // to relative accuracy `tolerance` (2-norm), by GMRES preconditioned with the compact copy of
  // the held factorisation, perhaps of a nearby Jacobian; refactorises at `values` when GMRES
  // needs more than `max_products` products (each one solve with the factors), or when none is
  // held, and then solves with the exact factors.
  // A *x of the right size is the first guess (when its residual is below |b|).
  bool SolveNear(const EquilibriumSystem& system, const std::vector<double>& values,
                 const std::vector<double>& b, bool transposed, double tolerance,
                 std::vector<double>* x, int max_products = 24);
  // J' x = b to relative accuracy 1e-12: SolveNear for adjoints.
  bool SolveTransposedNear(const EquilibriumSystem& system, const std::vector<double>& values,
                           const std::vector<double>& b, std::vector<double>* x) {
    return SolveNear(system, values, b, true, 1e-12, x);
  }
  int factorisations() const { return factorisations_; }
  int solves() const { return solves_; }  // with the factors (GMRES products included)

 private:
  // The factors of P R A Q = L U (UMFPACK's names; A = J' is what is factorised, R the row
  // scaling, here always multiplying) without the entries below kDropTolerance (L's, and U's
  // relative to the diagonal of their row) and the diagonal: L (unit lower triangular) by
  // rows, U by columns, in single precision. On the real 44x16 world they keep 14% of the
  // exact factors' 2.9 million entries and GMRES needs as many products with them (902 for
  // the US best response, against 893), each reading a twelfth of the bytes.
  struct Compact {
    std::vector<int> l_start, l_index, u_start, u_index, row_order, column_order;
    std::vector<float> l_value, u_value;
    std::vector<double> diagonal, row_scale;
  };
  static constexpr double kDropTolerance = 1e-3;
  bool SolveSystem(int sys, const std::vector<double>& b, std::vector<double>* x) const;
  bool MakeCompact();
  // J x = b (J' x = b when `transposed`) with the compact factors.
  void SolveCompact(bool transposed, const std::vector<double>& b, std::vector<double>* x) const;
  void FreeNumeric();
  Compact compact_;
  mutable std::vector<double> work_;
  std::vector<int> ap_, ai_;
  std::vector<double> ax_;
  void* symbolic_ = nullptr;
  void* numeric_ = nullptr;
  int factorisations_ = 0;
  mutable int solves_ = 0;
};

}  // namespace ohlin::games
