#include "sweeps/derivatives.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <utility>

#include "games/jacobian_lu.h"
#include "model/equilibrium.h"

namespace ohlin::sweeps {
namespace {

double Percent(double hat) { return 100.0 * (hat - 1.0); }

// names[i], or i when the outcome names an index the data does not have.
std::string NameOr(const std::vector<std::string>& names, int i) {
  return i >= 0 && static_cast<std::size_t>(i) < names.size() ? names[static_cast<std::size_t>(i)]
                                                              : fmt::format("{}", i);
}

// The cells of the point's world at its unknowns x.
std::map<std::string, double> CellsAt(const PointModel& point, const std::vector<double>& x) {
  return RankedCells(point.data, point.model.ComputeOutcome(point.policy, x));
}

// F(x) of the point's world; false when not evaluable there.
bool Residuals(const PointModel& point, const std::vector<double>& x, std::vector<double>* f) {
  const EquilibriumSystem system(point.model, point.policy, 1, /*with_jacobian=*/false);
  f->assign(static_cast<std::size_t>(system.num_rows()), 0.0);
  return system.Evaluate(x.data(), f->data(), nullptr);
}

}  // namespace

std::string CellId(const std::string& table, const std::string& key, const std::string& column) {
  std::string id = table;
  id.push_back('\x1f');
  id.append(key);
  id.push_back('\x1f');
  id.append(column);
  return id;
}

std::map<std::string, double> RankedCells(const Benchmark& data, const Outcome& outcome) {
  std::map<std::string, double> cells;
  for (const HouseholdOutcome& h : outcome.households) {
    const std::string key = NameOr(data.regions, h.region) + "/" + h.household;
    cells[CellId("welfare.csv", key, "population")] = h.population;
    cells[CellId("welfare.csv", key, "income_base")] = h.income_base;
    cells[CellId("welfare.csv", key, "income_new")] = h.income_new;
    cells[CellId("welfare.csv", key, "ev")] = h.ev;
    if (!(h.is_government && h.income_base == 0.0)) {
      cells[CellId("welfare.csv", key, "ev_pct")] = h.ev_pct;
    }
  }
  std::vector<std::string> factors;
  for (const auto& factor : data.factors) factors.push_back(factor.name);
  for (const FactorOutcome& f : outcome.factors) {
    const std::string key = NameOr(data.regions, f.region) + "/" + NameOr(factors, f.factor);
    cells[CellId("factors.csv", key, "price_pct")] = Percent(f.price_hat);
    cells[CellId("factors.csv", key, "real_price_pct")] = Percent(f.real_price_hat);
  }
  for (const SectorOutcome& s : outcome.sectors) {
    const std::string key = NameOr(data.regions, s.region) + "/" + NameOr(data.sectors, s.sector);
    if (s.has_output) {
      cells[CellId("sectors.csv", key, "price_pct")] = Percent(s.price_hat);
      cells[CellId("sectors.csv", key, "output_pct")] = Percent(s.output_hat);
    }
    if (s.has_exports) cells[CellId("sectors.csv", key, "exports_pct")] = Percent(s.exports_hat);
    if (s.has_imports) cells[CellId("sectors.csv", key, "imports_pct")] = Percent(s.imports_hat);
  }
  return cells;
}

bool Polish(const EquilibriumSystem& system, std::vector<double>* x, games::JacobianLu* lu) {
  std::vector<double> f(static_cast<std::size_t>(system.num_rows()));
  std::vector<double> jacobian(static_cast<std::size_t>(system.num_nonzeros()));
  for (int step = 0; step <= 2; ++step) {
    std::vector<double> dx;
    if (!system.Evaluate(x->data(), f.data(), jacobian.data()) ||
        !lu->Factorise(system, jacobian)) {
      return false;
    }
    if (step == 2 || !lu->Solve(f, &dx)) break;
    for (std::size_t i = 0; i < x->size(); ++i) (*x)[i] -= dx[i];
  }
  return true;
}

LocalDerivatives Derivatives(const BuildPoint& build, const std::vector<double>& central,
                             const std::vector<double>& scales, SolverOptions options) {
  LocalDerivatives result;
  try {
    const std::unique_ptr<PointModel> point = build(central);
    options.num_threads = 1;
    options.verbose = false;
    options.tolerance = std::min(options.tolerance, 1e-12);
    State x = point->model.BenchmarkState();
    SolverSummary summary;
    Solve(options, point->model, point->policy, &x, &summary);
    if (!summary.IsConverged()) {
      result.reason = "the central point did not solve";
      return result;
    }
    const EquilibriumSystem system(point->model, point->policy);
    games::JacobianLu lu;
    if (!Polish(system, &x, &lu)) {
      result.reason = "the Jacobian at the central point is singular or not evaluable";
      return result;
    }
    const std::size_t n = central.size();
    for (const auto& [id, value] : CellsAt(*point, x)) result.cells[id].assign(n, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      if (!(scales[k] > 0.0)) continue;
      const double h = 1e-4 * scales[k];
      std::vector<double> plus = central, minus = central;
      plus[k] += h;
      minus[k] -= h;
      const std::unique_ptr<PointModel> up = build(plus), down = build(minus);
      // dF/dtheta at fixed x, then dx/dtheta = -J^-1 dF/dtheta.
      std::vector<double> f_up, f_down, dx;
      if (!Residuals(*up, x, &f_up) || !Residuals(*down, x, &f_down)) {
        throw std::runtime_error("the residuals are not evaluable near the central point");
      }
      for (std::size_t i = 0; i < f_up.size(); ++i) f_up[i] = -(f_up[i] - f_down[i]) / (2.0 * h);
      if (!lu.Solve(f_up, &dx)) throw std::runtime_error("the tangent solve failed");
      // The results along the tangent (x + t dx, theta + t e_k), t = -/+ h.
      std::vector<double> x_up = x, x_down = x;
      for (std::size_t i = 0; i < x.size(); ++i) {
        x_up[i] += h * dx[i];
        x_down[i] -= h * dx[i];
      }
      const auto cells_up = CellsAt(*up, x_up), cells_down = CellsAt(*down, x_down);
      for (auto& [id, derivative] : result.cells) {
        const auto a = cells_up.find(id), b = cells_down.find(id);
        if (a == cells_up.end() || b == cells_down.end()) continue;
        derivative[k] = (a->second - b->second) / (2.0 * h) * scales[k];
      }
    }
    result.ok = true;
  } catch (const std::exception& error) {
    result.cells.clear();
    result.reason = error.what();
  }
  return result;
}

}  // namespace ohlin::sweeps
