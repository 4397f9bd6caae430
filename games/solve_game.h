// Solving tariff games (MODEL.md section 12): best responses with NLopt from adjoint gradients,
// Nash equilibria by rounds of best responses, cooperative tariffs from a threat point.
#pragma once

#include <string>
#include <vector>

#include "games/game.h"
#include "games/sensitivity.h"
#include "model/model.h"
#include "solver/solver.h"

namespace ohlin::games {

// One choice variable of a player: a rate applied to one or more of its import flows (its
// tariffs), or of its export flows when `export_tax` (its export taxes; partner: destination).
struct Instrument {
  std::vector<Flow> flows;
  std::vector<double> before;  // each flow's rate in the scenario (the factual)
  std::string partner, sector;  // "*" when it covers several
  double lower = 0.0, upper = 10.0;
  bool export_tax = false;
};

// The instruments of a player (FORMATS.md "Games"), from its spec and the factual policy: its
// import tariffs (unless `instruments: none`), then its export taxes (if any).
std::vector<Instrument> MakeInstruments(const PlayerSpec& spec, const Benchmark& data,
                                        const Policy& factual);

struct PlayerOutcome {
  int region = 0;
  std::vector<Instrument> instruments;
  std::vector<double> chosen;     // one rate per instrument
  double objective = 0.0;         // at the outcome, benchmark currency
  double objective_factual = 0.0; // at the scenario's tariffs
  double objective_threat = 0.0;  // cooperative: at the threat point
  double income = 0.0;            // benchmark spending of the region (the unit of residuals)
  double kkt_residual = 0.0;      // largest projected gradient / income
  int at_lower = 0, at_upper = 0; // instruments at a bound
};

struct GameOutcome {
  bool converged = false;
  std::string message;            // why not, when not converged
  int rounds = 0;                 // Nash: rounds of best responses; else optimiser restarts
  int equilibria = 0;             // equilibrium solves
  int held = 0;                   // Nash: instruments held beyond their choke point, summed over
                                  // the players' best responses (MODEL.md 12.6)
  double seconds = 0.0;
  double kkt_residual = 0.0;      // largest over the players (cooperative: the Lagrangian's)
  double cooperative_residual = 0.0;  // cooperative: KKT residual of the talks' problem
  std::vector<PlayerOutcome> players;
  Policy policy;                  // the factual policy with the chosen rates
  State state;                    // the equilibrium at the chosen rates
};

struct GameOptions {
  SolverOptions solver;           // each inner equilibrium solve
  bool verbose = false;           // progress on stderr
};

// Solves `game` on top of `factual` (the scenario's policy) from the equilibrium `start` of the
// factual policy. Never throws for a game that does not converge: see GameOutcome::converged.
GameOutcome SolveGame(const GameSpec& game, const Model& model, const Policy& factual,
                      const State& start, const GameOptions& options);

}  // namespace ohlin::games
