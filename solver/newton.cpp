#include "solver/newton.h"

#include <chrono>
#include <cmath>

#include <Eigen/Sparse>
#include <Eigen/UmfPackSupport>
#include <fmt/format.h>

namespace ohlin {

namespace {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double MaxAbs(const Eigen::VectorXd& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

// After a full Newton step, the next steps reuse its factorisation (chord steps, each one
// solve) as long as each shrinks the largest residual at least this much; otherwise the
// Jacobian is evaluated and factorised again. A factorisation costs hundreds of solves.
constexpr double kChordContraction = 0.5;
// UMFPACK's threshold partial pivoting: a pivot down to this fraction of the largest entry in
// its column is accepted. The default (0.1) pivots off the sparsity-preserving order far more
// often on these systems and more than doubles the fill; Newton corrects the small loss of
// accuracy in the next step.
constexpr double kPivotTolerance = 1e-4;

}  // namespace

NewtonResult SolveNewton(const EquilibriumSystem& system, double tolerance, int max_iterations,
                         double max_seconds, int num_threads, std::vector<double>* x) {
  NewtonResult result;
  const Clock::time_point start = Clock::now();
  const int n = system.num_rows();
  const std::vector<int>& row_start = system.row_start();
  const std::vector<int>& columns = system.columns();

  // The Jacobian in compressed row form, sharing the system's fixed pattern.
  Eigen::SparseMatrix<double, Eigen::RowMajor> jacobian(n, n);
  {
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(columns.size());
    for (int row = 0; row < n; ++row) {
      for (int k = row_start[row]; k < row_start[row + 1]; ++k) {
        entries.emplace_back(row, columns[k], 1.0);
      }
    }
    jacobian.setFromTriplets(entries.begin(), entries.end());
    jacobian.makeCompressed();
  }
  Eigen::VectorXd residuals(n), trial_residuals(n), step(n);
  std::vector<double> trial(x->size());

  Clock::time_point phase = Clock::now();
  if (!system.Evaluate(x->data(), residuals.data(), nullptr, num_threads)) {
    result.message = "the equilibrium conditions are not evaluable at the start";
    return result;
  }
  result.residual_seconds += SecondsSince(phase);
  result.max_residual = MaxAbs(residuals);

  Eigen::SparseMatrix<double> column_major;  // UMFPACK works on column-major matrices
  Eigen::UmfPackLU<Eigen::SparseMatrix<double>> lu;
  lu.umfpackControl()(UMFPACK_PIVOT_TOLERANCE) = kPivotTolerance;
  bool analysed = false, factorised = false;
  bool try_chord = false;  // the last step contracted strongly: reuse its factorisation

  while (result.max_residual >= tolerance) {
    if (result.iterations >= max_iterations) {
      result.message = fmt::format("iteration limit ({}) reached", max_iterations);
      return result;
    }
    if (SecondsSince(start) > max_seconds) {
      result.message = fmt::format("time limit ({} s) reached", max_seconds);
      return result;
    }
    const bool chord = try_chord && factorised;
    if (!chord) {
      phase = Clock::now();
      if (!system.Evaluate(x->data(), residuals.data(), jacobian.valuePtr(), num_threads)) {
        result.message = "the Jacobian is not evaluable here";
        return result;
      }
      result.jacobian_seconds += SecondsSince(phase);
      phase = Clock::now();
      column_major = jacobian;
      if (!analysed) {
        lu.analyzePattern(column_major);  // the pattern never changes: analyse it once
        analysed = true;
      }
      lu.factorize(column_major);
      factorised = lu.info() == Eigen::Success;
      result.linear_solver_seconds += SecondsSince(phase);
      if (!factorised) {
        result.message = "the Jacobian is singular here";
        return result;
      }
    }
    phase = Clock::now();
    step = lu.solve(residuals);
    step = -step;
    result.linear_solver_seconds += SecondsSince(phase);
    if (!step.allFinite()) {
      result.message = "the Newton step is not finite";
      return result;
    }

    // Backtracking on f = |F|^2 / 2 (Armijo with the Newton direction: f' = -2f). A chord
    // step is taken whole or not at all.
    const double merit = 0.5 * residuals.squaredNorm();
    double length = 1.0;
    bool accepted = false;
    phase = Clock::now();
    for (int halving = 0; halving < (chord ? 1 : 30); ++halving, length *= 0.5) {
      for (std::size_t k = 0; k < trial.size(); ++k) trial[k] = (*x)[k] + length * step[k];
      if (!system.Evaluate(trial.data(), trial_residuals.data(), nullptr, num_threads)) continue;
      const bool decrease =
          chord ? MaxAbs(trial_residuals) < kChordContraction * result.max_residual
                : 0.5 * trial_residuals.squaredNorm() <= (1.0 - 1e-4 * length) * merit;
      if (decrease) {
        accepted = true;
        break;
      }
    }
    result.residual_seconds += SecondsSince(phase);
    if (!accepted) {
      if (chord) {  // the old factorisation is too far off: refactorise here
        try_chord = false;
        continue;
      }
      result.message = "the line search found no decrease along the Newton direction";
      return result;
    }
    x->swap(trial);
    residuals.swap(trial_residuals);
    ++result.iterations;
    const double previous = result.max_residual;
    result.max_residual = MaxAbs(residuals);
    try_chord = length == 1.0 && result.max_residual < previous;
  }
  result.converged = true;
  result.message = "every scaled residual is below the tolerance";
  return result;
}

}  // namespace ohlin
