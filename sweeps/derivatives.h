// Local derivatives of the results at the central point of a sensitivity analysis (FORMATS.md
// "Sensitivity analysis", importance.csv's `derivative`), by the implicit function theorem
// with the equilibrium Jacobian's LU of the games (games/jacobian_lu.h): at the equilibrium
// F(x, theta) = 0, dx/dtheta_k = -J^-1 dF/dtheta_k, one solve with one factorisation per
// parameter; dF/dtheta_k and the results' change along (dx/dtheta_k, e_k) by central
// differences, which need no solve. Each derivative is scaled by the parameter's standard
// deviation: the change of the result for a one-sd change of the parameter, to first order.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "calibration/benchmark.h"
#include "games/jacobian_lu.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "model/policy.h"
#include "solver/solver.h"

namespace ohlin::sweeps {

// The world of one point: its data, policy and calibrated model.
struct PointModel {
  Benchmark data;
  Policy policy;
  Model model;
};

// The world at parameter values `values` (one per component). May throw.
using BuildPoint = std::function<std::unique_ptr<PointModel>(const std::vector<double>& values)>;

// The numeric cells of welfare.csv, factors.csv and sectors.csv at full precision, each named
// CellId(table, key, column) with key the row's key columns joined by '/' (as importance.csv).
std::map<std::string, double> RankedCells(const Benchmark& data, const Outcome& outcome);
std::string CellId(const std::string& table, const std::string& key, const std::string& column);

// Two Newton steps from x, an equilibrium of `system` to the solver's tolerance: x to rounding
// (derivatives by differences need it), and `lu` holding J at that x. False when J is singular
// or not evaluable.
bool Polish(const EquilibriumSystem& system, std::vector<double>* x, games::JacobianLu* lu);

struct LocalDerivatives {
  bool ok = false;
  std::string reason;  // why not (the central point did not solve, a singular Jacobian)
  // By CellId: d cell / d value_k times scales[k], per component k.
  std::map<std::string, std::vector<double>> cells;
};

// Solves the central point `central` (to `options`' tolerance, at most 1e-12) and
// differentiates every ranked cell with respect to each component. `scales`: the components'
// standard deviations (also the unit of the difference steps, 1e-4 of it). Never throws.
LocalDerivatives Derivatives(const BuildPoint& build, const std::vector<double>& central,
                             const std::vector<double>& scales, SolverOptions options);

}  // namespace ohlin::sweeps
