#include "games/jacobian_lu.h"

#include <umfpack.h>

#include <algorithm>
#include <cmath>
#include <mutex>

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
  sparsified_ = false;
  return FactoriseArrays(system.row_start(), system.columns(), values);
}

bool JacobianLu::FactoriseSparsified(const EquilibriumSystem& system,
                                     const std::vector<double>& values) {
  const std::vector<int>& start = system.row_start();
  const std::vector<int>& columns = system.columns();
  if (source_start_ != start || source_columns_ != columns) {
    source_start_ = start;
    source_columns_ = columns;
    kept_.clear();
    sparse_start_.assign(1, 0);
    sparse_columns_.clear();
    for (int row = 0; row + 1 < static_cast<int>(start.size()); ++row) {
      double largest = 0.0;
      for (int k = start[row]; k < start[row + 1]; ++k) {
        largest = std::max(largest, std::abs(values[k]));
      }
      for (int k = start[row]; k < start[row + 1]; ++k) {
        if (columns[k] != row && !(std::abs(values[k]) >= sparsify_ * largest)) continue;
        kept_.push_back(k);
        sparse_columns_.push_back(columns[k]);
      }
      sparse_start_.push_back(static_cast<int>(kept_.size()));
    }
  }
  std::vector<double> sparse_values(kept_.size());
  for (std::size_t k = 0; k < kept_.size(); ++k) sparse_values[k] = values[kept_[k]];
  sparsified_ = true;
  return FactoriseArrays(sparse_start_, sparse_columns_, sparse_values);
}

bool JacobianLu::FactoriseArrays(const std::vector<int>& start, const std::vector<int>& columns,
                                 const std::vector<double>& values) {
  FreeNumeric();
  const int n = static_cast<int>(start.size()) - 1;
  if (symbolic_ == nullptr || ap_ != start || ai_ != columns) {
    if (symbolic_ != nullptr) umfpack_di_free_symbolic(&symbolic_);
    symbolic_ = nullptr;
    ap_ = start;
    ai_ = columns;
    double control[UMFPACK_CONTROL];
    umfpack_di_defaults(control);
    // The best of several orderings (AMD, METIS, ...): on the real 44x16 world the factors
    // have 2.9 million entries against 4.9 million with the default AMD.
    control[UMFPACK_ORDERING] = UMFPACK_ORDERING_BEST;
    // METIS, one of the orderings tried, draws from a random generator whose state is global
    // (it reseeds at every call): two game workers analysing at once drew from each other's
    // sequence, so the orderings, and the rounding of everything after, changed from run to
    // run (the same Nash game gave different rounds and rates). One analysis at a time.
    static std::mutex analysis;
    const std::lock_guard<std::mutex> lock(analysis);
    if (umfpack_di_symbolic(n, n, ap_.data(), ai_.data(), values.data(), &symbolic_, control,
                            nullptr) != UMFPACK_OK) {
      symbolic_ = nullptr;
      return false;
    }
  }
  ax_ = values;
  ++factorisations_;
  if (umfpack_di_numeric(ap_.data(), ai_.data(), ax_.data(), symbolic_, &numeric_, nullptr,
                         nullptr) != UMFPACK_OK || !MakeCompact()) {
    FreeNumeric();
    return false;
  }
  return true;
}

bool JacobianLu::MakeCompact() {
  int lnz = 0, unz = 0, rows = 0, cols = 0, nonzero_diagonal = 0, recip = 0;
  if (umfpack_di_get_lunz(&lnz, &unz, &rows, &cols, &nonzero_diagonal, numeric_) != UMFPACK_OK) {
    return false;
  }
  const auto n = static_cast<std::size_t>(rows);
  std::vector<int> lp(n + 1), lj(static_cast<std::size_t>(lnz)), up(n + 1),
      ui(static_cast<std::size_t>(unz));
  std::vector<double> lx(static_cast<std::size_t>(lnz)), ux(static_cast<std::size_t>(unz));
  Compact& c = compact_;
  c.row_order.resize(n);
  c.column_order.resize(n);
  c.diagonal.resize(n);
  c.row_scale.resize(n);
  if (umfpack_di_get_numeric(lp.data(), lj.data(), lx.data(), up.data(), ui.data(), ux.data(),
                             c.row_order.data(), c.column_order.data(), c.diagonal.data(), &recip,
                             c.row_scale.data(), numeric_) != UMFPACK_OK) {
    return false;
  }
  if (recip == 0) {
    for (double& r : c.row_scale) r = 1.0 / r;
  }
  // Line i's entries off the diagonal whose magnitude is at least kDropTolerance times
  // `reference` of the other index (1 for L, the size of U's diagonal for U).
  auto keep = [n](const std::vector<int>& start, const std::vector<int>& index,
                  const std::vector<double>& value, const std::vector<double>& reference,
                  std::vector<int>* out_start, std::vector<int>* out_index,
                  std::vector<float>* out_value) {
    out_start->assign(1, 0);
    out_index->clear();
    out_value->clear();
    for (std::size_t i = 0; i < n; ++i) {
      for (int k = start[i]; k < start[i + 1]; ++k) {
        const int j = index[k];
        if (j == static_cast<int>(i) || !(std::abs(value[k]) >= kDropTolerance * reference[j])) {
          continue;
        }
        out_index->push_back(j);
        out_value->push_back(static_cast<float>(value[k]));
      }
      out_start->push_back(static_cast<int>(out_index->size()));
    }
  };
  std::vector<double> reference(n, 1.0);
  keep(lp, lj, lx, reference, &c.l_start, &c.l_index, &c.l_value);
  for (std::size_t i = 0; i < n; ++i) reference[i] = std::abs(c.diagonal[i]);
  keep(up, ui, ux, reference, &c.u_start, &c.u_index, &c.u_value);
  return true;
}

// The factorised matrix is A = J', P R A Q = L U. J' x = b is A x = b, L U (Q' x) = P R b;
// J x = b is A' x = b, U' L' P R^-1 x = Q' b (U's columns are the rows of U', L's rows the
// columns of L').
void JacobianLu::SolveCompact(bool transposed, const std::vector<double>& b,
                              std::vector<double>* x) const {
  ++solves_;
  const Compact& c = compact_;
  const int n = static_cast<int>(c.diagonal.size());
  work_.resize(static_cast<std::size_t>(n));
  x->resize(static_cast<std::size_t>(n));
  double* y = work_.data();
  if (transposed) {
    for (int k = 0; k < n; ++k) y[k] = c.row_scale[c.row_order[k]] * b[c.row_order[k]];
    for (int i = 0; i < n; ++i) {
      double sum = y[i];
      for (int k = c.l_start[i]; k < c.l_start[i + 1]; ++k) {
        sum -= static_cast<double>(c.l_value[k]) * y[c.l_index[k]];
      }
      y[i] = sum;
    }
    for (int j = n - 1; j >= 0; --j) {
      const double w = y[j] / c.diagonal[j];
      y[j] = w;
      for (int k = c.u_start[j]; k < c.u_start[j + 1]; ++k) {
        y[c.u_index[k]] -= static_cast<double>(c.u_value[k]) * w;
      }
    }
    for (int k = 0; k < n; ++k) (*x)[c.column_order[k]] = y[k];
    return;
  }
  for (int k = 0; k < n; ++k) y[k] = b[c.column_order[k]];
  for (int j = 0; j < n; ++j) {
    double sum = y[j];
    for (int k = c.u_start[j]; k < c.u_start[j + 1]; ++k) {
      sum -= static_cast<double>(c.u_value[k]) * y[c.u_index[k]];
    }
    y[j] = sum / c.diagonal[j];
  }
  for (int i = n - 1; i >= 0; --i) {
    const double u = y[i];
    for (int k = c.l_start[i]; k < c.l_start[i + 1]; ++k) {
      y[c.l_index[k]] -= static_cast<double>(c.l_value[k]) * u;
    }
  }
  for (int k = 0; k < n; ++k) (*x)[c.row_order[k]] = c.row_scale[c.row_order[k]] * y[k];
}

bool JacobianLu::SolveSystem(int sys, const std::vector<double>& b, std::vector<double>* x) const {
  if (numeric_ == nullptr || sparsified_) return false;
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
  bool solved = true, exact = false;
  std::vector<double> in_buffer(static_cast<std::size_t>(n)), out_buffer;
  const LinearOperator precondition = [&](const Eigen::VectorXd& in, Eigen::VectorXd* out) {
    Eigen::VectorXd::Map(in_buffer.data(), n) = in;
    if (!exact) {
      SolveCompact(transposed, in_buffer, &out_buffer);
    } else {
      solved = solved && (transposed ? SolveTransposed(in_buffer, &out_buffer)
                                     : Solve(in_buffer, &out_buffer));
    }
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
  // Preconditioners in turn: the held factors (sparsified ones made here when none are held),
  // fresh sparsified factors at `values` (unless just made), the exact factors at `values`.
  bool fresh = false;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage == 0 && !Held(system)) {
      fresh = true;
      if (!FactoriseSparsified(system, values)) continue;
    } else if (stage == 1 && (fresh || !FactoriseSparsified(system, values))) {
      continue;
    } else if (stage == 2 && !Factorise(system, values)) {
      return false;
    }
    solved = true;
    exact = stage == 2;
    const GmresResult result =
        Gmres(apply, precondition, rhs, tolerance, max_products, max_products, &solution);
    if (!solved) return false;
    // With exact factors GMRES's best is the answer (the factors' own rounding error).
    if (result.converged || (exact && result.relative_residual < 1e-3 * std::sqrt(tolerance))) {
      solution += guess;
      x->assign(solution.data(), solution.data() + n);
      return true;
    }
  }
  return false;
}

}  // namespace ohlin::games
