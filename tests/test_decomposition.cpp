// The exact EV decomposition (model/decomposition.h, solver/decomposition.h).
#include <cmath>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "calibration/synth.h"
#include "model/decomposition.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "solver/decomposition.h"
#include "solver/solver.h"
#include "tests/test_support.h"

using namespace ohlin;

namespace {

Benchmark World(int households = 1) {
  SynthOptions options;
  options.regions = 3;
  options.sectors = 3;
  options.factors = 2;
  options.households = households;
  options.seed = 11;
  options.zero_flow_share = 0.0;
  options.export_taxes = true;
  Benchmark b = Synthesize(options);
  for (double& sigma : b.elasticities.armington) sigma = 4.0;
  return b;
}

// Solves and decomposes; the components of region r by name.
struct Decomposed {
  Outcome outcome;
  std::map<std::string, double> Of(int r) const {
    std::map<std::string, double> out;
    for (const DecompositionRow& row : outcome.decomposition) {
      if (row.region == r) out[row.component] = row.value;
    }
    return out;
  }
};

Decomposed Decompose(const Benchmark& data, const Policy& policy,
                     const Redistribution& rule = {}) {
  const Model model = Model::Calibrate(data, {}, rule, policy.quotas);
  State x = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, policy, &x, &summary);
  INFO(summary.FullReport());
  REQUIRE(summary.IsConverged());
  Decomposed d{model.ComputeOutcome(policy, x)};
  DecomposeWelfare(SolverOptions(), model, policy, x, &d.outcome);
  INFO(d.outcome.decomposition_note);
  REQUIRE(!d.outcome.decomposition.empty());
  return d;
}

// The components (every row but the total and the error) sum to the region's EV within 0.1%.
void CheckSumsToEv(const Decomposed& d, std::size_t regions) {
  for (std::size_t r = 0; r < regions; ++r) {
    double sum = 0.0;
    for (const auto& [name, value] : d.Of(static_cast<int>(r))) {
      if (name != "total" && name != "integration_error") sum += value;
    }
    const double ev = d.outcome.regions[r].ev;
    INFO("region " << r << ": EV " << ev << ", components " << sum);
    CHECK(std::abs(ev) > 1e-6);
    CHECK(std::abs(sum - ev) <= 1e-3 * std::abs(ev));
    CHECK(d.Of(static_cast<int>(r)).at("total") == Approx(ev));
  }
}

}  // namespace

TEST_CASE("the decomposition sums to each region's EV with every kind of shock at once",
          "[decomposition]") {
  Benchmark data = World();
  data.factors[0].supply_elasticity = 0.4;  // elastic supply: the income tax distorts
  Policy policy = Policy::Benchmark(data);
  policy.income_tax[2] = 0.15;
  policy.tariffs(0, 1, 0) = 0.4;
  policy.tariffs(1, 2, 1) = 0.25;
  policy.export_taxes(2, 0, 2) = 0.1;
  policy.ntb(1, 0, 2) = 0.3;
  policy.importer_rent(2, 1, 0) = 0.2;
  policy.exporter_rent(0, 2, 1) = 0.15;
  policy.quotas.push_back({1, 1, 2, 0.8, RentOwner::kImporter});
  policy.access(2, 2, 1) = 0.0;
  policy.productivity[1 * 3 + 2] = 1.1;
  policy.factor_productivity(0, 0, 1) = 1.05;
  policy.endowment[1 * 3 + 0] = 1.08;
  policy.factor_tax(1, 2, 0) = 0.1;
  policy.deficit[0] += 2.0;
  policy.deficit[1] -= 2.0;
  const Decomposed d = Decompose(data, policy);
  CheckSumsToEv(d, data.num_regions());
  CHECK(d.outcome.decomposition_gap <= 1e-3);
  // One household per region: nothing to redistribute.
  for (int r = 0; r < 3; ++r) CHECK(d.Of(r).at("redistribution") == 0.0);
  // Region 2's income tax lowers its supply of factor 0 (no other shock there is as large).
  CHECK(d.Of(2).at("endowments") < 0.0);
  // The region that receives the transfer gains by it, the payer loses.
  CHECK(d.Of(0).at("deficit") > 0.0);
  CHECK(d.Of(1).at("deficit") < 0.0);
  // Terms of trade are transfers: in benchmark currency they nearly cancel across the world.
  double world_terms = 0.0, largest = 0.0;
  for (int r = 0; r < 3; ++r) {
    world_terms += d.Of(r).at("terms_of_trade");
    largest = std::max(largest, std::abs(d.Of(r).at("terms_of_trade")));
  }
  CHECK(std::abs(world_terms) < 0.2 * largest);
}

TEST_CASE("a path point keeps only the flow fields whose products can move, to the same bits",
          "[decomposition]") {
  const Benchmark data = World();
  const Policy benchmark = Policy::Benchmark(data);
  Policy tariffs = benchmark;
  for (int i = 0; i < 3; ++i) tariffs.tariffs(i, 1, 0) = data.tariffs(i, 1, 0) + 0.3;
  // A path on which every wedge moves: its points keep every field.
  Policy everything = tariffs;
  everything.ntb(1, 0, 2) = 0.3;
  everything.importer_rent(2, 1, 0) = 0.2;
  everything.exporter_rent(0, 2, 1) = 0.15;
  everything.access(2, 2, 1) = 0.5;
  const Model model = Model::Calibrate(data, {}, {}, {});
  State x = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, tariffs, &x, &summary);
  REQUIRE(summary.IsConverged());
  const WelfarePath lean(model, benchmark, tariffs), full(model, benchmark, everything);
  const WelfarePoint lean_a = lean.Point(benchmark, model.BenchmarkState());
  const WelfarePoint lean_b = lean.Point(tariffs, x);
  const WelfarePoint full_a = full.Point(benchmark, model.BenchmarkState());
  const WelfarePoint full_b = full.Point(tariffs, x);
  // 3 sectors x 3 x 2 cross-border flows; a tariff shock (with the benchmark's export taxes)
  // keeps shipped, fob price, landed, and the tariff and export-tax wedges: 5 of 11.
  CHECK(full_b.flow.size() == 18u * 11u);
  CHECK(lean_b.flow.size() == 18u * 5u);
  // What the lean points leave out adds only exact zeros: the same bits in every component.
  const WelfareSplit a = lean.Interval(lean_a, lean_b), b = full.Interval(full_a, full_b);
  CHECK(a.value == b.value);
  CHECK(a.value[0][static_cast<int>(WelfareComponent::kTariffs)] != 0.0);
  // A point evaluated with the system its solve made (the decomposition's solved points) is the
  // same as one that makes its own, whatever the threads.
  const EquilibriumSystem system(model, tariffs, 2);
  const WelfarePoint shared = lean.Point(system, x, 2);
  CHECK(shared.flow == lean_b.flow);
  CHECK(shared.sector == lean_b.sector);
  CHECK(shared.factor == lean_b.factor);
  CHECK(shared.supply == lean_b.supply);
  CHECK(shared.household == lean_b.household);
  CHECK(shared.price == lean_b.price);
  CHECK(shared.deficit == lean_b.deficit);
}

TEST_CASE("each component has the sign theory gives it", "[decomposition]") {
  const Benchmark data = World();
  SECTION("a large region's tariff: terms of trade gain, efficiency loss") {
    Policy policy = Policy::Benchmark(data);
    for (int i = 0; i < 3; ++i) {
      for (int r = 1; r < 3; ++r) policy.tariffs(i, r, 0) = data.tariffs(i, r, 0) + 0.3;
    }
    const Decomposed d = Decompose(data, policy);
    CheckSumsToEv(d, 3);
    CHECK(d.Of(0).at("terms_of_trade") > 0.0);
    CHECK(d.Of(0).at("tariffs") < 0.0);
    CHECK(d.Of(1).at("terms_of_trade") < 0.0);
  }
  SECTION("iceberg costs lose resources; productivity is technology") {
    Policy policy = Policy::Benchmark(data);
    for (int i = 0; i < 3; ++i) policy.ntb(i, 1, 2) = data.ntb(i, 1, 2) + 0.5;
    policy.productivity[0 * 3 + 1] = 1.2;
    const Decomposed d = Decompose(data, policy);
    CheckSumsToEv(d, 3);
    CHECK(d.Of(2).at("iceberg_costs") < 0.0);
    CHECK(d.Of(1).at("technology") > 0.0);
    CHECK(d.Of(0).at("technology") == 0.0);
  }
  SECTION("an export ban costs the importer varieties") {
    Policy policy = Policy::Benchmark(data);
    policy.access(1, 0, 2) = 0.0;
    const Decomposed d = Decompose(data, policy);
    CheckSumsToEv(d, 3);
    CHECK(d.Of(2).at("export_bans") < 0.0);
    CHECK(d.Of(0).at("export_bans") == 0.0);
  }
}

TEST_CASE("with several households, redistribution moves welfare but sums to the region's EV",
          "[decomposition][households]") {
  const Benchmark data = World(3);
  Policy policy = Policy::Benchmark(data);
  for (int i = 0; i < 3; ++i) policy.tariffs(i, 1, 0) = data.tariffs(i, 1, 0) + 0.5;
  const Decomposed d = Decompose(data, policy);
  CheckSumsToEv(d, 3);
}

TEST_CASE("under rule none the government's EV is decomposed too, whatever its tastes",
          "[decomposition][households]") {
  Benchmark data = World(3);
  // Households with different budget shares (totals by good and by household unchanged), so
  // that the government's price index differs from each household's.
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    auto& demand = data.final_demand[r];
    const double shift = 0.3 * std::min(demand[0][1], demand[1][0]);
    demand[0][0] += shift;
    demand[0][1] -= shift;
    demand[1][0] -= shift;
    demand[1][1] += shift;
  }
  Policy policy = Policy::Benchmark(data);
  for (int i = 0; i < 3; ++i) policy.tariffs(i, 1, 0) = data.tariffs(i, 1, 0) + 0.5;
  policy.quotas.push_back({1, 2, 1, 0.8, RentOwner::kImporter});
  Redistribution none;
  none.rule = Redistribution::Rule::kNone;
  none.description = "none";
  const Decomposed d = Decompose(data, policy, none);
  bool has_government = false;
  for (const HouseholdOutcome& h : d.outcome.households) has_government |= h.household == "government";
  REQUIRE(has_government);
  CheckSumsToEv(d, 3);
  // Exact up to integration error, which is far below the 0.1% target here; counting the
  // government as a household (at their price indexes) would leave an error of about 6e-4.
  for (int r = 0; r < 3; ++r) {
    CHECK(std::abs(d.Of(r).at("integration_error")) <= 1e-4 * std::abs(d.Of(r).at("total")));
  }
  // Revenue moves between the households and the government: redistribution is not zero.
  CHECK(std::abs(d.Of(0).at("redistribution")) > 0.0);
}

TEST_CASE("the end's Jacobian pattern serves the path's points exactly when no wedge vanishes "
          "there", "[decomposition][reuse]") {
  const Benchmark data = World();
  const Policy benchmark = Policy::Benchmark(data);
  const Model model = Model::Calibrate(data, {}, {}, {{1, 1, 2, 0.8, RentOwner::kImporter}});
  // Whether the end's recorded pattern is the midpoint's (it never lacks entries the end has).
  auto same_pattern = [&](const Policy& end) {
    const EquilibriumSystem at_end(model, end);
    const EquilibriumSystem inside(model, InterpolatePolicy(benchmark, end, 0.5));
    REQUIRE(inside.num_nonzeros() >= at_end.num_nonzeros());
    return at_end.columns() == inside.columns() && at_end.row_start() == inside.row_start();
  };
  Policy raised = benchmark;
  for (int i = 0; i < 3; ++i) raised.tariffs(i, 1, 0) = data.tariffs(i, 1, 0) + 0.3;
  CHECK(EndPatternCoversPath(benchmark, raised));
  CHECK(same_pattern(raised));
  Policy purged = benchmark;  // deficits enter no derivative
  for (double& deficit : purged.deficit) deficit = 0.0;
  CHECK(EndPatternCoversPath(benchmark, purged));
  CHECK(same_pattern(purged));
  // A benchmark tariff removed (free trade) or a market closed: the end has fewer entries.
  REQUIRE(data.tariffs(0, 1, 0) > 0.0);
  Policy freed = raised;
  freed.tariffs(0, 1, 0) = 0.0;
  CHECK_FALSE(EndPatternCoversPath(benchmark, freed));
  CHECK_FALSE(same_pattern(freed));
  Policy banned = raised;
  banned.access(2, 2, 1) = 0.0;
  CHECK_FALSE(EndPatternCoversPath(benchmark, banned));
  CHECK_FALSE(same_pattern(banned));
  Policy quota = raised;  // a quota's rent has entries only where it binds: not judged
  quota.quotas.push_back({1, 1, 2, 0.8, RentOwner::kImporter});
  CHECK_FALSE(EndPatternCoversPath(benchmark, quota));
}

TEST_CASE("a path that starts from the solve's pattern and preconditioner gives the same "
          "decomposition", "[decomposition][reuse]") {
  // The first midpoint starts with what the counterfactual's solve built (solver/
  // decomposition.h): its points, and so the components, must be the plain path's to the
  // solver's tolerance. GMRES on a small world, so that there is a preconditioner to hand on.
  const Benchmark data = World();
  SolverOptions options;
  options.step_solver = StepSolver::kKrylov;
  Policy policy = Policy::Benchmark(data);
  for (int i = 0; i < 3; ++i) policy.tariffs(i, 1, 0) = data.tariffs(i, 1, 0) + 0.4;
  policy.deficit[0] += 2.0;
  policy.deficit[1] -= 2.0;
  SECTION("the end's pattern contains the path's") {}
  SECTION("a benchmark tariff goes to zero: the midpoint records its own pattern") {
    REQUIRE(data.tariffs(2, 0, 1) > 0.0);
    policy.tariffs(2, 0, 1) = 0.0;
  }
  const Model model = Model::Calibrate(data);
  State x = model.BenchmarkState();
  SolverSummary summary;
  SolveReuse solved;
  Solve(options, model, policy, &x, &summary, &solved);
  REQUIRE(summary.IsConverged());
  REQUIRE(solved.preconditioner != nullptr);
  REQUIRE(solved.pattern != nullptr);
  Outcome plain = model.ComputeOutcome(policy, x), seeded = plain;
  DecomposeWelfare(options, model, policy, x, &plain);
  DecomposeWelfare(options, model, policy, x, &seeded, &solved);
  INFO(plain.decomposition_note);
  REQUIRE(!plain.decomposition.empty());
  REQUIRE(seeded.decomposition.size() == plain.decomposition.size());
  CHECK(seeded.decomposition_points == plain.decomposition_points);
  CHECK(plain.decomposition_points >= 3);  // a path point was solved
  for (std::size_t k = 0; k < plain.decomposition.size(); ++k) {
    const DecompositionRow &a = plain.decomposition[k], &b = seeded.decomposition[k];
    INFO(a.region << " " << a.component << ": " << a.value << " against " << b.value);
    CHECK(std::abs(a.value - b.value) <= 1e-9 * std::abs(plain.regions[a.region].ev));
  }
}
