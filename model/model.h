// The calibrated model (MODEL.md sections 3-5): a constant object built from a benchmark.
// Unknowns are logs of hats (counterfactual over benchmark), so they are positive by
// construction; the benchmark is the zero vector. Residual kernels are free functions
// f(model, policy, workspace, x, out) in model/equilibrium.h.
#pragma once

#include <string>
#include <vector>

#include "calibration/benchmark.h"
#include "model/outcome.h"
#include "model/policy.h"

namespace ohlin {

class EquilibriumSystem;

// The numeraire (MODEL.md section 5.5): a price index fixed at 1.
struct Numeraire {
  enum class Kind { kWorldFactorIncome, kFactorPrice };
  Kind kind = Kind::kWorldFactorIncome;
  int region = -1;
  int factor = -1;
  std::string description = "world_factor_income";
};

// Variable families, each paired with its equation family (STYLE.md, MPSGE style):
//   factor price w(f,r) [or w(f,i,r) specific]  <->  factor market
//   producer price p(i,r)                        <->  goods market
//   output Y(i,r)                                <->  zero profit of production
//   composite price P(i,s)                       <->  composite (Armington) market
//   composite quantity A(i,s)                    <->  zero profit of the composite
//   spending E(r,h)                              <->  income balance
//   tariff revenue t(i,s) of composite i in s    <->  its definition (sum over foreign origins)
//   export-tax revenue x(i,r) of sector i in r   <->  its definition (sum over destinations)
// Revenues are levels relative to absorption (tariffs) or output (export taxes), not logs:
// they may be zero or negative. They keep each income balance sparse: without them it would
// depend on every producer price of the world, and the normal equations would fill in.
// The income balance of the last household of the last region is replaced by the numeraire
// and reported as the Walras residual.
// How government revenue (tariffs, export taxes, factor and income taxes) reaches the
// households of a region (MODEL.md section 6).
struct Redistribution {
  enum class Rule {
    kLumpSum,       // equal per capita
    kProportional,  // in proportion to factor income (current, not benchmark)
    kShares,        // fixed shares
    kNone,          // kept by a government that consumes (MODEL.md section 6)
    kCompensate,    // lump sum, plus transfers to losers financed by an income tax
  };
  Rule rule = Rule::kLumpSum;
  std::vector<std::vector<double>> shares;  // [region][household], kShares; each sums to 1
  std::string description = "lump_sum";
};

enum class VariableKind { kFactorPrice, kProducerPrice, kOutput, kCompositePrice,
                          kCompositeQuantity, kSpending, kTariffRevenue, kExportTaxRevenue,
                          kQuotaRent, kGovernmentSpending, kTransfer, kCompensationTax,
                          kFloor };
// The redistribution rules add (model/redistribution.cpp; all levels, not logs, and all with
// the region in field b, like the (i, r) kinds):
//   none:       government spending g(r) / E(r)  <->  government budget
//   compensate: transfer T(h, r) / E(r,h)         <->  T >= 0 _|_ U - floor >= 0 (smoothed FB)
//               compensation tax rate tau(r)      <->  transfers = tau x pre-compensation income
//               utility floor(r)                  <->  floor = min(1, (1 - tau) max_h rho(h))
// Smoothing parameter of the complementarity rows (model units: shares of spending, utility).
constexpr double kComplementaritySmoothing = 1e-12;

// The quota rent of flow (i, r, s) is log(1 + rent rate), paired with the complementarity
// rent >= 0 _|_ cap - landed quantity >= 0 (Fischer–Burmeister, equilibrium.cpp).
struct Variable {
  VariableKind kind;
  // (f, i or -1, r), (i, r), (i, r), (i, s), (i, s), (r, h), (i, s), (i, r), (i, r, s)
  int a = -1, b = -1, c = -1;
};

using State = std::vector<double>;  // logs of hats (revenues: levels), one per variable

class Model {
 public:
  // Calibrates shares from the benchmark. Throws InputError when the data cannot define a
  // model (e.g. a region with no final demand).
  // `quotas`: the flows that may carry a quota (Policy::quotas of the scenarios to be solved;
  // only their flows and owners are used): each gets a rent variable.
  static Model Calibrate(const Benchmark& data, const Numeraire& numeraire = {},
                         const Redistribution& redistribution = {},
                         const std::vector<Quota>& quotas = {});

  const Benchmark& data() const { return data_; }
  const Numeraire& numeraire() const { return numeraire_; }
  const Redistribution& redistribution() const { return redistribution_; }
  int num_variables() const { return static_cast<int>(variables_.size()); }
  const std::vector<Variable>& variables() const { return variables_; }
  // The benchmark: every hat 1 (log 0), revenues at their benchmark levels.
  State BenchmarkState() const;
  std::string EquationName(int row) const;  // e.g. "goods market CHN/MAN"
  // A stable name for variable k, e.g. "producer_price CHN/MAN", "factor_price USA/capital"
  // (state.csv, `ohlin solve --start`).
  std::string VariableName(int k) const;
  int walras_row() const { return walras_row_; }

  // Index of a variable, or -1 when it does not exist (zero benchmark flow).
  int factor_price_index(int f, int i, int r) const;  // i ignored for mobile factors
  int producer_price_index(int i, int r) const { return producer_price_[i * nr_ + r]; }
  int output_index(int i, int r) const { return output_[i * nr_ + r]; }
  int composite_price_index(int i, int s) const { return composite_price_[i * nr_ + s]; }
  int composite_quantity_index(int i, int s) const { return composite_quantity_[i * nr_ + s]; }
  int spending_index(int r, int h) const { return spending_[r][h]; }
  int tariff_revenue_index(int i, int s) const { return tariff_revenue_[i * nr_ + s]; }
  int export_tax_revenue_index(int i, int r) const { return export_tax_revenue_[i * nr_ + r]; }
  // Quota flows, in the order of their rent variables; level unused here.
  const std::vector<Quota>& quotas() const { return quotas_; }
  int quota_rent_index(int k) const { return quota_rent_[k]; }
  // Rule none: government spending of r; rule compensate: transfer of (r,h), tax rate and
  // utility floor of r. -1 under the other rules.
  int government_spending_index(int r) const { return Lookup(government_spending_, r); }
  int transfer_index(int r, int h) const {
    return transfer_.empty() ? -1 : transfer_[r][h];
  }
  int compensation_tax_index(int r) const { return Lookup(compensation_tax_, r); }
  int floor_index(int r) const { return Lookup(floor_, r); }

  // Calibrated parameters, public for kernels and tests (read-only through const Model&).
  struct Sector {         // production of sector i in region r with Y > 0
    double output = 0.0;                 // Y(i,r)
    double sigma_va = 1.0, sigma_top = 0.0;
    double value_added_share = 0.0;      // theta_VA
    std::vector<int> factor_ids;         // factors with VFM > 0
    std::vector<double> factor_shares;   // beta over factor_ids
    std::vector<int> input_ids;          // inputs j with VIM > 0
    std::vector<double> input_shares;    // theta_j over input_ids
    std::vector<int> dest_ids;           // destinations s with X > 0
    std::vector<double> dest_shares;     // X(i,r,s) / Y(i,r)
  };
  struct Composite {      // composite good i in region s with absorption > 0
    double absorption = 0.0;             // sum_r V(i,r,s)
    double sigma = 5.0;
    std::vector<int> origin_ids;         // origins r with X > 0
    std::vector<double> origin_shares;   // alpha(i,r,s)
    std::vector<int> user_ids;           // sectors j that use i (VIM(i,j,s) > 0)
    std::vector<double> user_shares;     // VIM(i,j,s) / absorption
    std::vector<double> household_shares;  // VFD(i,s,h) / absorption, per household of s
  };
  struct HouseholdParams {
    double spending = 0.0;               // E(r,h) (rule none: net of its share of revenue)
    double sigma_c = 1.0;
    std::vector<int> good_ids;           // goods with VFD > 0
    std::vector<double> budget_shares;   // gamma over good_ids
    std::vector<double> owns;            // own(f,r,h) per factor
    double revenue_share = 0.0;          // benchmark share of revenue under the rule
    double deficit_share = 0.0;          // share of a change in D[r]: E(r,h) / E(r)
    double deficit = 0.0;                // benchmark D(r,h) = E(r,h) - its income
  };
  const Sector* sector(int i, int r) const {
    const int k = sector_slot_[i * nr_ + r];
    return k < 0 ? nullptr : &sectors_[k];
  }
  const Composite* composite(int i, int s) const {
    const int k = composite_slot_[i * nr_ + s];
    return k < 0 ? nullptr : &composites_[k];
  }
  const HouseholdParams& household(int r, int h) const { return households_[r][h]; }
  int num_households(int r) const { return static_cast<int>(households_[r].size()); }
  double factor_endowment(int f, int r) const { return endowment_[f * nr_ + r]; }  // sum_i VFM
  double benchmark_spending(int r) const;
  double benchmark_deficit(int r) const { return deficit_[r]; }
  // Rule none: the government of r (MODEL.md section 6).
  struct GovernmentParams {
    double spending = 0.0;               // benchmark revenue of r (may be 0)
    double sigma_c = 1.0;
    std::vector<int> good_ids;           // goods with a positive budget share
    std::vector<double> budget_shares;   // revenue-weighted mix of the households' shares
    std::vector<double> composite_shares;  // per good i: E(r) gamma_G(i) / absorption(i, r)
  };
  const GovernmentParams* government(int r) const {
    return governments_.empty() ? nullptr : &governments_[r];
  }

  // Turns a solved state into the user-facing results (MODEL.md section 6).
  Outcome ComputeOutcome(const Policy& policy, const State& x) const;

 private:
  HouseholdOutcome GovernmentOutcome(const EquilibriumSystem& system, const double* x,
                                     int r) const;
  CompensationOutcome CompensationSummary(const EquilibriumSystem& system, const double* x,
                                          int r) const;
 public:

 private:
  Benchmark data_;
  Numeraire numeraire_;
  Redistribution redistribution_;
  int nr_ = 0, ns_ = 0, nf_ = 0;
  std::vector<Variable> variables_;
  std::vector<int> factor_price_;     // [(f * S + i) * N + r], i = 0 for mobile
  std::vector<int> producer_price_, output_, composite_price_, composite_quantity_;
  std::vector<std::vector<int>> spending_;
  std::vector<int> tariff_revenue_, export_tax_revenue_;
  std::vector<Quota> quotas_;
  std::vector<int> quota_rent_;
  std::vector<int> sector_slot_, composite_slot_;
  std::vector<Sector> sectors_;
  std::vector<Composite> composites_;
  std::vector<std::vector<HouseholdParams>> households_;
  std::vector<double> endowment_;
  std::vector<double> deficit_;
  int walras_row_ = -1;
  std::vector<int> government_spending_, compensation_tax_, floor_;
  std::vector<std::vector<int>> transfer_;
  std::vector<GovernmentParams> governments_;
  static int Lookup(const std::vector<int>& index, int r) { return index.empty() ? -1 : index[r]; }

  friend class ModelBuilder;
};

}  // namespace ohlin
