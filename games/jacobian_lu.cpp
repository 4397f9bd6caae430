#include "games/jacobian_lu.h"

#include <umfpack.h>

#include <algorithm>
#include <cmath>

namespace ohlin::games {

JacobianLu::~JacobianLu() {
  FreeNumeric();
  if (symbolic_ != nullptr) umfpack_di_free_symbolic(&symbolic_);
}

void JacobianLu::FreeNumeric() {
  if (numeric_ != nullptr) umfpack_di_free_numeric(&numeric_);
  numeric_ = nullptr;
}

bool JacobianLu::Factorise(const EquilibriumSystem& system, const std::vector<double>& values) {
  FreeNumeric();
  const int n = system.num_rows();
  if (symbolic_ == nullptr || ap_ != system.row_start() || ai_ != system.columns()) {
    if (symbolic_ != nullptr) umfpack_di_free_symbolic(&symbolic_);
    symbolic_ = nullptr;
    ap_ = system.row_start();
    ai_ = system.columns();
    if (umfpack_di_symbolic(n, n, ap_.data(), ai_.data(), values.data(), &symbolic_, nullptr,
                            nullptr) != UMFPACK_OK) {
      symbolic_ = nullptr;
      return false;
    }
  }
  ax_ = values;
  ++factorisations_;
  if (umfpack_di_numeric(ap_.data(), ai_.data(), ax_.data(), symbolic_, &numeric_, nullptr,
                         nullptr) != UMFPACK_OK) {
    FreeNumeric();
    return false;
  }
  return true;
}

bool JacobianLu::SolveSystem(int sys, const std::vector<double>& b, std::vector<double>* x) const {
  if (numeric_ == nullptr) return false;
  x->assign(b.size(), 0.0);
  // No iterative refinement inside UMFPACK: SolveTransposedNear refines against the current
  // Jacobian, and Newton's steps need none.
  double control[UMFPACK_CONTROL];
  umfpack_di_defaults(control);
  control[UMFPACK_IRSTEP] = 0;
  return umfpack_di_solve(sys, ap_.data(), ai_.data(), ax_.data(), x->data(), b.data(), numeric_,
                          control, nullptr) == UMFPACK_OK;
}

// The factorised matrix is J' (CSR of J read as CSC): J x = b is its transposed system.
bool JacobianLu::Solve(const std::vector<double>& b, std::vector<double>* x) const {
  return SolveSystem(UMFPACK_At, b, x);
}

bool JacobianLu::SolveTransposed(const std::vector<double>& b, std::vector<double>* x) const {
  return SolveSystem(UMFPACK_A, b, x);
}

namespace {

double LargestAbs(const std::vector<double>& v) {
  double m = 0.0;
  for (double e : v) m = std::max(m, std::abs(e));
  return m;
}

}  // namespace

bool JacobianLu::SolveTransposedNear(const EquilibriumSystem& system,
                                     const std::vector<double>& values,
                                     const std::vector<double>& b, std::vector<double>* x) {
  const int n = system.num_rows();
  const std::vector<int>& start = system.row_start();
  const std::vector<int>& cols = system.columns();
  const double target = 1e-14 * std::max(LargestAbs(b), 1e-300);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!Ready(system) && !Factorise(system, values)) return false;
    if (!SolveTransposed(b, x)) return false;
    std::vector<double> residual(n), correction;
    for (int step = 0; step < 8; ++step) {
      // residual = b - J' x, J' x from the rows of J.
      residual = b;
      for (int row = 0; row < n; ++row) {
        for (int k = start[row]; k < start[row + 1]; ++k) residual[cols[k]] -= values[k] * (*x)[row];
      }
      // After a fresh factorisation, the refinement's best is the answer.
      if (LargestAbs(residual) <= target || (attempt == 1 && step == 2)) return true;
      if (!SolveTransposed(residual, &correction)) return false;
      for (int k = 0; k < n; ++k) (*x)[k] += correction[k];
    }
    if (!Factorise(system, values)) return false;  // too far: the Jacobian at `values`
  }
  return false;
}

}  // namespace ohlin::games
