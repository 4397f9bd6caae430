// Restarted GMRES with right preconditioning (Saad, "Iterative Methods for Sparse Linear
// Systems", 2nd ed., algorithm 9.5). Right preconditioning keeps the monitored residual the
// true residual |b - A x|, which is what an inexact Newton step needs.
#pragma once

#include <functional>

#include <Eigen/Core>

namespace ohlin {

struct GmresResult {
  bool converged = false;
  int iterations = 0;               // matrix-vector products
  double relative_residual = 1.0;   // |b - A x| / |b|
};

using LinearOperator = std::function<void(const Eigen::VectorXd& in, Eigen::VectorXd* out)>;

// Solves A x = b from x = 0 until |b - A x| <= tolerance |b|, at most max_iterations
// products, restarting every `restart` iterations. `preconditioner` applies M^{-1}.
GmresResult Gmres(const LinearOperator& apply_a, const LinearOperator& preconditioner,
                  const Eigen::VectorXd& b, double tolerance, int restart, int max_iterations,
                  Eigen::VectorXd* x);

}  // namespace ohlin
