// Solving the equilibrium (MODEL.md section 5) with Ceres: options, summary, solve.
// Problem, options and result are three objects: Solve(options, problem, &summary).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/model.h"

namespace ohlin {

// How the equilibrium is found. kAuto: Newton's method with a sparse LU factorisation of the
// square Jacobian (fast: one factorisation per step), and if it does not converge, Ceres'
// Levenberg–Marquardt from the best point Newton reached (robust: a trust region).
enum class SolverMethod { kAuto, kNewton, kLevenbergMarquardt };
const char* SolverMethodToString(SolverMethod method);
bool StringToSolverMethod(const std::string& name, SolverMethod* method);

// How Newton's steps are computed (solver/newton.h): kAuto picks the sparse LU for systems of
// up to kKrylovThreshold unknowns and GMRES with region-block preconditioning above (measured:
// 30x20x4 0.24 s against 1.1 s, Caliendo–Parro's 31x40 0.65 s against 5.2 s).
enum class StepSolver { kAuto, kSparseLu, kKrylov };
const char* StepSolverToString(StepSolver type);
bool StringToStepSolver(const std::string& name, StepSolver* type);
constexpr int kKrylovThreshold = 1000;
// Above this many unknowns the sparse LU and Ceres (whose normal equations fill in the same
// way) are too slow and too large to be fallbacks.
constexpr int kDirectLimit = 8000;

// Linear solver inside Ceres' Levenberg–Marquardt.
enum class LinearSolver { kSparseNormalCholesky, kDenseQr };
const char* LinearSolverToString(LinearSolver type);
bool StringToLinearSolver(const std::string& name, LinearSolver* type);

struct SolverOptions {
  double tolerance = 1e-10;      // every scaled residual below this means converged
  // Newton iterations for the direct attempt, and Levenberg–Marquardt iterations in Ceres;
  // each continuation stage takes at most min(this, kContinuationStepIterations).
  int max_iterations = 200;
  double max_seconds = 600.0;
  int num_threads = 1;
  SolverMethod method = SolverMethod::kAuto;
  StepSolver step_solver = StepSolver::kAuto;
  LinearSolver linear_solver = LinearSolver::kSparseNormalCholesky;
  bool verbose = false;          // Ceres progress to stderr
  // When Newton from the start fails, solve a path of partial shocks from the benchmark.
  bool continuation = true;
  // Returns false and says which field broke which bound.
  bool IsValid(std::string* why) const;
};

enum class TerminationType {
  kConverged,           // every scaled residual below tolerance; state holds the equilibrium
  kNoConvergence,       // iteration or time limit reached; state holds the last iterate
  kFailure,             // not evaluable, or bad options; state is unchanged
};
const char* TerminationTypeToString(TerminationType type);

struct ResidualReport {
  std::string equation;  // e.g. "goods market CHN/MAN"
  double value = 0.0;
};

struct SolverSummary {
  TerminationType termination_type = TerminationType::kFailure;
  std::string message = "solve was not called";
  std::string method;  // what found the answer, e.g. "newton (sparse LU)"
  int iterations = 0;  // Newton steps plus Levenberg–Marquardt iterations
  int factorisations = 0;       // Newton: sparse LU factorisations or preconditioner builds
  int krylov_iterations = 0;    // Newton with GMRES: matrix-vector products
  double last_step_length = 0.0;  // share of the last Newton step taken (1: full; 0: none)
  std::string hint;               // when not converged: what to try
  std::vector<double> continuation_path;  // shares of the shock solved, in order (ends at 1)
  int continuation_failures = 0;          // stages that failed and were retried smaller
  double initial_max_residual = 0.0;
  double final_max_residual = 0.0;
  double walras_residual = 0.0;  // the dropped income balance, at the final state
  std::string walras_equation;
  std::vector<ResidualReport> largest_residuals;  // up to 5, at the final state
  int num_unknowns = 0;
  long long jacobian_nonzeros = 0;
  double setup_seconds = 0.0;
  double residual_seconds = 0.0;
  double jacobian_seconds = 0.0;
  double linear_solver_seconds = 0.0;
  double total_seconds = 0.0;

  bool IsConverged() const { return termination_type == TerminationType::kConverged; }
  std::string BriefReport() const;
  std::string FullReport() const;
};

// Newton iterations for a direct attempt at the whole shock when continuation may follow; for
// one stage of the continuation; and its smallest stage.
constexpr int kDirectAttemptIterations = 15;
constexpr int kContinuationStepIterations = 15;
constexpr int kMaxContinuationStages = 200;
// Largest move of log(1 + rate) or log(level) in the first stage (twice this later).
constexpr double kContinuationLogStep = 0.5;
// Shocks larger than this (same measure) skip the direct Newton attempt.
constexpr double kDirectAttemptLogShock = 2.0;
constexpr double kMinContinuationStep = 1e-4;

// Convergence is relative to the start as well as absolute: a solve converges when every
// scaled residual is below ConvergenceTolerance(tolerance, initial max residual) = the
// tolerance, or kMinResidualReduction times the residual at the start if that is smaller
// (never below kStartEquilibriumTolerance). So a start with residuals above 1e-10 is never
// "converged" without a step, whatever the tolerance.
constexpr double kMinResidualReduction = 1e-3;
constexpr double kStartEquilibriumTolerance = 1e-10;
double ConvergenceTolerance(double tolerance, double initial_max_residual);

// An elasticity of substitution above this is named in the hints of a failed solve. It is far
// above the estimates (import elasticities, the largest, are of order 1 to a few tens: Hertel,
// Hummels, Ivanic and Keeney 2007, the source of GTAP's), and a decade below where the
// conditions become numerically singular (measured: a 4x3x2 synthetic world with a 5% tariff
// solves with any one kind of elasticity at 1e4, and with none at 1e5).
constexpr double kExtremeElasticity = 1000.0;

// What to try when a solve did not converge, from what the summary says (solver/solver.cpp).
std::string SuggestRemedy(const SolverSummary& summary, const Model& model, const Policy& policy,
                          const SolverOptions& options);

// The largest |log(1 + rate') - log(1 + rate)| or |log(level' / level)| between two policies.
double LogShockSize(const Policy& from, const Policy& to);

// The policy a share `lambda` of the way from `from` to `to`: rates along log(1 + rate),
// levels along log(level), deficits linearly. lambda = 0 and 1 give the ends.
Policy InterpolatePolicy(const Policy& from, const Policy& to, double lambda);

struct KrylovFactors;     // solver/newton.h
struct JacobianPattern;   // model/equilibrium.h
class EquilibriumSystem;  // model/equilibrium.h

// What solves of nearby policies on one model can share (the decomposition's path points).
// In: what the first Newton attempt starts with when set; out: what it built or used.
struct SolveReuse {
  // The Jacobian pattern of a policy between the ends of the path (each point's pattern is
  // inside it; a point whose derivatives fall outside fails, and is solved again without).
  std::shared_ptr<const JacobianPattern> pattern;
  // A region-block preconditioner for GMRES, used until GMRES slows down.
  std::shared_ptr<const KrylovFactors> preconditioner;
  // Out only: the system the solve made for its policy (the policy's wedges), with which the
  // decomposition evaluates the solved point's welfare levels instead of making it again.
  std::shared_ptr<const EquilibriumSystem> system;
};

// Solves model(policy) starting from *state (use model.BenchmarkState() for the benchmark).
// On kConverged and kNoConvergence *state is the last iterate; on kFailure it is unchanged.
// `reuse` is optional (SolveReuse).
void Solve(const SolverOptions& options, const Model& model, const Policy& policy,
           State* state, SolverSummary* summary, SolveReuse* reuse = nullptr);

}  // namespace ohlin
