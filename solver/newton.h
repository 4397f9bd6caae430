// Newton's method with a sparse LU factorisation of the square Jacobian (UMFPACK) and a
// backtracking line search on half the squared residual norm. The fast path of Solve(): at
// the solution the system is square and nonsingular, so each step is one sparse
// factorisation, and the pattern is analysed once.
#pragma once

#include <string>
#include <vector>

#include "model/equilibrium.h"

namespace ohlin {

struct NewtonResult {
  bool converged = false;
  std::string message;
  int iterations = 0;
  double max_residual = 0.0;
  double residual_seconds = 0.0;
  double jacobian_seconds = 0.0;
  double linear_solver_seconds = 0.0;
};

// Iterates from *x (updated in place to the best point found) until every residual is below
// `tolerance`, the iteration or time limit, a singular Jacobian, or a failed line search.
NewtonResult SolveNewton(const EquilibriumSystem& system, double tolerance, int max_iterations,
                         double max_seconds, int num_threads, std::vector<double>* x);

}  // namespace ohlin
