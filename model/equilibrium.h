// The equilibrium conditions of MODEL.md section 5 for one counterfactual policy: residuals
// and their analytic Jacobian in a fixed sparse (CSR) pattern. Row k is the equation paired
// with variable k (see model.h), except Model::walras_row(), which holds the numeraire.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "model/model.h"
#include "model/policy.h"

namespace ohlin {

// The sparsity pattern of a system's Jacobian (CSR; columns sorted within a row).
struct JacobianPattern {
  std::vector<int> row_start;  // size rows + 1
  std::vector<int> columns;
};

class EquilibriumSystem {
 public:
  // Precomputes the policy wedges and, unless `with_jacobian` is false (residuals and incomes
  // only: Evaluate must then be given no Jacobian), the Jacobian pattern, with `num_threads`
  // threads. `model` must outlive this.
  EquilibriumSystem(const Model& model, const Policy& policy, int num_threads = 1,
                    bool with_jacobian = true);
  // The same with the pattern of another system on the same model instead of recording one
  // (recording costs about one Jacobian evaluation): for the points of a path between two
  // policies, each of whose patterns is contained in that of a point inside the path. Evaluate
  // then returns false when a derivative falls outside the pattern.
  EquilibriumSystem(const Model& model, const Policy& policy,
                    std::shared_ptr<const JacobianPattern> pattern, int num_threads = 1);

  int num_rows() const { return num_rows_; }
  const std::vector<int>& row_start() const { return pattern_->row_start; }
  const std::vector<int>& columns() const { return pattern_->columns; }
  long long num_nonzeros() const { return static_cast<long long>(pattern_->columns.size()); }
  const std::shared_ptr<const JacobianPattern>& pattern() const { return pattern_; }

  // Residuals at x (logs of hats); Jacobian values in the pattern's order when `jacobian` is
  // not null. Returns false when a value is not finite ("not evaluable here"), or with a
  // borrowed pattern when a derivative falls outside it; never throws.
  bool Evaluate(const double* x, double* residuals, double* jacobian, int num_threads = 1) const;

  // The income balance that the numeraire replaced, at x (MODEL.md section 5.5).
  double WalrasResidual(const double* x) const;

  // Household (r,h)'s income at x, by source (MODEL.md section 4), in benchmark currency:
  // factor income before income tax (one entry per factor), its share of government revenue,
  // income tax paid (negative), and its share of the region's deficit. They sum to spending at
  // an equilibrium.
  struct IncomeParts {
    std::vector<double> factors;
    double transfers = 0.0;
    double income_tax = 0.0;
    double deficit = 0.0;
    double compensation = 0.0;      // rule compensate: the transfer T received
    double compensation_tax = 0.0;  // rule compensate: -tau x pre-compensation income
    double total() const;
  };
  IncomeParts HouseholdIncome(const double* x, int r, int h) const;

  // Log of household (r,h)'s consumer price index hat at x.
  double LogConsumerPrice(const double* x, int r, int h) const;

  // Rule none: log of the government's price index hat in r (its budget shares), at x.
  double LogGovernmentPrice(const double* x, int r, double* shares = nullptr) const;
  // Household (r,h)'s income before the compensation tax and transfer (rule compensate: the
  // tax base), in benchmark currency; with its derivatives as (column, value) when asked.
  double PreCompensationIncome(int r, int h, const double* x,
                               std::vector<std::pair<int, double>>* derivatives) const;
  // log U-hat of household (r,h) at x, with its derivatives when asked.
  double LogUtility(int r, int h, const double* x,
                    std::vector<std::pair<int, double>>* derivatives) const;

  const Model& model() const { return model_; }
  const Policy& policy() const { return policy_; }

  // Log of the landed-price wedge of flow (i, r, s) at x, relative to the benchmark:
  // (1+tx')(1+rent_x')(1+ntb')(1+tm')(1+rent_m')(1+quota rent) / ((1+tx)(1+ntb)(1+tm)).
  double LogWedge(const double* x, int i, int r, int s) const {
    const std::size_t k = FlowIndex(i, r, s);
    return log_wedge_[k] + (quota_of_flow_.empty() || quota_of_flow_[k] < 0
                                ? 0.0
                                : x[model_.quota_rent_index(quota_of_flow_[k])]);
  }
  // Log of the iceberg ratio (1+ntb')/(1+ntb) and the market access (1 open, 0 banned) of
  // flow (i, r, s).
  double log_iceberg(int i, int r, int s) const { return log_iceberg_[FlowIndex(i, r, s)]; }
  double access(int i, int r, int s) const {
    return policy_.access.data().empty() ? 1.0 : policy_.access.data()[FlowIndex(i, r, s)];
  }
  // Log of the shipped value hat X'(i,r,s)/X(i,r,s) at x (producer prices); -infinity for a
  // banned flow.
  double LogShipmentHat(const double* x, int i, int r, int s) const;
  // Log of the landed quantity hat of flow (i, r, s) at x, without its market access.
  double LogOpenLandedQuantityHat(const double* x, int i, int r, int s) const;
  // Log demand hat of factor f by sector (i, r), in physical units, and log supply hat of
  // factor f of r (of its stock in sector i when specific), at x.
  double LogFactorDemandAt(const double* x, int f, int i, int r) const;
  double LogFactorSupplyAt(const double* x, int f, int i, int r) const;
  // Revenue per unit of producer value p X' of flow (i, r, s) at x, by who collects it
  // (MODEL.md section 4): export tax and exporter rents (exporter), tariff and importer
  // rents (importer); quota rents are in the rents of the quota's owner.
  struct FlowRevenue {
    double export_tax = 0.0, exporter_rent = 0.0, tariff = 0.0, importer_rent = 0.0;
    double quota_rent = 0.0;  // the quota's part of exporter_rent or importer_rent
  };
  FlowRevenue FlowRevenueRates(const double* x, int i, int r, int s) const;
  // The partial derivatives of the residuals at x with respect to the tariff rate tm'(i, r, s)
  // (x held fixed; MODEL.md section 12): the goods market of (i, r), the composite (i, s), the
  // revenue rows of importer and exporter and the flow's quota row, appended to `column` as
  // (row, value). Nothing for a domestic, banned or zero benchmark flow.
  void TariffDerivative(const double* x, int i, int r, int s,
                        std::vector<std::pair<int, double>>* column) const;
  // The same with respect to the export tax rate tx'(i, r, s) of exporter r (MODEL.md section
  // 12.5): an export tax moves the landed price like a tariff of the same size, and differs
  // only in who collects the revenue (the exporter instead of the importer).
  void ExportTaxDerivative(const double* x, int i, int r, int s,
                           std::vector<std::pair<int, double>>* column) const;
  // Largest distance from exact complementarity over the quotas at x: max over quotas of
  // |min(rent wedge, log(cap / quantity))| (0 when none).
  double QuotaComplementarityGap(const double* x) const;
  // Index into Policy::quotas of the quota on model quota k, or -1 when this policy does not
  // constrain that flow (its rent is then 0).
  int policy_quota(int k) const { return policy_quota_[k]; }

 private:
  class RowWriter;
  // Revenue per unit of producer value X' of one flow: a + b exp(z), z the flow's quota rent
  // variable (b = 0 and quota = -1 without a quota).
  struct RevenueTerm {
    int exporter, importer;
    double a, b;
    int quota;  // variable index of z, or -1
  };
  // Revenue definition rows: revenue / scale - sum of taxed flows / scale.
  double LogOpenShipmentHat(const double* x, int i, int r, int s) const;
  // FlowRevenueRates with the quota factor e^z given.
  FlowRevenue FlowRevenueAt(int i, int r, int s, double wedge) const;
  double QuotaRow(int k, const double* x, RowWriter* writer) const;
  double Revenue(const std::vector<RevenueTerm>& terms, int i, int index, double scale,
                 const double* x, RowWriter* writer) const;
  void EvaluateRow(int row, const double* x, double* residual, RowWriter* writer) const;
  double LogValueAddedCost(const Model::Sector& sec, int i, int r, const double* x,
                           double* shares) const;
  // Values that several rows use, computed once per evaluation (equilibrium.cpp): each
  // sector's value-added cost, each household's price index and each taxed flow's shipment.
  struct EvaluationCache;
  void PrepareCache(EvaluationCache* cache) const;
  void FillCache(const double* x, EvaluationCache* cache) const;
  // The cache of the evaluation at x running on this thread, or null.
  const EvaluationCache* ActiveCache(const double* x) const;
  // LogValueAddedCost and LogConsumerPrice with their shares, from the cache when there is one
  // (`scratch` holds them otherwise).
  double ValueAddedCostShares(const Model::Sector& sec, int i, int r, const double* x,
                              const double** shares) const;
  double ConsumerPriceShares(const double* x, int r, int h, const double** budget) const;
  template <typename Sink>
  double LogFactorDemand(int f, int i, int r, const double* x, double weight,
                         Sink&& sink) const;
  template <typename Sink>
  double LogFactorSupply(int f, int i, int r, const double* x, double weight,
                         Sink&& sink) const;
  template <typename Sink>
  double LogRegionPrice(int r, const double* x, double weight, Sink&& sink) const;
  double IncomeBalance(int r, int h, const double* x, RowWriter* writer) const;
  struct IncomeTerms;
  void CollectIncome(int r, int h, const double* x, bool derivatives, IncomeTerms* terms) const;
  double RevenueShare(int r, int h, const IncomeTerms& terms) const;
  // Rows of the redistribution rules none and compensate (MODEL.md section 6).
  double GovernmentBudget(int r, int row, const double* x, RowWriter* writer) const;
  double GovernmentDemand(int i, int s, const double* x, double weight, RowWriter* writer) const;
  double TransferComplementarity(int r, int h, const double* x, RowWriter* writer) const;
  double CompensationBudget(int r, const double* x, RowWriter* writer) const;
  double UtilityFloor(int r, const double* x, RowWriter* writer) const;
  std::size_t FlowIndex(int i, int r, int s) const {
    return (static_cast<std::size_t>(i) * nr_ + r) * nr_ + s;
  }

  const Model& model_;
  Policy policy_;
  int nr_, ns_, nf_;
  int num_rows_;
  std::vector<double> log_wedge_, log_iceberg_;
  std::vector<int> quota_of_flow_;   // model quota k per flow, or -1; empty without quotas
  std::vector<int> policy_quota_;    // per model quota: index into policy_.quotas or -1
  std::vector<char> restricted_sector_, restricted_composite_;  // some flow with access < 1
  std::vector<double> log_productivity_;         // log a(i,r)
  std::vector<double> log_factor_productivity_;  // log a(f,i,r) at [(f*S+i)*N+r]
  std::vector<double> log_factor_tax_;           // log(1 + t(f,i,r)), same layout
  std::vector<double> log_endowment_;            // log E_f(f,r)
  std::vector<std::vector<RevenueTerm>> tariff_terms_;      // per composite [i * N + s]
  std::vector<std::vector<RevenueTerm>> export_tax_terms_;  // per sector [i * N + r]
  std::vector<char> revenue_flow_;    // per flow: in some revenue term
  std::vector<int> household_offset_;  // region r's households at [offset[r], offset[r+1])
  // The wedges and revenue terms of the policy (every constructor).
  void PrecomputePolicy(const Model& model, const Policy& policy, int num_threads);
  void RecordPattern(int num_threads, JacobianPattern* pattern) const;

  std::shared_ptr<const JacobianPattern> pattern_;
  bool borrowed_pattern_ = false;
};

// Largest absolute scaled residual at the benchmark with the benchmark policy: zero (to
// rounding) when the data satisfy MODEL.md section 2.
double BenchmarkReplicationResidual(const Model& model);

}  // namespace ohlin
