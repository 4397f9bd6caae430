// The numeraire on worlds solved with GMRES (issue 18), the Levenberg–Marquardt path on its
// own, what a failed solve's hints say, and imports at purchaser prices in sectors.csv.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "calibration/synth.h"
#include "model/model.h"
#include "results/results.h"
#include "solver/solver.h"
#include "tests/test_support.h"

using namespace ohlin;

namespace {

// 14 regions x 12 sectors x 3 factors: 1064 unknowns, just above the GMRES threshold.
Benchmark GmresWorld(bool deficits) {
  SynthOptions options;
  options.regions = 14;
  options.sectors = 12;
  options.factors = 3;
  options.deficits = deficits;
  options.seed = 3;
  return Synthesize(options);
}

Numeraire FactorNumeraire(const Benchmark& data, int region, int factor) {
  Numeraire numeraire;
  numeraire.kind = Numeraire::Kind::kFactorPrice;
  numeraire.region = region;
  numeraire.factor = factor;
  numeraire.description = data.regions[region] + "/" + data.factors[factor].name;
  return numeraire;
}

struct Run {
  Model model;
  State state;
  SolverSummary summary;
  Outcome outcome;
};

Run SolveWith(const Benchmark& data, const Policy& policy, const Numeraire& numeraire,
              const SolverOptions& options = {}) {
  Run run{Model::Calibrate(data, numeraire), {}, {}, {}};
  run.state = run.model.BenchmarkState();
  Solve(options, run.model, policy, &run.state, &run.summary);
  if (run.summary.IsConverged()) run.outcome = run.model.ComputeOutcome(policy, run.state);
  return run;
}

// A 20-point tariff on every import of R002: the shape of the case in the issue.
Policy TariffOnSecondRegion(const Benchmark& data) {
  Policy policy = Policy::Benchmark(data);
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      if (r != 1) policy.tariffs(i, r, 1) += 0.20;
    }
  }
  return policy;
}

// Real results: welfare, utility, real factor returns, quantities.
void CheckSameRealResults(const Outcome& a, const Outcome& b) {
  REQUIRE(a.regions.size() == b.regions.size());
  for (std::size_t k = 0; k < a.regions.size(); ++k) {
    CHECK(a.regions[k].ev_pct == Approx(b.regions[k].ev_pct).margin(1e-8));
  }
  REQUIRE(a.households.size() == b.households.size());
  for (std::size_t k = 0; k < a.households.size(); ++k) {
    CHECK(a.households[k].utility_hat == Approx(b.households[k].utility_hat).margin(1e-8));
  }
  REQUIRE(a.factors.size() == b.factors.size());
  for (std::size_t k = 0; k < a.factors.size(); ++k) {
    CHECK(a.factors[k].real_price_hat == Approx(b.factors[k].real_price_hat).margin(1e-8));
  }
  REQUIRE(a.sectors.size() == b.sectors.size());
  for (std::size_t k = 0; k < a.sectors.size(); ++k) {
    CHECK(a.sectors[k].output_hat == Approx(b.sectors[k].output_hat).margin(1e-8));
  }
}

double LargestNominalDifference(const Outcome& a, const Outcome& b) {
  double largest = 0.0;
  for (std::size_t k = 0; k < a.factors.size(); ++k) {
    largest = std::max(largest, std::abs(a.factors[k].price_hat - b.factors[k].price_hat));
  }
  return largest;
}

const char* const kNewtonGmres = "newton (GMRES, region-block preconditioner)";

}  // namespace

TEST_CASE("numeraire invariance with GMRES: a factor of the first, a middle or the last region",
          "[numeraire][scale]") {
  // Without deficits: fixed deficits are in numeraire units, so they are another real
  // quantity under another numeraire (the next test).
  const Benchmark data = GmresWorld(/*deficits=*/false);
  const Policy policy = TariffOnSecondRegion(data);
  const Run world_index = SolveWith(data, policy, Numeraire());
  REQUIRE(world_index.model.num_variables() > kKrylovThreshold);
  INFO(world_index.summary.FullReport());
  REQUIRE(world_index.summary.IsConverged());
  CHECK(world_index.summary.method == kNewtonGmres);

  // The must-show case of the issue had the numeraire in the first region, whose block in
  // the preconditioner was singular; the last region's factors always worked.
  for (const auto& [region, factor] : {std::pair{0, 0}, std::pair{7, 1}, std::pair{13, 2}}) {
    const Numeraire numeraire = FactorNumeraire(data, region, factor);
    INFO("numeraire " << numeraire.description);
    const Run run = SolveWith(data, policy, numeraire);
    INFO(run.summary.FullReport());
    REQUIRE(run.summary.IsConverged());
    // Newton–GMRES from the start: no continuation, no Levenberg–Marquardt fallback.
    CHECK(run.summary.method == kNewtonGmres);
    CHECK(run.summary.continuation_path.empty());
    CHECK(run.state[run.model.factor_price_index(factor, -1, region)] == Approx(0.0).margin(1e-12));
    CheckSameRealResults(world_index.outcome, run.outcome);
    CHECK(LargestNominalDifference(world_index.outcome, run.outcome) > 1e-4);
  }
}

TEST_CASE("numeraire invariance with GMRES: a specific factor of the first region",
          "[numeraire][scale]") {
  // Its numeraire row is a payment-weighted index over the sectors' own prices of that factor.
  Benchmark data = GmresWorld(/*deficits=*/false);
  data.factors[1].mobility = FactorMobility::kSpecific;
  const Policy policy = TariffOnSecondRegion(data);
  const Run world_index = SolveWith(data, policy, Numeraire());
  REQUIRE(world_index.model.num_variables() > kKrylovThreshold);
  REQUIRE(world_index.summary.IsConverged());
  const Run run = SolveWith(data, policy, FactorNumeraire(data, 0, 1));
  INFO(run.summary.FullReport());
  REQUIRE(run.summary.IsConverged());
  CHECK(run.summary.method == kNewtonGmres);
  CheckSameRealResults(world_index.outcome, run.outcome);
  CHECK(LargestNominalDifference(world_index.outcome, run.outcome) > 1e-4);
}

TEST_CASE("fixed deficits are held in numeraire units (MODEL.md section 4)",
          "[numeraire][deficits]") {
  const Benchmark data = GmresWorld(/*deficits=*/true);
  const Policy policy = TariffOnSecondRegion(data);
  const Run world_index = SolveWith(data, policy, Numeraire());
  REQUIRE(world_index.summary.IsConverged());
  const int region = 0, factor = 0;
  const Numeraire numeraire = FactorNumeraire(data, region, factor);
  // The same deficits in units of the first region's first factor are another real transfer:
  // real results move.
  const Run same_numbers = SolveWith(data, policy, numeraire);
  REQUIRE(same_numbers.summary.IsConverged());
  CHECK(same_numbers.summary.method == kNewtonGmres);
  double moved = 0.0;
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    moved = std::max(moved, std::abs(same_numbers.outcome.regions[r].ev_pct -
                                     world_index.outcome.regions[r].ev_pct));
  }
  CHECK(moved > 1e-5);
  // Restated in the new unit (divided by that factor's price under the world index), the
  // deficits are the same transfers, and every real result is as under the world index.
  const double price = std::exp(world_index.state[world_index.model.factor_price_index(factor, -1, region)]);
  Policy restated = policy;
  for (double& deficit : restated.deficit) deficit /= price;
  const Run run = SolveWith(data, restated, numeraire);
  REQUIRE(run.summary.IsConverged());
  CHECK(run.summary.method == kNewtonGmres);
  CheckSameRealResults(world_index.outcome, run.outcome);
}

TEST_CASE("Levenberg–Marquardt alone finds the equilibrium Newton finds", "[solver][lm]") {
  SynthOptions synth;
  synth.regions = 4;
  synth.sectors = 3;
  synth.factors = 2;
  synth.seed = 2;
  const Benchmark data = Synthesize(synth);
  const Policy policy = TariffOnSecondRegion(data);
  SolverOptions newton_options;
  newton_options.method = SolverMethod::kNewton;
  const Run newton = SolveWith(data, policy, Numeraire(), newton_options);
  REQUIRE(newton.summary.IsConverged());
  REQUIRE(newton.summary.method == "newton (sparse LU)");

  for (const LinearSolver linear : {LinearSolver::kSparseNormalCholesky, LinearSolver::kDenseQr}) {
    INFO("linear solver " << LinearSolverToString(linear));
    SolverOptions options;
    options.method = SolverMethod::kLevenbergMarquardt;
    options.linear_solver = linear;
    const Run lm = SolveWith(data, policy, Numeraire(), options);
    INFO(lm.summary.FullReport());
    REQUIRE(lm.summary.IsConverged());
    CHECK(lm.summary.method == "levenberg_marquardt (Ceres)");
    CHECK(lm.summary.factorisations == 0);  // no Newton step was taken
    CHECK(lm.summary.continuation_path.empty());
    CHECK(lm.summary.iterations > 0);
    CHECK(lm.summary.final_max_residual < 1e-10);
    CHECK(std::abs(lm.summary.walras_residual) < 1e-9);
    for (std::size_t k = 0; k < lm.state.size(); ++k) {
      CHECK(lm.state[k] == Approx(newton.state[k]).margin(1e-8));
    }
  }
  SECTION("cut short, it reports no convergence and what to try") {
    SolverOptions options;
    options.method = SolverMethod::kLevenbergMarquardt;
    options.max_iterations = 1;
    const Run lm = SolveWith(data, policy, Numeraire(), options);
    CHECK(lm.summary.termination_type == TerminationType::kNoConvergence);
    CHECK(lm.summary.final_max_residual > 1e-10);
    CHECK(lm.summary.iterations == 1);
    CHECK_FALSE(lm.summary.hint.empty());
  }
}

TEST_CASE("a failed solve's hints say what is known", "[solver][hints]") {
  SynthOptions synth;
  synth.regions = 4;
  synth.sectors = 3;
  synth.factors = 2;
  synth.seed = 2;
  Benchmark data = Synthesize(synth);
  Policy policy = Policy::Benchmark(data);
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    if (r != 1) policy.tariffs(0, r, 1) += 0.05;
  }
  bool deficits = false;
  for (double d : policy.deficit) deficits = deficits || d != 0.0;
  REQUIRE(deficits);
  const Model model = Model::Calibrate(data);
  const SolverOptions options;

  SECTION("not even the smallest share of the shock solves: not a matter of the deficits") {
    SolverSummary summary;
    summary.message = "no equilibrium found: continuation on the shock (0 steps) reached 0.0000 "
                      "of the shock: (the Jacobian is singular here)";
    summary.continuation_failures = 14;
    const std::string hint = SuggestRemedy(summary, model, policy, options);
    CHECK(hint.find("neither the size of the shock nor the deficits") != std::string::npos);
    CHECK(hint.find("purge them") == std::string::npos);
    CHECK(hint.find("vanishing") == std::string::npos);
  }
  SECTION("a path that breaks part of the way, with deficits: the deficits may be the cause") {
    SolverSummary summary;
    summary.message = "no equilibrium found: continuation on the shock (3 steps) reached 0.4000";
    summary.continuation_path = {0.1, 0.2, 0.4};
    summary.continuation_failures = 12;
    const std::string hint = SuggestRemedy(summary, model, policy, options);
    CHECK(hint.find("purge them with {type: deficit, set: 0}") != std::string::npos);
    CHECK(hint.find("neither the size") == std::string::npos);
  }
  SECTION("an elasticity of 1e6: named, and no word of deficits") {
    data.elasticities.armington[0] = 1e6;
    const Model extreme = Model::Calibrate(data);
    State state = extreme.BenchmarkState();
    SolverSummary summary;
    Solve(options, extreme, policy, &state, &summary);
    INFO(summary.FullReport());
    REQUIRE_FALSE(summary.IsConverged());
    INFO(summary.hint);
    CHECK(summary.hint.find("the Armington elasticity of " + data.sectors[0] + " is 1e+06") !=
          std::string::npos);
    CHECK(summary.hint.find("deficits are fixed") == std::string::npos);
  }
}

namespace {

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.push_back("");
  return fields;
}

}  // namespace

TEST_CASE("sectors.csv: imports at purchaser prices carry each flow's own wedges",
          "[results][imports]") {
  SynthOptions synth;
  synth.regions = 4;
  synth.sectors = 3;
  synth.factors = 2;
  synth.seed = 6;
  synth.export_taxes = true;
  const Benchmark data = Synthesize(synth);
  const int nr = static_cast<int>(data.num_regions()), ns = static_cast<int>(data.num_sectors());
  // Asymmetric wedges: R001 raises its tariffs on R002, R003 taxes its exports to R001.
  Policy policy = Policy::Benchmark(data);
  for (int i = 0; i < ns; ++i) {
    policy.tariffs(i, 1, 0) += 0.30;
    policy.export_taxes(i, 2, 0) += 0.15;
  }
  int asymmetric = 0;  // flows whose reverse flow has other rates: what the test can tell apart
  for (int i = 0; i < ns; ++i)
    for (int r = 0; r < nr; ++r)
      for (int s = 0; s < nr; ++s)
        if (r != s && data.trade(i, r, s) > 0.0 &&
            (policy.tariffs(i, r, s) != policy.tariffs(i, s, r) ||
             policy.export_taxes(i, r, s) != policy.export_taxes(i, s, r))) {
          ++asymmetric;
        }
  REQUIRE(asymmetric > nr * ns);
  const Run run = SolveWith(data, policy, Numeraire());
  REQUIRE(run.summary.IsConverged());

  // Independently: the value of cross-border imports at purchaser prices, producer value
  // X (trade, and the solved flows) times (1 + export tax)(1 + tariff) of the flow itself.
  std::map<std::pair<int, int>, std::pair<double, double>> imports;  // (i, r): base, new
  for (const FlowOutcome& flow : run.outcome.flows) {
    if (flow.exporter == flow.importer) continue;
    const int i = flow.sector, s = flow.exporter, r = flow.importer;
    auto& [base, now] = imports[{i, r}];
    base += flow.value_base * (1.0 + data.export_taxes(i, s, r)) * (1.0 + data.tariffs(i, s, r));
    now += flow.value_new * (1.0 + policy.export_taxes(i, s, r)) * (1.0 + policy.tariffs(i, s, r));
  }

  const std::string dir = testing::MakeTempDir("imports");
  Scenario scenario;
  scenario.name = "asymmetric wedges";
  scenario.path = dir + "/scenario.yaml";
  scenario.data_path = dir + "/data.yaml";
  ResultContext context;
  context.data = &data;
  context.scenario = &scenario;
  context.outcome = &run.outcome;
  context.summary = &run.summary;
  WriteResults(dir, context);
  std::ifstream in(std::filesystem::path(dir) / "sectors.csv");
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "region,sector,price_pct,output_pct,exports_pct,imports_pct");
  int checked = 0;
  double largest_change = 0.0;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = Split(line);
    REQUIRE(fields.size() == 6);
    int r = 0, i = 0;
    while (data.regions[r] != fields[0]) ++r;
    while (data.sectors[i] != fields[1]) ++i;
    const auto found = imports.find({i, r});
    if (found == imports.end()) {
      CHECK(fields[5].empty());
      continue;
    }
    const double expected = 100.0 * (found->second.second / found->second.first - 1.0);
    INFO(line);
    CHECK(std::stod(fields[5]) == Approx(expected).margin(1e-7));
    largest_change = std::max(largest_change, std::abs(expected));
    ++checked;
  }
  CHECK(checked == static_cast<int>(imports.size()));
  CHECK(largest_change > 5.0);  // the shock moves imports: the check is not of zeros
  std::filesystem::remove_all(dir);
}
