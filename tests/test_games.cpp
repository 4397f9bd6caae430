// Games (MODEL.md section 12): adjoint gradients, optimal, Nash and cooperative tariffs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <cmath>
#include <vector>

#include "calibration/errors.h"
#include "calibration/synth.h"
#include "games/game.h"
#include "games/objective.h"
#include "games/sensitivity.h"
#include "games/solve_game.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "scenarios/scenario.h"
#include "solver/solver.h"
#include "tests/game_fixtures.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

using testing::ForeignDomesticShare;
using testing::GameFile;
using testing::GeneralWorld;
using testing::OneFactorWorld;
using testing::RunOhlin;
using testing::Shipped;
using testing::SolveAt;

using games::Flow;
using games::Objective;
using games::ObjectiveKind;

std::vector<Flow> ForeignFlows(const Benchmark& data, int importer) {
  std::vector<Flow> flows;
  for (int i = 0; i < static_cast<int>(data.num_sectors()); ++i) {
    for (int r = 0; r < static_cast<int>(data.num_regions()); ++r) {
      if (r != importer && data.trade(i, r, importer) > 0.0) flows.push_back({i, r, importer});
    }
  }
  return flows;
}

TEST_CASE("the tariff column of the residuals equals finite differences") {
  const Benchmark data = GeneralWorld();
  const Model model = Model::Calibrate(data);
  Policy policy = Policy::Benchmark(data);
  for (double& t : policy.tariffs.data()) t += 0.07;
  const State x = SolveAt(model, policy, model.BenchmarkState());
  for (const Flow& flow : ForeignFlows(data, 1)) {
    const EquilibriumSystem system(model, policy);
    std::vector<std::pair<int, double>> column;
    system.TariffDerivative(x.data(), flow.sector, flow.exporter, flow.importer, &column);
    testing::CheckColumn(model, policy, x, flow, column);
  }
}

TEST_CASE("the adjoint gradient of every objective equals finite differences") {
  const Benchmark data = GeneralWorld();
  const Model model = Model::Calibrate(data);
  Policy policy = Policy::Benchmark(data);
  for (double& t : policy.tariffs.data()) t += 0.05;
  const State x = SolveAt(model, policy, model.BenchmarkState());
  const int player = 0;
  const std::vector<Flow> flows = ForeignFlows(data, player);
  std::vector<Objective> objectives(4);
  objectives[1].kind = ObjectiveKind::kWeighted;
  objectives[1].weights = {2.0, 0.5};
  objectives[2].kind = ObjectiveKind::kInequalityAverse;
  objectives[2].epsilon = 2.0;
  objectives[3].kind = ObjectiveKind::kInequalityAverse;
  objectives[3].epsilon = 1.0;
  objectives[3].region = 2;  // another region's welfare, moved by player 0's tariffs
  const EquilibriumSystem system(model, policy);
  const games::TariffSensitivity sensitivity(system, x, flows);
  REQUIRE(sensitivity.ok());
  for (const Objective& objective : objectives) {
    std::vector<double> dx;
    games::EvaluateObjective(system, x.data(), objective, &dx);
    const std::vector<double> gradient = sensitivity.Gradient(dx);
    const double largest = std::abs(*std::max_element(
        gradient.begin(), gradient.end(),
        [](double a, double b) { return std::abs(a) < std::abs(b); }));
    REQUIRE(largest > 0.0);
    const double step = 1e-4;
    for (std::size_t k = 0; k < flows.size(); ++k) {
      const Flow& f = flows[k];
      Policy up = policy, down = policy;
      up.tariffs(f.sector, f.exporter, f.importer) += step;
      down.tariffs(f.sector, f.exporter, f.importer) -= step;
      const State xu = SolveAt(model, up, x), xd = SolveAt(model, down, x);
      const double fu = games::EvaluateObjective(EquilibriumSystem(model, up), xu.data(), objective, nullptr);
      const double fd = games::EvaluateObjective(EquilibriumSystem(model, down), xd.data(), objective, nullptr);
      INFO(games::ObjectiveKindToString(objective.kind) << " flow " << k);
      CHECK(gradient[k] == Approx((fu - fd) / (2 * step)).epsilon(1e-6).margin(1e-6 * largest));
    }
  }
}

// |J x - b| / |b| (J' x when `transposed`), with J the rows of `system` at `values`.
double RelativeResidual(const EquilibriumSystem& system, const std::vector<double>& values,
                        const std::vector<double>& b, const std::vector<double>& x,
                        bool transposed) {
  std::vector<double> r = b;
  for (int row = 0; row < system.num_rows(); ++row) {
    for (int k = system.row_start()[row]; k < system.row_start()[row + 1]; ++k) {
      const int col = system.columns()[k];
      if (transposed) {
        r[col] -= values[k] * x[row];
      } else {
        r[row] -= values[k] * x[col];
      }
    }
  }
  double rr = 0.0, bb = 0.0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    rr += r[i] * r[i];
    bb += b[i] * b[i];
  }
  return std::sqrt(rr / bb);
}

// Big enough for the compact factors to drop entries: 12 regions x 6 sectors, 2 factors,
// input-output links (the world of the GMRES and fallback tests).
Benchmark GmresTestWorld() {
  SynthOptions options;
  options.regions = 12;
  options.sectors = 6;
  options.factors = 2;
  options.seed = 3;
  return Synthesize(options);
}

TEST_CASE("GMRES with the compact factors of a nearby Jacobian solves J x = b and J' x = b") {
  const Benchmark data = GmresTestWorld();
  const Model model = Model::Calibrate(data);
  const Policy near = Policy::Benchmark(data);
  Policy policy = near;
  for (double& t : policy.tariffs.data()) t += 0.05;
  const State x_near = SolveAt(model, near, model.BenchmarkState());
  const State x = SolveAt(model, policy, x_near);
  const EquilibriumSystem near_system(model, near), system(model, policy);
  const int n = system.num_rows();
  std::vector<double> f(n), near_values(near_system.num_nonzeros()), values(system.num_nonzeros());
  REQUIRE(near_system.Evaluate(x_near.data(), f.data(), near_values.data()));
  REQUIRE(system.Evaluate(x.data(), f.data(), values.data()));
  std::vector<double> b(n);
  for (int i = 0; i < n; ++i) b[i] = std::sin(1.0 + 3.0 * i);
  for (const bool transposed : {false, true}) {
    INFO((transposed ? "J' x = b" : "J x = b"));
    games::JacobianLu lu;
    // At its own factors: a few products (the compact factors' dropped entries: 7 here); at
    // the factors of the benchmark's Jacobian (tariffs 5 points lower, also a different
    // pattern) more (12-13, and 13 with the sparsified Jacobian's), but no new factorisation.
    REQUIRE(lu.Factorise(system, values));
    std::vector<double> solution;
    REQUIRE(lu.SolveNear(system, values, b, transposed, 1e-12, &solution));
    CHECK(RelativeResidual(system, values, b, solution, transposed) <= 1e-12);
    CHECK(lu.solves() <= 10);
    REQUIRE(lu.Factorise(near_system, near_values));
    solution.clear();
    const int before = lu.solves();
    REQUIRE(lu.SolveNear(system, values, b, transposed, 1e-12, &solution));
    CHECK(RelativeResidual(system, values, b, solution, transposed) <= 1e-12);
    CHECK(lu.factorisations() == 2);
    CHECK(lu.solves() - before <= 24);
    // The exact solve with the factors of J agrees.
    REQUIRE(lu.Factorise(system, values));
    std::vector<double> exact;
    REQUIRE((transposed ? lu.SolveTransposed(b, &exact) : lu.Solve(b, &exact)));
    for (int i = 0; i < n; ++i) CHECK(solution[i] == Approx(exact[i]).margin(1e-9));
    // The sparsified Jacobian's factors (no exact solves with them) precondition as well.
    REQUIRE(lu.FactoriseSparsified(near_system, near_values));
    CHECK_FALSE(lu.Solve(b, &exact));
    solution.clear();
    const int sparsified = lu.solves();
    REQUIRE(lu.SolveNear(system, values, b, transposed, 1e-12, &solution));
    CHECK(RelativeResidual(system, values, b, solution, transposed) <= 1e-12);
    CHECK(lu.factorisations() == 4);
    CHECK(lu.solves() - sparsified <= 24);
  }
}

games::PlayerSpec Player(const Benchmark& data, int region) {
  games::PlayerSpec p;
  p.region = region;
  p.objective.region = region;
  for (int r = 0; r < static_cast<int>(data.num_regions()); ++r) {
    if (r != region) p.partners.push_back(r);
  }
  for (int i = 0; i < static_cast<int>(data.num_sectors()); ++i) p.sectors.push_back(i);
  return p;
}

games::GameOutcome Play(const games::GameSpec& game, const Model& model, const Policy& policy,
                        int threads = 1) {
  const State start = SolveAt(model, policy, model.BenchmarkState());
  games::GameOptions options;
  options.solver.num_threads = threads;
  games::GameOutcome outcome = games::SolveGame(game, model, policy, start, options);
  INFO(outcome.message);
  REQUIRE(outcome.converged);
  return outcome;
}

TEST_CASE("when the thinned Jacobian's factors fail, GMRES falls back to the factors of J") {
  // The world of the GMRES test, at tariffs 5 points up. SolveNear factorises the thinned
  // Jacobian first; when that matrix is singular (thinned to its diagonal: sparsify above 1),
  // or GMRES preconditioned with its factors needs more products than allowed (the default
  // thinning, at most 2 products here), it must factorise J itself and solve with it: the
  // answer is then J's exact solve, and J's exact factors are held.
  const Benchmark data = GmresTestWorld();
  const Model model = Model::Calibrate(data);
  Policy policy = Policy::Benchmark(data);
  for (double& t : policy.tariffs.data()) t += 0.05;
  const State x = SolveAt(model, policy, model.BenchmarkState());
  const EquilibriumSystem system(model, policy);
  const int n = system.num_rows();
  std::vector<double> f(n), values(system.num_nonzeros());
  REQUIRE(system.Evaluate(x.data(), f.data(), values.data()));
  std::vector<double> b(n);
  for (int i = 0; i < n; ++i) b[i] = std::sin(1.0 + 3.0 * i);
  for (const auto& [sparsify, max_products] :
       {std::pair{2.0, 24}, std::pair{games::JacobianLu::kSparsify, 2}}) {
    {
      games::JacobianLu probe;  // the way the thinned matrix fails: singular or too coarse
      probe.set_sparsify(sparsify);
      CHECK(probe.FactoriseSparsified(system, values) == (sparsify < 1.0));
    }
    for (const bool transposed : {false, true}) {
      INFO("sparsify " << sparsify << ", at most " << max_products << " products"
                       << (transposed ? ", J' x = b" : ", J x = b"));
      games::JacobianLu lu;
      lu.set_sparsify(sparsify);
      std::vector<double> solution, exact;
      REQUIRE(lu.SolveNear(system, values, b, transposed, 1e-12, &solution, max_products));
      CHECK(RelativeResidual(system, values, b, solution, transposed) <= 1e-12);
      CHECK(lu.factorisations() == 2);  // the thinned matrix, then J
      REQUIRE((transposed ? lu.SolveTransposed(b, &exact) : lu.Solve(b, &exact)));
      for (int i = 0; i < n; ++i) CHECK(solution[i] == Approx(exact[i]).margin(1e-9));
    }
  }
}

TEST_CASE("a best response is the same when the thinned Jacobian fails as with the default") {
  // Region 0's best response on the world of the GMRES test (input-output links, two
  // factors; 66 instruments). With the preconditioner's Jacobian thinned to its diagonal,
  // singular there, the engine must factorise the whole Jacobian instead (at its first
  // equilibrium, and in SolveNear); the optimum must not change, and Newton must still reach
  // every equilibrium without the full solver.
  const Benchmark data = GmresTestWorld();
  const Model model = Model::Calibrate(data);
  const Policy policy = Policy::Benchmark(data);
  const State start = SolveAt(model, policy, model.BenchmarkState());
  games::GameSpec game;
  game.tolerance = 1e-8;
  game.players = {Player(data, 0)};
  std::vector<games::GameOutcome> outcomes;
  for (const double sparsify : {games::JacobianLu::kSparsify, 2.0}) {
    games::GameOptions options;
    options.sparsify = sparsify;
    outcomes.push_back(games::SolveGame(game, model, policy, start, options));
    INFO("sparsify " << sparsify << ": " << outcomes.back().message);
    REQUIRE(outcomes.back().converged);
    CHECK(outcomes.back().full_solves == 0);
  }
  const games::PlayerOutcome &thinned = outcomes[0].players[0], &fallback = outcomes[1].players[0];
  REQUIRE(thinned.chosen.size() == fallback.chosen.size());
  CHECK(thinned.chosen.size() >= 60);
  for (std::size_t k = 0; k < thinned.chosen.size(); ++k) {
    CHECK(fallback.chosen[k] == Approx(thinned.chosen[k]).margin(1e-6));
  }
  CHECK(fallback.objective == Approx(thinned.objective).epsilon(1e-10));
  CHECK(fallback.objective > fallback.objective_factual);
  CHECK(outcomes[1].factorisations > outcomes[0].factorisations);
}

TEST_CASE("Gros (1987): the optimal tariff against a free-trading partner is 1/((sigma-1) lambda_FF)") {
  for (const double sigma : {3.0, 5.0}) {
    const Benchmark data = OneFactorWorld({80}, {20}, {120}, {20}, {sigma});
    const Model model = Model::Calibrate(data);
    games::GameSpec game;
    game.tolerance = 1e-8;
    game.players = {Player(data, 0)};
    const games::GameOutcome outcome = Play(game, model, Policy::Benchmark(data));
    const double lambda = ForeignDomesticShare(model, outcome, 0);
    INFO("sigma " << sigma);
    CHECK(outcome.players[0].chosen[0] == Approx(1.0 / ((sigma - 1.0) * lambda)).epsilon(1e-6));
    CHECK(outcome.players[0].objective > 0.0);
  }
}

TEST_CASE("the optimal tariff against a partner's tariff t_F is (1 + t_F l)/((sigma-1) l (1+t_F))") {
  const double sigma = 4.0, foreign = 0.3;
  const Benchmark data = OneFactorWorld({80}, {20}, {120}, {20}, {sigma});
  const Model model = Model::Calibrate(data);
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(0, 0, 1) = foreign;
  games::GameSpec game;
  game.tolerance = 1e-8;
  game.players = {Player(data, 0)};
  const games::GameOutcome outcome = Play(game, model, policy);
  const double lambda = ForeignDomesticShare(model, outcome, 0);
  CHECK(outcome.players[0].chosen[0] ==
        Approx((1.0 + foreign * lambda) / ((sigma - 1.0) * lambda * (1.0 + foreign))).epsilon(1e-6));
}

TEST_CASE("with Cobb-Douglas sectors the optimal tariff is uniform, 1/sum chi_k (sigma_k-1) lambda_FF,k") {
  const std::vector<double> sigma = {3.0, 6.0, 9.0};
  const Benchmark data =
      OneFactorWorld({50, 30, 60}, {10, 25, 5}, {70, 40, 90}, {15, 10, 15}, sigma);
  const Model model = Model::Calibrate(data);
  games::GameSpec game;
  game.tolerance = 1e-8;
  game.players = {Player(data, 0)};
  const games::GameOutcome outcome = Play(game, model, Policy::Benchmark(data));
  double exports = 0.0, sum = 0.0;
  for (int k = 0; k < 3; ++k) exports += Shipped(model, outcome, k, 0, 1);
  for (int k = 0; k < 3; ++k) {
    const double chi = Shipped(model, outcome, k, 0, 1) / exports;
    sum += chi * (sigma[k] - 1.0) * ForeignDomesticShare(model, outcome, k);
  }
  REQUIRE(outcome.players[0].chosen.size() == 3);
  for (double t : outcome.players[0].chosen) CHECK(t == Approx(1.0 / sum).epsilon(1e-6));
}

TEST_CASE("the two-country Nash equilibrium satisfies both players' optimal-tariff formulas") {
  const double sigma = 4.0;
  const Benchmark data = OneFactorWorld({80}, {20}, {120}, {20}, {sigma});
  const Model model = Model::Calibrate(data);
  games::GameSpec game;
  game.concept_kind = games::Concept::kNash;
  game.tolerance = 1e-8;
  game.players = {Player(data, 0), Player(data, 1)};
  const games::GameOutcome outcome = Play(game, model, Policy::Benchmark(data));
  const double th = outcome.players[0].chosen[0], tf = outcome.players[1].chosen[0];
  const double lff = ForeignDomesticShare(model, outcome, 0);
  const double own = Shipped(model, outcome, 0, 0, 0);
  const double lhh = own / (own + Shipped(model, outcome, 0, 1, 0) * (1.0 + th));
  CHECK(th == Approx((1.0 + tf * lff) / ((sigma - 1.0) * lff * (1.0 + tf))).epsilon(1e-6));
  CHECK(tf == Approx((1.0 + th * lhh) / ((sigma - 1.0) * lhh * (1.0 + th))).epsilon(1e-6));
  // A tariff war: both lose against free trade (the benchmark) here, symmetric enough.
  CHECK(th > 0.1);
  CHECK(tf > 0.1);
}

TEST_CASE("the choke rule holds a prohibitive rate and changes nothing else of a Nash equilibrium") {
  // Sector B (sigma 15) is shut by HOME's factual tariff of 500%: its imports are 6^-15 of
  // their benchmark, sigma times their value about 1e-13 of income, far below the tolerance
  // (MODEL.md 12.6). Sector A is the two-country war of the test above.
  const Benchmark data = OneFactorWorld({80, 40}, {20, 2}, {120, 60}, {20, 2}, {4.0, 15.0});
  const Model model = Model::Calibrate(data);
  games::GameSpec game;
  game.concept_kind = games::Concept::kNash;
  game.tolerance = 1e-8;
  game.players = {Player(data, 0), Player(data, 1)};
  auto play = [&](double shut) {
    Policy policy = Policy::Benchmark(data);
    policy.tariffs(1, 1, 0) = shut;
    return Play(game, model, policy);
  };
  const games::GameOutcome outcome = play(5.0);
  CHECK(outcome.held > 0);
  CHECK(outcome.players[0].chosen[1] == 5.0);  // held where it was
  CHECK(outcome.kkt_residual <= game.tolerance);
  // The same war with HOME's sector-B rate not an instrument at all (fixed at 500%): the
  // other rates are the same.
  games::GameSpec fixed = game;
  fixed.players[0].sectors = {0};
  Policy policy = Policy::Benchmark(data);
  policy.tariffs(1, 1, 0) = 5.0;
  const games::GameOutcome without = Play(fixed, model, policy);
  CHECK(without.held == 0);
  CHECK(outcome.players[0].chosen[0] == Approx(without.players[0].chosen[0]).epsilon(1e-7));
  for (int k = 0; k < 2; ++k) {
    CHECK(outcome.players[1].chosen[k] == Approx(without.players[1].chosen[k]).epsilon(1e-7));
  }
  // A rate of 50% does not shut the flow (1.5^-15 of it is 2e-3, sigma times that 1e-4 of
  // income): it is not held but moves to HOME's best response, inside the choke point.
  const games::GameOutcome open = play(0.5);
  CHECK(open.held == 0);
  CHECK(open.players[0].chosen[1] < 0.4);
  CHECK(open.kkt_residual <= game.tolerance);
}

// The objective of player p when it deviates to `rates` (same instruments) from the outcome.
double Deviate(const Model& model, const games::GameOutcome& outcome, int p,
               const std::vector<double>& rates, const games::Objective& objective) {
  Policy policy = outcome.policy;
  const games::PlayerOutcome& player = outcome.players[p];
  for (std::size_t k = 0; k < player.instruments.size(); ++k) {
    for (const Flow& f : player.instruments[k].flows) policy.tariffs(f.sector, f.exporter, f.importer) = rates[k];
  }
  const State x = SolveAt(model, policy, outcome.state);
  return games::EvaluateObjective(EquilibriumSystem(model, policy), x.data(), objective, nullptr);
}

TEST_CASE("at a Nash equilibrium of a general world no random unilateral deviation pays") {
  SynthOptions options;
  options.regions = 3;
  options.sectors = 3;
  options.factors = 3;
  options.households = 2;
  options.seed = 11;
  const Benchmark data = Synthesize(options);
  const Model model = Model::Calibrate(data);
  games::GameSpec game;
  game.concept_kind = games::Concept::kNash;
  game.tolerance = 1e-8;
  game.players = {Player(data, 0), Player(data, 1), Player(data, 2)};
  game.players[1].objective.kind = ObjectiveKind::kInequalityAverse;
  game.players[1].objective.epsilon = 1.5;
  const games::GameOutcome outcome = Play(game, model, Policy::Benchmark(data));
  std::uint64_t seed = 12345;
  auto uniform = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(seed >> 11) / 9007199254740992.0;
  };
  for (int p = 0; p < 3; ++p) {
    const games::PlayerOutcome& player = outcome.players[p];
    CHECK(player.kkt_residual <= 1e-8);
    for (int draw = 0; draw < 6; ++draw) {
      const double size = draw < 3 ? 1e-3 : 0.1;
      std::vector<double> rates = player.chosen;
      for (double& t : rates) t = std::max(0.0, t + size * (2.0 * uniform() - 1.0));
      const double deviation = Deviate(model, outcome, p, rates, game.players[p].objective);
      INFO("player " << p << " draw " << draw);
      CHECK(deviation - player.objective <= 1e-9 * player.income);
    }
  }
  // The same equilibrium by Jacobi rounds on two threads and by Gauss–Seidel rounds.
  const games::GameOutcome parallel = Play(game, model, Policy::Benchmark(data), 2);
  game.updates = games::Updates::kGaussSeidel;
  const games::GameOutcome in_turn = Play(game, model, Policy::Benchmark(data));
  for (int p = 0; p < 3; ++p) {
    for (std::size_t k = 0; k < outcome.players[p].chosen.size(); ++k) {
      CHECK(parallel.players[p].chosen[k] == Approx(outcome.players[p].chosen[k]).margin(1e-5));
      CHECK(in_turn.players[p].chosen[k] == Approx(outcome.players[p].chosen[k]).margin(1e-5));
    }
  }
}

TEST_CASE("maximising world welfare from a free-trade benchmark gives zero tariffs") {
  SynthOptions options;
  options.regions = 3;
  options.sectors = 3;
  options.factors = 2;
  options.households = 2;
  options.seed = 5;
  options.tariffs = false;
  options.ntb = false;
  options.deficits = false;
  const Benchmark data = Synthesize(options);
  const Model model = Model::Calibrate(data);
  games::GameSpec game;
  game.concept_kind = games::Concept::kCooperative;
  game.talks = games::Talks::kWorldWelfare;
  game.tolerance = 1e-7;  // the objective is flat to 1e-14 of income within 1e-6 of zero
  game.players = {Player(data, 0), Player(data, 1), Player(data, 2)};
  Policy start = Policy::Benchmark(data);
  for (int i = 0; i < 3; ++i) {  // talks start from a tariff war
    for (int r = 0; r < 3; ++r) {
      for (int s = 0; s < 3; ++s) start.tariffs(i, r, s) = r == s ? 0.0 : 0.2;
    }
  }
  const games::GameOutcome outcome = Play(game, model, start);
  for (const games::PlayerOutcome& player : outcome.players) {
    for (double t : player.chosen) CHECK(std::abs(t) < 1e-6);
  }
}

TEST_CASE("equal-gains talks from Nash give every player the same gain") {
  // The talks leave the larger FOREIGN a tariff of 3.9% and put HOME's at its lower bound,
  // zero, with an outward pull (HOME would rather subsidise FOREIGN's goods to equalise the
  // gains): converged only because that pull is not a violation (TalksKktResidual).
  const Benchmark data = OneFactorWorld({80}, {20}, {120}, {20}, {4.0});
  const Model model = Model::Calibrate(data);
  games::GameSpec game;
  game.concept_kind = games::Concept::kCooperative;
  game.threat_point = games::ThreatPoint::kNash;
  game.tolerance = 1e-7;
  game.players = {Player(data, 0), Player(data, 1)};
  const games::GameOutcome outcome = Play(game, model, Policy::Benchmark(data));
  std::vector<double> gains;
  for (const games::PlayerOutcome& player : outcome.players) {
    gains.push_back((player.objective - player.objective_threat) / player.income);
  }
  CHECK(gains[0] > 0.0);
  CHECK(gains[0] == Approx(gains[1]).margin(1e-9));
  INFO("HOME " << outcome.players[0].chosen[0] << ", FOREIGN " << outcome.players[1].chosen[0]);
  CHECK(outcome.players[0].chosen[0] <= 1e-9);
  CHECK(outcome.players[0].at_lower == 1);
  CHECK(outcome.players[1].chosen[0] > 0.01);
  CHECK(outcome.kkt_residual <= 1e-7);
}

TEST_CASE("the talks' KKT residual: a rate within 1e-9 of a bound is at it, only an inward pull counts") {
  // Two players, both binding (equal gains), three rates. Rate 0 is inside its bounds and
  // pulled equally both ways (mu = 1/2 each makes it stationary); rate 1 sits at its lower
  // bound, rate 2 at its upper bound. Gradients in percent of income per unit rate.
  const std::vector<double> lower = {0.0, 0.0, 0.0}, upper = {10.0, 10.0, 10.0};
  const std::vector<double> gains = {1.0, 1.0};
  const auto residual = [&](double rate1, double g0, double g1) {
    const std::vector<std::vector<double>> gradients = {{2.0, g0, 1.0}, {-2.0, g1, 1.0}};
    return games::TalksKktResidual({0.3, rate1, 10.0 - 1e-12}, lower, upper, gains, gradients);
  };
  // An outward pull (both want the rate below zero) at the bound, or a little above it as
  // SLSQP leaves such rates (1.4e-12 in scenarios/game_talks.yaml), or 5e-10: no violation;
  // nor rate 2's outward pull 1e-12 below its upper bound.
  for (const double rate1 : {0.0, 1.4e-12, 5e-10}) {
    INFO("rate 1 at " << rate1);
    CHECK(residual(rate1, -1.0, -3.0) == Approx(0.0).margin(1e-15));
    // An inward pull there is a violation: (1/2)(1 + 3) = 2 points = 0.02 of income.
    CHECK(residual(rate1, 1.0, 3.0) == Approx(0.02).epsilon(1e-12));
  }
  // 1e-8 above the bound the rate is inside: the multipliers are fitted on rates 0 and 1,
  // minimising (4 mu - 2)^2 + (2 mu - 3)^2 at mu = 0.7, and rate 1's pull 0.7(-1) + 0.3(-3)
  // = -1.6 points is left: 0.016.
  CHECK(residual(1e-8, -1.0, -3.0) == Approx(0.016).epsilon(1e-9));
  // A player whose gain exceeds the smallest by more than 1e-6 points gets no multiplier.
  const std::vector<std::vector<double>> gradients = {{2.0, 0.0, 1.0}, {-2.0, 0.0, 1.0}};
  CHECK(games::TalksKktResidual({0.3, 1.0, 2.0}, lower, upper, {1.0, 1.0 + 1e-5}, gradients) ==
        Approx(0.02).epsilon(1e-12));
}

TEST_CASE("political weight 2 on capital owners raises the tariff on the capital-intensive good") {
  Benchmark data = testing::MakeTwoByTwo(5.0);
  data.households[0] = {{"workers", 80.0, {1.0, 0.0}, {}}, {"owners", 20.0, {0.0, 1.0}, {}}};
  data.final_demand[0] = {{45.0, 45.0}, {55.0, 55.0}};
  const Model model = Model::Calibrate(data);
  std::vector<double> cap_rate, lab_rate;
  for (const double weight : {1.0, 2.0}) {
    games::GameSpec game;
    game.tolerance = 1e-7;
    game.players = {Player(data, 0)};
    game.players[0].objective.kind = ObjectiveKind::kWeighted;
    game.players[0].objective.weights = {1.0, weight};
    const games::GameOutcome outcome = Play(game, model, Policy::Benchmark(data));
    lab_rate.push_back(outcome.players[0].chosen[0]);  // instruments: partner, then sector
    cap_rate.push_back(outcome.players[0].chosen[1]);
  }
  INFO("LAB " << lab_rate[0] << " -> " << lab_rate[1] << ", CAP " << cap_rate[0] << " -> " << cap_rate[1]);
  CHECK(cap_rate[1] > cap_rate[0] + 0.01);
  CHECK(cap_rate[1] - lab_rate[1] > cap_rate[0] - lab_rate[0]);
}

TEST_CASE("a game section is read with its defaults") {
  Benchmark data;
  const std::string path = GameFile(
      "game:\n  concept: nash\n  players:\n    - {region: USA, sectors: [MAN, HIT]}\n"
      "    - {region: [CHN, EU], instruments: mfn, group: [EU], objective: weighted,\n"
      "       weights: {owners: 2}}\n");
  LoadScenario(path, &data);
  const games::GameSpec game = games::LoadGame(path, data);
  REQUIRE(game.players.size() == 3);
  CHECK(game.concept_kind == games::Concept::kNash);
  CHECK(game.players[0].sectors.size() == 2);
  CHECK(game.players[0].partners.size() == data.num_regions() - 1);
  CHECK(game.players[0].lower == 0.0);
  CHECK(game.players[0].upper == 10.0);
  CHECK(game.players[2].instruments == games::InstrumentKind::kMfn);
  CHECK(game.players[2].objective.weights == std::vector<double>{1.0, 1.0, 2.0});
}

// The example in docs/FORMATS.md ("Games") is read as written on the default world.
TEST_CASE("the game example of FORMATS.md loads on the default world") {
  std::ifstream in(std::string(OHLIN_SOURCE_DIR) + "/docs/FORMATS.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::size_t begin = doc.find("```yaml\ngame:\n");
  REQUIRE(begin != std::string::npos);
  const std::size_t end = doc.find("```", begin + 7);
  REQUIRE(end != std::string::npos);
  Benchmark data;
  const std::string path = GameFile(doc.substr(begin + 8, end - begin - 8));
  LoadScenario(path, &data);
  const games::GameSpec game = games::LoadGame(path, data);
  REQUIRE(game.players.size() == 4);
  CHECK(game.concept_kind == games::Concept::kNash);
  CHECK(game.players[1].instruments == games::InstrumentKind::kMfn);
  CHECK(game.players[2].export_taxes.has_value());
  CHECK_FALSE(game.players[3].tariffs);
}

TEST_CASE("bad game input names the key and the line") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"game:\n  players:\n    - {region: XYZ}\n", ":6:16: game.players[1].region: unknown region 'XYZ'"},
      {"game:\n  players:\n    - {region: USA, sectors: [STEEL]}\n", "unknown sector 'STEEL'"},
      {"game:\n  players:\n    - {region: USA, sectors: []}\n", "game.players[1].sectors: the list is empty"},
      {"game:\n  players: []\n", "game.players: expected a non-empty list"},
      {"game:\n  players:\n    - {region: USA, partners: [USA]}\n", "USA has no instruments"},
      {"game:\n  players:\n    - {region: USA, bounds: [0.5, 0.2]}\n", ":6:29: game.players[1].bounds: lower bound 0.5 is above upper bound 0.2"},
      {"game:\n  players:\n    - {region: USA, objective: weighted, weights: {owners: -1}}\n", "weights.owners: a weight must be >= 0"},
      {"game:\n  players:\n    - {region: USA, objective: inequality_averse, epsilon: -0.5}\n", "epsilon: the aversion must be >= 0"},
      {"game:\n  concept: cooperative\n  players:\n    - {region: USA}\n", ":5:3: game: a cooperative game needs a threat point"},
      {"game:\n  concept: nash\n  players:\n    - {region: USA, objective: votes}\n", "unknown value 'votes'"},
      {"game:\n  players:\n    - {region: USA, objective: weighted, weights: {lobby: 3}}\n", "unknown household 'lobby'"},
      {"game:\n  players:\n    - {region: USA}\n    - {region: CHN}\n", "a best response has exactly one player"},
      {"game:\n  concept: nash\n  players:\n    - {region: USA}\n    - {region: \"*\"}\n", "USA is a player twice"},
      {"game:\n  players:\n    - {region: USA, speed: 3}\n", "speed"},
      {"game:\n  concept: nash\n  updates: random\n  players:\n    - {region: USA}\n", ":6:12: game.updates: unknown value 'random'"},
  };
  for (const auto& [game, expected] : cases) {
    Benchmark data;
    const std::string path = GameFile(game);
    LoadScenario(path, &data);
    const std::string message = testing::ErrorOf([&] { games::LoadGame(path, data); });
    INFO(game);
    CHECK_THAT(message, Catch::Contains(expected));
    CHECK_THAT(message, Catch::Contains(path));
  }
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Column `column` (0-based) of a CSV file's rows, as numbers.
std::vector<double> CsvColumn(const std::string& path, std::size_t column) {
  std::istringstream in(ReadText(path));
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> values;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string field;
    for (std::size_t k = 0; k <= column && std::getline(fields, field, ','); ++k) {}
    values.push_back(std::stod(field));
  }
  return values;
}

TEST_CASE("ohlin game writes tariffs.csv and the results; bad input and non-convergence write none") {
  namespace fs = std::filesystem;
  const std::string dir = testing::MakeTempDir("game-cli");
  REQUIRE(RunOhlin("synth --regions 3 --sectors 2 --factors 2 --households 2 --seed 3 --out world",
                   dir) == 0);
  auto write = [&](const std::string& name, const std::string& game) {
    std::ofstream(dir + "/" + name) << "ohlin: 1\nname: g\ndata: world/data.yaml\n" << game;
  };
  INFO(ReadText(dir + "/cli.log"));
  write("best.yaml", "game:\n  players:\n    - {region: \"*\"}\n");  // three: an error
  CHECK(RunOhlin("game best.yaml --out bad", dir) == 1);
  CHECK_FALSE(fs::exists(dir + "/bad"));
  write("sector.yaml", "game:\n  concept: nash\n  players:\n    - {region: \"*\", sectors: [NOPE]}\n");
  CHECK(RunOhlin("game sector.yaml --out bad", dir) == 1);
  CHECK_FALSE(fs::exists(dir + "/bad"));
  CHECK_THAT(ReadText(dir + "/cli.log"), Catch::Contains("sector.yaml:7:31:") &&
                                            Catch::Contains("unknown sector 'NOPE'"));
  write("nash.yaml", "game:\n  concept: nash\n  players:\n    - {region: \"*\"}\n");
  REQUIRE(RunOhlin("game nash.yaml --out nash --no-decomposition", dir) == 0);
  for (const char* file : {"tariffs.csv", "welfare.csv", "summary.json", "factors.csv"}) {
    CHECK(fs::exists(dir + "/nash/" + file));
  }
  CHECK_THAT(ReadText(dir + "/nash/tariffs.csv"),
             Catch::StartsWith("player,partner,sector,rate_before,rate_chosen\n"));
  CHECK_THAT(ReadText(dir + "/nash/summary.json"), Catch::Contains("\"concept\": \"nash\""));
  CHECK_THAT(ReadText(dir + "/cli.log"), Catch::Contains("Game: nash (3 players), ") &&
                                            Catch::Contains(" rounds, "));
  // The game's result files are those of the equilibrium at the chosen rates: `ohlin solve`
  // of tariffs.csv made a scenario (tools/rates_scenario.py) gives the same EVs, to the 10
  // digits tariffs.csv prints.
  const std::string rates = "python3 '" + std::string(OHLIN_SOURCE_DIR) +
                            "/tools/rates_scenario.py' --keep-deficits nash/tariffs.csv "
                            "world/data.yaml > rates.yaml";
  REQUIRE(std::system(("cd '" + dir + "' && " + rates).c_str()) == 0);
  REQUIRE(RunOhlin("solve rates.yaml --out rates --no-decomposition", dir) == 0);
  const std::vector<double> game_ev = CsvColumn(dir + "/nash/welfare.csv", 5);
  const std::vector<double> solve_ev = CsvColumn(dir + "/rates/welfare.csv", 5);
  REQUIRE(game_ev.size() == solve_ev.size());
  REQUIRE(game_ev.size() >= 6);
  for (std::size_t k = 0; k < game_ev.size(); ++k) {
    CHECK(solve_ev[k] == Approx(game_ev[k]).epsilon(1e-8).margin(1e-8));
  }
  write("one.yaml", "game:\n  players:\n    - {region: R001, instruments: uniform}\n");
  REQUIRE(RunOhlin("game one.yaml --out one --no-decomposition", dir) == 0);
  CHECK_THAT(ReadText(dir + "/cli.log"), Catch::Contains("Game: best_response (1 player), ") &&
                                            !Catch::Contains("1 players") &&
                                            !Catch::Contains(" 1 rounds"));
  // Talks from the Nash threat point: the talks' residual and each player's gain over the
  // threat point, on the terminal and in summary.json.
  write("talks.yaml", "game:\n  concept: cooperative\n  threat_point: nash\n  players:\n"
                      "    - {region: \"*\"}\n");
  REQUIRE(RunOhlin("game talks.yaml --out talks --no-decomposition", dir) == 0);
  CHECK_THAT(ReadText(dir + "/cli.log"),
             Catch::Contains("Nash threat point in ") &&
                 Catch::Contains("talks: equal_gains from the Nash threat point; KKT residual") &&
                 Catch::Contains("vs threat"));
  CHECK_THAT(ReadText(dir + "/talks/summary.json"),
             Catch::Contains("\"gain_pct_over_threat\"") && Catch::Contains("\"objective_threat\""));
  // One round cannot reach a KKT residual of 1e-15: exit 2, no tables, residuals reported.
  write("short.yaml", "game:\n  concept: nash\n  max_rounds: 1\n  tolerance: 1e-15\n"
                      "  players:\n    - {region: \"*\"}\n");
  CHECK(RunOhlin("game short.yaml --out nash", dir) == 2);
  CHECK_FALSE(fs::exists(dir + "/nash/tariffs.csv"));
  CHECK_FALSE(fs::exists(dir + "/nash/welfare.csv"));
  const std::string summary = ReadText(dir + "/nash/summary.json");
  CHECK_THAT(summary, Catch::Contains("\"status\": \"failed\"") &&
                          Catch::Contains("\"kkt_residual\"") &&
                          Catch::Contains("\"converged\": false"));
}

}  // namespace
}  // namespace ohlin
