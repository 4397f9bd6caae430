// Solving tariff games (MODEL.md section 12): best responses with NLopt from adjoint gradients,
// Nash equilibria by rounds of best responses, cooperative tariffs from a threat point.
#pragma once

#include <string>
#include <vector>

#include "games/game.h"
#include "games/jacobian_lu.h"
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
  int rounds = 0;                 // Nash: rounds of best responses (cooperative from Nash:
                                  // the threat point's); else 1
  int equilibria = 0;             // equilibrium solves
  int full_solves = 0;            // of them, by the full solver (Newton from the last one missed)
  int factorisations = 0;         // of the Jacobian (thinned or whole), for GMRES
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
  // The thinning of the Jacobian whose factors precondition GMRES (JacobianLu::set_sparsify):
  // entries below this fraction of the largest of their row are left out. Tests raise it to
  // force the fallback to the factors of the whole Jacobian.
  double sparsify = JacobianLu::kSparsify;
};

// Solves `game` on top of `factual` (the scenario's policy) from the equilibrium `start` of the
// factual policy. Never throws for a game that does not converge: see GameOutcome::converged.
GameOutcome SolveGame(const GameSpec& game, const Model& model, const Policy& factual,
                      const State& start, const GameOptions& options);

// The KKT residual of the equal-gains talks (MODEL.md 12.2) at `rates` (one per instrument of
// all players, with their bounds), in shares of income: the largest pull of the Lagrangian
// sum_p mu_p gain_p on a rate, with mu >= 0, sum mu = 1 over the binding players (gain within
// 1e-6 points of the smallest) fitted by least squares on the rates inside their bounds. A
// rate within 1e-9 of a bound counts as at it, and there only a pull inwards is a violation.
// `gains`: each player's gain in percent of its income; `gradients[p][j]`: d gain_p / d rate_j.
double TalksKktResidual(const std::vector<double>& rates, const std::vector<double>& lower,
                        const std::vector<double>& upper, const std::vector<double>& gains,
                        const std::vector<std::vector<double>>& gradients);

}  // namespace ohlin::games
