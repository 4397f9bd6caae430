// Newton's method with a backtracking line search on half the squared residual norm, the fast
// path of Solve(). At the solution the system is square and nonsingular. Two ways to take a
// step:
//  - kSparseLu: a sparse LU factorisation of the Jacobian (UMFPACK, pattern analysed once),
//    reused for further (chord) steps while they converge fast. Best up to a few thousand
//    region-sector cells: the input-output links (dense within a region) and trade (dense
//    within a sector) make the factors fill in, so its cost grows steeply with size.
//  - kKrylov: GMRES on the current Jacobian, preconditioned by the exact inverse of each
//    region's own block (its prices, quantities, incomes and revenues), rebuilt only when
//    GMRES slows down. Trade links between regions are left to GMRES; they are weaker than
//    the links inside a region (home bias), so it converges in a few dozen products. Its cost
//    grows with regions x (region block)^3 and stays modest at GTAP size. The numeraire row,
//    which need not have entries in the block it falls in, gets a stand-in there (newton.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/equilibrium.h"

namespace ohlin {

enum class NewtonLinearSolver { kSparseLu, kKrylov };

struct NewtonResult {
  bool converged = false;
  std::string message;
  int iterations = 0;
  double max_residual = 0.0;
  double residual_seconds = 0.0;
  double jacobian_seconds = 0.0;
  double linear_solver_seconds = 0.0;
  int factorisations = 0;       // LU factorisations or preconditioner builds
  int krylov_iterations = 0;    // GMRES matrix-vector products, summed over steps
  double last_step_length = 0.0;  // share of the last Newton step taken (1: a full step)
};

// The region-block factorisation of the Krylov path's preconditioner (opaque).
struct KrylovFactors;

// What a Newton solve can take from its caller and hand back, all optional.
struct NewtonReuse {
  // The residuals at the start *x, when the caller has them (saves an evaluation).
  const std::vector<double>* start_residuals = nullptr;
  // Krylov path: the Jacobian values at the start (the system's pattern), with the residuals;
  // the solve swaps the buffer out for its own use (it is left empty).
  std::vector<double>* start_jacobian = nullptr;
  // Krylov path: in, a preconditioner built on the same model (e.g. at a nearby point of a
  // path), used until GMRES slows down as if it had been built here; out, the last one used.
  std::shared_ptr<const KrylovFactors> factors;
  // Out: the residuals at the final *x when the solve converged (else empty).
  std::vector<double> final_residuals;
};

// Iterates from *x (updated in place to the best point found) until every residual is below
// `tolerance`, the iteration or time limit, a singular Jacobian, or a failed line search.
NewtonResult SolveNewton(const EquilibriumSystem& system, NewtonLinearSolver linear_solver,
                         double tolerance, int max_iterations, double max_seconds,
                         int num_threads, std::vector<double>* x,
                         NewtonReuse* reuse = nullptr);

}  // namespace ohlin
