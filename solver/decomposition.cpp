// Path integration of the welfare decomposition (solver/decomposition.h).
#include "solver/decomposition.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ohlin {

namespace {

// Solves model(policy) from `start`; false when it does not converge.
bool SolvePoint(const SolverOptions& options, const Model& model, const Policy& policy,
                State* x) {
  SolverSummary summary;
  State trial = *x;
  Solve(options, model, policy, &trial, &summary);
  if (!summary.IsConverged()) return false;
  *x = trial;
  return true;
}

WelfareSplit Integrate(const WelfarePath& path, const std::vector<WelfarePoint>& points) {
  WelfareSplit total = path.Zero();
  for (std::size_t k = 0; k + 1 < points.size(); ++k) {
    total.Add(path.Interval(points[k], points[k + 1]), 1.0);
  }
  return total;
}

}  // namespace

void DecomposeWelfare(const SolverOptions& options, const Model& model, const Policy& policy,
                      const State& solution, Outcome* outcome) {
  outcome->decomposition.clear();
  const Policy benchmark = Policy::Benchmark(model.data());
  const WelfarePath path(model);
  const int nr = static_cast<int>(model.data().num_regions());
  SolverOptions quiet = options;
  quiet.verbose = false;

  // Points at lambda = k / steps; states[k] solved.
  int steps = kDecompositionFirstSteps;
  std::vector<State> states(static_cast<std::size_t>(steps) + 1);
  states.front() = model.BenchmarkState();
  states.back() = solution;
  auto policy_at = [&](int k, int n) {
    return k == n ? policy : InterpolatePolicy(benchmark, policy, static_cast<double>(k) / n);
  };
  std::vector<WelfarePoint> points(static_cast<std::size_t>(steps) + 1);
  points.front() = path.Point(policy_at(0, steps), states.front());
  points.back() = path.Point(policy, states.back());
  for (int k = 1; k < steps; ++k) {
    states[k] = states[k - 1];
    if (k >= 2) {  // secant predictor
      for (std::size_t v = 0; v < states[k].size(); ++v) {
        states[k][v] += states[k - 1][v] - states[k - 2][v];
      }
    }
    const Policy here = policy_at(k, steps);
    if (!SolvePoint(quiet, model, here, &states[k])) {
      outcome->decomposition_note = fmt::format(
          "not computed: the path point at {:.3f} of the shock did not solve", double(k) / steps);
      return;
    }
    points[k] = path.Point(here, states[k]);
  }
  WelfareSplit coarse = Integrate(path, points);

  std::vector<double> ev(nr, 0.0), scale(nr, 0.0);
  for (int r = 0; r < nr; ++r) {
    ev[r] = outcome->regions[r].ev;
    scale[r] = std::max(std::abs(ev[r]), 1e-6 * outcome->regions[r].income_base);
  }
  WelfareSplit best = coarse;
  double worst = HUGE_VAL;
  while (steps < kDecompositionMaxSteps) {
    // Halve the step: solve the new midpoints from their neighbours' average.
    const int fine_steps = 2 * steps;
    std::vector<State> fine(static_cast<std::size_t>(fine_steps) + 1);
    std::vector<WelfarePoint> fine_points(static_cast<std::size_t>(fine_steps) + 1);
    for (int k = 0; k <= steps; ++k) {
      fine[2 * k] = std::move(states[k]);
      fine_points[2 * k] = std::move(points[k]);
    }
    for (int k = 1; k < fine_steps; k += 2) {
      fine[k].resize(fine[k - 1].size());
      for (std::size_t v = 0; v < fine[k].size(); ++v) {
        fine[k][v] = 0.5 * (fine[k - 1][v] + fine[k + 1][v]);
      }
      const Policy here = policy_at(k, fine_steps);
      if (!SolvePoint(quiet, model, here, &fine[k])) {
        outcome->decomposition_note = fmt::format(
            "not computed: the path point at {:.4f} of the shock did not solve",
            double(k) / fine_steps);
        return;
      }
      fine_points[k] = path.Point(here, fine[k]);
    }
    const WelfareSplit refined = Integrate(path, fine_points);
    // Richardson: R = F + (F - C) / 3.
    best = refined;
    best.Add(refined, 1.0 / 3.0);
    best.Add(coarse, -1.0 / 3.0);
    worst = 0.0;
    for (int r = 0; r < nr; ++r) {
      double sum = 0.0;
      for (double v : best.value[r]) sum += v;
      worst = std::max(worst, std::abs(ev[r] - sum) / scale[r]);
    }
    states = std::move(fine);
    points = std::move(fine_points);
    coarse = refined;
    steps = fine_steps;
    if (worst <= kDecompositionTolerance) break;
  }
  for (const auto& region : best.value) {
    for (double v : region) {
      if (!std::isfinite(v)) {
        outcome->decomposition_note = "not computed: a component is not finite";
        return;
      }
    }
  }
  outcome->decomposition_points = steps + 1;
  outcome->decomposition_gap = worst;
  for (int r = 0; r < nr; ++r) {
    const double income = outcome->regions[r].income_base;
    double sum = 0.0;
    for (int c = 0; c < kNumWelfareComponents; ++c) {
      const double v = best.value[r][c];
      sum += v;
      outcome->decomposition.push_back(
          {r, WelfareComponentName(static_cast<WelfareComponent>(c)), v, 100.0 * v / income});
    }
    outcome->decomposition.push_back({r, "integration_error", ev[r] - sum, 100.0 * (ev[r] - sum) / income});
    outcome->decomposition.push_back({r, "total", ev[r], 100.0 * ev[r] / income});
  }
  outcome->decomposition_note =
      worst <= kDecompositionTolerance
          ? fmt::format("exact: components sum to each region's EV within {:.2g}% of it "
                        "({} path points)",
                        100.0 * worst, steps + 1)
          : fmt::format("components sum to the EV only within {:.2g}% of it after {} path "
                        "points (target {:.2g}%)",
                        100.0 * worst, steps + 1, 100.0 * kDecompositionTolerance);
}

}  // namespace ohlin
