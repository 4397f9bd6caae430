// The exact EV decomposition (model/decomposition.h) integrated along a path of equilibria
// from the benchmark to the counterfactual, refined until the components add up.
#pragma once

#include <string>
#include <vector>

#include "model/decomposition.h"
#include "model/model.h"
#include "model/outcome.h"
#include "solver/solver.h"

namespace ohlin {

// The components must sum to each region's EV within this share of it (or of a millionth of
// the region's income, when its EV is smaller than that).
constexpr double kDecompositionTolerance = 1e-3;
constexpr int kDecompositionFirstSteps = 8;
constexpr int kDecompositionMaxSteps = 128;

// Solves the path benchmark -> `policy` at equally spaced shares of the shock (each point
// warm-started from its neighbours), integrates the components on 8, 16, ... steps and
// extrapolates (Richardson: the trapezoid rule's error falls with the square of the step)
// until they add up to the EV in `outcome` within kDecompositionTolerance. Fills
// outcome->decomposition and its notes; when a path point does not solve, leaves the rows
// empty and says why. `solution` is the counterfactual equilibrium.
void DecomposeWelfare(const SolverOptions& options, const Model& model, const Policy& policy,
                      const State& solution, Outcome* outcome);

}  // namespace ohlin
