// A sparse LU factorisation (UMFPACK) of the equilibrium Jacobian J of an EquilibriumSystem,
// for Newton steps (J d = b) and adjoints (J' lambda = g) from one factorisation. The system's
// CSR arrays are the CSC arrays of J', which is what is factorised; the symbolic analysis is
// kept and reused while the sparsity pattern does not change. GMRES (SolveNear) is
// preconditioned with a compact copy of the factors (the entries above a drop tolerance, in
// single precision), and it factorises a sparsified Jacobian (its small entries left out),
// which fills in much less (MODEL.md section 12.3).
#pragma once

#include <cstdint>
#include <vector>

#include "model/equilibrium.h"

namespace ohlin::games {

class JacobianLu {
 public:
  // Sparsifying the real 44x16 world's Jacobian at 1e-2 keeps 31% of its 148,000 entries,
  // and its factors have 1.7 million entries instead of 2.9 million: it factorises in a
  // third of the time, and GMRES needs 1,132 products instead of 902 for the US best response
  // (at 5e-2, more than 24 products a solve and refactorisations).
  static constexpr double kSparsify = 1e-2;

  JacobianLu() = default;
  ~JacobianLu();
  JacobianLu(const JacobianLu&) = delete;
  JacobianLu& operator=(const JacobianLu&) = delete;

  // Factorises J with `system`'s pattern and `values` (in the pattern's order). False when
  // the matrix is singular or UMFPACK fails.
  bool Factorise(const EquilibriumSystem& system, const std::vector<double>& values);
  // Factorises J less its entries below kSparsify (or set_sparsify's fraction) times the
  // largest of their row (the diagonal kept), for preconditioning only. The entries kept are chosen at the first
  // factorisation with `system`'s pattern and kept for the next ones (so is the symbolic
  // analysis). False when that matrix is singular or UMFPACK fails.
  bool FactoriseSparsified(const EquilibriumSystem& system, const std::vector<double>& values);
  // True when a factorisation of a matrix of `system`'s size is held (perhaps of another
  // pattern: the pattern changes as tariffs leave zero; perhaps sparsified), good as a
  // preconditioner.
  bool Held(const EquilibriumSystem& system) const {
    return numeric_ != nullptr && static_cast<int>(ap_.size()) == system.num_rows() + 1;
  }
  // J x = b and J' x = b with the last factorisation (exactly: UMFPACK's solve); false when
  // there is none, or when it is of a sparsified Jacobian.
  bool Solve(const std::vector<double>& b, std::vector<double>* x) const;
  bool SolveTransposed(const std::vector<double>& b, std::vector<double>* x) const;
  // J x = b (J' x = b when `transposed`) for the Jacobian `values` (with `system`'s pattern)
  // to relative accuracy `tolerance` (2-norm), by GMRES preconditioned with the compact copy of
  // the held factorisation, perhaps of a nearby Jacobian. When GMRES needs more than
  // `max_products` products (each one solve with the factors), or none is held, it factorises
  // the sparsified Jacobian at `values`; when that fails too, J itself and solves with the
  // exact factors.
  // A *x of the right size is the first guess (when its residual is below |b|).
  bool SolveNear(const EquilibriumSystem& system, const std::vector<double>& values,
                 const std::vector<double>& b, bool transposed, double tolerance,
                 std::vector<double>* x, int max_products = 24);
  // J' x = b to relative accuracy 1e-12: SolveNear for adjoints.
  bool SolveTransposedNear(const EquilibriumSystem& system, const std::vector<double>& values,
                           const std::vector<double>& b, std::vector<double>* x) {
    return SolveNear(system, values, b, true, 1e-12, x);
  }
  // The thinning of FactoriseSparsified: entries below `fraction` of the largest of their row
  // are left out (kSparsify by default; 0 keeps every entry, above 1 only the diagonal). Tests
  // raise it to make the thinned matrix useless (or singular) and so force the fallback to J.
  void set_sparsify(double fraction) {
    sparsify_ = fraction;
    source_start_.clear();  // the entries kept are chosen again at the next factorisation
    source_columns_.clear();
  }
  int factorisations() const { return factorisations_; }
  int solves() const { return solves_; }  // with the factors (GMRES products included)

 private:
  // The factors of P R A Q = L U (UMFPACK's names; A = J' is what is factorised, R the row
  // scaling, here always multiplying) without the entries below kDropTolerance (L's, and U's
  // relative to the diagonal of their row) and the diagonal: L (unit lower triangular) by
  // rows, U by columns, in single precision. On the real 44x16 world they keep 14% of the
  // exact factors' 2.9 million entries and GMRES needs as many products with them (902 for
  // the US best response, against 893), each reading a twelfth of the bytes; of the
  // sparsified Jacobian's factors (kSparsify) they keep 300,000 of 1.7 million.
  struct Compact {
    std::vector<int> l_start, l_index, u_start, u_index, row_order, column_order;
    std::vector<float> l_value, u_value;
    std::vector<double> diagonal, row_scale;
  };
  static constexpr double kDropTolerance = 1e-3;
  // Factorises the matrix whose CSR arrays (of J; CSC of J') are `start`, `columns`, `values`.
  bool FactoriseArrays(const std::vector<int>& start, const std::vector<int>& columns,
                       const std::vector<double>& values);
  bool SolveSystem(int sys, const std::vector<double>& b, std::vector<double>* x) const;
  bool MakeCompact();
  // J x = b (J' x = b when `transposed`) with the compact factors.
  void SolveCompact(bool transposed, const std::vector<double>& b, std::vector<double>* x) const;
  void FreeNumeric();
  Compact compact_;
  mutable std::vector<double> work_;
  std::vector<int> ap_, ai_;  // of the matrix factorised (J's or the sparsified)
  std::vector<double> ax_;
  bool sparsified_ = false;   // the factors held are of the sparsified Jacobian
  double sparsify_ = kSparsify;
  // The sparsified Jacobian's: the pattern of the system it was made for, the positions kept
  // (in that pattern's order) and its own pattern.
  std::vector<int> source_start_, source_columns_, kept_, sparse_start_, sparse_columns_;
  void* symbolic_ = nullptr;
  void* numeric_ = nullptr;
  int factorisations_ = 0;
  mutable int solves_ = 0;
};

}  // namespace ohlin::games
