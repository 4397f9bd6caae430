// What a government maximises (MODEL.md section 12): a function of the equilibrium state of its
// region's households, in benchmark currency, with its gradient with respect to the state.
#pragma once

#include <vector>

#include "model/equilibrium.h"

namespace ohlin::games {

enum class ObjectiveKind {
  kRealIncome,        // the region's EV: sum_h E_h (U_h - 1)
  kWeighted,          // sum_h w_h E_h (U_h - 1): political weights (Grossman–Helpman)
  kInequalityAverse,  // Atkinson: population times the equally distributed equivalent
                      // per-capita real income, minus its benchmark value
};
const char* ObjectiveKindToString(ObjectiveKind kind);

struct Objective {
  ObjectiveKind kind = ObjectiveKind::kRealIncome;
  int region = 0;
  std::vector<double> weights;  // kWeighted: one per household of the region, >= 0
  double epsilon = 0.0;         // kInequalityAverse: aversion >= 0 (0 is real income)
};

// The objective at state x, in benchmark currency (0 at the benchmark). When `gradient` is not
// null it is set to d objective / d x (dense, one entry per variable).
double EvaluateObjective(const EquilibriumSystem& system, const double* x,
                         const Objective& objective, std::vector<double>* gradient);

// The region's benchmark spending (the unit of "percent of income" and of KKT residuals).
double RegionIncome(const Model& model, int region);

}  // namespace ohlin::games
