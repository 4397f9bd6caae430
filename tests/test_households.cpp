// Households, redistribution rules, factor and income taxes (MODEL.md sections 4 and 6).
#include <cmath>
#include <functional>
#include <random>

#include <catch2/catch.hpp>

#include "calibration/accounts.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "solver/solver.h"
#include "tests/test_support.h"

using namespace ohlin;

namespace {

// The 2x2x2 world with a 25% tariff of HOME on the labour-intensive import, balanced, and two
// household groups in HOME: workers (mostly labour) and owners (mostly capital).
Benchmark ProtectedHomeWithClasses() {
  Benchmark b = testing::MakeTwoByTwo(8.0);
  b.tariffs(0, 1, 0) = 0.25;
  // HOME buys 40 of LAB from FOREIGN at producer prices: 50 with the tariff; revenue 10.
  const double revenue = 10.0, factor_income = 200.0;
  Household workers{"workers", 100.0, {0.9, 0.1}, {}};
  Household owners{"owners", 20.0, {0.1, 0.9}, {}};
  b.households[0] = {workers, owners};
  const double region_demand[2] = {110.0, 100.0};  // LAB 60 + 50, CAP 80 + 20
  b.final_demand[0].assign(2, std::vector<double>(2, 0.0));
  for (int h = 0; h < 2; ++h) {
    const Household& group = b.households[0][h];
    const double own_income = group.owns[0] * 90.0 + group.owns[1] * 110.0;
    const double share = (own_income + group.population / 120.0 * revenue) /
                         (factor_income + revenue);
    for (int i = 0; i < 2; ++i) b.final_demand[0][h][i] = share * region_demand[i];
  }
  return b;
}

Redistribution Rule(Redistribution::Rule rule, const Benchmark& data) {
  Redistribution r;
  r.rule = rule;
  r.shares.resize(data.num_regions());
  for (std::size_t k = 0; k < data.num_regions(); ++k) {
    const std::size_t n = data.households[k].size();
    r.shares[k].assign(n, 1.0 / static_cast<double>(n));
    if (n == 2) r.shares[k] = {0.7, 0.3};
  }
  return r;
}

struct Run {
  Model model;
  SolverSummary summary;
  Outcome outcome;
};

Run SolveWith(const Benchmark& data, const Policy& policy, const Redistribution& rule) {
  Run run{Model::Calibrate(data, {}, rule), {}, {}};
  State x = run.model.BenchmarkState();
  Solve(SolverOptions(), run.model, policy, &x, &run.summary);
  if (run.summary.IsConverged()) run.outcome = run.model.ComputeOutcome(policy, x);
  return run;
}

}  // namespace

TEST_CASE("the analytic Jacobian holds with households, factor and income taxes and every rule",
          "[households][derivatives]") {
  const Benchmark data = ProtectedHomeWithClasses();
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 1, 0) = 0.4;
  policy.factor_tax(1, 0, 0) = 0.15;  // capital in LAB, HOME
  policy.factor_tax(0, 1, 1) = 0.05;
  policy.income_tax[0] = 0.1;
  for (auto rule : {Redistribution::Rule::kLumpSum, Redistribution::Rule::kProportional,
                    Redistribution::Rule::kShares}) {
    const Model model = Model::Calibrate(data, {}, Rule(rule, data));
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(-0.2, 0.2);
    State x = model.BenchmarkState();
    for (double& v : x) v += u(rng);
    testing::CheckJacobianAgainstFiniteDifferences(model, policy, x);
  }
}

TEST_CASE("household EVs sum to the region's, income sources to income", "[households]") {
  const Benchmark data = ProtectedHomeWithClasses();
  REQUIRE(ComputeAccounts(data).failures.empty());
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 1, 0) = 0.0;
  policy.factor_tax(1, 1, 0) = 0.1;
  policy.income_tax[0] = 0.05;
  const Run run = SolveWith(data, policy, Rule(Redistribution::Rule::kProportional, data));
  REQUIRE(run.summary.IsConverged());
  // Proportional: workers' benchmark share is their share of factor income.
  CHECK(run.model.household(0, 0).revenue_share ==
        Approx((0.9 * 90 + 0.1 * 110) / 200.0).epsilon(1e-12));
  for (std::size_t r = 0; r < run.outcome.regions.size(); ++r) {
    double ev = 0.0;
    for (const HouseholdOutcome& h : run.outcome.households) {
      if (h.region == static_cast<int>(r)) ev += h.ev;
    }
    CHECK(ev == Approx(run.outcome.regions[r].ev).margin(1e-9));
  }
  for (const HouseholdOutcome& h : run.outcome.households) {
    double base = 0.0, now = 0.0;
    for (const IncomeSource& source : h.sources) {
      base += source.base;
      now += source.value_new;
    }
    CHECK(base == Approx(h.income_base).epsilon(1e-10));
    CHECK(now == Approx(h.income_new).epsilon(1e-9));
  }
}

TEST_CASE("with fixed factors and common preferences, the rule moves welfare between households "
          "but not the region's total", "[households][redistribution]") {
  const Benchmark data = ProtectedHomeWithClasses();
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 1, 0) = 0.6;       // more protection: more revenue to share
  policy.factor_tax(0, 1, 0) = 0.2;    // and a factor tax
  std::vector<Run> runs;
  for (auto rule : {Redistribution::Rule::kLumpSum, Redistribution::Rule::kProportional,
                    Redistribution::Rule::kShares}) {
    runs.push_back(SolveWith(data, policy, Rule(rule, data)));
    REQUIRE(runs.back().summary.IsConverged());
  }
  for (std::size_t k = 1; k < runs.size(); ++k) {
    // Same aggregate welfare and prices, different split.
    CHECK(runs[k].outcome.regions[0].ev == Approx(runs[0].outcome.regions[0].ev).epsilon(1e-9));
    CHECK(runs[k].outcome.factors[0].price_hat ==
          Approx(runs[0].outcome.factors[0].price_hat).epsilon(1e-10));
    CHECK(std::abs(runs[k].outcome.households[0].ev - runs[0].outcome.households[0].ev) > 1e-3);
  }
}

TEST_CASE("Stolper-Samuelson by household: free trade hurts the workers of the capital-abundant "
          "country relative to its owners", "[households][stolper-samuelson]") {
  const Benchmark data = ProtectedHomeWithClasses();
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 1, 0) = 0.0;  // free trade
  const Run run = SolveWith(data, policy, Rule(Redistribution::Rule::kLumpSum, data));
  REQUIRE(run.summary.IsConverged());
  const HouseholdOutcome& workers = run.outcome.households[0];
  const HouseholdOutcome& owners = run.outcome.households[1];
  REQUIRE(workers.household == "workers");
  CHECK(workers.ev_pct < owners.ev_pct);
  CHECK(workers.ev_pct < 0.0);
  // The real wage falls and the real rental rises in HOME.
  CHECK(run.outcome.factors[0].real_price_hat < 1.0);
  CHECK(run.outcome.factors[1].real_price_hat > 1.0);
}

TEST_CASE("a closed economy with two households of different CES tastes matches an independent "
          "calculation", "[households][closed]") {
  // One region; each sector uses only its own specific factor, so outputs are fixed by
  // endowments; household A owns factor 1, B factor 2; tastes differ.
  Benchmark b;
  b.name = "closed";
  b.regions = {"ONLY"};
  b.sectors = {"G1", "G2"};
  b.factors = {{"k1", FactorMobility::kSpecific}, {"k2", FactorMobility::kSpecific}};
  b.ResizeTables();
  b.factor_payments(0, 0, 0) = 60;
  b.factor_payments(1, 1, 0) = 40;
  b.trade(0, 0, 0) = 60;
  b.trade(1, 0, 0) = 40;
  Household a{"A", 1.0, {1.0, 0.0}, 0.5};
  Household c{"B", 2.0, {0.0, 1.0}, 2.0};
  b.households[0] = {a, c};
  b.final_demand[0] = {{45, 15}, {15, 25}};  // A spends 60 = its income, B 40
  REQUIRE(ComputeAccounts(b).failures.empty());
  Policy policy = Policy::Benchmark(b);
  policy.productivity[0] = 1.25;  // G1: 25% more from the same factor
  const Run run = SolveWith(b, policy, Rule(Redistribution::Rule::kLumpSum, b));
  REQUIRE(run.summary.IsConverged());

  // Independent: relative price q = p1/p2 clears the market for G1 (Walras does G2).
  const double y1 = 60 * 1.25, y2 = 40;
  const double sigma[2] = {0.5, 2.0};
  const double share1[2] = {45.0 / 60.0, 15.0 / 40.0};  // budget share of G1 at benchmark
  auto demand1 = [&](double q) {  // prices p1 = q, p2 = 1; incomes q y1 (A) and y2 (B)
    const double income[2] = {q * y1, y2};
    double total = 0.0;
    for (int h = 0; h < 2; ++h) {
      const double a1 = share1[h], a2 = 1.0 - share1[h];
      const double index = a1 * std::pow(q, 1 - sigma[h]) + a2;
      total += a1 * std::pow(q, -sigma[h]) * income[h] / index;  // quantity hat x benchmark
    }
    return total;
  };
  double low = 0.1, high = 10.0;
  for (int k = 0; k < 200; ++k) {
    const double mid = std::sqrt(low * high);
    (demand1(mid) > y1 ? low : high) = mid;
  }
  const double q = std::sqrt(low * high);
  for (int h = 0; h < 2; ++h) {
    const double a1 = share1[h], a2 = 1.0 - share1[h];
    const double price_index =
        std::pow(a1 * std::pow(q, 1 - sigma[h]) + a2, 1.0 / (1.0 - sigma[h]));
    const double income_hat = h == 0 ? q * y1 / 60.0 : y2 / 40.0;
    const double utility_hat = income_hat / price_index;  // in units of p2; real: invariant
    INFO("household " << h);
    CHECK(run.outcome.households[h].utility_hat == Approx(utility_hat).epsilon(1e-9));
  }
}

TEST_CASE("elastic factor supply: derivatives hold, and a distorting tax costs efficiency only "
          "when supply responds", "[households][elastic]") {
  Benchmark data = ProtectedHomeWithClasses();
  data.factors[0].supply_elasticity = 0.5;  // labour
  Policy policy = Policy::Benchmark(data);
  policy.income_tax[0] = 0.2;       // HOME taxes factor income...
  policy.factor_tax(1, 1, 0) = 0.1;  // ...and capital in CAP
  {
    const Model model = Model::Calibrate(data, {}, Rule(Redistribution::Rule::kProportional, data));
    State x = model.BenchmarkState();
    for (std::size_t k = 0; k < x.size(); ++k) x[k] += 0.05 * std::sin(3.0 * static_cast<double>(k) + 1.0);
    testing::CheckJacobianAgainstFiniteDifferences(model, policy, x);
  }
  // Only the income tax, returned lump sum: neutral with a fixed supply, a loss when labour
  // supply responds (the deadweight loss of a distorting tax).
  Policy tax_only = Policy::Benchmark(data);
  tax_only.income_tax[0] = 0.2;
  Benchmark fixed = data;
  fixed.factors[0].supply_elasticity = 0.0;
  const Run neutral = SolveWith(fixed, tax_only, Rule(Redistribution::Rule::kLumpSum, fixed));
  const Run costly = SolveWith(data, tax_only, Rule(Redistribution::Rule::kLumpSum, data));
  REQUIRE(neutral.summary.IsConverged());
  REQUIRE(costly.summary.IsConverged());
  CHECK(std::abs(neutral.outcome.regions[0].ev_pct) < 1e-7);  // zero, to the solver's tolerance
  CHECK(costly.outcome.regions[0].ev_pct < -1e-3);
  // Labour supplied falls with its after-tax return, and so does real labour income.
  double labour_before = 0.0, labour_after = 0.0;
  for (const HouseholdOutcome& h : costly.outcome.households) {
    if (h.region != 0) continue;
    labour_before += h.sources[0].base;
    labour_after += h.sources[0].value_new / costly.outcome.regions[0].consumer_price_hat;
  }
  CHECK(labour_after < labour_before);
}

// ---- Rules none and compensate (MODEL.md section 6) ----

namespace {

double RegionEvOf(const Outcome& outcome, int region) { return outcome.regions[region].ev; }

const HouseholdOutcome* Find(const Outcome& outcome, int region, const std::string& name) {
  for (const HouseholdOutcome& h : outcome.households) {
    if (h.region == region && h.household == name) return &h;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the analytic Jacobian holds under the rules none and compensate",
          "[households][derivatives][redistribution]") {
  Benchmark data = ProtectedHomeWithClasses();
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 1, 0) = 0.4;
  policy.tariffs(1, 0, 1) = 0.1;       // FOREIGN, whose benchmark revenue is zero, taxes too
  policy.factor_tax(1, 0, 0) = 0.15;
  policy.income_tax[0] = 0.1;
  for (double elasticity : {0.0, 0.7}) {
    data.factors[0].supply_elasticity = elasticity;
    for (auto rule : {Redistribution::Rule::kNone, Redistribution::Rule::kCompensate}) {
      INFO("rule " << static_cast<int>(rule) << ", labour supply elasticity " << elasticity);
      const Model model = Model::Calibrate(data, {}, Rule(rule, data));
      std::mt19937_64 rng(11);
      std::uniform_real_distribution<double> u(-0.2, 0.2);
      State x = model.BenchmarkState();
      for (double& v : x) v += u(rng);
      testing::CheckJacobianAgainstFiniteDifferences(model, policy, x);
    }
  }
}

TEST_CASE("rule none: the benchmark replicates, and households plus government make the region",
          "[households][redistribution][none]") {
  const Benchmark data = ProtectedHomeWithClasses();
  const Model model = Model::Calibrate(data, {}, Rule(Redistribution::Rule::kNone, data));
  CHECK(BenchmarkReplicationResidual(model) < 1e-10);
  // HOME's government spends the tariff revenue (10); households spend the rest.
  REQUIRE(model.government(0) != nullptr);
  CHECK(model.government(0)->spending == Approx(10.0).epsilon(1e-12));
  CHECK(model.government(1)->spending == 0.0);
  CHECK(model.household(0, 0).spending + model.household(0, 1).spending ==
        Approx(200.0).epsilon(1e-12));

  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 1, 0) = 0.1;   // HOME cuts its tariff: less for the government
  policy.tariffs(1, 0, 1) = 0.05;  // FOREIGN's government appears from nothing
  const Run run = SolveWith(data, policy, Rule(Redistribution::Rule::kNone, data));
  REQUIRE(run.summary.IsConverged());
  for (int r = 0; r < 2; ++r) {
    const HouseholdOutcome* gov = Find(run.outcome, r, "government");
    REQUIRE(gov != nullptr);
    CHECK(gov->population == 0.0);
    CHECK(gov->is_government);
    double ev = 0.0;
    for (const HouseholdOutcome& h : run.outcome.households) {
      if (h.region == r) ev += h.ev;
    }
    CHECK(ev == Approx(RegionEvOf(run.outcome, r)).epsilon(1e-12));
  }
  // Less revenue: HOME's government consumes less; FOREIGN's now has a positive budget.
  CHECK(Find(run.outcome, 0, "government")->ev < 0.0);
  CHECK(Find(run.outcome, 1, "government")->ev > 0.0);
  CHECK(Find(run.outcome, 1, "government")->income_base == 0.0);
}

TEST_CASE("rule compensate: losers are lifted to their benchmark utility when the region can "
          "afford it", "[households][redistribution][compensate]") {
  const Benchmark data = ProtectedHomeWithClasses();
  Policy policy = Policy::Benchmark(data);
  // HOME grows 3% and taxes capital, the revenue going lump sum: the region gains, the
  // owners lose.
  policy.productivity[0 * 2 + 0] = policy.productivity[1 * 2 + 0] = 1.03;
  policy.factor_tax(1, 0, 0) = policy.factor_tax(1, 1, 0) = 0.3;
  const Run lump = SolveWith(data, policy, Rule(Redistribution::Rule::kLumpSum, data));
  const Run comp = SolveWith(data, policy, Rule(Redistribution::Rule::kCompensate, data));
  REQUIRE(lump.summary.IsConverged());
  REQUIRE(comp.summary.IsConverged());
  INFO("workers " << Find(lump.outcome, 0, "workers")->ev_pct << "% owners "
                   << Find(lump.outcome, 0, "owners")->ev_pct << "%");
  REQUIRE(Find(lump.outcome, 0, "owners")->ev_pct < 0.0);
  REQUIRE(lump.outcome.regions[0].ev > 0.0);  // HOME gains in aggregate
  REQUIRE(comp.outcome.compensation.size() == 2);
  const CompensationOutcome& home = comp.outcome.compensation[0];
  CHECK_FALSE(home.floor_below_one);
  CHECK(home.floor == Approx(1.0).margin(1e-10));
  CHECK(home.tax_rate > 0.0);
  CHECK(home.transfers > 0.0);
  CHECK(home.complementarity_gap < 1e-9);
  for (const HouseholdOutcome& h : comp.outcome.households) {
    if (h.region == 0) CHECK(h.utility_hat >= 1.0 - 1e-8);
  }
  // The floor binds for the owners, who get a transfer; the workers pay and get none.
  const HouseholdOutcome* owners = Find(comp.outcome, 0, "owners");
  CHECK(owners->utility_hat == Approx(1.0).margin(1e-8));
  double workers_transfer = 0.0, owners_transfer = 0.0;
  for (const IncomeSource& s : owners->sources) {
    if (s.source == "compensation") owners_transfer = s.value_new;
  }
  for (const IncomeSource& s : Find(comp.outcome, 0, "workers")->sources) {
    if (s.source == "compensation") workers_transfer = s.value_new;
  }
  CHECK(owners_transfer > 1e-3);
  CHECK(std::abs(workers_transfer) < 1e-8);
  CHECK(Find(comp.outcome, 0, "workers")->ev_pct > 0.0);
  // Fixed factor supplies: a lump-sum-equivalent tax, so the region's EV is unchanged (to
  // the solver's tolerance, relative to spending of about 200).
  CHECK(comp.outcome.regions[0].ev == Approx(lump.outcome.regions[0].ev).margin(1e-6));
  CHECK(comp.outcome.regions[1].ev == Approx(lump.outcome.regions[1].ev).margin(1e-6));
}

TEST_CASE("rule compensate: a region that loses in aggregate leaves every household with the "
          "same utility change", "[households][redistribution][compensate]") {
  const Benchmark data = ProtectedHomeWithClasses();
  Policy policy = Policy::Benchmark(data);
  policy.productivity[0 * 2 + 0] = 0.85;  // LAB in HOME loses productivity
  policy.tariffs(1, 0, 1) = 0.3;          // and FOREIGN taxes HOME's exports
  const Run lump = SolveWith(data, policy, Rule(Redistribution::Rule::kLumpSum, data));
  const Run comp = SolveWith(data, policy, Rule(Redistribution::Rule::kCompensate, data));
  REQUIRE(lump.summary.IsConverged());
  REQUIRE(comp.summary.IsConverged());
  REQUIRE(lump.outcome.regions[0].ev < 0.0);
  const double workers = Find(lump.outcome, 0, "workers")->ev_pct;
  const double owners = Find(lump.outcome, 0, "owners")->ev_pct;
  REQUIRE(std::abs(workers - owners) > 0.1);  // unequal without compensation
  const CompensationOutcome& home = comp.outcome.compensation[0];
  CHECK(home.floor_below_one);
  CHECK(home.tax_rate > 0.0);
  CHECK(home.tax_rate < 1.0);
  CHECK(Find(comp.outcome, 0, "workers")->ev_pct ==
        Approx(Find(comp.outcome, 0, "owners")->ev_pct).margin(1e-8));
  CHECK(Find(comp.outcome, 0, "workers")->ev_pct ==
        Approx(comp.outcome.regions[0].ev_pct).margin(1e-8));
  CHECK(100.0 * (home.floor - 1.0) == Approx(comp.outcome.regions[0].ev_pct).margin(1e-8));
  CHECK(comp.outcome.regions[0].ev == Approx(lump.outcome.regions[0].ev).epsilon(1e-8));
}

TEST_CASE("with fixed factors every rule gives the region the same EV; with elastic supply the "
          "compensation tax costs efficiency", "[households][redistribution][elastic]") {
  Benchmark data = ProtectedHomeWithClasses();
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 1, 0) = 0.0;
  std::vector<Run> runs;
  for (auto rule : {Redistribution::Rule::kLumpSum, Redistribution::Rule::kProportional,
                    Redistribution::Rule::kShares, Redistribution::Rule::kCompensate}) {
    runs.push_back(SolveWith(data, policy, Rule(rule, data)));
    REQUIRE(runs.back().summary.IsConverged());
  }
  for (std::size_t k = 1; k < runs.size(); ++k) {
    CHECK(runs[k].outcome.regions[0].ev == Approx(runs[0].outcome.regions[0].ev).epsilon(1e-8));
    CHECK(runs[k].outcome.regions[1].ev == Approx(runs[0].outcome.regions[1].ev).epsilon(1e-8));
  }
  data.factors[0].supply_elasticity = 0.5;
  data.factors[1].supply_elasticity = 0.5;
  const Run lump = SolveWith(data, policy, Rule(Redistribution::Rule::kLumpSum, data));
  const Run comp = SolveWith(data, policy, Rule(Redistribution::Rule::kCompensate, data));
  REQUIRE(lump.summary.IsConverged());
  REQUIRE(comp.summary.IsConverged());
  REQUIRE(comp.outcome.compensation[0].tax_rate > 1e-4);
  CHECK(comp.outcome.regions[0].ev < lump.outcome.regions[0].ev - 1e-6);
  // HOME loses in aggregate here: everyone at the same utility change.
  CHECK(comp.outcome.compensation[0].floor_below_one);
  CHECK(Find(comp.outcome, 0, "workers")->ev_pct ==
        Approx(Find(comp.outcome, 0, "owners")->ev_pct).margin(1e-8));
}
