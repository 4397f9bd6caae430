#include "solver/newton.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <Eigen/UmfPackSupport>
#include <fmt/format.h>

#include "solver/gmres.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ohlin {

// One region's block LU, computed and kept in single precision: applying the preconditioner
// reads the factors whole, so half the bytes is about half the time, single precision doubles
// the width of each vector instruction of the factorisation (a third less of its instructions
// on Caliendo-Parro's 162-unknown blocks), and a preconditioner need not be exact (GMRES
// measures the true residual; the same number of products on 31x40 and 20x65x5 worlds).
struct KrylovBlock {
  Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> rows;  // P in P A = L U
  Eigen::MatrixXf lu;  // L (unit lower, below the diagonal) and U
  Eigen::Index size() const { return lu.rows(); }
  void Solve(Eigen::VectorXd* v) const {
    Eigen::VectorXf local = (rows * *v).cast<float>();
    lu.triangularView<Eigen::UnitLower>().solveInPlace(local);
    lu.triangularView<Eigen::Upper>().solveInPlace(local);
    *v = local.cast<double>();
  }
};

struct KrylovFactors {
  std::vector<KrylovBlock> blocks;  // one per region
};

namespace {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double MaxAbs(const Eigen::VectorXd& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

using RowMajorMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// After a full Newton step, the sparse-LU path reuses its factorisation for the next steps
// (chord steps, one solve each) while each shrinks the largest residual at least this much;
// otherwise the Jacobian is evaluated and factorised again.
constexpr double kChordContraction = 0.5;
// UMFPACK's threshold partial pivoting: a pivot down to this fraction of the largest entry in
// its column is accepted. The default (0.1) leaves the sparsity-preserving order far more
// often on these systems and more than doubles the fill; Newton corrects the small loss of
// accuracy in the next step.
constexpr double kPivotTolerance = 1e-4;
// Krylov path: relative accuracy of each Newton step (inexact Newton), the GMRES restart
// length, and the number of products above which the preconditioner is rebuilt.
constexpr double kKrylovTolerance = 1e-11;
constexpr int kKrylovRestart = 60;
// GMRES's relative tolerance is kForcingScale times the largest residual, within
// [kKrylovTolerance, kMaxForcing].
constexpr double kForcingScale = 1e-2;
constexpr double kMaxForcing = 1e-3;
constexpr int kKrylovMaxIterations = 600;
constexpr int kRebuildAfterIterations = 40;

// How a Newton step is computed from the Jacobian.
class StepSolver {
 public:
  virtual ~StepSolver() = default;
  // Whether the next step can reuse what Prepare() built without a fresh Jacobian.
  virtual bool CanReuse() const = 0;
  // Called with a fresh Jacobian; may factorise (returns false when singular).
  virtual bool Prepare(const RowMajorMatrix& jacobian, bool fresh_needed, NewtonResult* r) = 0;
  virtual bool Solve(const Eigen::VectorXd& rhs, Eigen::VectorXd* step, NewtonResult* r) = 0;
  virtual bool chord_steps() const = 0;
};

class SparseLuSteps : public StepSolver {
 public:
  SparseLuSteps() { lu_.umfpackControl()(UMFPACK_PIVOT_TOLERANCE) = kPivotTolerance; }
  bool CanReuse() const override { return factorised_; }
  bool chord_steps() const override { return true; }
  bool Prepare(const RowMajorMatrix& jacobian, bool /*fresh_needed*/, NewtonResult* r) override {
    column_major_ = jacobian;
    if (!analysed_) {
      lu_.analyzePattern(column_major_);  // the pattern never changes: analyse it once
      analysed_ = true;
    }
    lu_.factorize(column_major_);
    ++r->factorisations;
    factorised_ = lu_.info() == Eigen::Success;
    return factorised_;
  }
  bool Solve(const Eigen::VectorXd& rhs, Eigen::VectorXd* step, NewtonResult* /*r*/) override {
    *step = lu_.solve(rhs);
    return step->allFinite();
  }

 private:
  Eigen::SparseMatrix<double> column_major_;  // UMFPACK works on column-major matrices
  Eigen::UmfPackLU<Eigen::SparseMatrix<double>> lu_;
  bool analysed_ = false, factorised_ = false;
};

class KrylovSteps : public StepSolver {
 public:
  KrylovSteps(const EquilibriumSystem& system, int num_threads) {
    const Model& model = system.model();
    const int n = model.num_variables();
    threads_ = n < 4000 ? 1 : num_threads;  // a second thread only pays on large systems
    block_of_.assign(static_cast<std::size_t>(n), 0);
    position_.assign(static_cast<std::size_t>(n), 0);
    blocks_.assign(model.data().num_regions(), {});
    // Row k (the equation paired with variable k) goes in the block of variable k's region.
    for (int k = 0; k < n; ++k) {
      const Variable& v = model.variables()[k];
      if (v.kind == VariableKind::kTariffRevenue || v.kind == VariableKind::kExportTaxRevenue) {
        // A revenue is defined explicitly (its row is revenue - taxed flows, with a unit
        // diagonal): the preconditioner takes it as is, which keeps the blocks a third smaller.
        block_of_[k] = -1;
        continue;
      }
      int region = 0;
      switch (v.kind) {
        case VariableKind::kFactorPrice: region = v.c; break;
        case VariableKind::kSpending: region = v.a; break;
        case VariableKind::kQuotaRent: region = v.c; break;  // the importer's market
        default: region = v.b; break;  // (i, r) and (i, s) kinds
      }
      block_of_[k] = region;
      position_[k] = static_cast<int>(blocks_[region].size());
      blocks_[region].push_back(k);
    }
    SetNumeraireStandIn(model);
  }
  // Starts from a preconditioner built elsewhere on the same model (kept until GMRES slows).
  void Seed(std::shared_ptr<const KrylovFactors> factors) {
    if (factors == nullptr || factors->blocks.size() != blocks_.size()) return;
    for (std::size_t region = 0; region < blocks_.size(); ++region) {
      if (factors->blocks[region].size() != static_cast<Eigen::Index>(blocks_[region].size())) {
        return;  // built on another model
      }
    }
    factors_ = std::move(factors);
    built_ = true;
  }
  const std::shared_ptr<const KrylovFactors>& factors() const { return factors_; }
  // A chord step: GMRES on the last Jacobian with its preconditioner (when: SolveNewton).
  bool CanReuse() const override { return built_ && jacobian_ != nullptr; }
  bool chord_steps() const override { return true; }
  bool Prepare(const RowMajorMatrix& jacobian, bool fresh_needed, NewtonResult* r) override {
    jacobian_ = &jacobian;
    if (built_ && !fresh_needed && last_iterations_ <= kRebuildAfterIterations) return true;
    bool ok = true;
    auto factors = std::make_shared<KrylovFactors>();
    factors->blocks.resize(blocks_.size());
    // Regions are factorised in parallel; Eigen's own threads inside each dense LU would only
    // oversubscribe the cores (and spin: measured 25x slower on a loaded 2-core machine).
    // Set once for the process, never saved and restored: game workers factorise on several
    // threads at once, and a restore racing another worker's LU changed its blocking, so the
    // same game gave different rates from run to run (game_talks.yaml, 2 threads).
    static const bool eigen_single_threaded = (Eigen::setNbThreads(1), true);
    (void)eigen_single_threaded;
    // Each region's diagonal block, densely, and its LU.
#pragma omp parallel for schedule(dynamic) num_threads(std::max(1, threads_)) reduction(&& : ok)
    for (std::size_t region = 0; region < blocks_.size(); ++region) {
      const std::vector<int>& vars = blocks_[region];
      const Eigen::Index size = static_cast<Eigen::Index>(vars.size());
      Eigen::MatrixXd block = Eigen::MatrixXd::Zero(size, size);
      for (Eigen::Index a = 0; a < size; ++a) {
        if (vars[a] == numeraire_row_ && !numeraire_stand_in_.empty()) {
          for (const auto& [position, weight] : numeraire_stand_in_) block(a, position) += weight;
          continue;
        }
        for (RowMajorMatrix::InnerIterator it(jacobian, vars[a]); it; ++it) {
          const int col = static_cast<int>(it.col());
          if (block_of_[col] == static_cast<int>(region)) block(a, position_[col]) = it.value();
        }
      }
      const Eigen::PartialPivLU<Eigen::MatrixXf> lu(block.cast<float>());
      KrylovBlock& factor = factors->blocks[region];
      factor.rows = lu.permutationP();
      factor.lu = lu.matrixLU();
      const Eigen::VectorXf pivots = factor.lu.diagonal();
      ok = ok && factor.lu.allFinite() && (pivots.array() != 0.0F).all();
    }
    ++r->factorisations;
    factors_ = std::move(factors);
    built_ = ok;
    return ok;
  }
  bool Solve(const Eigen::VectorXd& rhs, Eigen::VectorXd* step, NewtonResult* r) override {
    const RowMajorMatrix& jacobian = *jacobian_;
    const int threads = std::max(1, threads_);
    // Each thread takes a contiguous run of rows holding an equal share of the nonzeros (the
    // revenue rows at the end are long); each row's sum is the same whichever thread does it.
    const int* outer = jacobian.outerIndexPtr();
    const Eigen::Index rows = jacobian.outerSize();
    const LinearOperator apply = [&](const Eigen::VectorXd& in, Eigen::VectorXd* out) {
      out->resize(in.size());
#pragma omp parallel num_threads(threads)
      {
        int thread = 0, team = 1;
#ifdef _OPENMP
        thread = omp_get_thread_num();
        team = omp_get_num_threads();
#endif
        const long long total = outer[rows];
        const Eigen::Index begin =
            std::lower_bound(outer, outer + rows, total * thread / team) - outer;
        const Eigen::Index end =
            std::lower_bound(outer, outer + rows, total * (thread + 1) / team) - outer;
        for (Eigen::Index row = begin; row < (thread + 1 == team ? rows : end); ++row) {
          double sum = 0.0;
          for (RowMajorMatrix::InnerIterator it(jacobian, row); it; ++it) {
            sum += it.value() * in[it.col()];
          }
          (*out)[row] = sum;
        }
      }
    };
    const LinearOperator precondition = [&](const Eigen::VectorXd& in, Eigen::VectorXd* out) {
      out->resize(in.size());
#pragma omp parallel for schedule(dynamic) num_threads(threads)
      for (std::size_t region = 0; region <= blocks_.size(); ++region) {
        if (region == blocks_.size()) {  // revenues: identity
          for (std::size_t k = 0; k < block_of_.size(); ++k) {
            if (block_of_[k] < 0) (*out)[static_cast<Eigen::Index>(k)] = in[static_cast<Eigen::Index>(k)];
          }
          continue;
        }
        const std::vector<int>& vars = blocks_[region];
        Eigen::VectorXd local(static_cast<Eigen::Index>(vars.size()));
        for (std::size_t a = 0; a < vars.size(); ++a) local[a] = in[vars[a]];
        factors_->blocks[region].Solve(&local);
        for (std::size_t a = 0; a < vars.size(); ++a) (*out)[vars[a]] = local[a];
      }
    };
    // Inexact Newton (Eisenstat and Walker 1996): the step is solved only as far as the
    // residual it is to cut is large; near the solution as tightly as before, which keeps the
    // convergence quadratic.
    const double forcing = std::clamp(kForcingScale * rhs.cwiseAbs().maxCoeff(),
                                      kKrylovTolerance, kMaxForcing);
    const GmresResult gmres = Gmres(apply, precondition, rhs, forcing, kKrylovRestart,
                                    kKrylovMaxIterations, step);
    last_iterations_ = gmres.iterations;
    r->krylov_iterations += gmres.iterations;
    return gmres.converged && step->allFinite();
  }

 private:
  // The numeraire row is the one row not paired with its own variable: it sits where an
  // income balance of the last region was dropped (Model::walras_row()), so it falls in the
  // last region's block, but its entries are the prices of the numeraire's region. When that
  // is another region, the row has no entry inside its block, and the block is singular for
  // every numeraire but the last region's factors and the world index (issue 18). There the
  // block gets a stand-in row instead: the last region's own factor-income-weighted price
  // index. Like the numeraire it pins the level of prices (its weights sum to 1, as the
  // numeraire's do), so the preconditioned matrix differs from the exact block-diagonal case
  // in one row only, which costs GMRES a few products per step (measured on the 100x45x4
  // synthetic world of the issue: 72 products in 4 Newton steps, against 65 for the world
  // index; R001's first factor as numeraire).
  // Why not move the numeraire row to its own region instead, dropping that region's income
  // balance? Newton's path depends on which income balance is dropped, and dropping a small
  // region's made it damp its steps (measured with R001's first factor as numeraire: 100x45x4
  // synthetic world, GMRES, 8 Newton steps against 4; 30x20x4, sparse LU, 61 against 11), so
  // the model keeps dropping the last region's for every numeraire.
  void SetNumeraireStandIn(const Model& model) {
    const Numeraire& numeraire = model.numeraire();
    numeraire_row_ = model.walras_row();
    const int region = block_of_[numeraire_row_];
    if (numeraire.kind != Numeraire::Kind::kFactorPrice || numeraire.region == region) return;
    const Benchmark& data = model.data();
    double total = 0.0;
    for (std::size_t f = 0; f < data.num_factors(); ++f) {
      for (std::size_t i = 0; i < data.num_sectors(); ++i) {
        const double payment = data.factor_payments(f, i, region);
        if (payment <= 0.0 || model.sector(static_cast<int>(i), region) == nullptr) continue;
        const int k = model.factor_price_index(static_cast<int>(f), static_cast<int>(i), region);
        numeraire_stand_in_.emplace_back(position_[k], payment);
        total += payment;
      }
    }
    if (!(total > 0.0)) {  // no factor income in the last region: nothing to stand in with
      numeraire_stand_in_.clear();
      return;
    }
    // Mobile factors list one variable once per sector: the weights add up on it.
    for (auto& entry : numeraire_stand_in_) entry.second /= total;
  }

  int threads_;
  int numeraire_row_ = -1;
  std::vector<std::pair<int, double>> numeraire_stand_in_;  // (position in block, weight)
  std::vector<int> block_of_, position_;
  std::vector<std::vector<int>> blocks_;
  std::shared_ptr<const KrylovFactors> factors_;
  const RowMajorMatrix* jacobian_ = nullptr;
  bool built_ = false;
  int last_iterations_ = 0;
};

}  // namespace

NewtonResult SolveNewton(const EquilibriumSystem& system, NewtonLinearSolver linear_solver,
                         double tolerance, int max_iterations, double max_seconds,
                         int num_threads, std::vector<double>* x, NewtonReuse* reuse) {
  NewtonResult result;
  const Clock::time_point start = Clock::now();
  const int n = system.num_rows();
  const std::vector<int>& row_start = system.row_start();
  const std::vector<int>& columns = system.columns();

  // The Jacobian in compressed row form, with the system's fixed pattern copied in directly
  // (it is already sorted within each row).
  RowMajorMatrix jacobian(n, n);
  jacobian.resizeNonZeros(static_cast<Eigen::Index>(columns.size()));
  std::copy(row_start.begin(), row_start.end(), jacobian.outerIndexPtr());
  std::copy(columns.begin(), columns.end(), jacobian.innerIndexPtr());
  std::fill(jacobian.valuePtr(), jacobian.valuePtr() + columns.size(), 1.0);
  std::unique_ptr<StepSolver> steps;
  KrylovSteps* krylov = nullptr;
  if (linear_solver == NewtonLinearSolver::kSparseLu) {
    steps = std::make_unique<SparseLuSteps>();
  } else {
    auto made = std::make_unique<KrylovSteps>(system, num_threads);
    krylov = made.get();
    if (reuse != nullptr) krylov->Seed(reuse->factors);
    steps = std::move(made);
  }
  // Hands the last preconditioner back, however the solve ends.
  struct HandBack {
    NewtonReuse* reuse;
    const KrylovSteps* krylov;
    ~HandBack() {
      if (reuse != nullptr && krylov != nullptr) reuse->factors = krylov->factors();
    }
  } hand_back{reuse, krylov};
  Eigen::VectorXd residuals(n), trial_residuals(n), step(n);
  std::vector<double> trial(x->size());

  Clock::time_point phase = Clock::now();
  if (reuse != nullptr && reuse->start_residuals != nullptr &&
      reuse->start_residuals->size() == static_cast<std::size_t>(n)) {
    std::copy(reuse->start_residuals->begin(), reuse->start_residuals->end(), residuals.data());
  } else if (!system.Evaluate(x->data(), residuals.data(), nullptr, num_threads)) {
    result.message = "the equilibrium conditions are not evaluable at the start";
    return result;
  }
  result.residual_seconds += SecondsSince(phase);
  result.max_residual = MaxAbs(residuals);
  bool try_chord = false;  // the last step was a full one: try reusing its factorisation
  bool fresh_needed = false;
  // The Krylov path evaluates the Jacobian with the residuals at a full step's trial point
  // when another Newton step is expected there (most steps: the line search rarely shortens
  // them): one evaluation of both instead of two. `have_jacobian`: `jacobian` holds it at *x.
  // The trial point's Jacobian has the same pattern; an accepted step swaps it in (no copy).
  RowMajorMatrix trial_jacobian;
  bool have_jacobian = false;
  if (krylov != nullptr && reuse != nullptr && reuse->start_jacobian != nullptr &&
      reuse->start_residuals != nullptr &&
      reuse->start_jacobian->size() == static_cast<std::size_t>(jacobian.nonZeros())) {
    std::copy(reuse->start_jacobian->begin(), reuse->start_jacobian->end(), jacobian.valuePtr());
    std::vector<double>().swap(*reuse->start_jacobian);
    have_jacobian = true;
  }
  double previous_residual = 0.0;  // before the last step (0: no step yet)

  while (result.max_residual >= tolerance) {
    if (result.iterations >= max_iterations) {
      result.message = fmt::format("iteration limit ({}) reached", max_iterations);
      return result;
    }
    if (SecondsSince(start) > max_seconds) {
      result.message = fmt::format("time limit ({} s) reached", max_seconds);
      return result;
    }
    const bool chord = steps->chord_steps() && try_chord && steps->CanReuse();
    if (!chord) {
      phase = Clock::now();
      if (!have_jacobian &&
          !system.Evaluate(x->data(), residuals.data(), jacobian.valuePtr(), num_threads)) {
        result.message = "the Jacobian is not evaluable here";
        return result;
      }
      result.jacobian_seconds += SecondsSince(phase);
      phase = Clock::now();
      const bool prepared = steps->Prepare(jacobian, fresh_needed, &result);
      result.linear_solver_seconds += SecondsSince(phase);
      if (!prepared) {
        result.message = "the Jacobian is singular here";
        return result;
      }
    }
    phase = Clock::now();
    bool solved = steps->Solve(residuals, &step, &result);
    if (!solved && chord) {  // a chord step that GMRES cannot solve: a fresh Jacobian
      result.linear_solver_seconds += SecondsSince(phase);
      try_chord = false;
      continue;
    }
    if (!solved && krylov != nullptr && !fresh_needed) {
      // A stale preconditioner: rebuild it at this Jacobian and try once more.
      steps->Prepare(jacobian, true, &result);
      solved = steps->Solve(residuals, &step, &result);
    }
    result.linear_solver_seconds += SecondsSince(phase);
    if (!solved) {
      result.message = "the linear system for the Newton step could not be solved";
      return result;
    }
    step = -step;

    // Backtracking on f = |F|^2 / 2 (Armijo with the Newton direction: f' = -2f). A chord
    // step is taken whole or not at all.
    const double merit = 0.5 * residuals.squaredNorm();
    double length = 1.0;
    bool accepted = false;
    // Another Newton step is expected after this one unless it is to finish the solve (the
    // residual times the last contraction below the tolerance, as for chord steps below).
    const bool another_expected =
        krylov != nullptr && !chord &&
        !(previous_residual > 0.0 &&
          result.max_residual * (result.max_residual / previous_residual) < tolerance);
    have_jacobian = false;
    phase = Clock::now();
    for (int halving = 0; halving < (chord ? 1 : 30); ++halving, length *= 0.5) {
      for (std::size_t k = 0; k < trial.size(); ++k) trial[k] = (*x)[k] + length * step[k];
      bool with_jacobian = another_expected && halving == 0;
      if (with_jacobian) {
        if (trial_jacobian.nonZeros() != jacobian.nonZeros()) trial_jacobian = jacobian;
        // A Jacobian that is not evaluable there leaves the step to the residuals alone.
        with_jacobian = system.Evaluate(trial.data(), trial_residuals.data(),
                                        trial_jacobian.valuePtr(), num_threads);
      }
      if (!with_jacobian &&
          !system.Evaluate(trial.data(), trial_residuals.data(), nullptr, num_threads)) {
        continue;
      }
      have_jacobian = with_jacobian;
      const bool decrease =
          chord ? MaxAbs(trial_residuals) < kChordContraction * result.max_residual
                : 0.5 * trial_residuals.squaredNorm() <= (1.0 - 1e-4 * length) * merit;
      if (decrease) {
        accepted = true;
        break;
      }
    }
    result.residual_seconds += SecondsSince(phase);
    result.last_step_length = accepted ? length : 0.0;
    if (!accepted) {
      if (chord) {  // the old factorisation is too far off: refactorise here
        try_chord = false;
        continue;
      }
      result.message = "the line search found no decrease along the Newton direction";
      return result;
    }
    x->swap(trial);
    residuals.swap(trial_residuals);
    if (have_jacobian) {
      jacobian.swap(trial_jacobian);  // `steps` keeps the address of `jacobian`
    }
    ++result.iterations;
    const double previous = result.max_residual;
    previous_residual = previous;
    result.max_residual = MaxAbs(residuals);
    try_chord = length == 1.0 && result.max_residual < previous;
    // The Krylov path takes a chord step (GMRES on the last Jacobian, saving the evaluation
    // of a new one) only when it is expected to finish the solve: near the solution a step
    // with a Jacobian one step old cuts the residual about as much as the last full step did
    // (its error is of the size of that step), so the prediction is residual x last
    // contraction. Elsewhere chord steps converge only linearly, and one Newton step costs
    // less than two of them. Typical of the decomposition's path points, which start close.
    if (krylov != nullptr) {
      try_chord = try_chord && result.max_residual * (result.max_residual / previous) < tolerance;
    }
    fresh_needed = length < 1.0;  // a damped step: the preconditioner may be far off
  }
  result.converged = true;
  result.message = "every scaled residual is below the tolerance";
  if (reuse != nullptr) reuse->final_residuals.assign(residuals.begin(), residuals.end());
  return result;
}

}  // namespace ohlin
