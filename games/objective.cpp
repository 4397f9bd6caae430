#include "games/objective.h"

#include <cmath>

namespace ohlin::games {

const char* ObjectiveKindToString(ObjectiveKind kind) {
  switch (kind) {
    case ObjectiveKind::kRealIncome: return "real_income";
    case ObjectiveKind::kWeighted: return "weighted";
    case ObjectiveKind::kInequalityAverse: return "inequality_averse";
  }
  return "real_income";
}

double RegionIncome(const Model& model, int region) {
  double total = 0.0;
  for (int h = 0; h < model.num_households(region); ++h) total += model.household(region, h).spending;
  return total;
}

namespace {

// Atkinson's mean of per-capita incomes y with population weights n (total N):
// (sum n/N y^(1-eps))^(1/(1-eps)); eps = 1 the geometric mean.
double AtkinsonMean(const std::vector<double>& y, const std::vector<double>& n, double total,
                    double epsilon) {
  double sum = 0.0;
  for (std::size_t h = 0; h < y.size(); ++h) {
    sum += n[h] / total * (epsilon == 1.0 ? std::log(y[h]) : std::pow(y[h], 1.0 - epsilon));
  }
  return epsilon == 1.0 ? std::exp(sum) : std::pow(sum, 1.0 / (1.0 - epsilon));
}

}  // namespace

double EvaluateObjective(const EquilibriumSystem& system, const double* x,
                         const Objective& objective, std::vector<double>* gradient) {
  const Model& model = system.model();
  const int r = objective.region;
  const int nh = model.num_households(r);
  if (gradient != nullptr) gradient->assign(static_cast<std::size_t>(model.num_variables()), 0.0);
  // d objective / d log U_h, then chained through log U_h's derivatives.
  std::vector<double> weight(static_cast<std::size_t>(nh), 0.0);
  std::vector<double> log_utility(static_cast<std::size_t>(nh));
  double value = 0.0;
  for (int h = 0; h < nh; ++h) log_utility[h] = system.LogUtility(r, h, x, nullptr);
  if (objective.kind == ObjectiveKind::kInequalityAverse) {
    std::vector<double> y(nh), y0(nh), n(nh);
    double total = 0.0;
    for (int h = 0; h < nh; ++h) {
      n[h] = model.data().households[r][h].population;
      total += n[h];
      y0[h] = model.household(r, h).spending / n[h];
      y[h] = y0[h] * std::exp(log_utility[h]);
    }
    const double eps = objective.epsilon;
    const double mean = AtkinsonMean(y, n, total, eps);
    value = total * (mean - AtkinsonMean(y0, n, total, eps));
    for (int h = 0; h < nh; ++h) weight[h] = std::pow(mean, eps) * n[h] * std::pow(y[h], 1.0 - eps);
  } else {
    for (int h = 0; h < nh; ++h) {
      const double w = objective.kind == ObjectiveKind::kWeighted ? objective.weights[h] : 1.0;
      const double spending = model.household(r, h).spending;
      value += w * spending * std::expm1(log_utility[h]);
      weight[h] = w * spending * std::exp(log_utility[h]);
    }
  }
  if (gradient != nullptr) {
    std::vector<std::pair<int, double>> terms;
    for (int h = 0; h < nh; ++h) {
      terms.clear();
      system.LogUtility(r, h, x, &terms);
      for (const auto& [col, d] : terms) (*gradient)[col] += weight[h] * d;
    }
  }
  return value;
}

}  // namespace ohlin::games
