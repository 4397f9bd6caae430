// The model's own invariants (MODEL.md section 7) and its derivatives.
#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "calibration/accounts.h"
#include "model/ces.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "solver/solver.h"
#include "tests/test_support.h"

using namespace ohlin;

namespace {

// A richer world for derivative checks: intermediates, all taxes, a specific factor, every
// kind of elasticity. It need not be balanced: derivatives hold at any point.
Benchmark MakeRichUnbalanced() {
  Benchmark b = testing::MakeTwoByTwo(4.0);
  b.factors.push_back({"land", FactorMobility::kSpecific});
  Tensor3 payments(3, 2, 2);
  for (int f = 0; f < 2; ++f)
    for (int i = 0; i < 2; ++i)
      for (int r = 0; r < 2; ++r) payments(f, i, r) = b.factor_payments(f, i, r);
  payments(2, 0, 0) = 7;
  payments(2, 0, 1) = 5;
  b.factor_payments = payments;
  for (auto& h : b.households) h[0].owns.assign(3, 1.0);
  b.intermediates(0, 1, 0) = 9;
  b.intermediates(1, 0, 0) = 4;
  b.intermediates(1, 1, 1) = 6;
  b.tariffs(0, 1, 0) = 0.1;
  b.tariffs(1, 0, 1) = 0.05;
  b.ntb(0, 0, 1) = 0.2;
  b.export_taxes(1, 0, 1) = 0.03;
  b.elasticities.value_added = {0.5, 1.3};
  b.elasticities.top = {0.0, 0.7};
  b.elasticities.armington = {3.0, 6.0};
  b.elasticities.consumption = 0.8;
  return b;
}

Policy ShockedPolicy(const Benchmark& b) {
  Policy p = Policy::Benchmark(b);
  p.tariffs(0, 1, 0) = 0.3;
  p.export_taxes(0, 1, 0) = 0.02;
  p.ntb(1, 1, 0) = 0.1;
  p.productivity[0] = 1.1;
  p.factor_productivity(0, 1, 1) = 0.95;
  p.endowment[1] = 1.05;
  return p;
}

struct Solved {
  Model model;
  Policy policy;
  State state;
  SolverSummary summary;
  Outcome outcome;
};

Solved SolveWith(const Benchmark& data, const Policy& policy, const Numeraire& numeraire = {}) {
  Solved s{Model::Calibrate(data, numeraire), policy, {}, {}, {}};
  s.state = s.model.BenchmarkState();
  Solve(SolverOptions(), s.model, s.policy, &s.state, &s.summary);
  if (s.summary.IsConverged()) s.outcome = s.model.ComputeOutcome(s.policy, s.state);
  return s;
}

Policy HomeTariffOnLabourGood(const Benchmark& b, double rate) {
  Policy p = Policy::Benchmark(b);
  p.tariffs(0, 1, 0) = rate;  // HOME (importer 0) on LAB (sector 0) from FOREIGN (1)
  return p;
}

}  // namespace

TEST_CASE("CES index derivatives are the cost shares (Shephard's lemma)", "[model][ces]") {
  const double shares[3] = {0.2, 0.5, 0.3};
  const double logs[3] = {0.3, -0.2, 0.05};
  for (double sigma : {0.0, 0.5, 1.0 - 1e-9, 1.0, 1.0 + 1e-9, 2.0, 8.0}) {
    double current[3];
    const double base = LogCesIndex(1.0 - sigma, 3, shares,
                                    [&](std::size_t k) { return logs[k]; }, current);
    for (int k = 0; k < 3; ++k) {
      const double h = 1e-6;
      auto at = [&](double dx) {
        return LogCesIndex(1.0 - sigma, 3, shares,
                           [&](std::size_t m) { return logs[m] + (m == std::size_t(k) ? dx : 0.0); },
                           nullptr);
      };
      const double numeric = (at(h) - at(-h)) / (2 * h);
      CHECK(current[k] == Approx(numeric).epsilon(1e-7));
    }
    CHECK(current[0] + current[1] + current[2] == Approx(1.0).epsilon(1e-14));
    (void)base;
  }
}

TEST_CASE("CES limits: sigma -> 1 from both sides and sigma = 0", "[model][ces]") {
  const double shares[2] = {0.4, 0.6};
  const double logs[2] = {0.7, -0.4};
  auto index = [&](double sigma) {
    return LogCesIndex(1.0 - sigma, 2, shares, [&](std::size_t k) { return logs[k]; }, nullptr);
  };
  const double cobb_douglas = 0.4 * 0.7 + 0.6 * -0.4;
  CHECK(index(1.0) == Approx(cobb_douglas).epsilon(1e-15));
  for (double gap : {1e-2, 1e-4, 1e-6, 1e-8, 1e-10}) {
    CHECK(std::abs(index(1.0 - gap) - cobb_douglas) < 2.0 * gap);
    CHECK(std::abs(index(1.0 + gap) - cobb_douglas) < 2.0 * gap);
  }
  // The limit is approached monotonically from both sides (CES index falls with sigma).
  CHECK(index(1.0 - 1e-3) > cobb_douglas);
  CHECK(index(1.0 + 1e-3) < cobb_douglas);
  // Leontief: the index of the price hats is their share-weighted arithmetic mean.
  CHECK(std::exp(index(0.0)) == Approx(0.4 * std::exp(0.7) + 0.6 * std::exp(-0.4)));
}

TEST_CASE("analytic Jacobian matches finite differences", "[model][derivatives]") {
  const Benchmark data = MakeRichUnbalanced();
  const Model model = Model::Calibrate(data);
  const Policy policy = ShockedPolicy(data);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-0.2, 0.2);
  State x = model.BenchmarkState();
  for (double& v : x) v += u(rng);
  testing::CheckJacobianAgainstFiniteDifferences(model, policy, x);
}

TEST_CASE("benchmark replication: zero iterations, every residual below 1e-10",
          "[model][replication]") {
  const Benchmark data = testing::MakeTwoByTwo();
  REQUIRE(ComputeAccounts(data).failures.empty());
  const Model model = Model::Calibrate(data);
  CHECK(BenchmarkReplicationResidual(model) < 1e-14);
  State x = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, Policy::Benchmark(data), &x, &summary);
  CHECK(summary.IsConverged());
  CHECK(summary.iterations == 0);
  CHECK(summary.final_max_residual < 1e-10);
  CHECK(x == model.BenchmarkState());
  const Outcome outcome = model.ComputeOutcome(Policy::Benchmark(data), x);
  for (const auto& region : outcome.regions) CHECK(std::abs(region.ev) < 1e-12);
}

TEST_CASE("a tariff solves to tolerance and Walras' law holds", "[model][walras]") {
  const Benchmark data = testing::MakeTwoByTwo();
  const Solved s = SolveWith(data, HomeTariffOnLabourGood(data, 0.25));
  REQUIRE(s.summary.IsConverged());
  CHECK(s.summary.iterations > 0);
  CHECK(s.summary.final_max_residual < 1e-10);
  CHECK(std::abs(s.summary.walras_residual) < 1e-10);
  // Trade: HOME imports less of the taxed good.
  for (const auto& flow : s.outcome.flows) {
    if (flow.exporter == 1 && flow.importer == 0 && flow.sector == 0) {
      CHECK(flow.value_new < flow.value_base);
    }
  }
}

TEST_CASE("Stolper-Samuelson: protecting the labour-intensive import of the capital-abundant "
          "country raises the real wage and lowers the real rental, with magnification",
          "[model][stolper-samuelson]") {
  const Benchmark data = testing::MakeTwoByTwo(8.0);
  const Solved s = SolveWith(data, HomeTariffOnLabourGood(data, 0.2));
  REQUIRE(s.summary.IsConverged());
  const auto& home_labour = s.outcome.factors[0];
  const auto& home_capital = s.outcome.factors[1];
  REQUIRE(home_labour.region == 0);
  REQUIRE(home_labour.factor == 0);
  CHECK(home_labour.real_price_hat > 1.0);
  CHECK(home_capital.real_price_hat < 1.0);
  // Magnification: w-hat > p-hat(LAB) > p-hat(CAP) > r-hat (HOME producer prices).
  const double p_lab = s.outcome.sectors[0].price_hat, p_cap = s.outcome.sectors[1].price_hat;
  CHECK(home_labour.price_hat > p_lab);
  CHECK(p_lab > p_cap);
  CHECK(p_cap > home_capital.price_hat);
}

TEST_CASE("homogeneity: every benchmark value x1000 gives the same percentages",
          "[model][homogeneity]") {
  Benchmark data = MakeRichUnbalanced();
  // Use the balanced world for a meaningful equilibrium, with taxes to exercise revenue.
  data = testing::MakeTwoByTwo(5.0);
  Benchmark scaled = data;
  for (Tensor3* t : {&scaled.factor_payments, &scaled.intermediates, &scaled.trade}) {
    for (double& v : t->data()) v *= 1000.0;
  }
  for (auto& hh : scaled.final_demand)
    for (auto& d : hh)
      for (double& v : d) v *= 1000.0;
  const Solved a = SolveWith(data, HomeTariffOnLabourGood(data, 0.3));
  const Solved b = SolveWith(scaled, HomeTariffOnLabourGood(scaled, 0.3));
  REQUIRE(a.summary.IsConverged());
  REQUIRE(b.summary.IsConverged());
  for (std::size_t k = 0; k < a.outcome.regions.size(); ++k) {
    CHECK(a.outcome.regions[k].ev_pct == Approx(b.outcome.regions[k].ev_pct).margin(1e-9));
  }
  for (std::size_t k = 0; k < a.outcome.factors.size(); ++k) {
    CHECK(a.outcome.factors[k].real_price_hat ==
          Approx(b.outcome.factors[k].real_price_hat).epsilon(1e-10));
  }
}

TEST_CASE("numeraire invariance: real results do not depend on the numeraire",
          "[model][numeraire]") {
  const Benchmark data = testing::MakeTwoByTwo(5.0);
  Numeraire foreign_capital;
  foreign_capital.kind = Numeraire::Kind::kFactorPrice;
  foreign_capital.region = 1;
  foreign_capital.factor = 1;
  foreign_capital.description = "FOREIGN/capital";
  const Solved a = SolveWith(data, HomeTariffOnLabourGood(data, 0.3));
  const Solved b = SolveWith(data, HomeTariffOnLabourGood(data, 0.3), foreign_capital);
  REQUIRE(a.summary.IsConverged());
  REQUIRE(b.summary.IsConverged());
  CHECK(std::abs(b.state[b.model.factor_price_index(1, -1, 1)]) < 1e-12);
  // Nominal prices differ, real ones do not.
  CHECK(a.outcome.factors[3].price_hat != Approx(b.outcome.factors[3].price_hat).epsilon(1e-6));
  for (std::size_t k = 0; k < a.outcome.factors.size(); ++k) {
    CHECK(a.outcome.factors[k].real_price_hat ==
          Approx(b.outcome.factors[k].real_price_hat).epsilon(1e-10));
  }
  for (std::size_t k = 0; k < a.outcome.regions.size(); ++k) {
    CHECK(a.outcome.regions[k].ev_pct == Approx(b.outcome.regions[k].ev_pct).margin(1e-9));
  }
  for (std::size_t k = 0; k < a.outcome.sectors.size(); ++k) {
    CHECK(a.outcome.sectors[k].output_hat == Approx(b.outcome.sectors[k].output_hat).epsilon(1e-10));
  }
}

TEST_CASE("Cobb-Douglas limits in the solved model", "[model][ces]") {
  auto solve_with_sigma = [](double sigma) {
    Benchmark data = testing::MakeTwoByTwo(3.0);
    data.elasticities.value_added.assign(2, sigma);
    data.elasticities.consumption = sigma;
    return SolveWith(data, HomeTariffOnLabourGood(data, 0.3));
  };
  const Solved exact = solve_with_sigma(1.0);
  REQUIRE(exact.summary.IsConverged());
  for (double gap : {1e-3, 1e-6}) {
    for (double sigma : {1.0 - gap, 1.0 + gap}) {
      const Solved near = solve_with_sigma(sigma);
      REQUIRE(near.summary.IsConverged());
      for (std::size_t k = 0; k < exact.outcome.factors.size(); ++k) {
        CHECK(std::abs(near.outcome.factors[k].real_price_hat -
                       exact.outcome.factors[k].real_price_hat) < 10 * gap);
      }
    }
  }
  // Leontief value added (sigma_VA = 0) still solves and keeps factor proportions fixed.
  Benchmark leontief = testing::MakeTwoByTwo(3.0);
  leontief.elasticities.value_added.assign(2, 0.0);
  const Solved s = SolveWith(leontief, HomeTariffOnLabourGood(leontief, 0.3));
  CHECK(s.summary.IsConverged());
}

TEST_CASE("zero benchmark flows stay zero and never produce NaN", "[model][zeros]") {
  Benchmark data = testing::MakeTwoByTwo(5.0);
  // Move FOREIGN's exports of CAP into its domestic sales: that flow is now zero.
  data.trade(1, 1, 1) += data.trade(1, 1, 0);
  data.trade(1, 1, 0) = 0.0;
  data.trade(1, 0, 0) += 20;  // HOME supplies its own CAP instead...
  data.trade(1, 0, 1) -= 20;  // ...and exports less of it; rebalance HOME's final demand
  REQUIRE(ComputeAccounts(data).failures.empty());
  Policy policy = HomeTariffOnLabourGood(data, 0.3);
  policy.tariffs(1, 1, 0) = 0.5;  // a tariff on the zero flow changes nothing
  const Solved s = SolveWith(data, policy);
  REQUIRE(s.summary.IsConverged());
  for (const auto& flow : s.outcome.flows) CHECK(std::isfinite(flow.value_new));
  for (const auto& flow : s.outcome.flows) CHECK(!(flow.exporter == 1 && flow.importer == 0 && flow.sector == 1));
}

TEST_CASE("warm start from a nearby solution takes fewer iterations", "[solver][warm-start]") {
  const Benchmark data = testing::MakeTwoByTwo(5.0);
  const Solved first = SolveWith(data, HomeTariffOnLabourGood(data, 0.30));
  REQUIRE(first.summary.IsConverged());
  const Model& model = first.model;
  const Policy nearby = HomeTariffOnLabourGood(data, 0.31);
  State cold = model.BenchmarkState(), warm = first.state;
  SolverSummary cold_summary, warm_summary;
  Solve(SolverOptions(), model, nearby, &cold, &cold_summary);
  Solve(SolverOptions(), model, nearby, &warm, &warm_summary);
  REQUIRE(cold_summary.IsConverged());
  REQUIRE(warm_summary.IsConverged());
  CHECK(warm_summary.iterations < cold_summary.iterations);
  for (std::size_t k = 0; k < cold.size(); ++k) CHECK(cold[k] == Approx(warm[k]).margin(1e-9));
}

TEST_CASE("a solve that cannot converge says so and names the largest residual",
          "[solver][failure]") {
  const Benchmark data = testing::MakeTwoByTwo(5.0);
  const Model model = Model::Calibrate(data);
  State x = model.BenchmarkState();
  SolverSummary summary;
  SolverOptions options;
  options.max_iterations = 1;
  options.tolerance = 1e-300;
  Solve(options, model, HomeTariffOnLabourGood(data, 0.5), &x, &summary);
  CHECK_FALSE(summary.IsConverged());
  CHECK(summary.termination_type == TerminationType::kNoConvergence);
  REQUIRE_FALSE(summary.largest_residuals.empty());
  CHECK(summary.message.find(summary.largest_residuals.front().equation) != std::string::npos);

  SolverOptions bad;
  bad.tolerance = -1;
  std::string why;
  CHECK_FALSE(bad.IsValid(&why));
  CHECK(why.find("tolerance") != std::string::npos);
  SolverSummary never;
  CHECK(never.termination_type == TerminationType::kFailure);
  CHECK(never.message == "solve was not called");
}
