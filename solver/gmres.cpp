#include "solver/gmres.h"

#include <cmath>
#include <vector>

namespace ohlin {

GmresResult Gmres(const LinearOperator& apply_a, const LinearOperator& preconditioner,
                  const Eigen::VectorXd& b, double tolerance, int restart, int max_iterations,
                  Eigen::VectorXd* x) {
  GmresResult result;
  const Eigen::Index n = b.size();
  x->setZero(n);
  const double b_norm = b.norm();
  if (b_norm == 0.0) {
    result.converged = true;
    result.relative_residual = 0.0;
    return result;
  }
  const int m = std::max(1, restart);
  std::vector<Eigen::VectorXd> basis(static_cast<std::size_t>(m) + 1), directions(m);
  Eigen::MatrixXd hessenberg = Eigen::MatrixXd::Zero(m + 1, m);
  Eigen::VectorXd cosines(m), sines(m), rhs(m + 1), product(n), residual = b;
  double residual_norm = b_norm;

  while (result.iterations < max_iterations) {
    basis[0] = residual / residual_norm;
    rhs.setZero();
    rhs[0] = residual_norm;
    int used = 0;
    for (int j = 0; j < m && result.iterations < max_iterations; ++j) {
      preconditioner(basis[j], &directions[j]);
      apply_a(directions[j], &product);
      ++result.iterations;
      // Modified Gram–Schmidt.
      for (int i = 0; i <= j; ++i) {
        hessenberg(i, j) = basis[i].dot(product);
        product -= hessenberg(i, j) * basis[i];
      }
      hessenberg(j + 1, j) = product.norm();
      // Apply the earlier Givens rotations to the new column, then make a new one.
      for (int i = 0; i < j; ++i) {
        const double upper = hessenberg(i, j), lower = hessenberg(i + 1, j);
        hessenberg(i, j) = cosines[i] * upper + sines[i] * lower;
        hessenberg(i + 1, j) = -sines[i] * upper + cosines[i] * lower;
      }
      const double pivot = std::hypot(hessenberg(j, j), hessenberg(j + 1, j));
      cosines[j] = pivot == 0.0 ? 1.0 : hessenberg(j, j) / pivot;
      sines[j] = pivot == 0.0 ? 0.0 : hessenberg(j + 1, j) / pivot;
      const double subdiagonal = hessenberg(j + 1, j);
      hessenberg(j, j) = pivot;
      hessenberg(j + 1, j) = 0.0;
      rhs[j + 1] = -sines[j] * rhs[j];
      rhs[j] = cosines[j] * rhs[j];
      used = j + 1;
      if (std::abs(rhs[j + 1]) <= tolerance * b_norm || subdiagonal == 0.0) break;
      basis[j + 1] = product / subdiagonal;
    }
    // x += Z y with H y = g (upper triangular).
    const Eigen::VectorXd y = hessenberg.topLeftCorner(used, used)
                                  .triangularView<Eigen::Upper>()
                                  .solve(rhs.head(used));
    for (int i = 0; i < used; ++i) *x += y[i] * directions[i];
    apply_a(*x, &product);
    residual = b - product;
    residual_norm = residual.norm();
    result.relative_residual = residual_norm / b_norm;
    if (result.relative_residual <= tolerance) {
      result.converged = true;
      return result;
    }
    if (!std::isfinite(residual_norm)) return result;
  }
  return result;
}

}  // namespace ohlin
