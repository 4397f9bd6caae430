#include "games/solve_game.h"

#include <fmt/format.h>
#include <nlopt.h>

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>

#include "model/equilibrium.h"

namespace ohlin::games {

namespace {

// A player's instruments of one kind (tariffs or export taxes) over its partners and sectors:
// one per partner and sector (discriminatory), per sector (MFN) or one (uniform). The taxed
// flow of sector i with partner r is flow(i, r); a flow enters when it has benchmark trade and
// r is not in `group`.
struct InstrumentSet {
  InstrumentKind kind;
  const std::vector<int>& partners;
  const std::vector<int>& group;
  const std::vector<int>& sectors;
  double lower, upper;
};

template <typename FlowOf>
std::vector<Instrument> GroupInstruments(const InstrumentSet& set, const Benchmark& data,
                                         const Policy& factual, FlowOf flow) {
  std::vector<Instrument> out;
  auto exempt = [&](int r) { return std::find(set.group.begin(), set.group.end(), r) != set.group.end(); };
  auto add_flow = [&](Instrument* instrument, int i, int r) {
    const Flow f = flow(i, r);
    if (data.trade(f.sector, f.exporter, f.importer) <= 0.0 || exempt(r)) return;
    instrument->flows.push_back(f);
    const Tensor3& rates = f.export_tax ? factual.export_taxes : factual.tariffs;
    instrument->before.push_back(rates(f.sector, f.exporter, f.importer));
  };
  auto push = [&](const std::string& partner, const std::string& sector,
                  const std::vector<int>& sectors, const std::vector<int>& partners) {
    Instrument instrument{{}, {}, partner, sector, set.lower, set.upper};
    instrument.export_tax = flow(0, 0).export_tax;
    for (int i : sectors) {
      for (int r : partners) add_flow(&instrument, i, r);
    }
    if (!instrument.flows.empty()) out.push_back(std::move(instrument));
  };
  switch (set.kind) {
    case InstrumentKind::kDiscriminatory:
      for (int r : set.partners) {
        for (int i : set.sectors) push(data.regions[r], data.sectors[i], {i}, {r});
      }
      break;
    case InstrumentKind::kMfn:
      for (int i : set.sectors) push("*", data.sectors[i], {i}, set.partners);
      break;
    case InstrumentKind::kUniform:
      push("*", "*", set.sectors, set.partners);
      break;
  }
  return out;
}

}  // namespace

std::vector<Instrument> MakeInstruments(const PlayerSpec& spec, const Benchmark& data,
                                        const Policy& factual) {
  const int s = spec.region;
  std::vector<Instrument> out;
  if (spec.tariffs) {
    const InstrumentSet tariffs{spec.instruments, spec.partners, spec.group, spec.sectors,
                                spec.lower, spec.upper};
    out = GroupInstruments(tariffs, data, factual, [s](int i, int r) { return Flow{i, r, s}; });
  }
  if (spec.export_taxes) {
    const ExportTaxSpec& x = *spec.export_taxes;
    const InstrumentSet taxes{x.instruments, x.partners, x.group, x.sectors, x.lower, x.upper};
    for (Instrument& instrument : GroupInstruments(
             taxes, data, factual, [s](int i, int d) { return Flow{i, s, d, true}; })) {
      out.push_back(std::move(instrument));
    }
  }
  return out;
}

namespace {

// The rate an instrument starts from: the mean of its flows' factual rates, within bounds.
double StartRate(const Instrument& instrument) {
  double sum = 0.0;
  for (double b : instrument.before) sum += b;
  return std::clamp(sum / static_cast<double>(instrument.before.size()), instrument.lower,
                    instrument.upper);
}

// The equilibrium as a function of every player's rates, with objectives and their gradients.
class Engine {
 public:
  Engine(const GameSpec& game, const Model& model, const Policy& factual, const State& start,
         const GameOptions& options)
      : game_(game), model_(model), factual_(factual), policy_(factual), state_(start),
        options_(options) {
    for (const PlayerSpec& spec : game.players) {
      specs_.push_back(spec);
      instruments_.push_back(MakeInstruments(spec, model.data(), factual));
      theta_.emplace_back();
      for (const Instrument& instrument : instruments_.back()) {
        theta_.back().push_back(StartRate(instrument));
      }
    }
    options_.solver.tolerance = std::min(options_.solver.tolerance, 1e-12);
    lu_.set_sparsify(options_.sparsify);
    solved_theta_ = theta_;  // near the start's rates (equal for discriminatory instruments)
  }

  int num_players() const { return static_cast<int>(specs_.size()); }
  const Model& model() const { return model_; }
  int num_threads() const { return options_.solver.num_threads; }
  // An engine of the same game for another thread (its equilibrium solves single-threaded).
  std::unique_ptr<Engine> Worker() const {
    GameOptions options = options_;
    options.solver.num_threads = 1;
    return std::make_unique<Engine>(game_, model_, factual_, state_, options);
  }
  void Fail(const std::string& why) { failure_ = why; }
  const PlayerSpec& spec(int p) const { return specs_[p]; }
  const std::vector<Instrument>& instruments(int p) const { return instruments_[p]; }
  std::vector<double>& theta(int p) { return theta_[p]; }
  const std::vector<std::vector<double>>& profile() const { return theta_; }
  // Every player's rates, and the equilibrium at them (a warm start: solved again when asked).
  void SetProfile(const std::vector<std::vector<double>>& profile, const State& state) {
    theta_ = profile;
    state_ = state;
    solved_ = false;
    solved_theta_ = profile;  // state_ is the equilibrium there: Path starts from it
    sensitivity_.reset();
  }
  // New rates for every player; the last equilibrium stays the warm start, and Path goes from
  // its rates to these.
  void SetRates(const std::vector<std::vector<double>>& profile) {
    theta_ = profile;
    solved_ = false;
    sensitivity_.reset();
  }
  const Policy& policy() const { return policy_; }
  const State& state() const { return state_; }
  int equilibria() const { return equilibria_; }
  int newton_steps() const { return newton_steps_; }
  int paths() const { return paths_; }                  // equilibria reached along a path
  int failed_pieces() const { return failed_pieces_; }  // pieces of a path Newton missed
  int full_solves() const { return full_solves_; }      // fallbacks to the full solver
  int unreached() const { return unreached_; }          // Solve(false) that gave up
  int held() const { return held_; }  // instruments held beyond their choke point
  void CountHeld(int held) { held_ += held; }
  const JacobianLu& lu() const { return lu_; }
  const std::string& failure() const { return failure_; }

  // Solves the equilibrium at the current rates (warm-started); false when there is none.
  // Without `full`, only Newton and the path of rates are tried, not the full solver.
  bool Solve(bool full = true) {
    if (solved_ && theta_ == solved_theta_) return true;  // policy_ and system_ are theta_'s
    solved_ = false;
    sensitivity_.reset();
    SetPolicy(theta_);
    ++equilibria_;
    State x = state_;
    if (!Newton(&x) && !Path(&x)) {
      if (!full) {
        ++unreached_;
        failure_ = "no equilibrium reached along the path of rates";
        return false;
      }
      // Far from the last equilibrium: the full solver (continuation, Levenberg–Marquardt).
      ++full_solves_;
      SetPolicy(theta_);
      x = state_;
      SolverSummary summary;
      ohlin::Solve(options_.solver, model_, policy_, &x, &summary);
      if (!summary.IsConverged() || !Newton(&x)) {
        failure_ = fmt::format("no equilibrium at the rates tried: {}", summary.message);
        return false;
      }
    }
    state_ = std::move(x);
    solved_ = true;
    solved_theta_ = theta_;
    return true;
  }

  // The policy and its system at every player's rates `theta`.
  void SetPolicy(const std::vector<std::vector<double>>& theta) {
    for (int p = 0; p < num_players(); ++p) {
      for (std::size_t k = 0; k < instruments_[p].size(); ++k) {
        for (const Flow& f : instruments_[p][k].flows) RateOf(&policy_, f) = theta[p][k];
      }
    }
    system_ = std::make_unique<EquilibriumSystem>(model_, policy_);
  }

  // Newton along a straight path of the rates from those of state_ (solved_theta_) to theta_,
  // each piece warm from the last, with step control: a piece that Newton solves doubles the
  // next, one it cannot halves it (from a quarter of the way, down to 1/1024). Cheaper than the
  // full solver when rates jump far (a best response's trial step to a bound, a Nash round's
  // combined rates). On success *x is the equilibrium at theta_ and the system is theta_'s.
  bool Path(State* x) {
    if (solved_theta_.size() != theta_.size()) return false;
    *x = state_;
    double done = 0.0, step = 0.25;
    for (int pieces = 0; done < 1.0; ++pieces) {
      if (step < 1.0 / 1024 || pieces >= 80) return false;
      const double share = std::min(1.0, done + step);
      std::vector<std::vector<double>> theta = theta_;
      for (std::size_t p = 0; p < theta.size(); ++p) {
        for (std::size_t k = 0; k < theta[p].size(); ++k) {
          theta[p][k] = solved_theta_[p][k] + share * (theta_[p][k] - solved_theta_[p][k]);
        }
      }
      SetPolicy(theta);
      State trial = *x;
      if (Newton(&trial)) {
        x->swap(trial);
        done = share;
        step *= 2.0;
      } else {
        ++failed_pieces_;
        step *= 0.5;
      }
    }
    ++paths_;
    return true;
  }

  // Newton's method from *x, warm, each step by GMRES preconditioned with the factors of the
  // last equilibrium's Jacobian (refactorised only when GMRES needs too many products); on
  // success values_ holds the Jacobian at the solution and lu_ factors of it or of a nearby one.
  bool Newton(State* x) {
    const int n = system_->num_rows();
    const auto nonzeros = static_cast<std::size_t>(system_->num_nonzeros());
    std::vector<double> f(n), trial_f(n), values(nonzeros), trial_values(nonzeros);
    std::vector<double> step, trial(n);
    auto largest = [](const std::vector<double>& v) {
      double m = 0.0;
      for (double e : v) m = std::max(m, std::abs(e));
      return m;
    };
    if (!system_->Evaluate(x->data(), f.data(), values.data())) return false;
    for (int iteration = 0; iteration < 20; ++iteration) {
      const double norm = largest(f);
      if (norm <= options_.solver.tolerance) {
        values_ = std::move(values);
        return lu_.Held(*system_) || lu_.FactoriseSparsified(*system_, values_) ||
               lu_.Factorise(*system_, values_);
      }
      ++newton_steps_;
      for (double& e : f) e = -e;
      // Inexact Newton: a relative accuracy of the residual norm (at most 1e-3) converges
      // quadratically (Eisenstat and Walker 1996); near the solution no better than what takes
      // the residual below a tenth of the tolerance.
      step.clear();
      const double accuracy =
          std::clamp(std::max(norm, 0.1 * options_.solver.tolerance / norm), 1e-12, 1e-3);
      if (!lu_.SolveNear(*system_, values, f, false, accuracy, &step)) {
        return false;
      }
      // The full step is nearly always taken: the Jacobian there comes with its residuals (for
      // the next step, or the adjoint), instead of evaluating them again.
      bool accepted = false;
      for (double length = 1.0; length > 1e-3 && !accepted; length *= 0.5) {
        for (int k = 0; k < n; ++k) trial[k] = (*x)[k] + length * step[k];
        accepted = system_->Evaluate(trial.data(), trial_f.data(),
                                     length == 1.0 ? trial_values.data() : nullptr) &&
                   largest(trial_f) < norm;
        if (accepted && length < 1.0) {
          accepted = system_->Evaluate(trial.data(), trial_f.data(), trial_values.data());
        }
      }
      if (!accepted) return false;
      x->swap(trial);
      f.swap(trial_f);
      values.swap(trial_values);
    }
    return false;
  }

  // The shipped value of an instrument's flows at the last equilibrium (producer prices,
  // benchmark currency), each times its Armington elasticity: about the largest gradient of
  // any objective with respect to the instrument's rate (MODEL.md 12.6, the choke rule).
  double ElasticFlowValue(const Instrument& instrument) const {
    const Benchmark& data = model_.data();
    double sum = 0.0;
    for (const Flow& f : instrument.flows) {
      const double hat =
          std::exp(system_->LogShipmentHat(state_.data(), f.sector, f.exporter, f.importer));
      sum += data.elasticities.armington[f.sector] * data.trade(f.sector, f.exporter, f.importer) *
             hat;
    }
    return sum;
  }

  // Objective of player p at the last equilibrium, and (when `gradient`) its gradient with
  // respect to the instruments of the players `of` (concatenated in that order).
  double Value(int p, const std::vector<int>& of, std::vector<double>* gradient) {
    std::vector<double> dx;
    const double value = EvaluateObjective(*system_, state_.data(), specs_[p].objective,
                                           gradient != nullptr ? &dx : nullptr);
    if (gradient == nullptr) return value;
    if (!sensitivity_ || sensitivity_players_ != of) {
      std::vector<Flow> flows;
      for (int q : of) {
        for (const Instrument& instrument : instruments_[q]) {
          flows.insert(flows.end(), instrument.flows.begin(), instrument.flows.end());
        }
      }
      sensitivity_ = std::make_unique<TariffSensitivity>(*system_, state_, flows, values_, &lu_);
      sensitivity_players_ = of;
    }
    gradient->clear();
    if (!sensitivity_->ok()) {
      failure_ = "the equilibrium Jacobian is singular at the rates tried";
      return std::numeric_limits<double>::quiet_NaN();
    }
    // The adjoint starts from the player's last one: the equilibria asked for are close.
    if (adjoints_.size() <= static_cast<std::size_t>(p)) adjoints_.resize(p + 1);
    const std::vector<double> by_flow = sensitivity_->Gradient(dx, &adjoints_[p]);
    for (double d : by_flow) {
      if (!std::isfinite(d)) {
        failure_ = "the adjoint solve failed at the rates tried";
        return std::numeric_limits<double>::quiet_NaN();
      }
    }
    std::size_t at = 0;
    for (int q : of) {
      for (const Instrument& instrument : instruments_[q]) {
        double sum = 0.0;
        for (std::size_t k = 0; k < instrument.flows.size(); ++k) sum += by_flow[at++];
        gradient->push_back(sum);
      }
    }
    return value;
  }

 private:
  const GameSpec& game_;
  const Model& model_;
  const Policy& factual_;
  Policy policy_;
  State state_;
  GameOptions options_;
  std::vector<PlayerSpec> specs_;
  std::vector<std::vector<Instrument>> instruments_;
  std::vector<std::vector<double>> theta_, solved_theta_;
  bool solved_ = false;
  int equilibria_ = 0;
  int newton_steps_ = 0;
  int paths_ = 0, failed_pieces_ = 0, full_solves_ = 0, unreached_ = 0, held_ = 0;
  std::string failure_;
  std::unique_ptr<EquilibriumSystem> system_;
  JacobianLu lu_;               // at the last equilibrium or near it
  std::vector<double> values_;  // the Jacobian at the last equilibrium
  std::unique_ptr<TariffSensitivity> sensitivity_;
  std::vector<int> sensitivity_players_;
  std::vector<std::vector<double>> adjoints_;  // each player's last
};

// Largest projected-gradient step over instruments, |clamp(theta + g, lower, upper) - theta|
// with g the gradient per unit `scale` (the KKT residual for bounds); counts the instruments
// within 1e-9 of a bound.
double ProjectedGradient(const std::vector<Instrument>& instruments,
                         const std::vector<double>& theta, const std::vector<double>& gradient,
                         double scale, int* at_lower, int* at_upper) {
  double largest = 0.0;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    const double lo = instruments[k].lower, hi = instruments[k].upper;
    if (at_lower != nullptr && theta[k] <= lo + 1e-9) ++*at_lower;
    if (at_upper != nullptr && theta[k] >= hi - 1e-9) ++*at_upper;
    const double step = std::clamp(theta[k] + gradient[k] / scale, lo, hi) - theta[k];
    largest = std::max(largest, std::abs(step));
  }
  return largest;
}

// Maximises sum_p weight_p objective_p over the instruments of `players` (the others fixed),
// from their current rates: NLopt's SLSQP with bounds, restarted until the projected gradient
// is below `tolerance` (relative to `scale`) or it stops improving.
struct Maximisation {
  Engine* engine = nullptr;
  std::vector<int> players;
  double scale = 1.0;
  std::vector<Instrument> instruments;  // of `players`, in order
  std::vector<double> scales;           // NLopt's variable k is rate k times scales[k]
  double target = 0.0;                  // stop once the KKT residual is below this
  nlopt_opt opt = nullptr;
  bool failed = false;
  bool reached = false;
  std::vector<double> reached_point;
  int evaluations = 0;
  // A trial point of the optimiser where the path of rates reaches no equilibrium (fixed
  // deficits that choked trade cannot carry, say): the run stops, and the next restarts from the
  // best point evaluated, with the next algorithm.
  bool trial_failed = false;
  double best_value = -std::numeric_limits<double>::infinity();
  std::vector<double> best_z;
};

void Unpack(Maximisation* m, const double* z) {
  std::size_t at = 0;
  for (int p : m->players) {
    for (double& t : m->engine->theta(p)) {
      t = z[at] / m->scales[at];
      ++at;
    }
  }
}

// The scale of an instrument's rate: the root of sigma times the benchmark value of its flows,
// relative to `income`. The curvature of an objective in a tariff grows with the flow it taxes
// (a deadweight loss of about sigma M t^2 / 2), so in the scaled rates the Hessian is closer to
// a multiple of the identity and L-BFGS needs fewer steps (MODEL.md 12.3).
double InstrumentScale(const Instrument& instrument, const Benchmark& data, double income) {
  double sum = 0.0;
  for (const Flow& f : instrument.flows) {
    sum += data.elasticities.armington[f.sector] * data.trade(f.sector, f.exporter, f.importer);
  }
  return std::sqrt(std::max(sum / income, 1e-12));
}

double SumObjective(unsigned n, const double* z, double* grad, void* data) {
  auto* m = static_cast<Maximisation*>(data);
  Unpack(m, z);
  ++m->evaluations;
  // Inside the optimiser, no full solver: a trial point without an equilibrium near the path
  // is given up at once (the full solver's Levenberg-Marquardt costs 20-80 s on WIOD and stalls).
  if (!m->engine->Solve(m->opt == nullptr)) {
    if (m->opt == nullptr) m->failed = true;
    m->trial_failed = true;
    if (m->opt != nullptr) nlopt_force_stop(m->opt);
    return -std::numeric_limits<double>::infinity();
  }
  double value = 0.0;
  std::vector<double> g;
  if (grad != nullptr) std::fill(grad, grad + n, 0.0);
  for (int p : m->players) {
    value += m->engine->Value(p, m->players, grad != nullptr ? &g : nullptr);
    if (grad != nullptr) {
      for (unsigned k = 0; k < n && k < g.size(); ++k) grad[k] += g[k] / m->scale;
    }
  }
  if (!std::isfinite(value)) m->failed = true;
  if (!m->failed && value > m->best_value) {
    m->best_value = value;
    m->best_z.assign(z, z + n);
  }
  std::vector<double> point(n), gradient(n);  // in rates
  for (unsigned k = 0; k < n && grad != nullptr; ++k) {
    point[k] = z[k] / m->scales[k];
    gradient[k] = grad[k];
    grad[k] /= m->scales[k];
  }
  if (grad != nullptr && m->opt != nullptr && !m->failed) {
    // Good enough: stop here rather than polish below the noise of the objective.
    const double pg = ProjectedGradient(m->instruments, point, gradient, 1.0, nullptr, nullptr);
    if (pg <= m->target) {
      m->reached = true;
      m->reached_point = point;
      nlopt_force_stop(m->opt);
    }
  }
  return value / m->scale;
}

// Runs the maximisation; returns the projected-gradient residual at the end (relative to
// scale), or infinity when an equilibrium failed.
nlopt_algorithm Algorithm(const std::string& name) {
  if (name == "lbfgs") return NLOPT_LD_LBFGS;
  if (name == "mma") return NLOPT_LD_MMA;
  return NLOPT_LD_SLSQP;
}

// With `choke` > 0 (Nash rounds), an instrument whose flows are beyond their choke point —
// sigma times their value at the start below `choke` times `scale` — and whose projected
// gradient there is below `tolerance` is held at its rate (MODEL.md 12.6).
double Maximise(Engine* engine, const std::vector<int>& players, double scale, double tolerance,
                nlopt_algorithm algorithm, double choke = 0.0) {
  Maximisation m;
  m.engine = engine;
  m.players = players;
  m.scale = scale;
  m.target = tolerance;
  std::vector<double> z, lower, upper;
  for (int p : players) {
    for (std::size_t k = 0; k < engine->instruments(p).size(); ++k) {
      m.instruments.push_back(engine->instruments(p)[k]);
      const double scale_k = InstrumentScale(m.instruments.back(), engine->model().data(), scale);
      m.scales.push_back(scale_k);
      z.push_back(engine->theta(p)[k] * scale_k);
      lower.push_back(m.instruments.back().lower * scale_k);
      upper.push_back(m.instruments.back().upper * scale_k);
    }
  }
  const unsigned n = static_cast<unsigned>(z.size());
  double residual = std::numeric_limits<double>::infinity();
  // The projected gradient at scaled rates `point` (infinity when its equilibrium failed).
  auto at = [&](std::vector<double> point) {
    std::vector<double> g(n), rates(n);
    SumObjective(n, point.data(), g.data(), &m);
    if (m.failed) return std::numeric_limits<double>::infinity();
    for (unsigned k = 0; k < n; ++k) {
      g[k] *= m.scales[k];
      rates[k] = point[k] / m.scales[k];
    }
    return ProjectedGradient(m.instruments, rates, g, 1.0, nullptr, nullptr);
  };
  if (choke > 0.0) {
    std::vector<double> g(n);
    SumObjective(n, z.data(), g.data(), &m);
    if (m.failed) return std::numeric_limits<double>::infinity();
    std::vector<double> rates(n), gradient(n);
    for (unsigned k = 0; k < n; ++k) {
      rates[k] = z[k] / m.scales[k];
      gradient[k] = g[k] * m.scales[k];
    }
    // Already there (a player whose best response the round left unchanged).
    const double start = ProjectedGradient(m.instruments, rates, gradient, 1.0, nullptr, nullptr);
    if (start <= tolerance) return start;
    int held = 0;
    for (unsigned k = 0; k < n; ++k) {
      Instrument& instrument = m.instruments[k];
      const double pull =
          std::clamp(rates[k] + gradient[k], instrument.lower, instrument.upper) - rates[k];
      if (std::abs(pull) <= tolerance && engine->ElasticFlowValue(instrument) < choke * scale) {
        instrument.lower = instrument.upper = rates[k];
        lower[k] = upper[k] = z[k];
        ++held;
      }
    }
    engine->CountHeld(held);
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    // A restart that stalls switches algorithm: L-BFGS, SLSQP and MMA stall at different
    // points of a flat optimum.
    const nlopt_algorithm cycle[] = {algorithm, NLOPT_LD_SLSQP, NLOPT_LD_MMA};
    nlopt_opt opt = nlopt_create(cycle[attempt % 3], n);
    m.opt = opt;
    m.reached = false;
    nlopt_set_lower_bounds(opt, lower.data());
    nlopt_set_upper_bounds(opt, upper.data());
    nlopt_set_max_objective(opt, SumObjective, &m);
    nlopt_set_ftol_rel(opt, 1e-16);
    nlopt_set_xtol_rel(opt, 1e-14);
    nlopt_set_maxeval(opt, 100 + 20 * static_cast<int>(n));
    double value = 0.0;
    nlopt_optimize(opt, z.data(), &value);
    nlopt_destroy(opt);
    m.opt = nullptr;
    if (m.failed) return std::numeric_limits<double>::infinity();
    if (m.trial_failed && !m.reached) {
      m.trial_failed = false;
      if (m.best_z.empty()) return std::numeric_limits<double>::infinity();
      z = m.best_z;
      continue;
    }
    m.trial_failed = false;
    if (m.reached) {
      for (unsigned k = 0; k < n; ++k) z[k] = m.reached_point[k] * m.scales[k];
    }
    // The gradient at the point NLopt returns (the last one evaluated when it was stopped).
    residual = at(z);
    if (residual <= tolerance || m.failed) break;
  }
  // Every run stopped at a trial point without an equilibrium: the best point evaluated.
  if (!std::isfinite(residual) && !m.failed && !m.best_z.empty()) residual = at(m.best_z);
  return residual;
}

// Equal-gains talks: maximise s subject to s <= 100 (W_p - W0_p) / I_p for every player,
// over every player's instruments (variables z = rates..., s).
struct TalksProblem {
  Engine* engine;
  std::vector<int> players;
  std::vector<double> threat, incomes;
  bool failed = false;
  double best_smallest = -std::numeric_limits<double>::infinity();
  std::vector<double> best;
};

double TalksObjective(unsigned n, const double* z, double* grad, void*) {
  if (grad != nullptr) {
    std::fill(grad, grad + n, 0.0);
    grad[n - 1] = 1.0;
  }
  return z[n - 1];
}

// The gains of every player in percent of income at z, with their gradients (row p: d/dz).
bool Gains(TalksProblem* t, const double* z, std::vector<double>* gains,
           std::vector<std::vector<double>>* gradients) {
  std::size_t at = 0;
  for (int p : t->players) {
    for (double& rate : t->engine->theta(p)) rate = z[at++];
  }
  if (!t->engine->Solve()) return false;
  gains->clear();
  if (gradients != nullptr) gradients->clear();
  for (std::size_t k = 0; k < t->players.size(); ++k) {
    std::vector<double> g;
    const double value = t->engine->Value(t->players[k], t->players, gradients ? &g : nullptr);
    if (!std::isfinite(value)) return false;
    gains->push_back(100.0 * (value - t->threat[k]) / t->incomes[k]);
    if (gradients != nullptr) {
      for (double& d : g) d *= 100.0 / t->incomes[k];
      gradients->push_back(std::move(g));
    }
  }
  return true;
}

void TalksConstraints(unsigned m, double* result, unsigned n, const double* z, double* grad,
                      void* data) {
  auto* t = static_cast<TalksProblem*>(data);
  std::vector<double> gains;
  std::vector<std::vector<double>> gradients;
  if (!Gains(t, z, &gains, grad != nullptr ? &gradients : nullptr)) {
    t->failed = true;
    std::fill(result, result + m, 1e6);
    if (grad != nullptr) std::fill(grad, grad + static_cast<std::size_t>(m) * n, 0.0);
    return;
  }
  // The best point evaluated: the largest smallest gain (NLopt may return another).
  const double smallest = *std::min_element(gains.begin(), gains.end());
  if (smallest > t->best_smallest) {
    t->best_smallest = smallest;
    t->best.assign(z, z + n);
    t->best.back() = smallest;
  }
  for (unsigned k = 0; k < m; ++k) {
    result[k] = z[n - 1] - gains[k];
    if (grad == nullptr) continue;
    for (unsigned j = 0; j + 1 < n; ++j) grad[k * n + j] = -gradients[k][j];
    grad[k * n + n - 1] = 1.0;
  }
}

// Runs the talks; returns the KKT residual of the Lagrangian (multipliers mu >= 0 summing to
// one, fitted by least squares), in shares of income, or infinity on failure.
double EqualGains(Engine* engine, const std::vector<int>& players,
                  const std::vector<double>& threat, const std::vector<double>& incomes) {
  TalksProblem t{engine, players, threat, incomes, false, -std::numeric_limits<double>::infinity(), {}};
  std::vector<double> z, lower, upper;
  std::vector<Instrument> all;
  for (int p : players) {
    for (std::size_t k = 0; k < engine->instruments(p).size(); ++k) {
      all.push_back(engine->instruments(p)[k]);
      z.push_back(engine->theta(p)[k]);
      lower.push_back(all.back().lower);
      upper.push_back(all.back().upper);
    }
  }
  z.push_back(-1.0);  // a percentage point below the threat point: feasible, not flat
  lower.push_back(-100.0);
  upper.push_back(100.0);
  const unsigned n = static_cast<unsigned>(z.size()), m = static_cast<unsigned>(players.size());
  nlopt_opt opt = nlopt_create(NLOPT_LD_SLSQP, n);
  nlopt_set_lower_bounds(opt, lower.data());
  nlopt_set_upper_bounds(opt, upper.data());
  nlopt_set_max_objective(opt, TalksObjective, nullptr);
  const std::vector<double> tolerances(m, 1e-12);
  nlopt_add_inequality_mconstraint(opt, m, TalksConstraints, &t, tolerances.data());
  nlopt_set_ftol_abs(opt, 1e-13);  // percent of income
  nlopt_set_xtol_rel(opt, 1e-12);
  nlopt_set_maxeval(opt, 200 + 20 * static_cast<int>(n));
  double value = 0.0;
  nlopt_optimize(opt, z.data(), &value);
  nlopt_destroy(opt);
  if (!t.best.empty()) z = t.best;
  std::vector<double> gains;
  std::vector<std::vector<double>> gradients;
  if (t.failed || !Gains(&t, z.data(), &gains, &gradients)) return std::numeric_limits<double>::infinity();
  z.pop_back();
  return TalksKktResidual(z, lower, upper, gains, gradients);
}

}  // namespace

double TalksKktResidual(const std::vector<double>& rates, const std::vector<double>& lower,
                        const std::vector<double>& upper, const std::vector<double>& gains,
                        const std::vector<std::vector<double>>& gradients) {
  const int n = static_cast<int>(rates.size()), m = static_cast<int>(gains.size());
  // Stationarity: sum_p mu_p grad gain_p = 0 on the instruments off their bounds, with the
  // multipliers of the binding players: gain within 1e-6 percentage points (1e-8 of income)
  // of the smallest. SLSQP equalises the gains only to its own accuracy (a few 1e-9 points at
  // -O1 in the two-country test), and a binding player left out makes the fit fail.
  const double smallest = *std::min_element(gains.begin(), gains.end());
  std::vector<int> binding;
  for (int k = 0; k < m; ++k) {
    if (gains[k] <= smallest + 1e-6) binding.push_back(k);
  }
  // The multipliers are fitted on the instruments clearly inside their bounds; a rate within
  // 1e-9 of a bound counts as at it (SLSQP leaves such rates a few 1e-12 off the bound), and
  // there only a pull inwards is a violation, as in ProjectedGradient.
  std::vector<int> free;
  for (int j = 0; j < n; ++j) {
    if (rates[j] > lower[j] + 1e-9 && rates[j] < upper[j] - 1e-9) free.push_back(j);
  }
  const int nb = static_cast<int>(binding.size()), nf = static_cast<int>(free.size());
  Eigen::MatrixXd kkt = Eigen::MatrixXd::Zero(nb + 1, nb + 1);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(nb + 1);
  Eigen::MatrixXd g(nf, nb);
  for (int a = 0; a < nb; ++a) {
    for (int j = 0; j < nf; ++j) g(j, a) = gradients[binding[a]][free[j]];
  }
  kkt.topLeftCorner(nb, nb) = 2.0 * g.transpose() * g;
  kkt.block(0, nb, nb, 1).setOnes();
  kkt.block(nb, 0, 1, nb).setOnes();
  rhs(nb) = 1.0;
  const Eigen::VectorXd mu = kkt.completeOrthogonalDecomposition().solve(rhs).head(nb);
  double residual = 0.0;
  for (int j = 0; j < n; ++j) {
    double pull = 0.0;  // d(sum_a mu_a gain_a)/d rate_j, percent of income
    for (int a = 0; a < nb; ++a) pull += mu(a) * gradients[binding[a]][j];
    if (rates[j] <= lower[j] + 1e-9) pull = std::max(pull, 0.0);
    if (rates[j] >= upper[j] - 1e-9) pull = std::min(pull, 0.0);
    residual = std::max(residual, std::abs(pull) / 100.0);
  }
  return residual;
}

namespace {

// The choke rule (MODEL.md 12.6): in a Nash round, an instrument is held at its rate when sigma
// times the value of its flows is below the game's tolerance times the player's income (a rate
// beyond the flow's choke point, where the objective is flat) and its projected gradient is
// below the round's target.
double ChokeShare(const GameSpec& game) { return game.tolerance; }

// One Jacobi round of a Nash game: every player's best response to the others' rates at the
// start of the round, the players shared among threads (player p on engine p mod threads, so
// the result does not depend on the order the threads run in), each best response warm from
// the round's equilibrium. Sets the largest change of a rate and the share of the way moved;
// false when a best response failed or no equilibrium was reached even a sixteenth of the way.
bool JacobiRound(const GameSpec& game, Engine* engine, std::vector<std::unique_ptr<Engine>>* workers,
                 const std::vector<double>& incomes, double target, double* change,
                 double* damping) {
  const int np = engine->num_players();
  if (!engine->Solve()) return false;
  const std::vector<std::vector<double>> start = engine->profile();
  const State state = engine->state();
  const int threads = std::clamp(engine->num_threads(), 1, np);
  while (static_cast<int>(workers->size()) < threads) workers->push_back(engine->Worker());
  std::vector<std::vector<double>> chosen(np);
  std::vector<char> failed(np, 0);
#pragma omp parallel for schedule(static, 1) num_threads(threads)
  for (int p = 0; p < np; ++p) {
    Engine* worker = (*workers)[p % threads].get();
    worker->SetProfile(start, state);
    failed[p] = !std::isfinite(
        Maximise(worker, {p}, incomes[p], target, Algorithm(game.algorithm), ChokeShare(game)));
    chosen[p] = worker->theta(p);
  }
  for (int p = 0; p < np; ++p) {
    if (failed[p]) {
      engine->Fail((*workers)[p % threads]->failure());
      return false;
    }
  }
  // The combined rates, or part of the way to them (Mann iteration) when the path of rates from
  // the round's equilibrium does not reach an equilibrium at them (the full solver only at the
  // last, a sixteenth of the way).
  for (*damping = 1.0; *damping >= 1.0 / 16; *damping *= 0.5) {
    std::vector<std::vector<double>> profile = start;
    *change = 0.0;
    for (int p = 0; p < np; ++p) {
      for (std::size_t k = 0; k < chosen[p].size(); ++k) {
        profile[p][k] = start[p][k] + *damping * (chosen[p][k] - start[p][k]);
        *change = std::max(*change, std::abs(profile[p][k] - start[p][k]));
      }
    }
    engine->SetRates(profile);
    if (engine->Solve(*damping < 1.0 / 8)) return true;
  }
  return false;
}

// How the equilibria of `engine` and `workers` were reached, for the progress lines.
std::string Effort(const Engine& engine, const std::vector<std::unique_ptr<Engine>>& workers) {
  int equilibria = engine.equilibria(), paths = engine.paths(), failed = engine.failed_pieces();
  int unreached = engine.unreached(), full = engine.full_solves(), held = engine.held();
  for (const auto& worker : workers) {
    equilibria += worker->equilibria();
    paths += worker->paths();
    failed += worker->failed_pieces();
    unreached += worker->unreached();
    full += worker->full_solves();
    held += worker->held();
  }
  return fmt::format("{} equilibria ({} along a path of rates, {} pieces of it missed, {} not "
                     "reached, {} by the full solver; {} instruments held beyond their choke "
                     "point)", equilibria, paths, failed, unreached, full, held);
}

void Progress(const GameOptions& options, const std::string& line) {
  if (options.verbose) std::cerr << "ohlin game: " << line << "\n";
}

}  // namespace

GameOutcome SolveGame(const GameSpec& game, const Model& model, const Policy& factual,
                      const State& start, const GameOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  GameOutcome outcome;
  Engine engine(game, model, factual, start, options);
  const int np = engine.num_players();
  std::vector<double> factual_values(np), threat_values(np), incomes(np);
  for (int p = 0; p < np; ++p) incomes[p] = RegionIncome(model, engine.spec(p).region);
  bool ok = engine.Solve();
  std::vector<int> everyone(np);
  for (int p = 0; p < np; ++p) everyone[p] = p;
  if (ok) {
    for (int p = 0; p < np; ++p) factual_values[p] = engine.Value(p, everyone, nullptr);
  }
  threat_values = factual_values;
  std::vector<std::unique_ptr<Engine>> workers;  // Jacobi rounds: one engine per thread
  auto nash = [&]() {
    // Early rounds need no exact best responses: each round's target is a tenth of the largest
    // KKT residual left by the round before, never below half the tolerance, and never more
    // than ten times tighter than the round before's (MODEL.md 12.6).
    double previous = 1e-2, target = 1e-2;
    for (int round = 1; round <= game.max_rounds && ok; ++round) {
      outcome.rounds = round;
      double change = 0.0, damping = 1.0;
      target = std::max({game.tolerance * 0.5, previous * 0.1, target * 0.1});
      if (game.updates == Updates::kGaussSeidel) {
        for (int p = 0; p < np && ok; ++p) {
          const std::vector<double> before = engine.theta(p);
          ok = std::isfinite(
              Maximise(&engine, {p}, incomes[p], target, Algorithm(game.algorithm), ChokeShare(game)));
          for (std::size_t k = 0; k < before.size(); ++k) {
            change = std::max(change, std::abs(engine.theta(p)[k] - before[k]));
          }
        }
      } else {
        ok = JacobiRound(game, &engine, &workers, incomes, target, &change, &damping);
      }
      if (!ok) break;
      // Every player's KKT residual at the profile after the round.
      double worst = 0.0;
      ok = engine.Solve();
      for (int p = 0; p < np && ok; ++p) {
        std::vector<double> g;
        engine.Value(p, {p}, &g);
        worst = std::max(worst, ProjectedGradient(engine.instruments(p), engine.theta(p), g,
                                                  incomes[p], nullptr, nullptr));
      }
      Progress(options, fmt::format("round {}: largest change {:.3g} (damping {:.3g}), largest "
                                    "KKT residual {:.3g} (target {:.3g}); {:.1f} s, {:.1f} s CPU, {}", round,
                                    change, damping, worst, target,
                                    std::chrono::duration<double>(
                                        std::chrono::steady_clock::now() - t0).count(),
                                    static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC,
                                    Effort(engine, workers)));
      if (worst <= game.tolerance) return true;
      previous = worst;
    }
    return false;
  };
  bool converged = false;
  switch (game.concept_kind) {
    case Concept::kBestResponse:
      if (ok) {
        const double residual = Maximise(&engine, {0}, incomes[0], game.tolerance * 0.1, Algorithm(game.algorithm));
        ok = std::isfinite(residual);
        converged = ok && residual <= game.tolerance;
        outcome.rounds = 1;
      }
      break;
    case Concept::kNash:
      converged = ok && nash();
      break;
    case Concept::kCooperative: {
      if (ok && game.threat_point == ThreatPoint::kNash) {
        ok = nash();
        if (!ok && engine.failure().empty()) {
          outcome.message = "the Nash threat point did not converge";
        }
      }
      ok = ok && engine.Solve();
      for (int p = 0; p < np && ok; ++p) threat_values[p] = engine.Value(p, everyone, nullptr);
      if (!ok) break;
      double residual = 0.0;
      if (game.talks == Talks::kWorldWelfare) {
        double total = 0.0;
        for (double income : incomes) total += income;
        residual = Maximise(&engine, everyone, total, game.tolerance * 0.1, Algorithm(game.algorithm));
      } else {
        residual = EqualGains(&engine, everyone, threat_values, incomes);
      }
      ok = std::isfinite(residual);
      converged = ok && residual <= game.tolerance;
      outcome.cooperative_residual = residual;
      if (game.threat_point != ThreatPoint::kNash) outcome.rounds = 1;  // else the threat's
      break;
    }
  }
  ok = ok && engine.Solve();
  outcome.policy = engine.policy();
  outcome.state = engine.state();
  outcome.equilibria = engine.equilibria();
  outcome.held = engine.held();
  for (const auto& worker : workers) {
    outcome.equilibria += worker->equilibria();
    outcome.held += worker->held();
  }
  for (int p = 0; p < np && ok; ++p) {
    PlayerOutcome player;
    player.region = engine.spec(p).region;
    player.instruments = engine.instruments(p);
    player.chosen = engine.theta(p);
    player.income = incomes[p];
    player.objective_factual = factual_values[p];
    player.objective_threat = threat_values[p];
    std::vector<double> g;
    player.objective = engine.Value(p, {p}, &g);
    player.kkt_residual = ProjectedGradient(player.instruments, player.chosen, g, incomes[p],
                                            &player.at_lower, &player.at_upper);
    outcome.kkt_residual = std::max(outcome.kkt_residual, player.kkt_residual);
    outcome.players.push_back(std::move(player));
  }
  outcome.converged = ok && converged;
  if (game.concept_kind == Concept::kCooperative) {
    outcome.kkt_residual = outcome.cooperative_residual;
  }
  if (!ok) {
    if (outcome.message.empty()) outcome.message = engine.failure();
  } else if (!converged) {
    outcome.message = fmt::format("the largest KKT residual {:.3g} is above the tolerance {:.3g} "
                                  "after {} rounds", outcome.kkt_residual, game.tolerance,
                                  outcome.rounds);
  }
  int newton_steps = engine.newton_steps(), factorisations = engine.lu().factorisations();
  int solves = engine.lu().solves();
  outcome.full_solves = engine.full_solves();
  for (const auto& worker : workers) {
    newton_steps += worker->newton_steps();
    factorisations += worker->lu().factorisations();
    solves += worker->lu().solves();
    outcome.full_solves += worker->full_solves();
  }
  outcome.factorisations = factorisations;
  Progress(options, fmt::format("{:.2f} s CPU: {}, {} Newton steps, {} factorisations of the "
                                "Jacobian, {} solves with the factors",
                                static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC,
                                Effort(engine, workers), newton_steps, factorisations, solves));
  outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome;
}

}  // namespace ohlin::games
