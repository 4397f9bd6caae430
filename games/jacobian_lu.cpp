#include "games/jacobian_lu.h"

#include <umfpack.h>

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
  return umfpack_di_solve(sys, ap_.data(), ai_.data(), ax_.data(), x->data(), b.data(), numeric_,
                          nullptr, nullptr) == UMFPACK_OK;
}

// The factorised matrix is J' (CSR of J read as CSC): J x = b is its transposed system.
bool JacobianLu::Solve(const std::vector<double>& b, std::vector<double>* x) const {
  return SolveSystem(UMFPACK_At, b, x);
}

bool JacobianLu::SolveTransposed(const std::vector<double>& b, std::vector<double>* x) const {
  return SolveSystem(UMFPACK_A, b, x);
}

}  // namespace ohlin::games
