// The exogenous variables of a counterfactual (MODEL.md sections 3-4): counterfactual rates
// and levels. A Policy made by Policy::Benchmark(data) reproduces the benchmark.
#pragma once

#include <vector>

#include "calibration/benchmark.h"
#include "calibration/tensor.h"

namespace ohlin {

// Who collects the rent of a non-tariff barrier (MODEL.md section 4): nobody (an iceberg cost,
// resources lost), the importing region (licences) or the exporting region (voluntary export
// restraints). Rents reach households like tariff revenue.
enum class RentOwner { kNone, kImporter, kExporter };
const char* RentOwnerToString(RentOwner owner);  // "none", "importer", "exporter"

// An import quota on one flow: the landed quantity of good `sector` from `exporter` in
// `importer` is capped at `level` times its benchmark. The rent rate is endogenous
// (rent >= 0 complementary to cap - quantity >= 0) and goes to `owner` (importer or exporter).
struct Quota {
  int sector = 0, exporter = 0, importer = 0;
  double level = 1.0;
  RentOwner owner = RentOwner::kImporter;
};

struct Policy {
  Tensor3 tariffs;                // tm'(i, r, s)
  Tensor3 export_taxes;           // tx'(i, r, s)
  Tensor3 ntb;                    // ntb'(i, r, s), iceberg
  Tensor3 factor_productivity;    // a(f, i, r), benchmark 1
  std::vector<double> productivity;  // a(i, r) at [i * N + r], benchmark 1
  std::vector<double> endowment;     // E_f(f, r) at [f * N + r], benchmark 1
  std::vector<double> deficit;       // D'[r], in units of the numeraire (benchmark currency)
  Tensor3 factor_tax;                // t(f, i, r), ad valorem on factor payments, benchmark 0
  std::vector<double> income_tax;    // per region, on household factor income, benchmark 0
  // Rent-generating NTBs, ad valorem: the exporter's rent is a wedge on the fob value (like an
  // export tax), the importer's on the duty-paid value (after the tariff). Benchmark 0.
  Tensor3 importer_rent;             // (i, r, s), rent to the importer s
  Tensor3 exporter_rent;             // (i, r, s), rent to the exporter r
  // Market access (export bans): 1 open, 0 banned; a demand shifter on the variety, so that a
  // ban removes it from the Armington composite. Benchmark 1; moves linearly on a path.
  Tensor3 access;                    // (i, r, s)
  std::vector<Quota> quotas;         // at most one per flow; the model must be calibrated
                                     // with the same flows (Model::Calibrate)

  static Policy Benchmark(const ohlin::Benchmark& data);  // deficits from ComputeAccounts
  double& productivity_at(std::size_t i, std::size_t r, std::size_t num_regions) {
    return productivity[i * num_regions + r];
  }
  // The quota on flow (i, r, s), or nullptr.
  const Quota* quota_on(int i, int r, int s) const;
  double& endowment_at(std::size_t f, std::size_t r, std::size_t num_regions) {
    return endowment[f * num_regions + r];
  }
};

}  // namespace ohlin
