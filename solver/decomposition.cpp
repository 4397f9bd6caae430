// Path integration of the welfare decomposition (solver/decomposition.h).
#include "solver/decomposition.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>

#include <fmt/format.h>

namespace ohlin {

namespace {

// Solves model(policy) from *x; false when it does not converge (or throws). With `reuse`
// (SolveReuse: a pattern and a preconditioner from the path's first midpoint, or for that
// midpoint from the counterfactual's solve), the point starts with them and, if that fails,
// is solved again from scratch.
bool SolvePoint(const SolverOptions& options, const Model& model, const Policy& policy,
                State* x, SolveReuse* reuse) {
  auto attempt = [&](SolveReuse* shared) {
    try {
      SolverSummary summary;
      State trial = *x;
      Solve(options, model, policy, &trial, &summary, shared);
      if (!summary.IsConverged()) return false;
      *x = std::move(trial);
      return true;
    } catch (const std::exception&) {
      return false;  // e.g. out of memory inside a parallel region: the point did not solve
    }
  };
  if (attempt(reuse)) return true;
  return reuse != nullptr && (reuse->pattern != nullptr || reuse->preconditioner != nullptr) &&
         attempt(nullptr);
}

// The path: states at lambda = k / steps, k = 0 .. steps.
class Path {
 public:
  // `solved`: what the solve of `solution` built (DecomposeWelfare), or null; its system is
  // taken, and let go once the counterfactual's welfare levels are evaluated.
  Path(const SolverOptions& options, const Model& model, const Policy& policy,
       const State& solution, SolveReuse* solved)
      : options_(options), model_(model), policy_(policy),
        benchmark_(Policy::Benchmark(model.data())), welfare_(model, benchmark_, policy) {
    states_ = {model.BenchmarkState(), solution};
    if (solved != nullptr) {
      seed_.preconditioner = solved->preconditioner;
      if (EndPatternCoversPath(benchmark_, policy)) seed_.pattern = solved->pattern;
      end_system_ = std::move(solved->system);
    }
  }
  int steps() const { return static_cast<int>(states_.size()) - 1; }
  const WelfarePath& welfare() const { return welfare_; }

  Policy PolicyAt(int k) const {
    if (k == steps()) return policy_;
    if (k == 0) return benchmark_;
    return InterpolatePolicy(benchmark_, policy_, static_cast<double>(k) / steps());
  }

  // Halves the step: solves the new midpoints, in parallel (each from the coarse states
  // alone, so the result does not depend on the threads). Returns the share of the shock of a
  // point that did not solve, or a negative number.
  double Refine();

  // The trapezoid rule on the products, summed over the path. The points' levels are kept
  // for the next, finer rule while they fit in kPointCacheBytes; beyond that (a GTAP-size
  // point holds 41 to 111 MB) they are evaluated as they are needed, in contiguous chunks per
  // thread. Either way the same numbers are added in the same order.
  WelfareSplit Trapezoid();

 private:
  int Threads(int tasks) const { return std::max(1, std::min(options_.num_threads, tasks)); }
  // The welfare levels of state k (the counterfactual's with its solve's system, if kept).
  WelfarePoint MakePoint(int k, int threads) const {
    if (k == steps() && end_system_ != nullptr) {
      return welfare_.Point(*end_system_, states_[k], threads);
    }
    return welfare_.Point(PolicyAt(k), states_[k], threads);
  }

  const SolverOptions& options_;
  const Model& model_;
  const Policy& policy_;
  const Policy benchmark_;
  const WelfarePath welfare_;
  std::vector<State> states_;
  // The Jacobian pattern and GMRES preconditioner of the first midpoint's solve (half the
  // shock), with which every later point starts: the pattern contains theirs, the
  // preconditioner is close to all of them (each point builds its own only if GMRES slows
  // down). Fixed before the points run in parallel, so they do not depend on the threads.
  // Before the first midpoint: what the counterfactual's solve handed over, if anything.
  SolveReuse seed_;
  std::shared_ptr<const EquilibriumSystem> end_system_;  // until the first rule is made
  std::vector<std::shared_ptr<const WelfarePoint>> points_;  // per state, or null
  bool cache_points_ = true;
};

// Levels of path points kept between rules, at most (a point of Caliendo–Parro's 31x40 world
// holds 1 to 4 MB; of the 140x65x5 synthetic one with a tariff shock 41 MB, with every kind
// of wedge moving 111 MB).
constexpr double kPointCacheBytes = 256e6;

double PointBytes(const WelfarePoint& p) {
  return 8.0 * static_cast<double>(p.flow.size() + p.sector.size() + p.factor.size() +
                                   p.supply.size() + p.household.size() + p.price.size() +
                                   p.deficit.size());
}

// A start for the midpoint between coarse states j and j + 1: the cubic through j - 1 .. j + 2
// where they exist, else the quadratic through three, else the average of the two.
State Predict(const std::vector<State>& coarse, int j) {
  const int last = static_cast<int>(coarse.size()) - 1;
  std::vector<std::pair<int, double>> weights;
  if (last < 2) {
    weights = {{j, 0.5}, {j + 1, 0.5}};
  } else if (j >= 1 && j + 2 <= last) {
    weights = {{j - 1, -1.0 / 16}, {j, 9.0 / 16}, {j + 1, 9.0 / 16}, {j + 2, -1.0 / 16}};
  } else if (j == 0) {
    weights = {{0, 3.0 / 8}, {1, 6.0 / 8}, {2, -1.0 / 8}};
  } else {
    weights = {{j - 1, -1.0 / 8}, {j, 6.0 / 8}, {j + 1, 3.0 / 8}};
  }
  State x(coarse[j].size(), 0.0);
  for (const auto& [k, w] : weights) {
    for (std::size_t v = 0; v < x.size(); ++v) x[v] += w * coarse[k][v];
  }
  return x;
}

double Path::Refine() {
  end_system_.reset();  // the first rule has made the counterfactual's point
  const int coarse_steps = steps();
  std::vector<State> fine(static_cast<std::size_t>(2 * coarse_steps) + 1);
  for (int j = 0; j <= coarse_steps; ++j) fine[2 * j] = states_[j];
  const int threads = Threads(coarse_steps);
  SolverOptions quiet = options_;
  quiet.verbose = false;
  if (threads > 1) quiet.num_threads = 1;  // the threads go to the points
  std::vector<char> solved(static_cast<std::size_t>(coarse_steps), 0);
  const double fine_steps = 2.0 * coarse_steps;
  // When the next rule keeps its points, each new one is evaluated as soon as it is solved,
  // with the system its solve made (the same numbers as making it again later).
  const bool keep_points = cache_points_ && !points_.empty();
  std::vector<std::shared_ptr<const WelfarePoint>> fine_points(fine.size());
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (int j = 0; j < coarse_steps; ++j) {
    const int k = 2 * j + 1;
    const Policy here = InterpolatePolicy(benchmark_, policy_, k / fine_steps);
    State x = Predict(states_, j);
    SolveReuse reuse = seed_;
    bool ok = SolvePoint(quiet, model_, here, &x, &reuse);
    if (!ok && coarse_steps >= 2) {  // a poor extrapolation: from the neighbours' average
      x = Predict({states_[j], states_[j + 1]}, 0);
      reuse = seed_;
      ok = SolvePoint(quiet, model_, here, &x, &reuse);
    }
    if (ok && keep_points) {
      fine_points[k] = std::make_shared<const WelfarePoint>(
          reuse.system != nullptr ? welfare_.Point(*reuse.system, x, quiet.num_threads)
                                  : welfare_.Point(here, x, quiet.num_threads));
    }
    if (ok) fine[k] = std::move(x);
    solved[j] = ok ? 1 : 0;
    if (ok && coarse_steps == 1) {  // the one point of the first level
      seed_ = reuse;
      seed_.system.reset();
    }
  }
  for (int j = 0; j < coarse_steps; ++j) {
    if (!solved[j]) return (2 * j + 1) / fine_steps;
  }
  states_ = std::move(fine);
  for (int j = 0; j <= coarse_steps && !points_.empty(); ++j) fine_points[2 * j] = points_[j];
  points_ = std::move(fine_points);
  return -1.0;
}

WelfareSplit Path::Trapezoid() {
  const int n = steps();
  points_.resize(states_.size());
  // Whether this rule's points fit is known from the first one, before the others are made.
  if (cache_points_ && points_[0] == nullptr) {
    points_[0] = std::make_shared<const WelfarePoint>(MakePoint(0, options_.num_threads));
  }
  std::shared_ptr<const WelfarePoint> first_point = points_[0];
  if (cache_points_ && PointBytes(*first_point) * (n + 1.0) > kPointCacheBytes) {
    cache_points_ = false;
    points_.assign(points_.size(), nullptr);
  }
  if (cache_points_) {
    std::vector<int> missing;
    for (int k = 0; k <= n; ++k) {
      if (points_[k] == nullptr) missing.push_back(k);
    }
    const int count = static_cast<int>(missing.size());
    // One point alone (the first midpoint's) has the threads to itself.
    const int inner = count == 1 ? options_.num_threads : 1;
#pragma omp parallel for schedule(dynamic) num_threads(Threads(count))
    for (int m = 0; m < count; ++m) {
      const int k = missing[m];
      points_[k] = std::make_shared<const WelfarePoint>(MakePoint(k, inner));
    }
    std::vector<WelfareSplit> intervals(static_cast<std::size_t>(n));
#pragma omp parallel for schedule(static) num_threads(Threads(n))
    for (int k = 1; k <= n; ++k) intervals[k - 1] = welfare_.Interval(*points_[k - 1], *points_[k]);
    WelfareSplit total = welfare_.Zero();
    for (const WelfareSplit& interval : intervals) total.Add(interval, 1.0);
    // The next rule holds twice as many points: keep them only if those fit.
    cache_points_ = PointBytes(*points_[0]) * (2.0 * n + 1.0) <= kPointCacheBytes;
    if (!cache_points_) points_.assign(points_.size(), nullptr);
    return total;
  }
  const int chunks = Threads(n);
  std::vector<WelfareSplit> intervals(static_cast<std::size_t>(n));
#pragma omp parallel for schedule(static, 1) num_threads(chunks)
  for (int c = 0; c < chunks; ++c) {
    const int first = n * c / chunks, last = n * (c + 1) / chunks;  // intervals [first, last)
    // The path's first point may be made already (it told that the points do not fit).
    WelfarePoint previous =
        first == 0 && first_point != nullptr ? *first_point : MakePoint(first, 1);
    if (first == 0) first_point.reset();  // only this chunk reads it
    for (int k = first + 1; k <= last; ++k) {
      WelfarePoint point = MakePoint(k, 1);
      intervals[k - 1] = welfare_.Interval(previous, point);
      previous = std::move(point);
    }
  }
  // Added in path order, whatever the threads.
  WelfareSplit total = welfare_.Zero();
  for (const WelfareSplit& interval : intervals) total.Add(interval, 1.0);
  return total;
}

}  // namespace

bool EndPatternCoversPath(const Policy& from, const Policy& to) {
  auto covers = [](const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (a[k] != 0.0 && b[k] == 0.0) return false;
    }
    return true;
  };
  if (from.quotas.size() != to.quotas.size()) return false;
  for (std::size_t k = 0; k < from.quotas.size(); ++k) {
    const Quota &a = from.quotas[k], &b = to.quotas[k];
    if (a.sector != b.sector || a.exporter != b.exporter || a.importer != b.importer) return false;
  }
  return covers(from.tariffs.data(), to.tariffs.data()) &&
         covers(from.export_taxes.data(), to.export_taxes.data()) &&
         covers(from.ntb.data(), to.ntb.data()) &&
         covers(from.factor_productivity.data(), to.factor_productivity.data()) &&
         covers(from.productivity, to.productivity) && covers(from.endowment, to.endowment) &&
         covers(from.factor_tax.data(), to.factor_tax.data()) &&
         covers(from.income_tax, to.income_tax) &&
         covers(from.importer_rent.data(), to.importer_rent.data()) &&
         covers(from.exporter_rent.data(), to.exporter_rent.data()) &&
         covers(from.access.data(), to.access.data());
}

void DecomposeWelfare(const SolverOptions& options, const Model& model, const Policy& policy,
                      const State& solution, Outcome* outcome, SolveReuse* solved) {
  outcome->decomposition.clear();
  const int nr = static_cast<int>(model.data().num_regions());
  std::vector<double> ev(nr, 0.0), scale(nr, 0.0);
  for (int r = 0; r < nr; ++r) {
    ev[r] = outcome->regions[r].ev;
    scale[r] = std::max(std::abs(ev[r]), 1e-6 * outcome->regions[r].income_base);
  }
  auto gap_of = [&](const WelfareSplit& split) {
    double worst = 0.0;
    for (int r = 0; r < nr; ++r) {
      double sum = 0.0;
      for (double v : split.value[r]) sum += v;
      worst = std::max(worst, std::abs(ev[r] - sum) / scale[r]);
    }
    return std::isfinite(worst) ? worst : HUGE_VAL;
  };

  Path path(options, model, policy, solution, solved);
  // Romberg: row L of the table integrates on 2^L steps; entry j of a row has removed the
  // error terms h^2 .. h^(2j) (the rule's error is a series in even powers of the step).
  std::vector<std::vector<WelfareSplit>> table;
  WelfareSplit best = path.welfare().Zero();
  double worst = HUGE_VAL;
  // Row 0 is the one step from the benchmark to the solution: no path point to solve.
  while (path.steps() < kDecompositionMaxSteps) {
    if (!table.empty()) {
      const double failed = path.Refine();
      if (failed >= 0.0) {
        outcome->decomposition_note = fmt::format(
            "not computed: the path point at {:.4g} of the shock did not solve", failed);
        return;
      }
    }
    std::vector<WelfareSplit> row = {path.Trapezoid()};
    for (std::size_t j = 1; j <= table.size(); ++j) {
      WelfareSplit next = row[j - 1];
      const double factor = std::pow(4.0, static_cast<double>(j)) - 1.0;
      next.Add(row[j - 1], 1.0 / factor);
      next.Add(table.back()[j - 1], -1.0 / factor);
      row.push_back(std::move(next));
    }
    table.push_back(std::move(row));
    if (table.size() < 2) continue;  // nothing to extrapolate from yet
    best = table.back().back();
    worst = gap_of(best);
    // Past 17 points, the guarantee is enough (a large shock converges slowly; the old
    // trapezoid-Richardson path stopped there too).
    if (worst <= kDecompositionTarget ||
        (worst <= kDecompositionTolerance && path.steps() >= kDecompositionEnoughSteps)) {
      break;
    }
  }
  for (const auto& region : best.value) {
    for (double v : region) {
      if (!std::isfinite(v)) {
        outcome->decomposition_note = "not computed: a component is not finite";
        return;
      }
    }
  }
  const int steps = path.steps();
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
