// Worlds and measurements shared by the games' test files (test_games, test_export_taxes).
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "calibration/synth.h"
#include "games/solve_game.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "solver/solver.h"
#include "tests/test_support.h"

namespace ohlin::testing {

// A general world: input-output links, three factors, two households per region, tariffs,
// NTBs, export taxes and deficits.
inline Benchmark GeneralWorld() {
  SynthOptions options;
  options.regions = 3;
  options.sectors = 3;
  options.factors = 3;
  options.households = 2;
  options.seed = 7;
  options.export_taxes = true;
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

// A scenario on the default world with `game` as its game section; returns its path.
inline std::string GameFile(const std::string& game) {
  const std::string path = MakeTempDir("game") + "/game.yaml";
  std::ofstream(path) << "ohlin: 1\nname: test game\ndata: " << OHLIN_SOURCE_DIR
                      << "/data/default/data.yaml\n" << game;
  return path;
}

}  // namespace ohlin::testing
