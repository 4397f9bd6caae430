#include "games/jacobian_lu.h"

#include <umfpack.h>

#include <algorithm>
#include <cmath>

#include "solver/gmres.h"

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
    double control[UMFPACK_CONTROL];
    umfpack_di_defaults(control);
    // The best of several orderings (AMD, METIS, ...): on the real 44x16 world the factors
    // have 3.2 million entries against 4.9 million with the default AMD, and each solve with
    // them (the cost of the games: GMRES products) is as much faster.
    control[UMFPACK_ORDERING] = UMFPACK_ORDERING_BEST;
    if (umfpack_di_symbolic(n, n, ap_.data(), ai_.data(), values.data(), &symbolic_, control,
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
  ++solves_;
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

bool JacobianLu::SolveNear(const EquilibriumSystem& system, const std::vector<double>& values,
                           const std::vector<double>& b, bool transposed, double tolerance,
                           std::vector<double>* x, int max_products) {
  const int n = system.num_rows();
  const std::vector<int>& start = system.row_start();
  const std::vector<int>& cols = system.columns();
  // The Jacobian at `values` (rows of J, so J' v scatters), and the factors as preconditioner.
  const LinearOperator apply = [&](const Eigen::VectorXd& in, Eigen::VectorXd* out) {
    out->setZero(n);
    for (int row = 0; row < n; ++row) {
      if (transposed) {
        for (int k = start[row]; k < start[row + 1]; ++k) (*out)[cols[k]] += values[k] * in[row];
      } else {
        double sum = 0.0;
        for (int k = start[row]; k < start[row + 1]; ++k) sum += values[k] * in[cols[k]];
        (*out)[row] = sum;
      }
    }
  };
  bool solved = true;
  std::vector<double> in_buffer(static_cast<std::size_t>(n)), out_buffer;
  const LinearOperator precondition = [&](const Eigen::VectorXd& in, Eigen::VectorXd* out) {
    Eigen::VectorXd::Map(in_buffer.data(), n) = in;
    solved = solved && (transposed ? SolveTransposed(in_buffer, &out_buffer)
                                   : Solve(in_buffer, &out_buffer));
    *out = Eigen::VectorXd::Map(out_buffer.data(), n);
  };
  Eigen::VectorXd rhs = Eigen::VectorXd::Map(b.data(), n), guess = Eigen::VectorXd::Zero(n);
  const double b_norm = rhs.norm();
  if (static_cast<int>(x->size()) == n && b_norm > 0.0) {
    // GMRES for the correction from the guess, to the same absolute accuracy.
    Eigen::VectorXd product;
    apply(Eigen::VectorXd::Map(x->data(), n), &product);
    const Eigen::VectorXd residual = rhs - product;
    const double residual_norm = residual.norm();
    if (residual_norm < b_norm) {
      guess = Eigen::VectorXd::Map(x->data(), n);
      rhs = residual;
      tolerance = residual_norm > 0.0 ? tolerance * b_norm / residual_norm : 1.0;
    }
  }
  Eigen::VectorXd solution;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!Held(system) && !Factorise(system, values)) return false;
    solved = true;
    const GmresResult result =
        Gmres(apply, precondition, rhs, tolerance, max_products, max_products, &solution);
    if (!solved) return false;
    // With fresh factors GMRES's best is the answer (the factors' own rounding error).
    if (result.converged || (attempt == 1 && result.relative_residual < 1e-3 * std::sqrt(tolerance))) {
      solution += guess;
      x->assign(solution.data(), solution.data() + n);
      return true;
    }
    if (!Factorise(system, values)) return false;  // too far: the Jacobian at `values`
  }
  return false;
}

}  // namespace ohlin::games
