#include "model/policy.h"

#include "calibration/accounts.h"

namespace ohlin {

// The benchmark policy (MODEL.md sections 3-4): benchmark rates, every level 1, and the
// benchmark deficits D[r] = spending - income.
Policy Policy::Benchmark(const ohlin::Benchmark& data) {
  const std::size_t num_r = data.num_regions();
  const std::size_t num_i = data.num_sectors();
  const std::size_t num_f = data.num_factors();
  Policy policy;
  policy.tariffs = data.tariffs;
  policy.export_taxes = data.export_taxes;
  policy.ntb = data.ntb;
  policy.factor_productivity = Tensor3(num_f, num_i, num_r, 1.0);
  policy.productivity.assign(num_i * num_r, 1.0);
  policy.endowment.assign(num_f * num_r, 1.0);
  policy.factor_tax = Tensor3(num_f, num_i, num_r, 0.0);
  policy.income_tax.assign(num_r, 0.0);
  policy.importer_rent = Tensor3(num_i, num_r, num_r, 0.0);
  policy.exporter_rent = Tensor3(num_i, num_r, num_r, 0.0);
  policy.access = Tensor3(num_i, num_r, num_r, 1.0);
  const Accounts accounts = ComputeAccounts(data);
  policy.deficit.resize(num_r);
  for (std::size_t r = 0; r < num_r; ++r) policy.deficit[r] = accounts.regions[r].deficit;
  return policy;
}

const char* RentOwnerToString(RentOwner owner) {
  switch (owner) {
    case RentOwner::kNone: return "none";
    case RentOwner::kImporter: return "importer";
    case RentOwner::kExporter: return "exporter";
  }
  return "?";
}

const Quota* Policy::quota_on(int i, int r, int s) const {
  for (const Quota& q : quotas) {
    if (q.sector == i && q.exporter == r && q.importer == s) return &q;
  }
  return nullptr;
}

}  // namespace ohlin
