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
// Refinement stops at this gap, ten times inside the guarantee. Each halving of the step
// costs as many path points as all before it (at 140x65x5 the two points of the second level
// cost about as much as the first one, and their welfare levels as much again), so one
// halving fewer is worth a looser target: at 1e-5 us_china_2018, two games, Caliendo–Parro's
// cases and the 140x65x5 tariffs took one halving more, with parts that moved by less than
// 2e-4 of the EV (docs/MODEL.md section 10).
constexpr double kDecompositionTarget = 1e-4;
// From this many steps on, refinement stops as soon as kDecompositionTolerance holds.
constexpr int kDecompositionEnoughSteps = 16;
constexpr int kDecompositionMaxSteps = 128;

// Solves the path benchmark -> `policy` at equally spaced shares of the shock (each new point
// warm-started from a cubic through the coarser path, the points of a level in parallel),
// integrates the components on 1, 2, 4, 8, ... steps by the trapezoid rule on their products
// and extrapolates (Romberg: the rule's error is a series in even powers of the step) until
// they add up to the EV in `outcome` within kDecompositionTarget, or within
// kDecompositionTolerance from kDecompositionEnoughSteps steps on (at most
// kDecompositionMaxSteps steps; the note says whether kDecompositionTolerance was met). Fills
// outcome->decomposition and its notes; when a path point does not solve, leaves the rows
// empty and says why. `solution` is the counterfactual equilibrium. `solved` (optional) is what
// the solve that found it handed back (Solve's `reuse`): the path's first midpoint starts with
// its last GMRES preconditioner instead of building one, and with its Jacobian pattern instead
// of recording one when that pattern contains the midpoint's (EndPatternCoversPath); its
// system (taken: solved->system is left empty) serves the counterfactual's welfare levels.
void DecomposeWelfare(const SolverOptions& options, const Model& model, const Policy& policy,
                      const State& solution, Outcome* outcome, SolveReuse* solved = nullptr);

// Whether the Jacobian pattern of the path's end (`to`) contains that of every point inside the
// path from `from`: no rate or level that is nonzero at `from` is zero at `to`, and the quotas
// are on the same flows. Rates move along log(1 + rate) and levels along log(level), so an entry
// nonzero at either end is nonzero inside; one zero by coincidence only leaves an entry out of
// an inside point's pattern, never adds one. Deficits enter no derivative and are not looked at.
bool EndPatternCoversPath(const Policy& from, const Policy& to);

}  // namespace ohlin
