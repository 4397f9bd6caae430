// `ohlin bench`: problem sizes, iterations, time per phase and peak memory for the default
// scenario, the real 44x16x3 WIOD world under us_china_2018 (also timed as whole `ohlin solve`
// processes; targets solve < 0.5 s, process < 2 s), a 30x20x4 synthetic world and a GTAP-size
// 140x65x5 one, each with +10 points of tariffs on every import; `--scaling` fits time ~ size^k
// over a ladder of 10 to 140 regions at 65 sectors; and `ohlin import gtap` on a synthetic
// GTAP-size data base (141x65x8, written with the HAR writer). Targets (this 2-core machine):
// 30x20x4 under 0.5 s, 140x65x5 under 10 s and 4 GiB, the GTAP import under 3 s. A report for
// people, never a timed test.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "calibration/errors.h"
#include "calibration/gtap_import.h"
#include "calibration/gtap_synth.h"
#include "calibration/har.h"
#include "calibration/synth.h"
#include "games/game.h"
#include "games/solve_game.h"

namespace ohlin::app {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double PeakMemoryMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

struct BenchRun {
  std::string label;
  int regions = 0;
  SolverSummary summary;
  double calibrate_seconds = 0.0;
  double solve_seconds = 0.0;
};

BenchRun SolveAndTime(const std::string& label, const Model& model, const Policy& policy,
                      const SolverOptions& options, double calibrate_seconds) {
  BenchRun run;
  run.label = label;
  run.regions = static_cast<int>(model.data().num_regions());
  run.calibrate_seconds = calibrate_seconds;
  State state = model.BenchmarkState();
  const Clock::time_point start = Clock::now();
  Solve(options, model, policy, &state, &run.summary);
  run.solve_seconds = SecondsSince(start);
  return run;
}

void PrintRun(const BenchRun& run) {
  const SolverSummary& summary = run.summary;
  std::cout << fmt::format("\n{}\n", run.label);
  std::cout << fmt::format("  status              {} ({})\n",
                           TerminationTypeToString(summary.termination_type), summary.message);
  std::cout << fmt::format("  unknowns            {}\n", summary.num_unknowns);
  std::cout << fmt::format("  Jacobian nonzeros   {}\n", summary.jacobian_nonzeros);
  std::cout << fmt::format("  method              {}\n", summary.method);
  std::cout << fmt::format("  iterations          {} ({} factorisations, {} Krylov products, "
                           "{} continuation stages)\n",
                           summary.iterations, summary.factorisations, summary.krylov_iterations,
                           summary.continuation_path.size());
  std::cout << fmt::format("  max residual        {:.3e}\n", summary.final_max_residual);
  std::cout << fmt::format("  read + calibrate    {:9.3f} s\n", run.calibrate_seconds);
  std::cout << fmt::format("  solver setup        {:9.3f} s\n", summary.setup_seconds);
  std::cout << fmt::format("  residual            {:9.3f} s\n", summary.residual_seconds);
  std::cout << fmt::format("  Jacobian            {:9.3f} s\n", summary.jacobian_seconds);
  std::cout << fmt::format("  linear solve        {:9.3f} s\n", summary.linear_solver_seconds);
  std::cout << fmt::format("  solve (wall)        {:9.3f} s\n", run.solve_seconds);
  std::cout << fmt::format("  peak memory so far  {:9.1f} MB\n", PeakMemoryMegabytes());
}

std::string FindScenario(const std::string& executable_path, const std::string& file) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates = {fs::path("scenarios") / file};
  std::error_code error;
  const fs::path executable = fs::canonical(fs::path(executable_path), error);
  if (!error) {
    candidates.push_back(executable.parent_path() / ".." / "scenarios" / file);
  }
  for (const fs::path& candidate : candidates) {
    if (fs::exists(candidate)) return candidate.lexically_normal().string();
  }
  return "";
}

// CPU seconds (user + system) of the child processes waited for so far.
double ChildCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct ProcessTime {
  double wall = -1.0;  // -1: the process failed
  double cpu = 0.0;
};

// Wall and CPU time of a whole `ohlin solve` process (read, calibrate, solve, write). On a
// loaded machine the wall time grows with the load; the CPU time hardly does.
ProcessTime TimeSolveProcess(const std::string& executable_path, const std::string& scenario,
                             const std::string& extra) {
  namespace fs = std::filesystem;
  const fs::path out = fs::temp_directory_path() /
                       fmt::format("ohlin-bench-{}", static_cast<long>(::getpid()));
  const std::string command = fmt::format("'{}' solve '{}' --out '{}' {} > /dev/null 2>&1",
                                          executable_path, scenario, out.string(), extra);
  const double cpu_before = ChildCpuSeconds();
  const Clock::time_point start = Clock::now();
  const int status = std::system(command.c_str());
  ProcessTime time;
  time.wall = status == 0 ? SecondsSince(start) : -1.0;
  time.cpu = ChildCpuSeconds() - cpu_before;
  std::error_code ignored;
  fs::remove_all(out, ignored);
  return time;
}

// The real 44x16x3 world with three households per region under a tariff scenario: the
// solve in process, then whole `ohlin solve` processes. Targets: solve < 0.5 s, process < 2 s.
void RunRealWorld(const std::string& executable_path, int threads) {
  const std::string path = FindScenario(executable_path, "us_china_2018.yaml");
  if (path.empty()) {
    std::cout << "\nscenarios/us_china_2018.yaml not found: skipped\n";
    return;
  }
  const Clock::time_point prepare_start = Clock::now();
  const PreparedScenario prepared = PrepareScenario(path, threads, false);
  PrintRun(SolveAndTime(fmt::format("real world: {} ({}, 44x16x3, 3 households per region)",
                                    prepared.scenario.name, path),
                        prepared.model, prepared.policy, prepared.options,
                        SecondsSince(prepare_start)));
  const ProcessTime plain = TimeSolveProcess(executable_path, path, "--no-decomposition");
  const ProcessTime full = TimeSolveProcess(executable_path, path, "");
  std::cout << fmt::format("  whole process       {:9.3f} s wall, {:.3f} s CPU (ohlin solve "
                           "--no-decomposition)\n", plain.wall, plain.cpu);
  std::cout << fmt::format("  whole process       {:9.3f} s wall, {:.3f} s CPU (ohlin solve, "
                           "with the EV decomposition)\n", full.wall, full.cpu);
}

// A synthetic world with +0.10 on every cross-border tariff.
BenchRun RunSynthetic(int regions, int sectors, int factors, const SolverOptions& options) {
  SynthOptions synth;
  synth.regions = regions;
  synth.sectors = sectors;
  synth.factors = factors;
  synth.seed = 1;
  std::string why;
  if (!synth.IsValid(&why)) throw InputError(fmt::format("ohlin bench: {}", why));
  const Benchmark data = Synthesize(synth);
  const Clock::time_point start = Clock::now();
  const Model model = Model::Calibrate(data);
  const double calibrate_seconds = SecondsSince(start);
  Policy policy = Policy::Benchmark(data);
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      for (std::size_t s = 0; s < data.num_regions(); ++s) {
        if (r != s) policy.tariffs(i, r, s) += 0.10;
      }
    }
  }
  return SolveAndTime(
      fmt::format("synthetic {}x{}x{} (seed 1), every tariff +0.10", regions, sectors, factors),
      model, policy, options, calibrate_seconds);
}

// Least-squares slope of log(y) on log(x).
double LogLogSlope(const std::vector<double>& x, const std::vector<double>& y) {
  double mean_x = 0.0, mean_y = 0.0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    mean_x += std::log(x[k]);
    mean_y += std::log(y[k]);
  }
  mean_x /= static_cast<double>(x.size());
  mean_y /= static_cast<double>(y.size());
  double covariance = 0.0, variance = 0.0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    covariance += (std::log(x[k]) - mean_x) * (std::log(y[k]) - mean_y);
    variance += (std::log(x[k]) - mean_x) * (std::log(x[k]) - mean_x);
  }
  return variance > 0.0 ? covariance / variance : 0.0;
}

void RunScaling(const SolverOptions& options) {
  std::cout << "\nScaling: synthetic worlds, 65 sectors, 5 factors, every tariff +0.10\n";
  std::cout << fmt::format("  {:>7} {:>9} {:>12} {:>10} {:>10} {:>10}\n", "regions", "unknowns",
                           "nonzeros", "iterations", "seconds", "status");
  std::vector<double> regions, unknowns, seconds;
  for (const int size : {10, 20, 40, 80, 140}) {
    const BenchRun run = RunSynthetic(size, 65, 5, options);
    const double total = run.calibrate_seconds + run.solve_seconds;
    std::cout << fmt::format("  {:>7} {:>9} {:>12} {:>10} {:>10.3f} {:>10}\n", size,
                             run.summary.num_unknowns, run.summary.jacobian_nonzeros,
                             run.summary.iterations, total,
                             TerminationTypeToString(run.summary.termination_type));
    std::cout.flush();
    if (total > 0.0 && run.summary.num_unknowns > 0) {
      regions.push_back(size);
      unknowns.push_back(run.summary.num_unknowns);
      seconds.push_back(total);
    }
  }
  if (seconds.size() >= 2) {
    std::cout << fmt::format("  time grows as regions^{:.2f}, or as unknowns^{:.2f}\n",
                             LogLogSlope(regions, seconds), LogLogSlope(unknowns, seconds));
  }
  std::cout << fmt::format("  peak memory {:.1f} MB\n", PeakMemoryMegabytes());
}

// CPU seconds (user + system) of this process so far.
double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Writes a 141x65x8 GTAP data base with the HAR writer and times `ohlin import gtap` on it
// (reading and converting, not writing the benchmark's files).
void RunGtapImport() {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("ohlin-bench-gtap-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const GtapSynthSize size;
  Clock::time_point start = Clock::now();
  const GtapArrays arrays = SynthesizeGtap(size);
  har::WriteHar((dir / "basedata.har").string(), arrays.basedata);
  har::WriteHar((dir / "sets.har").string(), arrays.sets);
  har::WriteHar((dir / "default.prm").string(), arrays.parameters);
  const double write_seconds = SecondsSince(start);
  start = Clock::now();
  const double cpu_before = SelfCpuSeconds();
  GtapImportReport report;
  const Benchmark data = ImportGtap(dir.string(), GtapImportOptions{}, &report);
  const double import_seconds = SecondsSince(start);
  const double import_cpu = SelfCpuSeconds() - cpu_before;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::cout << fmt::format(
      "\nGTAP import, synthetic {}x{}x{} data base (HAR writer)\n"
      "  written in          {:.3f} s\n"
      "  imported in         {:.3f} s wall, {:.3f} s CPU (target 3 s), largest balance "
      "adjustment {:.2e}\n",
      data.num_regions(), data.num_sectors(), data.num_factors(), write_seconds, import_seconds,
      import_cpu, report.balance.largest_adjustment);
}

// A tariff game on a synthetic world (its own benchmark tariffs as the factual): every region
// a player when `nash`, else region 0's best response; discriminatory tariffs, real income.
void RunGame(int regions, int sectors, int factors, bool nash, const SolverOptions& options) {
  SynthOptions synth;
  synth.regions = regions;
  synth.sectors = sectors;
  synth.factors = factors;
  synth.seed = 1;
  const Benchmark data = Synthesize(synth);
  const Model model = Model::Calibrate(data);
  const Policy policy = Policy::Benchmark(data);
  games::GameSpec game;
  game.concept_kind = nash ? games::Concept::kNash : games::Concept::kBestResponse;
  for (int r = 0; r < (nash ? regions : 1); ++r) {
    games::PlayerSpec player;
    player.region = r;
    player.objective.region = r;
    for (int s = 0; s < regions; ++s) {
      if (s != r) player.partners.push_back(s);
    }
    for (int i = 0; i < sectors; ++i) player.sectors.push_back(i);
    game.players.push_back(player);
  }
  const Clock::time_point start = Clock::now();
  State state = model.BenchmarkState();
  SolverSummary summary;
  Solve(options, model, policy, &state, &summary);
  games::GameOptions game_options;
  game_options.solver = options;
  const games::GameOutcome outcome = games::SolveGame(game, model, policy, state, game_options);
  std::size_t instruments = 0;
  for (const games::PlayerOutcome& player : outcome.players) instruments += player.chosen.size();
  std::cout << fmt::format(
      "\ngame: {} on synthetic {}x{}x{} (seed 1), discriminatory tariffs, real income\n"
      "  status              {}{}\n  players             {}\n  instruments         {}\n"
      "  rounds              {}\n  equilibria solved   {}\n  largest KKT resid.  {:.3g}\n"
      "  game (wall)         {:9.3f} s\n",
      nash ? "Nash, every region a player" : "best response of region 0", regions, sectors,
      factors, outcome.converged ? "converged" : "NOT converged",
      outcome.message.empty() ? "" : " (" + outcome.message + ")", game.players.size(),
      instruments, outcome.rounds, outcome.equilibria, outcome.kkt_residual, SecondsSince(start));
  std::cout.flush();
}

// A shipped game scenario (its own factual tariffs), timed from its factual equilibrium.
void RunShippedGame(const std::string& path, const SolverOptions& options) {
  if (path.empty()) {
    std::cout << "\ngame scenario not found: skipped\n";
    return;
  }
  const PreparedScenario prepared = PrepareScenario(path, options.num_threads, false);
  const games::GameSpec game = games::LoadGame(path, prepared.data);
  const Clock::time_point start = Clock::now();
  State state = prepared.model.BenchmarkState();
  SolverSummary summary;
  Solve(prepared.options, prepared.model, prepared.policy, &state, &summary);
  games::GameOptions game_options;
  game_options.solver = prepared.options;
  const games::GameOutcome outcome =
      games::SolveGame(game, prepared.model, prepared.policy, state, game_options);
  std::cout << fmt::format(
      "\ngame: {} ({})\n  status              {}\n  equilibria solved   {}\n"
      "  largest KKT resid.  {:.3g}\n  factual + game      {:9.3f} s\n",
      prepared.scenario.name, path, outcome.converged ? "converged" : "NOT converged",
      outcome.equilibria, outcome.kkt_residual, SecondsSince(start));
  std::cout.flush();
}

}  // namespace

int RunBench(const BenchArguments& arguments) {
  const Clock::time_point start = Clock::now();
  SolverOptions options;
  options.num_threads = arguments.threads > 0
                            ? arguments.threads
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::cout << fmt::format("threads: {}\n", options.num_threads);

  if (arguments.games) {
    // Targets: Nash 7x33 one factor under 20 s (Ossa 2014: about 96 minutes); 44x16 (the
    // real world's size) best response under 5 s and Nash under 5 minutes.
    options.num_threads = 1;
    RunGame(7, 33, 1, true, options);
    RunGame(44, 16, 3, false, options);
    RunShippedGame(FindScenario(arguments.executable_path, "game_wiod_us_optimal.yaml"), options);
    if (arguments.scaling) RunGame(44, 16, 3, true, options);
    std::cout << fmt::format("\ntotal wall time {:.3f} s, peak memory {:.1f} MB\n",
                             SecondsSince(start), PeakMemoryMegabytes());
    return kSuccess;
  }
  const std::string scenario_path = FindScenario(arguments.executable_path, "default.yaml");
  if (scenario_path.empty()) {
    std::cout << "default scenario not found (tried ./scenarios/default.yaml and "
                 "<exe dir>/../scenarios/default.yaml): skipped\n";
  } else {
    const Clock::time_point prepare_start = Clock::now();
    const PreparedScenario prepared = PrepareScenario(scenario_path, options.num_threads, false);
    PrintRun(SolveAndTime(
        fmt::format("default scenario: {} ({})", prepared.scenario.name, scenario_path),
        prepared.model, prepared.policy, prepared.options, SecondsSince(prepare_start)));
  }
  RunRealWorld(arguments.executable_path, options.num_threads);
  PrintRun(RunSynthetic(30, 20, 4, options));
  if (arguments.scaling) {
    RunScaling(options);  // ends with the 140x65x5 world
  } else {
    PrintRun(RunSynthetic(140, 65, 5, options));
  }
  RunGtapImport();
  std::cout << fmt::format("\ntotal wall time {:.3f} s, peak memory {:.1f} MB\n",
                           SecondsSince(start), PeakMemoryMegabytes());
  return kSuccess;
}

}  // namespace ohlin::app
