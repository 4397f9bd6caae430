// The equilibrium conditions of MODEL.md section 5 for one counterfactual policy: residuals
// and their analytic Jacobian in a fixed sparse (CSR) pattern. Row k is the equation paired
// with variable k (see model.h), except Model::walras_row(), which holds the numeraire.
#pragma once

#include <utility>
#include <vector>

#include "model/model.h"
#include "model/policy.h"

namespace ohlin {

class EquilibriumSystem {
 public:
  // Precomputes the policy wedges and, unless `with_jacobian` is false (residuals and incomes
  // only: Evaluate must then be given no Jacobian), the Jacobian pattern, with `num_threads`
  // threads. `model` must outlive this.
  EquilibriumSystem(const Model& model, const Policy& policy, int num_threads = 1,
                    bool with_jacobian = true);

  int num_rows() const { return num_rows_; }
  const std::vector<int>& row_start() const { return row_start_; }  // CSR, size rows + 1
  const std::vector<int>& columns() const { return columns_; }      // sorted within a row
  long long num_nonzeros() const { return static_cast<long long>(columns_.size()); }

  // Residuals at x (logs of hats); Jacobian values in the pattern's order when `jacobian` is
  // not null. Returns false when a value is not finite ("not evaluable here"); never throws.
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

  // Log of the landed-price wedge (1+tx')(1+ntb')(1+tm') / benchmark, and of the iceberg
  // ratio (1+ntb')/(1+ntb), of flow (i, r, s).
  double log_wedge(int i, int r, int s) const { return log_wedge_[FlowIndex(i, r, s)]; }
  double log_iceberg(int i, int r, int s) const { return log_iceberg_[FlowIndex(i, r, s)]; }
  // Log of the shipped value hat X'(i,r,s)/X(i,r,s) at x (producer prices).
  double LogShipmentHat(const double* x, int i, int r, int s) const;

 private:
  class RowWriter;
  struct RevenueTerm {
    int exporter, importer;
    double rate;  // revenue per unit of producer value X': tm'(1+tx') or tx'
  };
  // Revenue definition rows: revenue / scale - sum of taxed flows / scale.
  double Revenue(const std::vector<RevenueTerm>& terms, int i, int index, double scale,
                 const double* x, RowWriter* writer) const;
  void EvaluateRows(const double* x, double* residuals, RowWriter* writer, int begin,
                    int end) const;
  void EvaluateRow(int row, const double* x, double* residual, RowWriter* writer) const;
  double LogValueAddedCost(const Model::Sector& sec, int i, int r, const double* x,
                           double* shares) const;
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
  std::vector<double> log_productivity_;         // log a(i,r)
  std::vector<double> log_factor_productivity_;  // log a(f,i,r) at [(f*S+i)*N+r]
  std::vector<double> log_factor_tax_;           // log(1 + t(f,i,r)), same layout
  std::vector<double> log_endowment_;            // log E_f(f,r)
  std::vector<std::vector<RevenueTerm>> tariff_terms_;      // per composite [i * N + s]
  std::vector<std::vector<RevenueTerm>> export_tax_terms_;  // per sector [i * N + r]
  std::vector<int> row_start_, columns_;
};

// Largest absolute scaled residual at the benchmark with the benchmark policy: zero (to
// rounding) when the data satisfy MODEL.md section 2.
double BenchmarkReplicationResidual(const Model& model);

}  // namespace ohlin
