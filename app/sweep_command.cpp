// `ohlin sweep FILE` and `ohlin sensitivity FILE` (FORMATS.md "Sweeps", "Sensitivity
// analysis"): many solves of one scenario, each point changed by the file's `sweep:` or
// `sensitivity:` section, in parallel (sweeps/runner.h). Every input is checked before anything
// is solved or written; only rank 0 writes.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/commands.h"
#include "calibration/errors.h"
#include "calibration/yaml_util.h"
#include "results/files.h"
#include "results/results.h"
#include "sweeps/derivatives.h"
#include "sweeps/parallel.h"
#include "sweeps/runner.h"
#include "sweeps/sampling.h"
#include "sweeps/spec.h"
#include "sweeps/tables.h"

namespace ohlin::app {
namespace {

using sweeps::Alternative;
using sweeps::PointOutcome;
using sweeps::Target;
using Clock = std::chrono::steady_clock;

// One change of a point: a target and its value.
using Setting = std::pair<Target, Alternative>;

// The scenario and benchmark a point starts from, by data file ("" for the scenario's own).
struct Bases {
  std::string path;
  PreparedScenario base;
  std::map<std::string, std::pair<Scenario, Benchmark>> others;
  const std::pair<Scenario, Benchmark>* Find(const std::vector<Setting>& settings) const {
    for (const Setting& setting : settings) {
      if (setting.first.kind == sweeps::TargetKind::kData) {
        return &others.at(setting.second.data_path);
      }
    }
    return nullptr;
  }
};

// The world of a point: the scenario (or its data file's) with the point's settings.
std::unique_ptr<sweeps::PointModel> BuildSettings(const Bases& bases,
                                                  const std::vector<Setting>& settings) {
  const auto* other = bases.Find(settings);
  Scenario scenario = other ? other->first : bases.base.scenario;
  Benchmark data = other ? other->second : bases.base.data;
  for (const Setting& setting : settings) {
    sweeps::ApplyAlternative(setting.first, setting.second, &scenario, &data);
  }
  Policy policy = ApplyShocks(data, scenario.shocks);
  Model model = Model::Calibrate(data, ToModelNumeraire(scenario.numeraire, data),
                                 ToModelRedistribution(scenario, data), policy.quotas);
  return std::make_unique<sweeps::PointModel>(
      sweeps::PointModel{std::move(data), std::move(policy), std::move(model)});
}

// Solves one point from `start` (or the benchmark): never throws.
PointOutcome SolveSettings(const Bases& bases, const std::vector<Setting>& settings,
                           const PointOutcome* start) {
  PointOutcome result;
  const Clock::time_point begin = Clock::now();
  try {
    const std::unique_ptr<sweeps::PointModel> point = BuildSettings(bases, settings);
    const Benchmark& data = point->data;
    const Policy& policy = point->policy;
    const Model& model = point->model;
    SolverOptions options = bases.base.options;
    options.num_threads = 1;
    options.verbose = false;
    State state = start != nullptr && static_cast<int>(start->state.size()) == model.num_variables()
                      ? start->state
                      : model.BenchmarkState();
    SolverSummary summary;
    Solve(options, model, policy, &state, &summary);
    result.iterations = summary.iterations;
    if (!summary.IsConverged()) {
      result.reason = FailureReason(summary);
    } else {
      const Outcome outcome = model.ComputeOutcome(policy, state);
      if (OutcomeIsFinite(outcome, &result.reason)) {
        result.converged = true;
        result.state = state;
        result.tables = ResultTables(data, outcome);
      }
    }
  } catch (const std::exception& error) {
    result.converged = false;
    result.reason = error.what();
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  return result;
}

// FNV-1a over the scenario file and its data file: a journal belongs to this input.
std::string Fingerprint(const Bases& bases, const std::string& extra) {
  std::uint64_t hash = 1469598103934665603ULL;
  auto add = [&hash](const std::string& text) {
    for (const unsigned char c : text) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  add(input::ReadTextFile(bases.path));
  add(input::ReadTextFile(bases.base.scenario.data_path));
  for (const auto& [path, other] : bases.others) add(input::ReadTextFile(other.first.data_path));
  add(extra);
  return fmt::format("{:016x}", hash);
}

void LoadBases(const std::string& path, Bases* bases) {
  bases->path = path;
  bases->base = PrepareScenario(path, 1, false);
}

// The files a sweep or sensitivity run reads: its result folder must not hold them.
std::vector<std::string> Inputs(const Bases& bases) {
  std::vector<std::string> inputs = {bases.path, bases.base.scenario.data_path};
  for (const auto& [path, other] : bases.others) inputs.push_back(other.first.data_path);
  return inputs;
}

// The result folder replaced whole (results/files.h) by `tables`, summary.json (with `files`,
// the manifest: what a later run may replace) and the journal of this run.
void WriteFolder(const std::string& dir, sweeps::Tables tables, nlohmann::ordered_json summary) {
  std::vector<std::string> files;
  for (const auto& table : tables) files.push_back(table.first);
  files.push_back("summary.json");
  files.push_back(sweeps::kJournalName);
  summary["files"] = files;
  tables.emplace_back("summary.json", summary.dump(2) + "\n");
  ReplaceFolder(dir, tables, {sweeps::kJournalName});
}

int Finish(const std::string& dir, const std::vector<PointOutcome>& outcomes,
           const std::string& what) {
  int failed = 0;
  for (const PointOutcome& o : outcomes) failed += o.converged ? 0 : 1;
  const int total = static_cast<int>(outcomes.size());
  std::cout << fmt::format("{}: {} points, {} converged, {} failed{}\nResults written to {}/\n",
                           what, total, total - failed, failed,
                           failed > 0 ? " (points.csv says why)" : "", dir);
  if (failed == total) {
    std::cerr << "ohlin: no point converged: points.csv lists each failure\n";
    return kNoEquilibrium;
  }
  return kSuccess;
}

// The households' EV % from welfare.csv's statistics, for the terminal.
void PrintWelfareStatistics(const sweeps::Tables& tables, bool quadrature) {
  for (const auto& [name, csv] : tables) {
    if (name != "welfare.csv") continue;
    std::cout << fmt::format("EV % by household: mean, sd and {}\n",
                             quadrature ? "Chebyshev bounds (>= 90%)" : "5% and 95% quantiles");
    std::cout << fmt::format("  {:8} {:12} {:>9} {:>9} {:>9} {:>9}\n", "region", "household",
                             "mean", "sd", "low", "high");
    std::istringstream in(csv);
    std::string line;
    while (std::getline(in, line)) {
      const std::vector<std::string> f = sweeps::SplitCsvLine(line);
      if (f.size() < 8 || f[2] != "ev_pct") continue;
      std::cout << fmt::format("  {:8} {:12} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f}\n", f[0], f[1],
                               std::stod(f[3]), std::stod(f[4]), std::stod(f[5]),
                               std::stod(f[6]));
    }
  }
}

// Threads for the statistics on rank 0: under MPI the other ranks have finished and left
// their cores idle, so as many threads as ranks × threads, up to the cores.
int StatisticsThreads(int threads) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return std::max(threads, std::min(cores, threads * sweeps::WorldSize()));
}

sweeps::RunOptions MakeRunOptions(const SweepArguments& arguments, const std::string& dir,
                                  const std::string& fingerprint) {
  sweeps::RunOptions options;
  options.threads = arguments.threads;
  options.journal_path = (std::filesystem::path(dir) / sweeps::kJournalName).string();
  options.resume = arguments.resume;
  options.fingerprint = fingerprint;
  options.progress = isatty(STDERR_FILENO) != 0;
  return options;
}

}  // namespace

int RunSweep(const SweepArguments& arguments) {
  sweeps::MpiSession mpi;
  Bases bases;
  LoadBases(arguments.path, &bases);
  const sweeps::Sweep sweep =
      sweeps::LoadSweep(arguments.path, bases.base.scenario, bases.base.data);
  std::vector<std::string> names;
  for (const sweeps::SweepParameter& parameter : sweep.parameters) {
    names.push_back(parameter.name);
    if (parameter.target.kind != sweeps::TargetKind::kData) continue;
    for (const Alternative& alternative : parameter.values) {
      auto& other = bases.others[alternative.data_path];
      other.first = LoadScenario(arguments.path, &other.second, alternative.data_path);
    }
  }
  const std::string dir = arguments.out_dir.empty()
                              ? DefaultOutDir(bases.base.scenario, "-sweep")
                              : arguments.out_dir;
  // Warm starts: numeric coordinates scaled by their range; points share a family (the same
  // model structure) when they have the same rule and data file.
  sweeps::RunPlan plan;
  std::vector<std::vector<std::string>> labels;
  std::vector<std::vector<Setting>> settings;
  for (const std::vector<int>& point : sweep.points) {
    std::vector<double> coordinates;
    std::vector<std::string> point_labels;
    std::vector<Setting> point_settings;
    int family = 0;
    for (std::size_t k = 0; k < point.size(); ++k) {
      const sweeps::SweepParameter& parameter = sweep.parameters[k];
      const Alternative& value = parameter.values[static_cast<std::size_t>(point[k])];
      point_labels.push_back(value.label);
      point_settings.emplace_back(parameter.target, value);
      const auto kind = parameter.target.kind;
      if (kind == sweeps::TargetKind::kShock || kind == sweeps::TargetKind::kElasticity) {
        double low = value.number, high = value.number;
        for (const Alternative& a : parameter.values) {
          low = std::min(low, a.number);
          high = std::max(high, a.number);
        }
        coordinates.push_back(high > low ? (value.number - low) / (high - low) : 0.0);
      } else if (kind == sweeps::TargetKind::kElasticitySet) {
        coordinates.push_back(point[k]);
      } else {
        family = family * static_cast<int>(parameter.values.size()) + point[k];
      }
    }
    plan.coordinates.push_back(coordinates);
    plan.family.push_back(family);
    labels.push_back(point_labels);
    settings.push_back(point_settings);
  }
  if (arguments.cold_starts) {
    for (std::size_t p = 0; p < plan.family.size(); ++p) plan.family[p] = static_cast<int>(p);
  }
  // Never over a folder ohlin did not write, checked before anything is solved.
  CheckOutputFolder(dir, Inputs(bases));
  sweeps::Barrier();  // every rank checked the folder before rank 0 writes into it
  const std::vector<PointOutcome> outcomes = sweeps::RunPoints(
      plan, [&](int p, const PointOutcome* start) {
        return SolveSettings(bases, settings[static_cast<std::size_t>(p)], start);
      },
      MakeRunOptions(arguments, dir, Fingerprint(bases, "sweep")));
  if (sweeps::WorldRank() != 0) return kSuccess;
  sweeps::Tables tables = sweeps::LongTables(names, labels, outcomes);
  tables.emplace_back("points.csv", sweeps::PointsCsv(names, labels, {}, outcomes));
  tables.emplace_back("timings.csv", sweeps::TimingsCsv(outcomes));
  int converged = 0;
  for (const PointOutcome& o : outcomes) converged += o.converged ? 1 : 0;
  WriteFolder(dir, tables,
              {{"ohlin", 1},
               {"command", "sweep"},
               {"scenario", bases.base.scenario.name},
               {"parameters", names},
               {"points", outcomes.size()},
               {"converged", converged}});
  return Finish(dir, outcomes, fmt::format("Sweep '{}'", bases.base.scenario.name));
}

int RunSensitivity(const SweepArguments& arguments) {
  sweeps::MpiSession mpi;
  Bases bases;
  LoadBases(arguments.path, &bases);
  const sweeps::Sensitivity analysis =
      sweeps::LoadSensitivity(arguments.path, bases.base.scenario, bases.base.data);
  const sweeps::Sample sample = sweeps::MakeSample(analysis);
  const std::string dir = arguments.out_dir.empty()
                              ? DefaultOutDir(bases.base.scenario, "-sensitivity")
                              : arguments.out_dir;
  std::vector<std::string> names;
  for (const sweeps::UncertainComponent& c : analysis.components) names.push_back(c.name);
  sweeps::RunPlan plan;
  plan.coordinates = sample.mixed;
  plan.family.assign(sample.values.size(), 0);
  if (arguments.cold_starts) {
    for (std::size_t p = 0; p < plan.family.size(); ++p) plan.family[p] = static_cast<int>(p);
  }
  CheckOutputFolder(dir, Inputs(bases));
  sweeps::Barrier();  // every rank checked the folder before rank 0 writes into it
  std::vector<std::vector<std::string>> labels;
  for (const std::vector<double>& values : sample.values) {
    std::vector<std::string> point_labels;
    for (const double value : values) point_labels.push_back(fmt::format("{}", value));
    labels.push_back(point_labels);
  }
  auto settings_of = [&](const std::vector<double>& values) {
    std::vector<Setting> settings;
    for (std::size_t c = 0; c < analysis.components.size(); ++c) {
      Alternative value;
      value.number = values[c];
      settings.emplace_back(analysis.components[c].target, value);
    }
    return settings;
  };
  const std::vector<PointOutcome> outcomes = sweeps::RunPoints(
      plan, [&](int p, const PointOutcome* start) {
        return SolveSettings(bases, settings_of(sample.values[static_cast<std::size_t>(p)]),
                             start);
      },
      MakeRunOptions(arguments, dir, Fingerprint(bases, "sensitivity")));
  if (sweeps::WorldRank() != 0) return kSuccess;
  // Local derivatives at the central point (every component at its mean), times the sd.
  std::vector<double> central, scales;
  for (const sweeps::UncertainComponent& c : analysis.components) {
    central.push_back(c.base);
    scales.push_back(c.scale);
  }
  const sweeps::LocalDerivatives local = sweeps::Derivatives(
      [&](const std::vector<double>& values) { return BuildSettings(bases, settings_of(values)); },
      central, scales, bases.base.options);
  const bool quadrature = analysis.method == sweeps::SensitivityMethod::kQuadrature;
  sweeps::Tables tables = sweeps::StatisticsTables(
      outcomes, sample.weights, sample.values, names,
      quadrature ? sweeps::BoundKind::kChebyshev : sweeps::BoundKind::kQuantile,
      StatisticsThreads(arguments.threads), local.ok ? &local.cells : nullptr);
  tables.emplace_back("points.csv", sweeps::PointsCsv(names, labels, sample.weights, outcomes));
  tables.emplace_back("timings.csv", sweeps::TimingsCsv(outcomes));
  int converged = 0;
  for (const PointOutcome& o : outcomes) converged += o.converged ? 1 : 0;
  nlohmann::ordered_json summary = {
      {"ohlin", 1},
      {"command", "sensitivity"},
      {"scenario", bases.base.scenario.name},
      {"method", quadrature ? "quadrature (Stroud order 3, 2n points)" : "monte_carlo"},
      {"parameters", names},
      {"points", outcomes.size()},
      {"converged", converged},
      {"bounds", quadrature ? "Chebyshev: mean -/+ sqrt(10) sd holds at least 90%"
                            : "empirical 5% and 95% quantiles"},
      {"note", converged == static_cast<int>(outcomes.size())
                   ? "every point converged"
                   : fmt::format("the statistics rest on {} of {} points", converged,
                                 outcomes.size())}};
  if (!quadrature) summary["seed"] = analysis.seed;
  summary["derivatives"] = local.ok ? "at the central point, times each parameter's sd"
                                    : "not computed: " + local.reason;
  WriteFolder(dir, tables, summary);
  PrintWelfareStatistics(tables, quadrature);
  if (converged < static_cast<int>(outcomes.size())) {
    std::cerr << fmt::format("ohlin: warning: {} of {} points failed; the statistics rest on "
                             "the other {}\n",
                             outcomes.size() - static_cast<std::size_t>(converged),
                             outcomes.size(), converged);
  }
  return Finish(dir, outcomes, fmt::format("Sensitivity of '{}'", bases.base.scenario.name));
}

}  // namespace ohlin::app
