// Ceres on the equilibrium conditions (MODEL.md section 5). The whole system and its analytic
// Jacobian are evaluated once per trial point in an EvaluationCallback; each equation is a
// one-residual block over scalar parameter blocks (the log-hat unknowns) that copies its row
// out of that cache, so Ceres sees the true sparsity pattern.
#include "solver/solver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <memory>
#include <numeric>

#include <ceres/ceres.h>
#include <fmt/format.h>

#include "model/equilibrium.h"
#include "solver/newton.h"

namespace ohlin {

const char* LinearSolverToString(LinearSolver type) {
  switch (type) {
    case LinearSolver::kSparseNormalCholesky: return "sparse_normal_cholesky";
    case LinearSolver::kDenseQr: return "dense_qr";
  }
  return "unknown";
}

bool StringToLinearSolver(const std::string& name, LinearSolver* type) {
  if (name == "sparse_normal_cholesky") {
    *type = LinearSolver::kSparseNormalCholesky;
  } else if (name == "dense_qr") {
    *type = LinearSolver::kDenseQr;
  } else {
    return false;
  }
  return true;
}

const char* SolverMethodToString(SolverMethod method) {
  switch (method) {
    case SolverMethod::kAuto: return "auto";
    case SolverMethod::kNewton: return "newton";
    case SolverMethod::kLevenbergMarquardt: return "levenberg_marquardt";
  }
  return "unknown";
}

bool StringToSolverMethod(const std::string& name, SolverMethod* method) {
  if (name == "auto") {
    *method = SolverMethod::kAuto;
  } else if (name == "newton") {
    *method = SolverMethod::kNewton;
  } else if (name == "levenberg_marquardt") {
    *method = SolverMethod::kLevenbergMarquardt;
  } else {
    return false;
  }
  return true;
}

const char* StepSolverToString(StepSolver type) {
  switch (type) {
    case StepSolver::kAuto: return "auto";
    case StepSolver::kSparseLu: return "sparse_lu";
    case StepSolver::kKrylov: return "krylov";
  }
  return "unknown";
}

bool StringToStepSolver(const std::string& name, StepSolver* type) {
  if (name == "auto") {
    *type = StepSolver::kAuto;
  } else if (name == "sparse_lu") {
    *type = StepSolver::kSparseLu;
  } else if (name == "krylov") {
    *type = StepSolver::kKrylov;
  } else {
    return false;
  }
  return true;
}

const char* TerminationTypeToString(TerminationType type) {
  switch (type) {
    case TerminationType::kConverged: return "converged";
    case TerminationType::kNoConvergence: return "no_convergence";
    case TerminationType::kFailure: return "failure";
  }
  return "unknown";
}

bool SolverOptions::IsValid(std::string* why) const {
  auto fail = [why](const std::string& message) {
    if (why != nullptr) *why = message;
    return false;
  };
  if (!(tolerance > 0.0) || !std::isfinite(tolerance)) {
    return fail(fmt::format("tolerance must be positive and finite (got {})", tolerance));
  }
  if (max_iterations < 0) {
    return fail(fmt::format("max_iterations must be >= 0 (got {})", max_iterations));
  }
  if (!(max_seconds > 0.0)) {
    return fail(fmt::format("max_seconds must be positive (got {})", max_seconds));
  }
  if (num_threads < 1) return fail(fmt::format("num_threads must be >= 1 (got {})", num_threads));
  return true;
}

std::string SolverSummary::BriefReport() const {
  return fmt::format("{}: {} iterations, max residual {:.3e}, Walras residual {:.3e}, {:.3f} s",
                     TerminationTypeToString(termination_type), iterations, final_max_residual,
                     walras_residual, total_seconds);
}

std::string SolverSummary::FullReport() const {
  std::string report = fmt::format(
      "Solver summary\n"
      "  termination          {}\n"
      "  message              {}\n"
      "  method               {}\n"
      "  unknowns             {}\n"
      "  jacobian nonzeros    {}\n"
      "  iterations           {} ({} factorisations, {} Krylov products)\n"
      "  continuation         {} stages{}\n"
      "  max residual         {:.3e} -> {:.3e}\n"
      "  walras residual      {:.3e} ({})\n"
      "  time: setup {:.4f} s, residuals {:.4f} s, jacobian {:.4f} s, linear solve {:.4f} s, "
      "total {:.4f} s\n",
      TerminationTypeToString(termination_type), message, method, num_unknowns, jacobian_nonzeros,
      iterations, factorisations, krylov_iterations, continuation_path.size(),
      continuation_failures > 0 ? fmt::format(" ({} retried smaller)", continuation_failures) : "",
      initial_max_residual, final_max_residual, walras_residual, walras_equation,
      setup_seconds, residual_seconds, jacobian_seconds, linear_solver_seconds, total_seconds);
  if (!largest_residuals.empty()) {
    report += "  largest residuals:\n";
    for (const ResidualReport& r : largest_residuals) {
      report += fmt::format("    {:<40} {:.3e}\n", r.equation, r.value);
    }
  }
  return report;
}

namespace {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double MaxAbs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

// Evaluates the whole system once per trial point, before Ceres asks the residual blocks.
class SystemCache : public ceres::EvaluationCallback {
 public:
  SystemCache(const EquilibriumSystem& system, const std::vector<double>& state, int threads)
      : system_(system),
        state_(state),
        threads_(threads),
        residuals_(static_cast<std::size_t>(system.num_rows())),
        jacobian_(static_cast<std::size_t>(system.num_nonzeros())) {}

  void PrepareForEvaluation(bool evaluate_jacobians, bool new_evaluation_point) override {
    if (!new_evaluation_point && (!evaluate_jacobians || have_jacobian_)) return;
    const Clock::time_point start = Clock::now();
    evaluable_ = system_.Evaluate(state_.data(), residuals_.data(),
                                  evaluate_jacobians ? jacobian_.data() : nullptr, threads_);
    have_jacobian_ = evaluate_jacobians;
    (evaluate_jacobians ? jacobian_seconds : residual_seconds) += SecondsSince(start);
  }

  bool evaluable() const { return evaluable_; }
  double residual(int row) const { return residuals_[row]; }
  const double* jacobian_row(int row) const { return &jacobian_[system_.row_start()[row]]; }

  double residual_seconds = 0.0;
  double jacobian_seconds = 0.0;

 private:
  const EquilibriumSystem& system_;
  const std::vector<double>& state_;  // the user parameter blocks Ceres updates
  int threads_;
  std::vector<double> residuals_, jacobian_;
  bool evaluable_ = true;
  bool have_jacobian_ = false;
};

// One equation: copies its residual and Jacobian row from the cache.
class EquationCost : public ceres::CostFunction {
 public:
  EquationCost(const SystemCache& cache, int row, int num_columns) : cache_(cache), row_(row) {
    set_num_residuals(1);
    mutable_parameter_block_sizes()->assign(static_cast<std::size_t>(num_columns), 1);
  }
  bool Evaluate(double const* const* /*parameters*/, double* residuals,
                double** jacobians) const override {
    if (!cache_.evaluable()) return false;  // "not evaluable here": Ceres shrinks the step
    residuals[0] = cache_.residual(row_);
    if (jacobians != nullptr) {
      const double* row = cache_.jacobian_row(row_);
      const int n = static_cast<int>(parameter_block_sizes().size());
      for (int k = 0; k < n; ++k) {
        if (jacobians[k] != nullptr) jacobians[k][0] = row[k];
      }
    }
    return true;
  }

 private:
  const SystemCache& cache_;
  int row_;
};

// Stops Ceres as soon as every scaled residual is below the tolerance at an accepted point.
class ConvergenceCheck : public ceres::IterationCallback {
 public:
  ConvergenceCheck(const EquilibriumSystem& system, const std::vector<double>& state,
                   double tolerance, int threads)
      : system_(system), state_(state), tolerance_(tolerance), threads_(threads),
        residuals_(static_cast<std::size_t>(system.num_rows())) {}
  ceres::CallbackReturnType operator()(const ceres::IterationSummary& /*summary*/) override {
    if (system_.Evaluate(state_.data(), residuals_.data(), nullptr, threads_) &&
        MaxAbs(residuals_) < tolerance_) {
      converged = true;
      return ceres::SOLVER_TERMINATE_SUCCESSFULLY;
    }
    return ceres::SOLVER_CONTINUE;
  }
  bool converged = false;

 private:
  const EquilibriumSystem& system_;
  const std::vector<double>& state_;
  double tolerance_;
  int threads_;
  std::vector<double> residuals_;
};

// `known`, when not empty, holds the residuals at x already.
void FillFinalReport(const EquilibriumSystem& system, const Model& model,
                     const std::vector<double>& x, SolverSummary* summary,
                     std::vector<double> known = {}) {
  const std::size_t rows = static_cast<std::size_t>(system.num_rows());
  std::vector<double> residuals = std::move(known);
  const bool evaluated = residuals.size() == rows;
  if (!evaluated) residuals.assign(rows, 0.0);
  if (!evaluated && !system.Evaluate(x.data(), residuals.data(), nullptr)) {
    summary->final_max_residual = std::numeric_limits<double>::infinity();
    return;
  }
  summary->final_max_residual = MaxAbs(residuals);
  summary->walras_residual = system.WalrasResidual(x.data());
  summary->walras_equation = "income balance " + [&] {
    const Variable& v = model.variables()[model.walras_row()];
    return model.data().regions[v.a] + "/" + model.data().households[v.a][v.b].name;
  }();
  std::vector<int> order(residuals.size());
  std::iota(order.begin(), order.end(), 0);
  const std::size_t shown = std::min<std::size_t>(5, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<long>(shown), order.end(),
                    [&](int a, int b) { return std::abs(residuals[a]) > std::abs(residuals[b]); });
  summary->largest_residuals.clear();
  for (std::size_t k = 0; k < shown; ++k) {
    summary->largest_residuals.push_back({model.EquationName(order[k]), residuals[order[k]]});
  }
}

// Levenberg–Marquardt in Ceres from *x; adds to the summary's iterations and timings.
void SolveWithCeres(const SolverOptions& options, const EquilibriumSystem& system,
                    Clock::time_point start, std::vector<double>* state, SolverSummary* summary) {
  std::vector<double>& x = *state;
  const int newton_iterations = summary->iterations;
  const Clock::time_point setup_start = Clock::now();
  SystemCache cache(system, x, options.num_threads);
  ceres::Problem::Options problem_options;
  problem_options.evaluation_callback = &cache;
  problem_options.cost_function_ownership = ceres::TAKE_OWNERSHIP;
  ceres::Problem problem(problem_options);
  const std::vector<int>& row_start = system.row_start();
  const std::vector<int>& columns = system.columns();
  std::vector<double*> blocks;
  for (int row = 0; row < system.num_rows(); ++row) {
    blocks.clear();
    for (int k = row_start[row]; k < row_start[row + 1]; ++k) blocks.push_back(&x[columns[k]]);
    problem.AddResidualBlock(new EquationCost(cache, row, row_start[row + 1] - row_start[row]),
                             nullptr, blocks);
  }
  ConvergenceCheck check(system, x, options.tolerance, options.num_threads);
  ceres::Solver::Options ceres_options;
  ceres_options.trust_region_strategy_type = ceres::LEVENBERG_MARQUARDT;
  ceres_options.linear_solver_type = options.linear_solver == LinearSolver::kDenseQr
                                         ? ceres::DENSE_QR
                                         : ceres::SPARSE_NORMAL_CHOLESKY;
  ceres_options.max_num_iterations = std::max(1, options.max_iterations);
  ceres_options.max_solver_time_in_seconds = std::max(1e-3, options.max_seconds - SecondsSince(start));
  ceres_options.num_threads = options.num_threads;
  ceres_options.function_tolerance = 1e-30;
  ceres_options.gradient_tolerance = 1e-30;
  ceres_options.parameter_tolerance = 1e-30;
  ceres_options.initial_trust_region_radius = 1e8;
  ceres_options.update_state_every_iteration = true;
  ceres_options.callbacks.push_back(&check);
  ceres_options.minimizer_progress_to_stdout = options.verbose;
  ceres_options.logging_type = options.verbose ? ceres::PER_MINIMIZER_ITERATION : ceres::SILENT;
  summary->setup_seconds += SecondsSince(setup_start);
  ceres::Solver::Summary ceres_summary;
  ceres::Solve(ceres_options, &problem, &ceres_summary);
  if (options.verbose) std::fprintf(stderr, "%s\n", ceres_summary.FullReport().c_str());
  summary->iterations = newton_iterations + static_cast<int>(ceres_summary.iterations.size()) - 1;
  summary->residual_seconds += cache.residual_seconds;
  summary->jacobian_seconds += cache.jacobian_seconds;
  summary->linear_solver_seconds += ceres_summary.linear_solver_time_in_seconds;
  if (check.converged) {
    summary->termination_type = TerminationType::kConverged;
    summary->message = "every scaled residual is below the tolerance";
  } else if (ceres_summary.termination_type == ceres::FAILURE) {
    summary->termination_type = TerminationType::kFailure;
    summary->message = "Ceres failed: " + ceres_summary.message;
  } else {
    summary->termination_type = TerminationType::kNoConvergence;
    summary->message = "no equilibrium found: " + ceres_summary.message;
  }
}

}  // namespace

// (An entry equal at both ends moves by exactly 0 and is skipped: at GTAP size most are.)
double LogShockSize(const Policy& from, const Policy& to) {
  double largest = 0.0;
  auto rates = [&largest](const std::vector<double>& a, const std::vector<double>& b) {
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (a[k] == b[k]) continue;
      largest = std::max(largest, std::abs(std::log1p(b[k]) - std::log1p(a[k])));
    }
  };
  auto levels = [&largest](const std::vector<double>& a, const std::vector<double>& b) {
    for (std::size_t k = 0; k < a.size(); ++k) {
      if (a[k] == b[k]) continue;
      largest = std::max(largest, std::abs(std::log(b[k] / a[k])));
    }
  };
  rates(from.tariffs.data(), to.tariffs.data());
  rates(from.export_taxes.data(), to.export_taxes.data());
  rates(from.ntb.data(), to.ntb.data());
  rates(from.factor_tax.data(), to.factor_tax.data());
  rates(from.income_tax, to.income_tax);
  rates(from.importer_rent.data(), to.importer_rent.data());
  rates(from.exporter_rent.data(), to.exporter_rent.data());
  levels(from.factor_productivity.data(), to.factor_productivity.data());
  levels(from.productivity, to.productivity);
  levels(from.endowment, to.endowment);
  // Market access moves linearly; closing a market counts like a factor e^2 in a wedge.
  for (std::size_t k = 0; k < from.access.data().size() && k < to.access.data().size(); ++k) {
    largest = std::max(largest, 2.0 * std::abs(to.access.data()[k] - from.access.data()[k]));
  }
  for (const Quota& q : to.quotas) {
    const Quota* start = from.quota_on(q.sector, q.exporter, q.importer);
    largest = std::max(largest, std::abs(std::log(q.level / (start ? start->level : 1.0))));
  }
  return largest;
}

namespace {

// LogShockSize(Policy::Benchmark(data), to), without making the benchmark policy (at GTAP size
// 60 MB and the accounts, for one number).
double LogShockFromBenchmark(const Benchmark& data, const Policy& to) {
  double largest = 0.0;
  auto rates = [&largest](const std::vector<double>* a, const std::vector<double>& b) {
    const std::size_t n = a == nullptr ? b.size() : std::min(a->size(), b.size());
    for (std::size_t k = 0; k < n; ++k) {
      const double from = a == nullptr ? 0.0 : (*a)[k];
      if (from == b[k]) continue;
      largest = std::max(largest, std::abs(std::log1p(b[k]) - std::log1p(from)));
    }
  };
  auto levels = [&largest](const std::vector<double>& b) {
    for (double level : b) {
      if (level != 1.0) largest = std::max(largest, std::abs(std::log(level / 1.0)));
    }
  };
  rates(&data.tariffs.data(), to.tariffs.data());
  rates(&data.export_taxes.data(), to.export_taxes.data());
  rates(&data.ntb.data(), to.ntb.data());
  rates(nullptr, to.factor_tax.data());
  rates(nullptr, to.income_tax);
  rates(nullptr, to.importer_rent.data());
  rates(nullptr, to.exporter_rent.data());
  levels(to.factor_productivity.data());
  levels(to.productivity);
  levels(to.endowment);
  for (double access : to.access.data()) largest = std::max(largest, 2.0 * std::abs(access - 1.0));
  for (const Quota& q : to.quotas) largest = std::max(largest, std::abs(std::log(q.level / 1.0)));
  return largest;
}

// The largest elasticity of substitution in the data, described ("the Armington elasticity of
// S001 is 1e+06"), when it is above kExtremeElasticity; empty otherwise.
std::string ExtremeElasticity(const Benchmark& data) {
  double largest = kExtremeElasticity;
  std::string where;
  auto consider = [&](double value, const std::string& name) {
    if (value > largest) {
      largest = value;
      where = fmt::format("{} is {:g}", name, value);
    }
  };
  const Elasticities& e = data.elasticities;
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    consider(e.armington[i], "the Armington elasticity of " + data.sectors[i]);
    consider(e.value_added[i], "the value-added elasticity of " + data.sectors[i]);
    consider(e.top[i], "the top-nest elasticity of " + data.sectors[i]);
  }
  consider(e.consumption, "the consumption elasticity");
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    for (const Household& h : data.households[r]) {
      if (h.consumption_elasticity) {
        consider(*h.consumption_elasticity,
                 "the consumption elasticity of " + data.regions[r] + "/" + h.name);
      }
    }
  }
  return where;
}

}  // namespace

std::string SuggestRemedy(const SolverSummary& summary, const Model& model, const Policy& policy,
                          const SolverOptions& options) {
  std::vector<std::string> hints;
  bool deficits = false;
  for (double d : policy.deficit) deficits = deficits || d != 0.0;
  const bool shrinking = !summary.continuation_path.empty() && summary.continuation_path.back() < 1.0;
  // Continuation could not solve even the smallest share of the shock: what fails is at the
  // benchmark itself, where neither the shock's size nor the deficits play a part.
  const bool at_start = summary.continuation_path.empty() && summary.continuation_failures > 0;
  if (summary.message.find("iteration limit") != std::string::npos) {
    hints.push_back(fmt::format("allow more iterations (solver: {{max_iterations: {}}})",
                                2 * std::max(1, options.max_iterations)));
  }
  if (const std::string extreme = ExtremeElasticity(model.data()); !extreme.empty()) {
    hints.push_back(fmt::format(
        "{}: such near-perfect substitutes make the equilibrium conditions all but singular, "
        "and estimates are a few tens at most: use a smaller value",
        extreme));
  }
  if (at_start) {
    hints.push_back(fmt::format(
        "even {:g} of the shock found no equilibrium next to the benchmark, so neither the "
        "size of the shock nor the deficits are the cause: check the data with `ohlin check`",
        kMinContinuationStep));
  } else {
    if (deficits && (shrinking || summary.continuation_failures > 0)) {
      hints.push_back(
          "the deficits are fixed, and barriers that choke trade leave no way to carry them: "
          "purge them with {type: deficit, set: 0} or make the shock smaller");
    }
    if (summary.message.find("singular") != std::string::npos) {
      hints.push_back("a market may be vanishing (a good or factor nobody uses any more): check "
                      "the shock, and the data with `ohlin check`");
    }
  }
  if (!at_start && LogShockFromBenchmark(model.data(), policy) > kDirectAttemptLogShock) {
    hints.push_back("solve part of the shock first (halve each rate) to see where it breaks");
  }
  if (options.method == SolverMethod::kNewton) {
    hints.push_back("let ohlin choose the method (solver: {method: auto})");
  }
  if (hints.empty()) {
    hints.push_back("try solver: {method: levenberg_marquardt}, or a smaller shock to see where "
                    "the equilibrium stops existing");
  }
  std::string text;
  for (std::size_t k = 0; k < hints.size(); ++k) text += (k ? "; " : "") + hints[k];
  return text;
}

Policy InterpolatePolicy(const Policy& from, const Policy& to, double lambda) {
  Policy mix = to;
  // Rates move along log(1 + rate) and levels along log(level), so that a wedge grows by the
  // same factor in each equal stage: a 1000% tariff is reached through 2x, 4x, ... not through
  // one giant last stage. Deficits move linearly.
  auto blend_rates = [lambda](const std::vector<double>& a, const std::vector<double>& b,
                              std::vector<double>* out) {
    for (std::size_t k = 0; k < out->size(); ++k) {
      if (a[k] == b[k]) {  // most entries of a tensor: no need for the logarithms
        (*out)[k] = a[k];
        continue;
      }
      const double log_a = std::log1p(a[k]), log_b = std::log1p(b[k]);
      (*out)[k] = std::expm1(log_a + lambda * (log_b - log_a));
    }
  };
  auto blend_levels = [lambda](const std::vector<double>& a, const std::vector<double>& b,
                               std::vector<double>* out) {
    for (std::size_t k = 0; k < out->size(); ++k) {
      (*out)[k] = a[k] == b[k] ? a[k] : a[k] * std::pow(b[k] / a[k], lambda);
    }
  };
  blend_rates(from.tariffs.data(), to.tariffs.data(), &mix.tariffs.data());
  blend_rates(from.export_taxes.data(), to.export_taxes.data(), &mix.export_taxes.data());
  blend_rates(from.ntb.data(), to.ntb.data(), &mix.ntb.data());
  blend_rates(from.factor_tax.data(), to.factor_tax.data(), &mix.factor_tax.data());
  blend_rates(from.income_tax, to.income_tax, &mix.income_tax);
  blend_levels(from.factor_productivity.data(), to.factor_productivity.data(),
               &mix.factor_productivity.data());
  blend_levels(from.productivity, to.productivity, &mix.productivity);
  blend_levels(from.endowment, to.endowment, &mix.endowment);
  if (from.importer_rent.data().size() == to.importer_rent.data().size()) {
    blend_rates(from.importer_rent.data(), to.importer_rent.data(), &mix.importer_rent.data());
    blend_rates(from.exporter_rent.data(), to.exporter_rent.data(), &mix.exporter_rent.data());
  }
  if (from.access.data().size() == to.access.data().size()) {
    for (std::size_t k = 0; k < mix.access.data().size(); ++k) {
      const double a = from.access.data()[k], b = to.access.data()[k];
      mix.access.data()[k] = a + lambda * (b - a);
    }
  }
  // A quota's cap moves along log(level) from where `from` has it (1, the benchmark
  // quantity, when `from` has none); the owner is `to`'s.
  for (Quota& q : mix.quotas) {
    const Quota* start = from.quota_on(q.sector, q.exporter, q.importer);
    const double level0 = start ? start->level : 1.0;
    q.level = level0 * std::pow(q.level / level0, lambda);
  }
  for (std::size_t k = 0; k < mix.deficit.size(); ++k) {
    mix.deficit[k] = from.deficit[k] + lambda * (to.deficit[k] - from.deficit[k]);
  }
  return mix;
}

double ConvergenceTolerance(double tolerance, double initial_max_residual) {
  return std::min(tolerance, std::max(kMinResidualReduction * initial_max_residual,
                                      kStartEquilibriumTolerance));
}

void Solve(const SolverOptions& requested, const Model& model, const Policy& policy, State* state,
           SolverSummary* summary, SolveReuse* reuse) {
  SolverOptions options = requested;  // its tolerance is tightened below, relative to the start
  *summary = SolverSummary();
  const Clock::time_point start = Clock::now();
  std::string why;
  if (!options.IsValid(&why)) {
    summary->message = "invalid solver options: " + why;
    return;
  }
  if (state->size() != static_cast<std::size_t>(model.num_variables())) {
    summary->message = fmt::format("start has {} values, the model {} unknowns", state->size(),
                                   model.num_variables());
    return;
  }
  for (const Quota& quota : policy.quotas) {
    bool known = false;
    for (const Quota& q : model.quotas()) {
      known = known || (q.sector == quota.sector && q.exporter == quota.exporter &&
                        q.importer == quota.importer);
    }
    if (!known) {
      summary->message = fmt::format(
          "the policy has a quota on {}->{}/{} that the model was not calibrated with (pass "
          "the policy's quotas to Model::Calibrate)",
          model.data().regions[quota.exporter], model.data().regions[quota.importer],
          model.data().sectors[quota.sector]);
      return;
    }
  }
  const std::shared_ptr<const EquilibriumSystem> made =
      reuse != nullptr && reuse->pattern != nullptr
          ? std::make_shared<const EquilibriumSystem>(model, policy, reuse->pattern,
                                                      options.num_threads)
          : std::make_shared<const EquilibriumSystem>(model, policy, options.num_threads);
  const EquilibriumSystem& system = *made;
  if (reuse != nullptr) {
    reuse->pattern = system.pattern();
    reuse->system = made;
  }
  summary->num_unknowns = model.num_variables();
  summary->jacobian_nonzeros = system.num_nonzeros();

  std::vector<double> x = *state;
  std::vector<double> residuals(static_cast<std::size_t>(system.num_rows()));
  std::vector<double> final_residuals;  // at x, when the direct Newton attempt converged
  // A shock that moves some wedge by more than a factor e^kDirectAttemptLogShock goes
  // straight to continuation: Newton from the benchmark rarely gets there, and fails slowly.
  const bool huge = options.continuation &&
                    LogShockFromBenchmark(model.data(), policy) > kDirectAttemptLogShock;
  const bool krylov =
      options.step_solver == StepSolver::kKrylov ||
      (options.step_solver == StepSolver::kAuto && system.num_rows() > kKrylovThreshold);
  // When Newton with GMRES comes next, its first Jacobian is evaluated here with the residuals
  // (one evaluation of both instead of residuals twice); if it is not evaluable, the residuals
  // alone are, as before.
  std::vector<double> start_jacobian;
  bool have_start_jacobian = false;
  if (krylov && !huge && options.max_iterations > 0 &&
      options.method != SolverMethod::kLevenbergMarquardt) {
    start_jacobian.resize(static_cast<std::size_t>(system.num_nonzeros()));
    have_start_jacobian = system.Evaluate(x.data(), residuals.data(), start_jacobian.data(),
                                          options.num_threads);
    if (!have_start_jacobian) std::vector<double>().swap(start_jacobian);
  }
  if (!have_start_jacobian &&
      !system.Evaluate(x.data(), residuals.data(), nullptr, options.num_threads)) {
    summary->message = "the equilibrium conditions are not evaluable at the start";
    summary->initial_max_residual = std::numeric_limits<double>::infinity();
    summary->total_seconds = SecondsSince(start);
    return;
  }
  summary->initial_max_residual = MaxAbs(residuals);
  // A loose tolerance must not pass at the start of a real shock (the benchmark "solving"
  // a 25% tariff at tolerance 0.05): convergence also asks the residuals to fall.
  options.tolerance = ConvergenceTolerance(options.tolerance, summary->initial_max_residual);

  if (summary->initial_max_residual < options.tolerance) {
    summary->termination_type = TerminationType::kConverged;
    summary->message = "the start is an equilibrium";
  } else if (options.max_iterations == 0) {
    summary->termination_type = TerminationType::kNoConvergence;
    summary->message = "no iterations allowed (max_iterations: 0) and the start is not an equilibrium";
  } else {
    summary->setup_seconds = SecondsSince(start);
    bool done = false;
    std::string history;  // what was tried, for the summary
    final_residuals.clear();
    auto run_newton = [&](NewtonLinearSolver kind) {
      // With continuation behind it, a direct attempt that has not converged by then is
      // better spent on the path.
      const int budget = options.max_iterations - summary->iterations;
      NewtonReuse shared;
      shared.start_residuals = &residuals;  // evaluated above, at x
      if (kind == NewtonLinearSolver::kKrylov && have_start_jacobian) {
        shared.start_jacobian = &start_jacobian;  // handed over: Newton keeps the buffer
        have_start_jacobian = false;
      }
      if (reuse != nullptr) shared.factors = reuse->preconditioner;
      const NewtonResult newton = SolveNewton(
          system, kind, options.tolerance,
          options.continuation ? std::min(budget, kDirectAttemptIterations) : budget,
          std::max(1e-3, options.max_seconds - SecondsSince(start)), options.num_threads, &x,
          &shared);
      if (reuse != nullptr && shared.factors != nullptr) reuse->preconditioner = shared.factors;
      final_residuals = std::move(shared.final_residuals);
      summary->factorisations += newton.factorisations;
      summary->krylov_iterations += newton.krylov_iterations;
      summary->iterations += newton.iterations;
      summary->last_step_length = newton.last_step_length;
      summary->residual_seconds += newton.residual_seconds;
      summary->jacobian_seconds += newton.jacobian_seconds;
      summary->linear_solver_seconds += newton.linear_solver_seconds;
      const std::string name = kind == NewtonLinearSolver::kKrylov
                                   ? "newton (GMRES, region-block preconditioner)"
                                   : "newton (sparse LU)";
      if (newton.converged) {
        summary->termination_type = TerminationType::kConverged;
        summary->message = newton.message;
        summary->method = history + name;
        done = true;
      } else {
        summary->termination_type = TerminationType::kNoConvergence;
        summary->message = "no equilibrium found: " + name + ": " + newton.message;
        history += name + " stopped (" + newton.message + "), then ";
        summary->method = history;
      }
    };
    if (options.method != SolverMethod::kLevenbergMarquardt && !huge) {
      run_newton(krylov ? NewtonLinearSolver::kKrylov : NewtonLinearSolver::kSparseLu);
    }
    // Continuation on the shock (homotopy): solve for the policy benchmark + lambda (target -
    // benchmark), lambda from 0 to 1, warm-starting each step from a secant prediction, with
    // the step doubled after a success and halved after a failure.
    if (!done && options.continuation && options.method != SolverMethod::kLevenbergMarquardt) {
      const Policy benchmark = Policy::Benchmark(model.data());
      std::vector<double> here = model.BenchmarkState(), previous = here, trial;
      // Stages are sized so that no wedge or level moves by more than a factor of about
      // e^kContinuationLogStep in one stage at first, and e^(2 kContinuationLogStep) at most.
      const double size_of_shock = std::max(1e-12, LogShockSize(benchmark, policy));
      const double largest_step = std::min(1.0, 2.0 * kContinuationLogStep / size_of_shock);
      double lambda = 0.0, previous_lambda = 0.0;
      double step = std::min(1.0, kContinuationLogStep / size_of_shock);
      std::string stop;
      while (lambda < 1.0) {
        if (static_cast<int>(summary->continuation_path.size()) +
                summary->continuation_failures >= kMaxContinuationStages) {
          stop = fmt::format("{} stages tried", kMaxContinuationStages);
          break;
        }
        if (SecondsSince(start) > options.max_seconds) {
          stop = "time limit reached";
          break;
        }
        const double next = std::min(1.0, lambda + step);
        const Policy stage = next == 1.0 ? policy : InterpolatePolicy(benchmark, policy, next);
        const EquilibriumSystem stage_system(model, stage, options.num_threads);
        trial = here;
        if (lambda > 0.0) {  // secant predictor
          const double ratio = (next - lambda) / (lambda - previous_lambda);
          for (std::size_t k = 0; k < trial.size(); ++k) trial[k] += ratio * (here[k] - previous[k]);
        }
        const NewtonResult newton = SolveNewton(
            stage_system, krylov ? NewtonLinearSolver::kKrylov : NewtonLinearSolver::kSparseLu,
            options.tolerance, std::min(kContinuationStepIterations, options.max_iterations),
            std::max(1e-3, options.max_seconds - SecondsSince(start)), options.num_threads,
            &trial);
        summary->iterations += newton.iterations;
        summary->last_step_length = newton.last_step_length;
        summary->factorisations += newton.factorisations;
        summary->krylov_iterations += newton.krylov_iterations;
        summary->residual_seconds += newton.residual_seconds;
        summary->jacobian_seconds += newton.jacobian_seconds;
        summary->linear_solver_seconds += newton.linear_solver_seconds;
        if (newton.converged) {
          previous = here;
          previous_lambda = lambda;
          here = trial;
          lambda = next;
          summary->continuation_path.push_back(lambda);
          step = std::min(largest_step, 2.0 * step);
        } else {
          summary->continuation_failures += 1;
          step = 0.5 * (next - lambda);
          if (step < kMinContinuationStep) {
            stop = fmt::format("the step in the shock fell below {:g} at {:.4f} of the shock "
                               "({})", kMinContinuationStep, lambda, newton.message);
            break;
          }
        }
      }
      const std::string name = fmt::format("continuation on the shock ({} steps)",
                                           summary->continuation_path.size());
      if (lambda == 1.0) {
        x = here;
        done = true;
        summary->termination_type = TerminationType::kConverged;
        summary->message = "every scaled residual is below the tolerance";
        summary->method = history + name;
      } else {
        if (lambda > 0.0) x = here;  // the nearest solved stage: the best start left
        summary->termination_type = TerminationType::kNoConvergence;
        summary->message = fmt::format("no equilibrium found: {} reached {:.4f} of the shock: {}",
                                       name, lambda, stop);
        history += fmt::format("{} stopped at {:.4f} of the shock, then ", name, lambda);
        summary->method = history;
      }
    }
    const bool try_ceres = options.method == SolverMethod::kLevenbergMarquardt ||
                           (options.method == SolverMethod::kAuto && system.num_rows() <= kDirectLimit);
    if (!done && try_ceres) {
      summary->method = history + "levenberg_marquardt (Ceres)";
      SolveWithCeres(options, system, start, &x, summary);
    }
  }
  if (summary->termination_type != TerminationType::kFailure) *state = x;
  FillFinalReport(system, model, x, summary, std::move(final_residuals));
  if (summary->termination_type == TerminationType::kConverged &&
      summary->final_max_residual >= options.tolerance) {
    summary->termination_type = TerminationType::kNoConvergence;
    summary->message = "the final point does not meet the tolerance";
  }
  if (summary->termination_type == TerminationType::kNoConvergence) {
    summary->message += fmt::format(" (max residual {:.3e}", summary->final_max_residual);
    if (!summary->largest_residuals.empty()) {
      summary->message += " in " + summary->largest_residuals.front().equation;
    }
    summary->message += fmt::format("; last step {:.3g} of a Newton step)",
                                    summary->last_step_length);
    summary->hint = SuggestRemedy(*summary, model, policy, options);
  }
  summary->total_seconds = SecondsSince(start);
}

}  // namespace ohlin
