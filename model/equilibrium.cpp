// Residuals and analytic Jacobian of the equilibrium (MODEL.md sections 3-5), in logs of hats.
// Every demand uses the current cost shares of its CES nest (Shephard's lemma, model/ces.h);
// producer prices stand in for unit costs in demands (they are equal at the solution by zero
// profit), which keeps the Jacobian sparse.
#include "model/equilibrium.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/ces.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ohlin {

// Collects d(residual)/d(x[col]) for one row. In pattern mode it records the columns; in value
// mode it accumulates into a dense scratch row and copies it out in the pattern's order.
class EquilibriumSystem::RowWriter {
 public:
  explicit RowWriter(int num_variables) : dense_(static_cast<std::size_t>(num_variables), 0.0) {}
  // Exact zeros are structural (they come from parameters, e.g. sigma = 1 or sigma_VA =
  // sigma_T): the pattern is recorded at a generic point, so they are left out of it.
  void Add(int col, double value) {
    if (value == 0.0) return;
    if (recording_) {
      columns_.push_back(col);
      return;
    }
    dense_[col] += value;
    touched_.push_back(col);
  }
  void StartPattern() {
    recording_ = true;
    columns_.clear();
  }
  std::vector<int> FinishPattern() {
    std::sort(columns_.begin(), columns_.end());
    columns_.erase(std::unique(columns_.begin(), columns_.end()), columns_.end());
    recording_ = false;
    return columns_;
  }
  void FinishValues(const int* cols, int count, double* out) {
    for (int k = 0; k < count; ++k) out[k] = dense_[cols[k]];
    // Reset every touched entry, in the pattern or not, so that no row leaks into the next.
    for (int col : touched_) dense_[col] = 0.0;
    touched_.clear();
  }
  // The same; false when a touched entry outside the pattern is not zero.
  bool FinishValuesChecked(const int* cols, int count, double* out) {
    for (int k = 0; k < count; ++k) {
      out[k] = dense_[cols[k]];
      dense_[cols[k]] = 0.0;
    }
    bool inside = true;
    for (int col : touched_) {
      inside = inside && dense_[col] == 0.0;
      dense_[col] = 0.0;
    }
    touched_.clear();
    return inside;
  }

 private:
  bool recording_ = false;
  std::vector<int> columns_;
  std::vector<int> touched_;
  std::vector<double> dense_;
};

namespace {

double SafeLog(double v) { return std::log(v); }

// log1p, without the call for the common zero rate (log1p(0) is exactly 0).
double Log1p(double rate) { return rate == 0.0 ? 0.0 : std::log1p(rate); }

// Small systems are evaluated on one thread: waking a second costs more than it saves.
int ThreadsFor(int rows, int requested) { return rows < 4000 ? 1 : std::max(1, requested); }
// Rows handed to a thread at a time in a parallel evaluation.
constexpr int kRowChunk = 128;

// Per-thread scratch for one row's kernels: vectors that keep their capacity, so that an
// evaluation allocates nothing after the first rows (allocation was a fifth of the time).
struct RowScratch {
  std::vector<double> factor_shares, top_theta, top_shares, origin_shares, budget;
  std::vector<double> weights, exponents, omega, log_price_index;
  std::vector<int> ids;
  // The evaluation running on this thread: its system, point and cache (null outside one).
  const void* system = nullptr;
  const double* x = nullptr;
  const void* cache = nullptr;
};

RowScratch& LocalScratch() {
  thread_local RowScratch scratch;
  return scratch;
}

// Sized view of a scratch vector.
double* Sized(std::vector<double>* v, std::size_t n) {
  if (v->size() < n) v->resize(n);
  return v->data();
}

}  // namespace

struct EquilibriumSystem::EvaluationCache {
  std::vector<double> log_va_cost;         // per sector [i * N + r]
  std::vector<double> va_shares;           // [(i * N + r) * F + k], k over the sector's factors
  std::vector<double> log_consumer_price;  // per household [household_offset_[r] + h]
  std::vector<double> budget;              // [(household_offset_[r] + h) * S + g]
  std::unique_ptr<double[]> shipment;      // X' of each flow in a revenue term (else unset)
};

namespace {

// Makes `cache` the active one of this thread for evaluations of `system` at `x` while it
// lives (rows then read shared values from it), and restores the one before.
class ScopedCache {
 public:
  ScopedCache(const void* system, const double* x, const void* cache)
      : scratch_(LocalScratch()), system_(scratch_.system), x_(scratch_.x), cache_(scratch_.cache) {
    scratch_.system = system;
    scratch_.x = x;
    scratch_.cache = cache;
  }
  ~ScopedCache() {
    scratch_.system = system_;
    scratch_.x = x_;
    scratch_.cache = cache_;
  }
  ScopedCache(const ScopedCache&) = delete;
  ScopedCache& operator=(const ScopedCache&) = delete;

 private:
  RowScratch& scratch_;
  const void* system_;
  const double* x_;
  const void* cache_;
};

}  // namespace

EquilibriumSystem::EquilibriumSystem(const Model& model, const Policy& policy,
                                     std::shared_ptr<const JacobianPattern> pattern,
                                     int num_threads)
    : model_(model),
      policy_(policy),
      nr_(static_cast<int>(model.data().num_regions())),
      ns_(static_cast<int>(model.data().num_sectors())),
      nf_(static_cast<int>(model.data().num_factors())),
      num_rows_(model.num_variables()),
      pattern_(std::move(pattern)),
      borrowed_pattern_(true) {
  PrecomputePolicy(model, policy, num_threads);
  if (pattern_ == nullptr || pattern_->row_start.size() != static_cast<std::size_t>(num_rows_) + 1) {
    auto own = std::make_shared<JacobianPattern>();  // not this model's: record one
    RecordPattern(num_threads, own.get());
    pattern_ = std::move(own);
    borrowed_pattern_ = false;
  }
}

EquilibriumSystem::EquilibriumSystem(const Model& model, const Policy& policy, int num_threads,
                                     bool with_jacobian)
    : model_(model),
      policy_(policy),
      nr_(static_cast<int>(model.data().num_regions())),
      ns_(static_cast<int>(model.data().num_sectors())),
      nf_(static_cast<int>(model.data().num_factors())),
      num_rows_(model.num_variables()) {
  PrecomputePolicy(model, policy, num_threads);
  auto pattern = std::make_shared<JacobianPattern>();
  pattern->row_start.assign(static_cast<std::size_t>(num_rows_) + 1, 0);
  if (with_jacobian) RecordPattern(num_threads, pattern.get());
  pattern_ = std::move(pattern);
}

void EquilibriumSystem::PrecomputePolicy(const Model& model, const Policy& policy,
                                         int num_threads) {
  const Benchmark& data = model.data();
  const std::size_t flows = static_cast<std::size_t>(ns_) * nr_ * nr_;
  log_wedge_.assign(flows, 0.0);
  log_iceberg_.assign(flows, 0.0);
  if (!policy.access.data().empty() && policy.access.data().size() != flows) {
    policy_.access = Tensor3();  // a policy made for another world: every market open
  }
  // Quotas: the model's quota flows, each matched with the policy's quota on it (if any).
  const std::vector<Quota>& quotas = model.quotas();
  policy_quota_.assign(quotas.size(), -1);
  if (!quotas.empty()) quota_of_flow_.assign(flows, -1);
  for (std::size_t k = 0; k < quotas.size(); ++k) {
    const Quota& q = quotas[k];
    quota_of_flow_[FlowIndex(q.sector, q.exporter, q.importer)] = static_cast<int>(k);
    for (std::size_t m = 0; m < policy.quotas.size(); ++m) {
      const Quota& p = policy.quotas[m];
      if (p.sector == q.sector && p.exporter == q.exporter && p.importer == q.importer) {
        policy_quota_[k] = static_cast<int>(m);
      }
    }
  }
  restricted_sector_.assign(static_cast<std::size_t>(ns_) * nr_, 0);
  restricted_composite_.assign(static_cast<std::size_t>(ns_) * nr_, 0);
  tariff_terms_.assign(static_cast<std::size_t>(ns_) * nr_, {});
  export_tax_terms_.assign(static_cast<std::size_t>(ns_) * nr_, {});
  revenue_flow_.assign(flows, 0);
  household_offset_.assign(1, 0);
  for (int r = 0; r < nr_; ++r) {
    household_offset_.push_back(household_offset_.back() + model.num_households(r));
  }
  auto rate = [](const Tensor3& t, int i, int r, int s) {
    return t.data().empty() ? 0.0 : t(i, r, s);
  };
  // Sectors in parallel: each writes only its own flows, terms and flags.
#pragma omp parallel for schedule(static) num_threads(ThreadsFor(num_rows_, num_threads))
  for (int i = 0; i < ns_; ++i) {
    for (int r = 0; r < nr_; ++r) {
      for (int s = 0; s < nr_; ++s) {
        const std::size_t k = FlowIndex(i, r, s);
        const double tx0 = data.export_taxes(i, r, s), tx1 = policy.export_taxes(i, r, s);
        const double tm0 = data.tariffs(i, r, s), tm1 = policy.tariffs(i, r, s);
        const double nt0 = data.ntb(i, r, s), nt1 = policy.ntb(i, r, s);
        const double rx = rate(policy.exporter_rent, i, r, s);
        const double rm = rate(policy.importer_rent, i, r, s);
        // A rate equal at both ends changes nothing, and needs no log1p (same bits).
        const double iceberg = nt1 == nt0 ? 0.0 : Log1p(nt1) - Log1p(nt0);
        const double export_tax = tx1 == tx0 ? 0.0 : Log1p(tx1) - Log1p(tx0);
        const double tariff_after = Log1p(tm1);
        const double tariff_before = tm0 == tm1 ? tariff_after : Log1p(tm0);
        log_iceberg_[k] = iceberg;
        log_wedge_[k] = export_tax + Log1p(rx) + iceberg + tariff_after - tariff_before + Log1p(rm);
        if (data.trade(i, r, s) <= 0.0 || r == s) continue;
        if (access(i, r, s) != 1.0) {
          restricted_sector_[i * nr_ + r] = 1;
          restricted_composite_[i * nr_ + s] = 1;
        }
        if (access(i, r, s) <= 0.0) continue;  // banned: no flow, no revenue
        // Revenue per unit of p X' (MODEL.md section 4): the exporter collects tx' and
        // (1+tx') rx on the fob value; the importer tm' on the cif value and rm on the
        // duty-paid value. A quota's rent e^z - 1 sits with its owner's rents, so each side's
        // revenue is affine in e^z: a + b e^z, read off FlowRevenueAt at factors 1 and 2.
        const int quota = quota_of_flow_.empty() ? -1 : quota_of_flow_[k];
        const int z = quota < 0 ? -1 : model.quota_rent_index(quota);
        const FlowRevenue one = FlowRevenueAt(i, r, s, 1.0), two = FlowRevenueAt(i, r, s, 2.0);
        const double exporter_one = one.export_tax + one.exporter_rent;
        const double importer_one = one.tariff + one.importer_rent;
        const double exporter_b = two.export_tax + two.exporter_rent - exporter_one;
        const double importer_b = two.tariff + two.importer_rent - importer_one;
        const RevenueTerm exporter{r, s, exporter_one - exporter_b, exporter_b,
                                   exporter_b != 0.0 ? z : -1};
        const RevenueTerm importer{r, s, importer_one - importer_b, importer_b,
                                   importer_b != 0.0 ? z : -1};
        if (importer.a != 0.0 || importer.b != 0.0) {
          tariff_terms_[i * nr_ + s].push_back(importer);
          revenue_flow_[k] = 1;
        }
        if (exporter.a != 0.0 || exporter.b != 0.0) {
          export_tax_terms_[i * nr_ + r].push_back(exporter);
          revenue_flow_[k] = 1;
        }
      }
    }
  }
  log_productivity_.resize(policy.productivity.size());
  std::transform(policy.productivity.begin(), policy.productivity.end(),
                 log_productivity_.begin(), SafeLog);
  log_endowment_.resize(policy.endowment.size());
  std::transform(policy.endowment.begin(), policy.endowment.end(), log_endowment_.begin(),
                 SafeLog);
  // factor_productivity is (f, i, r) = [(f*S+i)*N+r].
  log_factor_productivity_.resize(policy.factor_productivity.data().size());
  std::transform(policy.factor_productivity.data().begin(),
                 policy.factor_productivity.data().end(), log_factor_productivity_.begin(),
                 SafeLog);
  log_factor_tax_.resize(policy.factor_tax.data().size());
  std::transform(policy.factor_tax.data().begin(), policy.factor_tax.data().end(),
                 log_factor_tax_.begin(), [](double t) { return std::log1p(t); });
}

void EquilibriumSystem::RecordPattern(int num_threads, JacobianPattern* pattern) const {
  // The Jacobian pattern: run every row once in recording mode at a generic point near the
  // benchmark, where no derivative is zero by coincidence.
  std::vector<double> x = model_.BenchmarkState();
  for (std::size_t k = 0; k < x.size(); ++k) x[k] += 0.01 * std::sin(1.0 + static_cast<double>(k));
  std::vector<std::vector<int>> row_columns(static_cast<std::size_t>(num_rows_));
  EvaluationCache cache;
  PrepareCache(&cache);
#pragma omp parallel num_threads(ThreadsFor(num_rows_, num_threads))
  {
    const ScopedCache active(this, x.data(), &cache);
    FillCache(x.data(), &cache);
    RowWriter writer(0);
#pragma omp for schedule(dynamic, kRowChunk)
    for (int row = 0; row < num_rows_; ++row) {
      writer.StartPattern();
      double residual = 0.0;
      EvaluateRow(row, x.data(), &residual, &writer);
      row_columns[row] = writer.FinishPattern();
    }
  }
  std::vector<int>& row_start = pattern->row_start;
  std::vector<int>& columns = pattern->columns;
  row_start.assign(1, 0);
  std::size_t total = 0;
  for (const std::vector<int>& cols : row_columns) total += cols.size();
  columns.clear();
  columns.reserve(total);
  for (const std::vector<int>& cols : row_columns) {
    columns.insert(columns.end(), cols.begin(), cols.end());
    row_start.push_back(static_cast<int>(columns.size()));
  }
}

void EquilibriumSystem::PrepareCache(EvaluationCache* cache) const {
  const std::size_t cells = static_cast<std::size_t>(ns_) * nr_;
  const std::size_t households = static_cast<std::size_t>(household_offset_.back());
  cache->log_va_cost.resize(cells);
  cache->va_shares.resize(cells * nf_);
  cache->log_consumer_price.resize(households);
  cache->budget.resize(households * ns_);
  if (std::find(revenue_flow_.begin(), revenue_flow_.end(), 1) != revenue_flow_.end()) {
    cache->shipment.reset(new double[revenue_flow_.size()]);
  }
}

// Called by every thread of a parallel region (or outside one): the loops are shared.
void EquilibriumSystem::FillCache(const double* x, EvaluationCache* cache) const {
  const Benchmark& data = model_.data();
  const int cells = ns_ * nr_;
#pragma omp for schedule(static)
  for (int cell = 0; cell < cells; ++cell) {
    const int i = cell / nr_, r = cell % nr_;
    const Model::Sector* sec = model_.sector(i, r);
    if (sec == nullptr) continue;
    cache->log_va_cost[cell] = LogValueAddedCost(
        *sec, i, r, x, &cache->va_shares[static_cast<std::size_t>(cell) * nf_]);
  }
#pragma omp for schedule(static)
  for (int r = 0; r < nr_; ++r) {
    for (int h = 0; h < model_.num_households(r); ++h) {
      const Model::HouseholdParams& hh = model_.household(r, h);
      const std::size_t k = static_cast<std::size_t>(household_offset_[r] + h);
      cache->log_consumer_price[k] = LogCesIndex(
          1.0 - hh.sigma_c, hh.good_ids.size(), hh.budget_shares.data(),
          [&](std::size_t g) { return x[model_.composite_price_index(hh.good_ids[g], r)]; },
          &cache->budget[k * ns_]);
    }
  }
  if (cache->shipment == nullptr) return;
#pragma omp for schedule(static)
  for (int cell = 0; cell < cells; ++cell) {
    const int i = cell / nr_, r = cell % nr_;
    for (int s = 0; s < nr_; ++s) {
      const std::size_t k = FlowIndex(i, r, s);
      if (revenue_flow_[k]) {
        cache->shipment[k] = data.trade(i, r, s) * std::exp(LogShipmentHat(x, i, r, s));
      }
    }
  }
}

const EquilibriumSystem::EvaluationCache* EquilibriumSystem::ActiveCache(const double* x) const {
  const RowScratch& scratch = LocalScratch();
  return scratch.system == this && scratch.x == x
             ? static_cast<const EvaluationCache*>(scratch.cache)
             : nullptr;
}

double EquilibriumSystem::ValueAddedCostShares(const Model::Sector& sec, int i, int r,
                                               const double* x, const double** shares) const {
  if (const EvaluationCache* cache = ActiveCache(x)) {
    const std::size_t cell = static_cast<std::size_t>(i) * nr_ + r;
    *shares = &cache->va_shares[cell * nf_];
    return cache->log_va_cost[cell];
  }
  double* out = Sized(&LocalScratch().factor_shares, sec.factor_ids.size());
  *shares = out;
  return LogValueAddedCost(sec, i, r, x, out);
}

double EquilibriumSystem::ConsumerPriceShares(const double* x, int r, int h,
                                              const double** budget) const {
  if (const EvaluationCache* cache = ActiveCache(x)) {
    const std::size_t k = static_cast<std::size_t>(household_offset_[r] + h);
    *budget = &cache->budget[k * ns_];
    return cache->log_consumer_price[k];
  }
  const Model::HouseholdParams& hh = model_.household(r, h);
  double* out = Sized(&LocalScratch().budget, hh.good_ids.size());
  *budget = out;
  return LogCesIndex(
      1.0 - hh.sigma_c, hh.good_ids.size(), hh.budget_shares.data(),
      [&](std::size_t g) { return x[model_.composite_price_index(hh.good_ids[g], r)]; }, out);
}

bool EquilibriumSystem::Evaluate(const double* x, double* residuals, double* jacobian,
                                 int num_threads) const {
  bool finite = true;
  EvaluationCache cache;
  PrepareCache(&cache);
  const int* row_start = pattern_->row_start.data();
  const int* columns = pattern_->columns.data();
#pragma omp parallel num_threads(ThreadsFor(num_rows_, num_threads)) reduction(&& : finite)
  {
    const ScopedCache active(this, x, &cache);
    FillCache(x, &cache);
    RowWriter writer(jacobian == nullptr ? 0 : num_rows_);
    // Rows cost unequal amounts by kind (goods markets with an exponential per destination,
    // revenues that add up cached shipments), so they are handed out in small chunks. Each row
    // is computed alone, so the result does not depend on the threads or the order.
#pragma omp for schedule(dynamic, kRowChunk)
    for (int row = 0; row < num_rows_; ++row) {
      if (jacobian == nullptr) {
        EvaluateRow(row, x, &residuals[row], nullptr);
      } else {
        EvaluateRow(row, x, &residuals[row], &writer);
        const int* cols = columns + row_start[row];
        const int count = row_start[row + 1] - row_start[row];
        double* out = &jacobian[row_start[row]];
        if (borrowed_pattern_) {
          finite = writer.FinishValuesChecked(cols, count, out) && finite;
        } else {
          writer.FinishValues(cols, count, out);
        }
        for (int k = 0; k < count; ++k) finite = finite && std::isfinite(out[k]);
      }
      finite = finite && std::isfinite(residuals[row]);
    }
  }
  return finite;
}

double EquilibriumSystem::LogConsumerPrice(const double* x, int r, int h) const {
  const Model::HouseholdParams& hh = model_.household(r, h);
  return LogCesIndex(
      1.0 - hh.sigma_c, hh.good_ids.size(), hh.budget_shares.data(),
      [&](std::size_t k) { return x[model_.composite_price_index(hh.good_ids[k], r)]; },
      nullptr);
}

double EquilibriumSystem::LogOpenLandedQuantityHat(const double* x, int i, int r, int s) const {
  const double sigma = model_.composite(i, s)->sigma;
  const double landed =
      x[model_.producer_price_index(i, r)] + LogWedge(x, i, r, s) - x[model_.composite_price_index(i, s)];
  return x[model_.composite_quantity_index(i, s)] - sigma * landed;
}

// Shipped value hat without market access: p q (1+ntb')/(1+ntb).
double EquilibriumSystem::LogOpenShipmentHat(const double* x, int i, int r, int s) const {
  return x[model_.producer_price_index(i, r)] + log_iceberg(i, r, s) +
         LogOpenLandedQuantityHat(x, i, r, s);
}

double EquilibriumSystem::LogShipmentHat(const double* x, int i, int r, int s) const {
  const double kappa = access(i, r, s);
  if (kappa <= 0.0) return -std::numeric_limits<double>::infinity();
  return LogOpenShipmentHat(x, i, r, s) + (kappa == 1.0 ? 0.0 : std::log(kappa));
}

double EquilibriumSystem::WalrasResidual(const double* x) const {
  const Variable& v = model_.variables()[model_.walras_row()];
  return IncomeBalance(v.a, v.b, x, nullptr);
}

namespace {

// A value with its derivatives, as (column, d value / d x[column]) terms.
struct LinearForm {
  double value = 0.0;
  std::vector<std::pair<int, double>> terms;
  void Add(int column, double derivative) { terms.emplace_back(column, derivative); }
};

}  // namespace

double EquilibriumSystem::IncomeParts::total() const {
  double sum = transfers + income_tax + deficit + compensation + compensation_tax;
  for (double v : factors) sum += v;
  return sum;
}

// The pieces of household (r,h)'s income (MODEL.md sections 4 and 6), as linear forms when
// `derivatives`: its factor income, the region's factor income, and government revenue.
struct EquilibriumSystem::IncomeTerms {
  LinearForm own_factor_income, region_factor_income, revenue;
  std::vector<double> by_factor;  // own factor income by factor
};

void EquilibriumSystem::CollectIncome(int r, int h, const double* x, bool derivatives,
                                      IncomeTerms* terms) const {
  const Model::HouseholdParams& hh = model_.household(r, h);
  const Benchmark& data = model_.data();
  terms->by_factor.assign(static_cast<std::size_t>(nf_), 0.0);
  LinearForm& own = terms->own_factor_income;
  LinearForm& region = terms->region_factor_income;
  LinearForm& revenue = terms->revenue;
  // Factor income, at factor prices (the factor tax is paid on top by the user).
  for (int f = 0; f < nf_; ++f) {
    const bool mobile = data.factors[f].mobility == FactorMobility::kMobile;
    for (int i = 0; i < (mobile ? 1 : ns_); ++i) {
      const int w = model_.factor_price_index(f, mobile ? -1 : i, r);
      if (w < 0) continue;
      const double base = mobile ? model_.factor_endowment(f, r) : data.factor_payments(f, i, r);
      // w times the supply (the endowment, unless the supply is elastic).
      const double value =
          base * std::exp(x[w] + LogFactorSupply(f, mobile ? -1 : i, r, x, 0.0, [](int, double) {}));
      region.value += value;
      own.value += hh.owns[f] * value;
      terms->by_factor[f] += hh.owns[f] * value;
      if (derivatives) {
        // d value = value (d log w + d log supply), for the region and the household's share.
        LinearForm supply;
        supply.Add(w, 1.0);
        LogFactorSupply(f, mobile ? -1 : i, r, x, 1.0,
                        [&supply](int col, double d) { supply.Add(col, d); });
        for (const auto& [col, d] : supply.terms) {
          region.Add(col, value * d);
          if (hh.owns[f] != 0.0) own.Add(col, hh.owns[f] * value * d);
        }
      }
    }
  }
  // Government revenue: tariffs and export taxes (revenue variables), factor taxes, and the
  // income tax on factor income.
  for (int i = 0; i < ns_; ++i) {
    if (const int t = model_.tariff_revenue_index(i, r); t >= 0) {
      const double weight = model_.composite(i, r)->absorption;
      revenue.value += weight * x[t];
      if (derivatives) revenue.Add(t, weight);
    }
    if (const int e = model_.export_tax_revenue_index(i, r); e >= 0) {
      const double weight = model_.sector(i, r)->output;
      revenue.value += weight * x[e];
      if (derivatives) revenue.Add(e, weight);
    }
  }
  for (int f = 0; f < nf_; ++f) {
    for (int i = 0; i < ns_; ++i) {
      const double rate = policy_.factor_tax(f, i, r);
      if (rate == 0.0 || data.factor_payments(f, i, r) <= 0.0) continue;
      const int w = model_.factor_price_index(f, i, r);
      // t w F: the tax on sector i's payments to f.
      const double value = rate * data.factor_payments(f, i, r) * std::exp(x[w]) *
                           std::exp(LogFactorDemand(f, i, r, x, 0.0, [](int, double) {}));
      revenue.value += value;
      if (derivatives) {
        revenue.Add(w, value);
        LogFactorDemand(f, i, r, x, value, [&revenue](int col, double v) { revenue.Add(col, v); });
      }
    }
  }
  const double income_tax = policy_.income_tax[r];
  if (income_tax != 0.0) {
    revenue.value += income_tax * region.value;
    if (derivatives) {
      for (const auto& [col, v] : region.terms) revenue.Add(col, income_tax * v);
    }
  }
}

// Household h's share of the region's revenue under the redistribution rule, with its
// derivatives for the `proportional` rule (share of factor income).
double EquilibriumSystem::RevenueShare(int r, int h, const IncomeTerms& terms) const {
  if (model_.redistribution().rule != Redistribution::Rule::kProportional) {
    return model_.household(r, h).revenue_share;
  }
  return terms.region_factor_income.value > 0.0
             ? terms.own_factor_income.value / terms.region_factor_income.value
             : 0.0;
}

EquilibriumSystem::IncomeParts EquilibriumSystem::HouseholdIncome(const double* x, int r,
                                                                  int h) const {
  IncomeTerms terms;
  CollectIncome(r, h, x, false, &terms);
  const Model::HouseholdParams& hh = model_.household(r, h);
  IncomeParts parts;
  parts.factors = terms.by_factor;
  parts.transfers = RevenueShare(r, h, terms) * terms.revenue.value;
  parts.income_tax = -policy_.income_tax[r] * terms.own_factor_income.value;
  parts.deficit = hh.deficit + hh.deficit_share * (policy_.deficit[r] - model_.benchmark_deficit(r));
  if (const int tau = model_.compensation_tax_index(r); tau >= 0) {
    parts.compensation = x[model_.transfer_index(r, h)] * hh.spending;
    parts.compensation_tax = -x[tau] * PreCompensationIncome(r, h, x, nullptr);
  }
  return parts;
}

// Income balance of household (r,h), MODEL.md section 4, scaled by its benchmark spending:
//   E-hat - ((1 - income tax) factor income + revenue share + deficit share) / E(r,h).
double EquilibriumSystem::IncomeBalance(int r, int h, const double* x, RowWriter* writer) const {
  const Model::HouseholdParams& hh = model_.household(r, h);
  const double scale = 1.0 / hh.spending;
  const int e_index = model_.spending_index(r, h);
  const double spending_hat = std::exp(x[e_index]);
  IncomeTerms terms;
  CollectIncome(r, h, x, writer != nullptr, &terms);
  const double tax = policy_.income_tax[r];
  const double share = RevenueShare(r, h, terms);
  const double revenue = terms.revenue.value;
  const double deficit =
      hh.deficit + hh.deficit_share * (policy_.deficit[r] - model_.benchmark_deficit(r));
  const double income = (1.0 - tax) * terms.own_factor_income.value + share * revenue + deficit;
  // Rule compensate: spending = (1 - tau) income + T (MODEL.md section 6); `keep` = 1 - tau.
  const int tau = model_.compensation_tax_index(r);
  const double keep = tau >= 0 ? 1.0 - x[tau] : 1.0;
  const double transfer = tau >= 0 ? x[model_.transfer_index(r, h)] : 0.0;
  if (writer != nullptr) {
    writer->Add(e_index, spending_hat);
    for (const auto& [col, v] : terms.own_factor_income.terms) {
      writer->Add(col, -scale * keep * (1.0 - tax) * v);
    }
    for (const auto& [col, v] : terms.revenue.terms) writer->Add(col, -scale * keep * share * v);
    if (model_.redistribution().rule == Redistribution::Rule::kProportional &&
        terms.region_factor_income.value > 0.0) {
      // d share = d own / region - own d region / region^2.
      const double region = terms.region_factor_income.value;
      for (const auto& [col, v] : terms.own_factor_income.terms) {
        writer->Add(col, -scale * revenue * v / region);
      }
      for (const auto& [col, v] : terms.region_factor_income.terms) {
        writer->Add(col, scale * revenue * terms.own_factor_income.value * v / (region * region));
      }
    }
    if (tau >= 0) {
      writer->Add(tau, scale * income);
      writer->Add(model_.transfer_index(r, h), -1.0);
    }
  }
  return spending_hat - (keep * income * scale + transfer);
}

double EquilibriumSystem::Revenue(const std::vector<RevenueTerm>& terms, int i, int index,
                                  double scale, const double* x, RowWriter* writer) const {
  const Benchmark& data = model_.data();
  const EvaluationCache* cache = ActiveCache(x);
  double collected = 0.0;
  if (writer != nullptr) writer->Add(index, 1.0);
  // The derivatives by the importer's composite quantity and price, summed over a run of terms
  // with the same importer (a tariff row's every term) in the order they come, then written.
  int importer = -1;
  double sigma = 0.0, by_quantity = 0.0, by_price = 0.0;
  auto flush = [&]() {
    if (importer < 0) return;
    writer->Add(model_.composite_quantity_index(i, importer), by_quantity);
    writer->Add(model_.composite_price_index(i, importer), by_price);
  };
  for (const RevenueTerm& term : terms) {
    const int o = term.exporter, d = term.importer;
    const double shipped = cache != nullptr
                               ? cache->shipment[FlowIndex(i, o, d)]
                               : data.trade(i, o, d) * std::exp(LogShipmentHat(x, i, o, d));
    const double base = shipped / scale;
    const double quota_part = term.quota < 0 ? term.b : term.b * std::exp(x[term.quota]);
    const double value = (term.a + quota_part) * base;
    collected += value;
    if (writer != nullptr) {
      if (d != importer) {
        flush();
        importer = d;
        sigma = model_.composite(i, d)->sigma;
        by_quantity = 0.0;
        by_price = 0.0;
      }
      writer->Add(model_.producer_price_index(i, o), -(1.0 - sigma) * value);
      by_quantity += -value;
      by_price += -sigma * value;
      // The quota rent raises the landed price (less volume) and the rate.
      if (term.quota >= 0) writer->Add(term.quota, sigma * value - quota_part * base);
    }
  }
  if (writer != nullptr) flush();
  return x[index] - collected;
}

EquilibriumSystem::FlowRevenue EquilibriumSystem::FlowRevenueRates(const double* x, int i, int r,
                                                                   int s) const {
  const int quota = quota_of_flow_.empty() ? -1 : quota_of_flow_[FlowIndex(i, r, s)];
  return FlowRevenueAt(i, r, s, quota < 0 ? 1.0 : std::exp(x[model_.quota_rent_index(quota)]));
}

// The wedge chain of MODEL.md section 9 with quota factor `wedge` (e^z): the exporter's
// (1+tx')(1+rx')Qx, then the importer's (1+tm')(1+rm')Qm.
EquilibriumSystem::FlowRevenue EquilibriumSystem::FlowRevenueAt(int i, int r, int s,
                                                                double wedge) const {
  FlowRevenue out;
  if (r == s) return out;
  const double tx = policy_.export_taxes(i, r, s), tm = policy_.tariffs(i, r, s);
  const double rx = policy_.exporter_rent.data().empty() ? 0.0 : policy_.exporter_rent(i, r, s);
  const double rm = policy_.importer_rent.data().empty() ? 0.0 : policy_.importer_rent(i, r, s);
  const int quota = quota_of_flow_.empty() ? -1 : quota_of_flow_[FlowIndex(i, r, s)];
  const RentOwner owner = quota < 0 ? RentOwner::kNone : model_.quotas()[quota].owner;
  const double qx = owner == RentOwner::kExporter ? wedge : 1.0;  // exporter's quota factor
  const double qm = owner == RentOwner::kImporter ? wedge : 1.0;
  const double g1 = 1.0 + tx;
  out.export_tax = tx;
  out.exporter_rent = g1 * ((1.0 + rx) * qx - 1.0);
  const double fob = g1 * (1.0 + rx) * qx;
  out.tariff = fob * tm;
  out.importer_rent = fob * (1.0 + tm) * ((1.0 + rm) * qm - 1.0);
  if (owner == RentOwner::kExporter) out.quota_rent = g1 * (1.0 + rx) * (qx - 1.0);
  if (owner == RentOwner::kImporter) out.quota_rent = fob * (1.0 + tm) * (1.0 + rm) * (qm - 1.0);
  return out;
}

// Fischer–Burmeister, smoothed: phi(a, b) = a + b - sqrt(a^2 + b^2 + 2 mu^2) is zero exactly
// when a, b >= 0 and a b = mu^2. Newton's method handles it where one of them is clearly
// positive; mu keeps it differentiable where both vanish (a quota at exactly the free-trade
// quantity), and the error it leaves (a b = 1e-20) is far below any tolerance.
constexpr double kQuotaSmoothing = 1e-10;

// Quota k (MODEL.md section 4): rent wedge z = log(1 + rent) >= 0 complementary to
// log(cap) - log(landed quantity hat) >= 0. Without a quota in this policy, z = 0.
double EquilibriumSystem::QuotaRow(int k, const double* x, RowWriter* writer) const {
  const int z = model_.quota_rent_index(k);
  const int m = policy_quota_[k];
  const Quota& q = model_.quotas()[k];
  if (m < 0 || access(q.sector, q.exporter, q.importer) <= 0.0) {
    if (writer != nullptr) writer->Add(z, 1.0);
    return x[z];
  }
  const int i = q.sector, r = q.exporter, s = q.importer;
  const double a = x[z];
  const double b = std::log(policy_.quotas[m].level) - std::log(access(i, r, s)) -
                   LogOpenLandedQuantityHat(x, i, r, s);
  const double mu = kQuotaSmoothing;
  const double root = std::sqrt(a * a + b * b + 2.0 * mu * mu);
  if (writer != nullptr) {
    const double da = 1.0 - a / root, db = 1.0 - b / root;
    const double sigma = model_.composite(i, s)->sigma;
    // d log q = dA - sigma (dp + dz - dP).
    writer->Add(z, da + db * sigma);
    writer->Add(model_.composite_quantity_index(i, s), -db);
    writer->Add(model_.producer_price_index(i, r), db * sigma);
    writer->Add(model_.composite_price_index(i, s), -db * sigma);
  }
  return a + b - root;
}

double EquilibriumSystem::QuotaComplementarityGap(const double* x) const {
  double gap = 0.0;
  for (std::size_t k = 0; k < model_.quotas().size(); ++k) {
    const int m = policy_quota_[k];
    const Quota& q = model_.quotas()[k];
    const double z = x[model_.quota_rent_index(static_cast<int>(k))];
    if (m < 0 || access(q.sector, q.exporter, q.importer) <= 0.0) {
      gap = std::max(gap, std::abs(z));
      continue;
    }
    const double slack = std::log(policy_.quotas[m].level) -
                         std::log(access(q.sector, q.exporter, q.importer)) -
                         LogOpenLandedQuantityHat(x, q.sector, q.exporter, q.importer);
    gap = std::max(gap, std::abs(std::min(z, slack)));
  }
  return gap;
}

// Log unit cost of value added of sector (i,r), with its factor cost shares. A factor's price
// per efficiency unit is w (1 + t) / a: factor taxes and factor-augmenting productivity.
double EquilibriumSystem::LogValueAddedCost(const Model::Sector& sec, int i, int r,
                                            const double* x, double* shares) const {
  return LogCesIndex(
      1.0 - sec.sigma_va, sec.factor_ids.size(), sec.factor_shares.data(),
      [&](std::size_t k) {
        const int f = sec.factor_ids[k];
        const std::size_t at = (static_cast<std::size_t>(f) * ns_ + i) * nr_ + r;
        return x[model_.factor_price_index(f, i, r)] + log_factor_tax_[at] -
               log_factor_productivity_[at];
      },
      shares);
}

// Log demand hat for factor f by sector (i,r) (MODEL.md section 3), in physical units:
//   log F = y - a - sT (cva - a - p) - sVA (w + t - a_f - cva) - a_f,
// and `weight` times its derivatives, given to sink(column, value).
template <typename Sink>
double EquilibriumSystem::LogFactorDemand(int f, int i, int r, const double* x, double weight,
                                          Sink&& sink) const {
  const Model::Sector& sec = *model_.sector(i, r);
  const double* shares = nullptr;
  const double cva = ValueAddedCostShares(sec, i, r, x, &shares);
  const double a = log_productivity_[i * nr_ + r];
  const std::size_t at = (static_cast<std::size_t>(f) * ns_ + i) * nr_ + r;
  const double af = log_factor_productivity_[at];
  const int w = model_.factor_price_index(f, i, r);
  const int y = model_.output_index(i, r), p = model_.producer_price_index(i, r);
  const double log_demand = x[y] - a - sec.sigma_top * (cva - a - x[p]) -
                            sec.sigma_va * (x[w] + log_factor_tax_[at] - af - cva) - af;
  if (weight != 0.0) {
    sink(y, weight);
    sink(p, weight * sec.sigma_top);
    for (std::size_t k = 0; k < sec.factor_ids.size(); ++k) {
      sink(model_.factor_price_index(sec.factor_ids[k], i, r),
           weight * (sec.sigma_va - sec.sigma_top) * shares[k]);
    }
    sink(w, -weight * sec.sigma_va);
  }
  return log_demand;
}

// Log of region r's consumer price index hat: the benchmark-spending-weighted mean of its
// households' price index hats; `weight` times its derivatives go to sink.
template <typename Sink>
double EquilibriumSystem::LogRegionPrice(int r, const double* x, double weight,
                                         Sink&& sink) const {
  const double spending = model_.benchmark_spending(r);
  double sum = 0.0;
  const double* budget = nullptr;
  for (int h = 0; h < model_.num_households(r); ++h) {
    sum += model_.household(r, h).spending / spending *
           std::exp(ConsumerPriceShares(x, r, h, &budget));
  }
  if (weight != 0.0) {
    for (int h = 0; h < model_.num_households(r); ++h) {
      const Model::HouseholdParams& hh = model_.household(r, h);
      const double log_price = ConsumerPriceShares(x, r, h, &budget);
      const double share = hh.spending / spending * std::exp(log_price) / sum;
      for (std::size_t g = 0; g < hh.good_ids.size(); ++g) {
        sink(model_.composite_price_index(hh.good_ids[g], r), weight * share * budget[g]);
      }
    }
  }
  return std::log(sum);
}

// Log supply hat of factor f in r (of its stock in sector i when specific): the endowment
// shock times (w (1 - income tax) / CPI)^eta, MODEL.md section 4 with elastic supply.
template <typename Sink>
double EquilibriumSystem::LogFactorSupply(int f, int i, int r, const double* x, double weight,
                                          Sink&& sink) const {
  const double eta = model_.data().factors[f].supply_elasticity;
  const double log_endowment = log_endowment_[f * nr_ + r];
  if (eta == 0.0) return log_endowment;
  const int w = model_.factor_price_index(f, i, r);
  const double log_price = LogRegionPrice(r, x, -eta * weight, sink);
  sink(w, eta * weight);
  double log_after_tax = std::log1p(-policy_.income_tax[r]);
  if (const int tau = model_.compensation_tax_index(r); tau >= 0) {
    // Rule compensate: the compensation tax falls on factor income too, and so distorts.
    log_after_tax += std::log1p(-x[tau]);
    sink(tau, -eta * weight / (1.0 - x[tau]));
  }
  return log_endowment + eta * (x[w] + log_after_tax - log_price);
}

void EquilibriumSystem::EvaluateRow(int row, const double* x, double* residual,
                                    RowWriter* writer) const {
  const Benchmark& data = model_.data();
  const Variable& v = model_.variables()[row];
  RowScratch& scratch = LocalScratch();
  auto add = [writer](int col, double value) {
    if (writer != nullptr) writer->Add(col, value);
  };
  auto factor_demand = [&](int f, int i, int r, double weight) {
    return LogFactorDemand(f, i, r, x, weight, add);
  };

  switch (v.kind) {
    case VariableKind::kFactorPrice: {  // factor market (f, r) or (f, i, r) if specific
      const int f = v.a, r = v.c;
      const double log_supply = LogFactorSupply(f, v.b, r, x, -1.0, add);
      if (v.b >= 0) {
        *residual = factor_demand(f, v.b, r, 1.0) - log_supply;
        return;
      }
      std::vector<int>& users = scratch.ids;
      std::vector<double>& weights = scratch.weights;
      std::vector<double>& exponents = scratch.exponents;
      users.clear();
      weights.clear();
      exponents.clear();
      for (int i = 0; i < ns_; ++i) {
        if (data.factor_payments(f, i, r) > 0.0 && model_.sector(i, r) != nullptr) {
          users.push_back(i);
          weights.push_back(data.factor_payments(f, i, r) / model_.factor_endowment(f, r));
          exponents.push_back(factor_demand(f, i, r, 0.0));
        }
      }
      double* omega = Sized(&scratch.omega, users.size());
      const double log_demand = LogSumExp(
          users.size(), weights.data(), [&](std::size_t k) { return exponents[k]; }, omega);
      if (writer != nullptr) {
        for (std::size_t k = 0; k < users.size(); ++k) factor_demand(f, users[k], r, omega[k]);
      }
      *residual = log_demand - log_supply;
      return;
    }
    case VariableKind::kProducerPrice: {  // goods market (i, r): supply = shipments
      const int i = v.a, r = v.b;
      const Model::Sector& sec = *model_.sector(i, r);
      const std::size_t n = sec.dest_ids.size();
      double* omega = Sized(&scratch.omega, n);
      const double log_price = x[model_.producer_price_index(i, r)];
      // Market access scales each destination's demand (0: banned).
      const double* weights = sec.dest_shares.data();
      if (restricted_sector_[i * nr_ + r]) {
        double* scaled = Sized(&scratch.weights, n);
        for (std::size_t k = 0; k < n; ++k) scaled[k] = weights[k] * access(i, r, sec.dest_ids[k]);
        weights = scaled;
      }
      double* exponents = Sized(&scratch.exponents, n);
      for (std::size_t k = 0; k < n; ++k) {
        exponents[k] = LogOpenShipmentHat(x, i, r, sec.dest_ids[k]) - log_price;
      }
      const double log_shipments =
          LogSumExp(n, weights, [exponents](std::size_t k) { return exponents[k]; }, omega);
      const int p = model_.producer_price_index(i, r);
      *residual = log_shipments - x[model_.output_index(i, r)];
      add(model_.output_index(i, r), -1.0);
      for (std::size_t k = 0; k < n; ++k) {
        const int s = sec.dest_ids[k];
        const double sigma = model_.composite(i, s)->sigma;
        add(model_.composite_quantity_index(i, s), omega[k]);
        add(model_.composite_price_index(i, s), sigma * omega[k]);
        add(p, -sigma * omega[k]);
        if (!quota_of_flow_.empty()) {
          if (const int q = quota_of_flow_[FlowIndex(i, r, s)]; q >= 0) {
            add(model_.quota_rent_index(q), -sigma * omega[k]);
          }
        }
      }
      return;
    }
    case VariableKind::kOutput: {  // zero profit (i, r): p = unit cost
      const int i = v.a, r = v.b;
      const Model::Sector& sec = *model_.sector(i, r);
      const double* va_shares = nullptr;
      const double cva =
          sec.value_added_share > 0.0 ? ValueAddedCostShares(sec, i, r, x, &va_shares) : 0.0;
      // Top nest: slot 0 is value added (when present), then the inputs.
      const bool has_va = sec.value_added_share > 0.0;
      const std::size_t n = sec.input_ids.size() + (has_va ? 1 : 0);
      double* theta = Sized(&scratch.top_theta, n);
      double* top_shares = Sized(&scratch.top_shares, n);
      std::size_t offset = 0;
      if (has_va) theta[offset++] = sec.value_added_share;
      std::copy(sec.input_shares.begin(), sec.input_shares.end(), theta + offset);
      const double log_cost = LogCesIndex(
          1.0 - sec.sigma_top, n, theta,
          [&](std::size_t k) {
            if (has_va && k == 0) return cva;
            return x[model_.composite_price_index(sec.input_ids[k - offset], r)];
          },
          top_shares);
      const int p = model_.producer_price_index(i, r);
      *residual = x[p] + log_productivity_[i * nr_ + r] - log_cost;
      add(p, 1.0);
      if (has_va) {
        for (std::size_t k = 0; k < sec.factor_ids.size(); ++k) {
          add(model_.factor_price_index(sec.factor_ids[k], i, r), -top_shares[0] * va_shares[k]);
        }
      }
      for (std::size_t k = offset; k < n; ++k) {
        add(model_.composite_price_index(sec.input_ids[k - offset], r), -top_shares[k]);
      }
      return;
    }
    case VariableKind::kCompositeQuantity: {  // composite zero profit (i, s): P = Armington cost
      const int i = v.a, s = v.b;
      const Model::Composite& comp = *model_.composite(i, s);
      const std::size_t n = comp.origin_ids.size();
      double* shares = Sized(&scratch.origin_shares, n);
      double* landed = Sized(&scratch.exponents, n);
      for (std::size_t k = 0; k < n; ++k) {
        const int r = comp.origin_ids[k];
        landed[k] = x[model_.producer_price_index(i, r)] + LogWedge(x, i, r, s);
      }
      auto landed_price = [landed](std::size_t k) { return landed[k]; };
      double log_cost = 0.0;
      if (restricted_composite_[i * nr_ + s]) {
        // Market access scales each origin's weight (a demand shifter; 0 removes the variety):
        // log P = log(sum alpha kappa pi^(1-sigma)) / (1-sigma), and its shares. Bans need
        // sigma > 1 (scenarios/ refuses others).
        const double rho = 1.0 - comp.sigma;
        double* weights = Sized(&scratch.weights, n);
        for (std::size_t k = 0; k < n; ++k) {
          weights[k] = comp.origin_shares[k] * access(i, comp.origin_ids[k], s);
        }
        log_cost = LogSumExp(n, weights, [&](std::size_t k) { return rho * landed_price(k); },
                             shares) / rho;
      } else {
        log_cost = LogCesIndex(1.0 - comp.sigma, n, comp.origin_shares.data(), landed_price, shares);
      }
      const int price = model_.composite_price_index(i, s);
      *residual = x[price] - log_cost;
      add(price, 1.0);
      for (std::size_t k = 0; k < n; ++k) {
        add(model_.producer_price_index(i, comp.origin_ids[k]), -shares[k]);
        if (!quota_of_flow_.empty()) {
          if (const int q = quota_of_flow_[FlowIndex(i, comp.origin_ids[k], s)]; q >= 0) {
            add(model_.quota_rent_index(q), -shares[k]);
          }
        }
      }
      return;
    }
    case VariableKind::kCompositePrice: {  // composite market (i, s): A = intermediate + final
      const int i = v.a, s = v.b;
      const Model::Composite& comp = *model_.composite(i, s);
      const int price = model_.composite_price_index(i, s);
      const std::size_t nu = comp.user_ids.size();
      const int nh = model_.num_households(s);
      const std::size_t n = nu + static_cast<std::size_t>(nh);
      double* weights = Sized(&scratch.weights, n);
      double* exponents = Sized(&scratch.exponents, n);
      double* omega = Sized(&scratch.omega, n);
      double* log_pc = Sized(&scratch.log_price_index, static_cast<std::size_t>(nh));
      for (std::size_t k = 0; k < nu; ++k) {
        const int j = comp.user_ids[k];
        const Model::Sector& user = *model_.sector(j, s);
        const double a = log_productivity_[j * nr_ + s];
        weights[k] = comp.user_shares[k];
        exponents[k] = x[model_.output_index(j, s)] - a -
                       user.sigma_top * (x[price] - a - x[model_.producer_price_index(j, s)]);
      }
      for (int h = 0; h < nh; ++h) {
        const Model::HouseholdParams& hh = model_.household(s, h);
        const std::size_t k = nu + static_cast<std::size_t>(h);
        weights[k] = comp.household_shares[h];
        const double* budget = nullptr;
        log_pc[h] = weights[k] > 0.0 ? ConsumerPriceShares(x, s, h, &budget) : 0.0;
        exponents[k] = x[model_.spending_index(s, h)] - hh.sigma_c * x[price] +
                       (hh.sigma_c - 1.0) * log_pc[h];
      }
      const double log_private_demand =
          LogSumExp(n, weights, [&](std::size_t k) { return exponents[k]; }, omega);
      // Rule none: the government buys too (a level: its benchmark spending may be zero).
      const Model::GovernmentParams* gov = model_.government(s);
      const bool has_gov = gov != nullptr && gov->composite_shares[i] > 0.0;
      const double log_demand =
          has_gov ? std::log(std::exp(log_private_demand) + GovernmentDemand(i, s, x, 0.0, nullptr))
                  : log_private_demand;
      *residual = log_demand - x[model_.composite_quantity_index(i, s)];
      if (writer == nullptr) return;
      if (has_gov) {
        const double private_share = std::exp(log_private_demand - log_demand);
        for (std::size_t k = 0; k < n; ++k) omega[k] *= private_share;
        GovernmentDemand(i, s, x, std::exp(-log_demand), writer);
      }
      add(model_.composite_quantity_index(i, s), -1.0);
      for (std::size_t k = 0; k < nu; ++k) {
        const int j = comp.user_ids[k];
        const double sigma_top = model_.sector(j, s)->sigma_top;
        add(model_.output_index(j, s), omega[k]);
        add(price, -sigma_top * omega[k]);
        add(model_.producer_price_index(j, s), sigma_top * omega[k]);
      }
      for (int h = 0; h < nh; ++h) {
        const std::size_t k = nu + static_cast<std::size_t>(h);
        if (weights[k] == 0.0) continue;
        const Model::HouseholdParams& hh = model_.household(s, h);
        add(model_.spending_index(s, h), omega[k]);
        add(price, -hh.sigma_c * omega[k]);
        // d log P_C / d P_g = current budget share of good g.
        const double* budget = nullptr;
        ConsumerPriceShares(x, s, h, &budget);
        for (std::size_t g = 0; g < hh.good_ids.size(); ++g) {
          add(model_.composite_price_index(hh.good_ids[g], s),
              (hh.sigma_c - 1.0) * budget[g] * omega[k]);
        }
      }
      return;
    }
    case VariableKind::kTariffRevenue:
      *residual = Revenue(tariff_terms_[v.a * nr_ + v.b], v.a, row,
                          model_.composite(v.a, v.b)->absorption, x, writer);
      return;
    case VariableKind::kExportTaxRevenue:
      *residual = Revenue(export_tax_terms_[v.a * nr_ + v.b], v.a, row,
                          model_.sector(v.a, v.b)->output, x, writer);
      return;
    case VariableKind::kQuotaRent: {
      *residual = QuotaRow(quota_of_flow_[FlowIndex(v.a, v.b, v.c)], x, writer);
      return;
    }
    case VariableKind::kGovernmentSpending:
      *residual = GovernmentBudget(v.b, row, x, writer);
      return;
    case VariableKind::kTransfer:
      *residual = TransferComplementarity(v.b, v.a, x, writer);
      return;
    case VariableKind::kCompensationTax:
      *residual = CompensationBudget(v.b, x, writer);
      return;
    case VariableKind::kFloor:
      *residual = UtilityFloor(v.b, x, writer);
      return;
    case VariableKind::kSpending: {
      if (row != model_.walras_row()) {
        *residual = IncomeBalance(v.a, v.b, x, writer);
        return;
      }
      // The numeraire (MODEL.md section 5.5) replaces this income balance.
      const Numeraire& numeraire = model_.numeraire();
      if (numeraire.kind == Numeraire::Kind::kFactorPrice) {
        const int f = numeraire.factor, r = numeraire.region;
        if (data.factors[f].mobility == FactorMobility::kMobile) {
          const int w = model_.factor_price_index(f, -1, r);
          *residual = x[w];
          add(w, 1.0);
          return;
        }
      }
      // A payment-weighted index of factor prices: the world's, or one specific factor's.
      std::vector<int>& ids = scratch.ids;
      std::vector<double>& weights = scratch.weights;
      ids.clear();
      weights.clear();
      for (int f = 0; f < nf_; ++f) {
        for (int r = 0; r < nr_; ++r) {
          if (numeraire.kind == Numeraire::Kind::kFactorPrice &&
              (f != numeraire.factor || r != numeraire.region)) {
            continue;
          }
          for (int i = 0; i < ns_; ++i) {
            const double payment = data.factor_payments(f, i, r);
            if (payment <= 0.0 || model_.sector(i, r) == nullptr) continue;
            ids.push_back(model_.factor_price_index(f, i, r));
            weights.push_back(payment);
          }
        }
      }
      double total = 0.0;
      for (double w : weights) total += w;
      for (double& w : weights) w /= total;
      double* omega = Sized(&scratch.omega, ids.size());
      *residual = LogSumExp(
          ids.size(), weights.data(), [&](std::size_t k) { return x[ids[k]]; }, omega);
      for (std::size_t k = 0; k < ids.size(); ++k) add(ids[k], omega[k]);
      return;
    }
  }
}

double EquilibriumSystem::LogFactorDemandAt(const double* x, int f, int i, int r) const {
  return LogFactorDemand(f, i, r, x, 0.0, [](int, double) {});
}

double EquilibriumSystem::LogFactorSupplyAt(const double* x, int f, int i, int r) const {
  return LogFactorSupply(f, i, r, x, 0.0, [](int, double) {});
}

// ---- Redistribution rules none and compensate (MODEL.md section 6) ----

double EquilibriumSystem::LogGovernmentPrice(const double* x, int r, double* shares) const {
  const Model::GovernmentParams& gov = *model_.government(r);
  return LogCesIndex(
      1.0 - gov.sigma_c, gov.good_ids.size(), gov.budget_shares.data(),
      [&](std::size_t k) { return x[model_.composite_price_index(gov.good_ids[k], r)]; }, shares);
}

// The government's demand for composite i in s relative to absorption (quantity):
//   g E(s) gamma_G(i) P(i)^-sigma P_G^(sigma-1) / absorption,
// and `weight` times its derivatives when `writer` is given.
double EquilibriumSystem::GovernmentDemand(int i, int s, const double* x, double weight,
                                           RowWriter* writer) const {
  const Model::GovernmentParams& gov = *model_.government(s);
  RowScratch& scratch = LocalScratch();
  double* shares = Sized(&scratch.budget, gov.good_ids.size());
  const double log_index = LogGovernmentPrice(x, s, shares);
  const int price = model_.composite_price_index(i, s);
  const int g = model_.government_spending_index(s);
  const double unit = gov.composite_shares[i] *
                      std::exp(-gov.sigma_c * x[price] + (gov.sigma_c - 1.0) * log_index);
  const double demand = x[g] * unit;
  if (writer != nullptr) {
    writer->Add(g, weight * unit);
    writer->Add(price, -weight * gov.sigma_c * demand);
    for (std::size_t k = 0; k < gov.good_ids.size(); ++k) {
      writer->Add(model_.composite_price_index(gov.good_ids[k], s),
                  weight * (gov.sigma_c - 1.0) * shares[k] * demand);
    }
  }
  return demand;
}

// Government budget of r: g - revenue / E(r), E(r) its benchmark final spending.
double EquilibriumSystem::GovernmentBudget(int r, int row, const double* x,
                                           RowWriter* writer) const {
  const double scale = model_.benchmark_spending(r) + model_.government(r)->spending;
  IncomeTerms terms;
  CollectIncome(r, 0, x, writer != nullptr, &terms);
  if (writer != nullptr) {
    writer->Add(row, 1.0);
    for (const auto& [col, v] : terms.revenue.terms) writer->Add(col, -v / scale);
  }
  return x[row] - terms.revenue.value / scale;
}

double EquilibriumSystem::PreCompensationIncome(
    int r, int h, const double* x, std::vector<std::pair<int, double>>* derivatives) const {
  const Model::HouseholdParams& hh = model_.household(r, h);
  IncomeTerms terms;
  CollectIncome(r, h, x, derivatives != nullptr, &terms);
  const double tax = policy_.income_tax[r];
  const double share = RevenueShare(r, h, terms);  // constant: lump sum under compensate
  if (derivatives != nullptr) {
    for (const auto& [col, v] : terms.own_factor_income.terms) {
      derivatives->emplace_back(col, (1.0 - tax) * v);
    }
    for (const auto& [col, v] : terms.revenue.terms) derivatives->emplace_back(col, share * v);
  }
  const double deficit =
      hh.deficit + hh.deficit_share * (policy_.deficit[r] - model_.benchmark_deficit(r));
  return (1.0 - tax) * terms.own_factor_income.value + share * terms.revenue.value + deficit;
}

// log U-hat = log E-hat - log P_C-hat of household (r,h).
double EquilibriumSystem::LogUtility(int r, int h, const double* x,
                                     std::vector<std::pair<int, double>>* derivatives) const {
  const Model::HouseholdParams& hh = model_.household(r, h);
  const int e = model_.spending_index(r, h);
  if (derivatives == nullptr) return x[e] - LogConsumerPrice(x, r, h);
  RowScratch& scratch = LocalScratch();
  double* budget = Sized(&scratch.budget, hh.good_ids.size());
  const double log_price = LogCesIndex(
      1.0 - hh.sigma_c, hh.good_ids.size(), hh.budget_shares.data(),
      [&](std::size_t g) { return x[model_.composite_price_index(hh.good_ids[g], r)]; }, budget);
  derivatives->emplace_back(e, 1.0);
  for (std::size_t g = 0; g < hh.good_ids.size(); ++g) {
    derivatives->emplace_back(model_.composite_price_index(hh.good_ids[g], r), -budget[g]);
  }
  return x[e] - log_price;
}

namespace {

// Smoothed Fischer-Burmeister function: zero iff a > 0, b > 0 and a b = mu^2 / 2 (a, b >= 0
// and a b = 0 as mu -> 0), with its partial derivatives.
double FischerBurmeister(double a, double b, double* d_a, double* d_b) {
  const double mu = kComplementaritySmoothing;
  const double root = std::sqrt(a * a + b * b + 2.0 * mu * mu);
  *d_a = 1.0 - a / root;
  *d_b = 1.0 - b / root;
  return a + b - root;
}

// A derivative that may vanish at the point where the Jacobian pattern is recorded but not
// elsewhere (a kink of a smoothed complementarity, the household with the highest income):
// never exactly zero, so that its column is in the pattern; the error is below 1e-200.
double Structural(double derivative) { return derivative != 0.0 ? derivative : 1e-200; }

// Smoothed min(a, b): (a + b - sqrt((a - b)^2 + 4 mu^2)) / 2, with its partial derivatives.
double SmoothMin(double a, double b, double* d_a, double* d_b) {
  const double mu = kComplementaritySmoothing;
  const double root = std::sqrt((a - b) * (a - b) + 4.0 * mu * mu);
  *d_a = 0.5 * (1.0 - (a - b) / root);
  *d_b = 0.5 * (1.0 + (a - b) / root);
  return 0.5 * (a + b - root);
}

}  // namespace

// T(r,h) >= 0 _|_ U-hat(r,h) - floor(r) >= 0, smoothed (T relative to E(r,h)).
double EquilibriumSystem::TransferComplementarity(int r, int h, const double* x,
                                                  RowWriter* writer) const {
  const int t = model_.transfer_index(r, h), floor = model_.floor_index(r);
  std::vector<std::pair<int, double>> terms;
  const double utility = std::exp(LogUtility(r, h, x, writer != nullptr ? &terms : nullptr));
  double d_transfer = 0.0, d_gap = 0.0;
  const double value = FischerBurmeister(x[t], utility - x[floor], &d_transfer, &d_gap);
  if (writer != nullptr) {
    d_transfer = Structural(d_transfer);
    d_gap = Structural(d_gap);
    writer->Add(t, d_transfer);
    writer->Add(floor, -d_gap);
    for (const auto& [col, v] : terms) writer->Add(col, d_gap * utility * v);
  }
  return value;
}

// Compensation budget of r: sum_h T(h) = tau sum_h I(h), scaled by the region's spending.
double EquilibriumSystem::CompensationBudget(int r, const double* x, RowWriter* writer) const {
  const int tau = model_.compensation_tax_index(r);
  const double scale = model_.benchmark_spending(r);
  double transfers = 0.0, base = 0.0;
  std::vector<std::pair<int, double>> terms;
  for (int h = 0; h < model_.num_households(r); ++h) {
    const double spending = model_.household(r, h).spending;
    const int t = model_.transfer_index(r, h);
    transfers += x[t] * spending;
    base += PreCompensationIncome(r, h, x, writer != nullptr ? &terms : nullptr);
    if (writer != nullptr) writer->Add(t, spending / scale);
  }
  if (writer != nullptr) {
    writer->Add(tau, -base / scale);
    for (const auto& [col, v] : terms) writer->Add(col, -x[tau] * v / scale);
  }
  return (transfers - x[tau] * base) / scale;
}

// floor(r) = min(1, (1 - tau) max_h rho(h)), rho(h) = I(h) / (E(r,h) P_C-hat(r,h)): the
// pre-compensation real income of the household best placed. When the floor is below 1 that
// household is exactly at it with no transfer, so every household ends at the same utility and
// tau is the smallest rate that pays for it (docs/MODEL.md section 6).
double EquilibriumSystem::UtilityFloor(int r, const double* x, RowWriter* writer) const {
  const int tau = model_.compensation_tax_index(r), floor = model_.floor_index(r);
  int best = -1;
  double best_rho = 0.0;
  for (int h = 0; h < model_.num_households(r); ++h) {
    const double rho = PreCompensationIncome(r, h, x, nullptr) / model_.household(r, h).spending *
                       std::exp(-LogConsumerPrice(x, r, h));
    if (best < 0 || rho > best_rho) {
      best = h;
      best_rho = rho;
    }
  }
  const double reach = (1.0 - x[tau]) * best_rho;
  double d_one = 0.0, d_reach = 0.0;
  const double value = x[floor] - SmoothMin(1.0, reach, &d_one, &d_reach);
  if (writer != nullptr) {
    writer->Add(floor, 1.0);
    writer->Add(tau, Structural(d_reach * best_rho));
    // Every household's income and prices belong to the pattern: any of them may be best.
    for (int h = 0; h < model_.num_households(r); ++h) {
      std::vector<std::pair<int, double>> income_terms, utility_terms;
      const double income = PreCompensationIncome(r, h, x, &income_terms);
      LogUtility(r, h, x, &utility_terms);
      const double weight = h == best ? -d_reach * reach : 0.0;
      for (const auto& [col, v] : income_terms) writer->Add(col, Structural(weight * v / income));
      // d log rho / d log P_C = -1: the utility's price terms (its first term is E).
      for (std::size_t k = 1; k < utility_terms.size(); ++k) {
        writer->Add(utility_terms[k].first, Structural(weight * utility_terms[k].second));
      }
    }
  }
  return value;
}

double BenchmarkReplicationResidual(const Model& model) {
  const Policy policy = Policy::Benchmark(model.data());
  const EquilibriumSystem system(model, policy, 1, false);  // residuals only
  const State x = model.BenchmarkState();
  std::vector<double> residuals(static_cast<std::size_t>(system.num_rows()));
  if (!system.Evaluate(x.data(), residuals.data(), nullptr)) {
    return std::numeric_limits<double>::infinity();
  }
  double largest = 0.0;
  for (double r : residuals) largest = std::max(largest, std::abs(r));
  return std::max(largest, std::abs(system.WalrasResidual(x.data())));
}

}  // namespace ohlin

namespace ohlin {

// d residual / d omega, omega = log(1 + tm'), times d omega / d tm' = 1 / (1 + tm'). The tariff
// enters the landed price of the flow (like its producer price) and the importer's revenue rate.
void EquilibriumSystem::TariffDerivative(const double* x, int i, int r, int s,
                                         std::vector<std::pair<int, double>>* column) const {
  const Benchmark& data = model_.data();
  if (r == s || data.trade(i, r, s) <= 0.0 || access(i, r, s) <= 0.0) return;
  const double scale = 1.0 / (1.0 + policy_.tariffs(i, r, s));
  const Model::Composite& comp = *model_.composite(i, s);
  const double sigma = comp.sigma;
  // Goods market of (i, r): the log of total shipments falls by sigma times the flow's share.
  const Model::Sector& sec = *model_.sector(i, r);
  double total = 0.0, own = 0.0;
  const double p = x[model_.producer_price_index(i, r)];
  for (std::size_t k = 0; k < sec.dest_ids.size(); ++k) {
    const int d = sec.dest_ids[k];
    const double weight = sec.dest_shares[k] * access(i, r, d);
    if (weight <= 0.0) continue;
    const double value = weight * std::exp(LogOpenShipmentHat(x, i, r, d) - p);
    total += value;
    if (d == s) own = value;
  }
  column->emplace_back(model_.producer_price_index(i, r), -sigma * own / total * scale);
  // Composite zero profit of (i, s): minus the flow's cost share.
  double sum = 0.0, share = 0.0;
  for (std::size_t k = 0; k < comp.origin_ids.size(); ++k) {
    const int o = comp.origin_ids[k];
    const double weight = comp.origin_shares[k] * access(i, o, s);
    if (weight <= 0.0) continue;
    const double landed = x[model_.producer_price_index(i, o)] + LogWedge(x, i, o, s);
    const double value = weight * std::exp((1.0 - sigma) * landed);
    sum += value;
    if (o == r) share = value;
  }
  column->emplace_back(model_.composite_quantity_index(i, s), -share / sum * scale);
  // Revenue rows x - sum (rate * shipped value): the shipped value falls (-sigma), and the
  // importer's rate fob ((1+tm')(1+rm) Qm - 1) rises by fob (1+tm')(1+rm) Qm per unit omega.
  const FlowRevenue rates = FlowRevenueRates(x, i, r, s);
  const double shipped = data.trade(i, r, s) * std::exp(LogShipmentHat(x, i, r, s));
  const double fob = 1.0 + rates.export_tax + rates.exporter_rent;
  const double importer_rate = rates.tariff + rates.importer_rent;
  const double exporter_rate = rates.export_tax + rates.exporter_rent;
  if (const int t = model_.tariff_revenue_index(i, s); t >= 0) {
    const double base = shipped / comp.absorption;
    column->emplace_back(t, (sigma * importer_rate - (importer_rate + fob)) * base * scale);
  }
  if (const int e = model_.export_tax_revenue_index(i, r); e >= 0 && exporter_rate != 0.0) {
    column->emplace_back(e, sigma * exporter_rate * shipped / sec.output * scale);
  }
  // A quota on the flow: its slack log(cap) - log q rises by sigma.
  const int quota = quota_of_flow_.empty() ? -1 : quota_of_flow_[FlowIndex(i, r, s)];
  if (quota >= 0 && policy_quota_[quota] >= 0) {
    const int m = policy_quota_[quota];
    const double a = x[model_.quota_rent_index(quota)];
    const double b = std::log(policy_.quotas[m].level) - std::log(access(i, r, s)) -
                     LogOpenLandedQuantityHat(x, i, r, s);
    const double root = std::sqrt(a * a + b * b + 2.0 * kQuotaSmoothing * kQuotaSmoothing);
    column->emplace_back(model_.quota_rent_index(quota), (1.0 - b / root) * sigma * scale);
  }
}

}  // namespace ohlin

namespace ohlin {

// d residual / d xi, xi = log(1 + tx'), times 1 / (1 + tx'). The export tax and the tariff
// enter the landed-price wedge alike (section 9), so the goods-market, Armington-price and
// quota entries are the tariff's, rescaled from d/dtm' to d/dtx' by (1 + tm')/(1 + tx'). The
// revenue rows differ by the fob value: per unit xi the exporter's rate fob - 1 rises by fob
// (the tariff left it alone), and the importer's rate fob ((1+tm')(1+rm) Qm - 1) rises in
// proportion, by its own value, not by fob more as under a tariff.
void EquilibriumSystem::ExportTaxDerivative(const double* x, int i, int r, int s,
                                            std::vector<std::pair<int, double>>* column) const {
  const std::size_t begin = column->size();
  TariffDerivative(x, i, r, s, column);
  if (column->size() == begin) return;  // domestic, banned or no benchmark trade
  const double scale = 1.0 / (1.0 + policy_.export_taxes(i, r, s));
  const double rescale = (1.0 + policy_.tariffs(i, r, s)) * scale;
  for (std::size_t k = begin; k < column->size(); ++k) (*column)[k].second *= rescale;
  const FlowRevenue rates = FlowRevenueRates(x, i, r, s);
  const double shipped = model_.data().trade(i, r, s) * std::exp(LogShipmentHat(x, i, r, s));
  const double fob = 1.0 + rates.export_tax + rates.exporter_rent;
  if (const int t = model_.tariff_revenue_index(i, s); t >= 0) {
    column->emplace_back(t, fob * shipped / model_.composite(i, s)->absorption * scale);
  }
  if (const int e = model_.export_tax_revenue_index(i, r); e >= 0) {
    column->emplace_back(e, -fob * shipped / model_.sector(i, r)->output * scale);
  }
}

}  // namespace ohlin
