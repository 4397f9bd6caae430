// Benchmark accounts (MODEL.md section 2): incomes, revenues, deficits and the identities
// that calibration checks. Used by `ohlin check`, by the loader (household budgets) and by
// model calibration.
#pragma once

#include <string>
#include <vector>

#include "calibration/benchmark.h"

namespace ohlin {

struct RegionAccounts {
  double factor_income = 0.0;       // sum_{f,i} VFM(f,i,r)
  double tariff_revenue = 0.0;      // sum_{i,exporter} tm * X * (1+tx), collected by importer r
  double export_tax_revenue = 0.0;  // sum_{i,importer} tx * X, collected by exporter r
  double spending = 0.0;            // sum_{i,h} VFD(i,r,h)
  double deficit = 0.0;             // D[r] = spending - (factor income + revenues)
  double income() const { return factor_income + tariff_revenue + export_tax_revenue; }
};

// One failed accounting identity.
struct IdentityFailure {
  std::string account;   // e.g. "zero profit USA/MAN", "composite market CHN/AGR", "world deficits"
  double lhs = 0.0;      // e.g. costs
  double rhs = 0.0;      // e.g. output value
  double relative = 0.0; // |lhs - rhs| / max(|lhs|, |rhs|, tiny)
};

struct Accounts {
  std::vector<RegionAccounts> regions;
  // Identities of MODEL.md section 2 whose relative gap exceeds the tolerance, largest first.
  std::vector<IdentityFailure> failures;
  double largest_relative_gap = 0.0;  // over every identity checked, failing or not
};

// Computes every account and checks the identities with the relative tolerance.
Accounts ComputeAccounts(const Benchmark& benchmark, double relative_tolerance = 1e-6);

}  // namespace ohlin
