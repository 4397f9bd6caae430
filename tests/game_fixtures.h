// Worlds and measurements shared by the games' test files (test_games, test_export_taxes).
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "calibration/synth.h"
#include "games/sensitivity.h"
#include "games/solve_game.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "solver/solver.h"
#include "tests/test_support.h"

namespace ohlin::testing {

// A general world: input-output links, three factors, two households per region, tariffs,
// NTBs, export taxes and (unless `deficits` is false) deficits.
inline Benchmark GeneralWorld(bool deficits = true) {
  SynthOptions options;
  options.regions = 3;
  options.sectors = 3;
  options.factors = 3;
  options.households = 2;
  options.seed = 7;
  options.export_taxes = true;
  options.deficits = deficits;
  return Synthesize(options);
}

// The equilibrium at `policy`, to 1e-13, from `start`.
inline State SolveAt(const Model& model, const Policy& policy, State start) {
  SolverOptions options;
  options.tolerance = 1e-13;
  SolverSummary summary;
  Solve(options, model, policy, &start, &summary);
  REQUIRE(summary.IsConverged());
  return start;
}

// Shipped value X'(i, r, s) at the outcome, producer prices.
inline double Shipped(const Model& model, const games::GameOutcome& outcome, int i, int r, int s) {
  const EquilibriumSystem system(model, outcome.policy);
  return model.data().trade(i, r, s) * std::exp(system.LogShipmentHat(outcome.state.data(), i, r, s));
}

// FOREIGN's (region 1) domestic share of spending on good i at purchaser prices: HOME's good
// costs it the producer value times (1 + HOME's export tax)(1 + FOREIGN's tariff).
inline double ForeignDomesticShare(const Model& model, const games::GameOutcome& outcome, int i = 0) {
  const double own = Shipped(model, outcome, i, 1, 1);
  const double imports = Shipped(model, outcome, i, 0, 1) *
                         (1.0 + outcome.policy.export_taxes(i, 0, 1)) *
                         (1.0 + outcome.policy.tariffs(i, 0, 1));
  return own / (own + imports);
}

// Two countries, one factor, Armington, balanced trade, no tariffs: sector k ships a[k] at home
// and b[k] from HOME to FOREIGN; FOREIGN c[k] at home and d[k] to HOME (sum b = sum d).
inline Benchmark OneFactorWorld(const std::vector<double>& a, const std::vector<double>& b,
                                const std::vector<double>& c, const std::vector<double>& d,
                                const std::vector<double>& sigma) {
  Benchmark w;
  w.name = "two countries, one factor";
  w.units = "units";
  w.source = "hand-made test world";
  w.regions = {"HOME", "FOREIGN"};
  for (std::size_t k = 0; k < a.size(); ++k) w.sectors.push_back(std::string(1, static_cast<char>('A' + k)));
  w.factors = {{"labour", FactorMobility::kMobile}};
  w.ResizeTables();
  for (std::size_t k = 0; k < a.size(); ++k) {
    const int i = static_cast<int>(k);
    w.elasticities.armington[k] = sigma[k];
    w.trade(i, 0, 0) = a[k];
    w.trade(i, 0, 1) = b[k];
    w.trade(i, 1, 1) = c[k];
    w.trade(i, 1, 0) = d[k];
    w.factor_payments(0, i, 0) = a[k] + b[k];
    w.factor_payments(0, i, 1) = c[k] + d[k];
    w.final_demand[0][0][k] = a[k] + d[k];
    w.final_demand[1][0][k] = c[k] + b[k];
  }
  return w;
}

// Checks a rate's analytic column of the equilibrium conditions at x (row, value pairs, summed
// by row) against central finite differences of the residuals in that rate, row by row.
inline void CheckColumn(const Model& model, const Policy& policy, const State& x,
                        const games::Flow& flow, const std::vector<std::pair<int, double>>& column) {
  const int n = model.num_variables();
  std::vector<double> analytic(n, 0.0);
  for (const auto& [row, value] : column) analytic[row] += value;
  const double step = 1e-6;
  std::vector<double> plus(n), minus(n);
  Policy up = policy, down = policy;
  games::RateOf(&up, flow) += step;
  games::RateOf(&down, flow) -= step;
  REQUIRE(EquilibriumSystem(model, up).Evaluate(x.data(), plus.data(), nullptr));
  REQUIRE(EquilibriumSystem(model, down).Evaluate(x.data(), minus.data(), nullptr));
  for (int row = 0; row < n; ++row) {
    INFO(model.EquationName(row));
    CHECK(analytic[row] == Approx((plus[row] - minus[row]) / (2 * step)).margin(1e-8));
  }
}

// A scenario on the default world with `game` as its game section; returns its path.
inline std::string GameFile(const std::string& game) {
  const std::string path = MakeTempDir("game") + "/game.yaml";
  std::ofstream(path) << "ohlin: 1\nname: test game\ndata: " << OHLIN_SOURCE_DIR
                      << "/data/default/data.yaml\n" << game;
  return path;
}

}  // namespace ohlin::testing
