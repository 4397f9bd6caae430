// `ohlin bench`: the default scenario, the real 44x16x3 WIOD world under us_china_2018
// (targets: solve < 0.5 s, process < 2 s), a 30x20x4 synthetic world and a GTAP-size 140x65x5
// one (the synthetic ones with +10 points of tariffs on every import), each solved by an
// `ohlin solve` child process with the decomposition on: its phases (load, calibrate, solve,
// decompose, write, from its summary.json), the whole process's wall and CPU time (on a loaded
// machine the wall time grows with the load, the CPU time hardly does) and its peak memory;
// and `ohlin import gtap` on a synthetic GTAP-size data base (141x65x8, written with the HAR
// writer). `--scaling` fits solve time ~ size^k over a ladder of 10 to 140 regions at 65
// sectors. Targets (2 cores): 140x65x5 whole process under 10 s and 1.5 GiB, the GTAP import
// under 3 s. Then sweeps (FORMATS.md "Sweeps"; `--sweeps`: only them): a 1,000-draw Monte
// Carlo over the default world's Armington elasticities (< 20 s on 2 cores), 1 against 2
// threads and 2 MPI ranks (>= 1.8x), warm against cold starts per point, and an order-3
// quadrature over the 16 elasticities of the real 44x16 world (32 solves, < 30 s), each with
// its CPU seconds. `--games`: the tariff games instead. A report for
// people, never a timed test.
#include <fmt/format.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <unistd.h>
#include <utility>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "calibration/errors.h"
#include "calibration/gtap_import.h"
#include "calibration/gtap_synth.h"
#include "calibration/har.h"
#include "calibration/synth.h"
#include "calibration/writer.h"
#include "games/game.h"
#include "games/solve_game.h"
#include "calibration/yaml_util.h"
#include "results/results.h"
#include "sweeps/runner.h"

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

// The options of a synthetic bench world (seed 1), checked against the loader's limits.
SynthOptions BenchWorld(int regions, int sectors, int factors) {
  SynthOptions synth;
  synth.regions = regions;
  synth.sectors = sectors;
  synth.factors = factors;
  synth.seed = 1;
  std::string why;
  if (!synth.IsValid(&why)) throw InputError(fmt::format("ohlin bench: {}", why));
  return synth;
}

// A synthetic world with +0.10 on every cross-border tariff.
BenchRun RunSynthetic(int regions, int sectors, int factors, const SolverOptions& options) {
  const SynthOptions synth = BenchWorld(regions, sectors, factors);
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

// A folder for the bench's files, removed at the end.
struct TemporaryFolder {
  std::filesystem::path path;
  TemporaryFolder()
      : path(std::filesystem::temp_directory_path() / fmt::format("ohlin-bench-{}", getpid())) {
    std::filesystem::create_directories(path);
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
};

// Writes a synthetic world (seed 1) and a scenario with +0.10 on every cross-border tariff;
// returns the scenario's path.
std::string WriteSyntheticScenario(int regions, int sectors, int factors,
                                   const std::filesystem::path& folder) {
  const SynthOptions synth = BenchWorld(regions, sectors, factors);
  const std::filesystem::path world = folder / fmt::format("{}x{}x{}", regions, sectors, factors);
  const std::string data_path = WriteBenchmark(Synthesize(synth), world.string());
  const std::filesystem::path scenario = world / "tariffs.yaml";
  std::ofstream out(scenario);
  out << fmt::format("ohlin: 1\nname: \"{}x{}x{} tariffs +0.10\"\ndata: {}\nshocks:\n"
                     "  - {{type: tariff, add: 0.10}}\n",
                     regions, sectors, factors, std::filesystem::path(data_path).filename().string());
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", scenario.string()));
  return scenario.string();
}

struct ProcessRun {
  int exit_status = -1;
  double wall_seconds = 0.0;
  double cpu_seconds = 0.0;  // user + system
  double peak_megabytes = 0.0;
  nlohmann::json summary;  // the child's summary.json (null when missing)
};

// `program` with `arguments` as a child process, its output discarded: wall and CPU time of it
// and the descendants it waited for, peak memory.
ProcessRun RunProcess(const std::string& program, const std::vector<std::string>& arguments) {
  ProcessRun run;
  std::vector<const char*> argv = {program.c_str()};
  for (const std::string& argument : arguments) argv.push_back(argument.c_str());
  argv.push_back(nullptr);
  std::cout.flush();
  const Clock::time_point start = Clock::now();
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("ohlin bench: cannot start a process");
  if (child == 0) {
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
    }
    execvp(program.c_str(), const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  run.wall_seconds = SecondsSince(start);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.peak_megabytes = static_cast<double>(usage.ru_maxrss) / 1024.0;
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  run.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  return run;
}

// `ohlin solve SCENARIO --out DIR --threads N` as a child process (this same executable),
// its output discarded: wall time, peak memory and summary.json.
ProcessRun RunSolveProcess(const std::string& scenario, const std::filesystem::path& out,
                           int threads) {
  ProcessRun run = RunProcess("/proc/self/exe", {"solve", scenario, "--out", out.string(),
                                                 "--threads", std::to_string(threads)});
  std::ifstream in(out / "summary.json");
  if (in) run.summary = nlohmann::json::parse(in, nullptr, false);
  return run;
}

void PrintCase(const std::string& label, const ProcessRun& run) {
  std::cout << fmt::format("\n{}\n", label);
  const nlohmann::json& s = run.summary;
  if (run.exit_status != 0 || !s.is_object()) {
    std::cout << fmt::format("  ohlin solve failed (exit status {})\n", run.exit_status);
    return;
  }
  std::cout << fmt::format("  status              {} ({})\n", s.value("status", "?"),
                           s.value("message", ""));
  std::cout << fmt::format("  unknowns            {}\n", s.value("unknowns", 0));
  std::cout << fmt::format("  Jacobian nonzeros   {}\n", s.value("jacobian_nonzeros", 0LL));
  std::cout << fmt::format("  iterations          {} ({} Krylov products)\n",
                           s.value("iterations", 0), s.value("krylov_products", 0));
  std::cout << fmt::format("  decomposition       {}\n", s.value("decomposition", "-"));
  if (s.contains("phase_seconds")) {
    for (const char* phase : {"load", "calibrate", "solve", "decompose", "write"}) {
      std::cout << fmt::format("  {:<19} {:9.3f} s\n", phase,
                               s["phase_seconds"].value(phase, 0.0));
    }
  }
  std::cout << fmt::format("  whole process       {:9.3f} s wall, {:.3f} s CPU\n", run.wall_seconds,
                           run.cpu_seconds);
  std::cout << fmt::format("  peak memory         {:9.1f} MB\n", run.peak_megabytes);
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
  const Benchmark data = Synthesize(BenchWorld(regions, sectors, factors));
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
  const double cpu_start = SelfCpuSeconds();
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
      "  game                {:9.3f} s wall, {:.3f} s CPU\n",
      nash ? "Nash, every region a player" : "best response of region 0", regions, sectors,
      factors, outcome.converged ? "converged" : "NOT converged",
      outcome.message.empty() ? "" : " (" + outcome.message + ")", game.players.size(),
      instruments, outcome.rounds, outcome.equilibria, outcome.kkt_residual, SecondsSince(start),
      SelfCpuSeconds() - cpu_start);
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
  const double cpu_start = SelfCpuSeconds();
  State state = prepared.model.BenchmarkState();
  SolverSummary summary;
  Solve(prepared.options, prepared.model, prepared.policy, &state, &summary);
  const double factual_seconds = SecondsSince(start);
  const Clock::time_point game_start = Clock::now();
  const double game_cpu_start = SelfCpuSeconds();
  games::GameOptions game_options;
  game_options.solver = prepared.options;
  game_options.solver.num_threads = options.num_threads;
  const games::GameOutcome outcome =
      games::SolveGame(game, prepared.model, prepared.policy, state, game_options);
  const double game_cpu = SelfCpuSeconds() - game_cpu_start;
  std::cout << fmt::format(
      "\ngame: {} ({})\n  status              {}\n  players             {}\n"
      "  rounds              {}\n  equilibria solved   {}\n  largest KKT resid.  {:.3g}\n"
      "  factual equilibrium {:9.3f} s wall\n  game                {:9.3f} s wall, {:.3f} s CPU\n"
      "  factual + game      {:9.3f} s wall, {:.3f} s CPU\n",
      prepared.scenario.name, path, outcome.converged ? "converged" : "NOT converged",
      outcome.players.size(), outcome.rounds, outcome.equilibria, outcome.kkt_residual,
      factual_seconds, SecondsSince(game_start), game_cpu, SecondsSince(start),
      SelfCpuSeconds() - cpu_start);
  std::cout.flush();
}

// CPU seconds of the last TimeSweep: on a shared machine the wall time measures the load too.
double last_cpu_seconds = 0.0;

// Wall seconds of `ohlin sweep` or `ohlin sensitivity` of `yaml` (written to `dir`).
double TimeSweep(const std::filesystem::path& dir, const std::string& name,
                 const std::string& yaml, int threads, bool cold, bool sweep) {
  const std::filesystem::path file = dir / (name + ".yaml");
  WriteFileAtomically(file.string(), yaml);
  SweepArguments arguments;
  arguments.path = file.string();
  arguments.out_dir = (dir / name).string();
  arguments.threads = threads;
  arguments.cold_starts = cold;
  // The command's own report is not the bench's.
  std::ostringstream discard;
  std::streambuf* const terminal = std::cout.rdbuf(discard.rdbuf());
  const Clock::time_point start = Clock::now();
  const double cpu_start = SelfCpuSeconds();
  int status = kBadInput;
  try {
    status = sweep ? RunSweep(arguments) : RunSensitivity(arguments);
  } catch (...) {
    std::cout.rdbuf(terminal);
    throw;
  }
  const double seconds = SecondsSince(start);
  last_cpu_seconds = SelfCpuSeconds() - cpu_start;
  std::cout.rdbuf(terminal);
  if (status != kSuccess) throw std::runtime_error("ohlin bench: a sweep failed");
  return seconds;
}

// Mean seconds and iterations per point of a finished sweep (its timings.csv, points.csv).
std::pair<double, double> PerPoint(const std::filesystem::path& out) {
  std::ifstream timings(out / "timings.csv"), points(out / "points.csv");
  std::string line;
  double seconds = 0.0, iterations = 0.0;
  int count = 0;
  std::getline(timings, line);
  while (std::getline(timings, line)) {
    seconds += std::stod(line.substr(line.find(',') + 1));
    ++count;
  }
  std::getline(points, line);
  while (std::getline(points, line)) {
    // ...,status,iterations,start,reason: iterations is the 3rd field from the end.
    std::size_t end = line.size();
    for (int k = 0; k < 2; ++k) end = line.rfind(',', end - 1);
    const std::size_t begin = line.rfind(',', end - 1) + 1;
    iterations += std::stod(line.substr(begin, end - begin));
  }
  return {seconds / count, iterations / count};
}

// The 1-minute load average (0 when unknown).
double LoadAverage() {
  double load[1] = {0.0};
  return getloadavg(load, 1) == 1 ? load[0] : 0.0;
}

// The 1,000-draw Monte Carlo (dir/mc1000.yaml) over 2 MPI ranks of one thread each, when this
// build has MPI and mpirun is on the PATH; `one`: the wall seconds of 1 thread.
void RunMpiBench(const std::filesystem::path& dir, const std::string& executable_path,
                 double one) {
  if (!sweeps::HaveMpi()) {
    std::cout << "  2 MPI ranks: this build has no MPI\n";
    return;
  }
  std::error_code error;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", error).string();
  const ProcessRun run = RunProcess(
      "mpirun", {"-np", "2", "--oversubscribe", "--allow-run-as-root", error ? executable_path : exe,
                 "sensitivity", (dir / "mc1000.yaml").string(), "--out",
                 (dir / "mc1000-mpi").string(), "--threads", "1"});
  if (run.exit_status != 0) {
    std::cout << fmt::format("  2 MPI ranks: mpirun failed (exit status {}; is it on the PATH?)\n",
                             run.exit_status);
    return;
  }
  std::cout << fmt::format("  Monte Carlo, 1,000 draws, 2 MPI ranks of 1 thread (mpirun): {:.2f} s "
                           "(CPU {:.2f} s, with mpirun's): speed-up {:.2f} (target >= 1.8)\n",
                           run.wall_seconds, run.cpu_seconds, one / run.wall_seconds);
}

// Sweeps on the default world's tariff war (FORMATS.md "Sweeps"): a 1,000-draw Monte Carlo
// over the Armington elasticities (target < 20 s on 2 cores), 1 against 2 threads, warm
// against cold starts.
void RunSweepBench(const PreparedScenario& prepared, const std::string& executable_path,
                   int threads) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("ohlin-bench-sweeps-{}", getpid());
  fs::create_directories(dir);
  const std::string head = fmt::format(
      "ohlin: 1\nname: bench\ndata: {}\nshocks:\n"
      "  - {{type: tariff, importer: USA, exporter: CHN, sectors: [MAN, HIT], add: 0.25}}\n"
      "  - {{type: tariff, importer: CHN, exporter: USA, sectors: [AGR, MIN, MAN, HIT], add: "
      "0.25}}\n",
      fs::absolute(prepared.scenario.data_path).string());
  const std::string sigma =
      "  parameters:\n    - {name: sigma_A, elasticity: armington, by_sector: true, "
      "distribution: uniform, relative: 0.5}\n";
  std::cout << "\nSweeps (default world, US-China tariff war)\n";
  auto mc = [&](int draws) {
    return head + "sensitivity:\n  method: monte_carlo\n  draws: " + std::to_string(draws) +
           "\n" + sigma;
  };
  const std::string mc1000 = mc(1000);
  const double mc_seconds = TimeSweep(dir, "mc1000", mc1000, threads, false, false);
  const double mc_cpu = last_cpu_seconds;
  std::cout << fmt::format("  Monte Carlo, 1,000 draws, {} Armington elasticities, {} threads: "
                           "{:.2f} s (CPU {:.2f} s; target < 20 s on 2 cores)\n",
                           prepared.data.num_sectors(), threads, mc_seconds, mc_cpu);
  // 1 against 2 threads (and 2 MPI ranks) on the same 1,000 draws: enough work for a stable
  // ratio. On a shared machine the wall ratio measures the load too; the CPU ratio says
  // whether the second thread duplicates work (1.00: none).
  const double load = LoadAverage();
  const double one = TimeSweep(dir, "mc1000-1", mc1000, 1, false, false);
  const double one_cpu = last_cpu_seconds;
  const double two = threads == 2 ? mc_seconds : TimeSweep(dir, "mc1000-2", mc1000, 2, false, false);
  const double two_cpu = threads == 2 ? mc_cpu : last_cpu_seconds;
  std::cout << fmt::format("  Monte Carlo, 1,000 draws: 1 thread {:.2f} s (CPU {:.2f} s), 2 threads "
                           "{:.2f} s (CPU {:.2f} s): speed-up {:.2f} (target >= 1.8), CPU 2/1 "
                           "{:.2f}; load average {:.2f} before, {:.2f} after\n",
                           one, one_cpu, two, two_cpu, one / two, two_cpu / one_cpu, load,
                           LoadAverage());
  RunMpiBench(dir, executable_path, one);
  const std::string grid = head +
                           "sweep:\n  parameters:\n    - {name: usa, shock: 1, grid: {from: 0, "
                           "to: 0.5, step: 0.025}}\n    - {name: chn, shock: 2, values: [0, "
                           "0.25, 0.5]}\n";
  // Each twice, the lesser CPU time kept: the whole command's CPU a point (on a loaded machine
  // the points' wall seconds measure the load).
  double warm_cpu = 1e300, cold_cpu = 1e300;
  for (int k = 0; k < 2; ++k) {
    TimeSweep(dir, "warm", grid, 1, false, true);
    warm_cpu = std::min(warm_cpu, last_cpu_seconds / 63.0);
    TimeSweep(dir, "cold", grid, 1, true, true);
    cold_cpu = std::min(cold_cpu, last_cpu_seconds / 63.0);
  }
  const auto [warm_seconds, warm_iterations] = PerPoint(dir / "warm");
  const auto [cold_seconds, cold_iterations] = PerPoint(dir / "cold");
  std::cout << fmt::format("  tariff grid, 63 points: warm starts {:.4f} s wall, {:.4f} s CPU and "
                           "{:.1f} iterations per point, cold {:.4f} s, {:.4f} s and {:.1f}: "
                           "speed-up {:.2f} per point (CPU {:.2f})\n",
                           warm_seconds, warm_cpu, warm_iterations, cold_seconds, cold_cpu,
                           cold_iterations, cold_seconds / warm_seconds, cold_cpu / warm_cpu);
  // The real 44 x 16 world (us_china_2018): an order-3 quadrature over the 16 sectors'
  // Armington elasticities is 32 solves (target < 30 s).
  const std::string real = FindScenario(executable_path, "us_china_2018.yaml");
  if (real.empty()) {
    std::cout << "  scenarios/us_china_2018.yaml not found: quadrature on the 44x16 world skipped\n";
  } else {
    std::ifstream in(real);
    std::string text, line;
    while (std::getline(in, line)) {
      if (line.rfind("data:", 0) == 0) {
        std::string relative = line.substr(5);
        relative.erase(0, relative.find_first_not_of(' '));
        line = "data: " + fs::absolute(input::ResolveBeside(real, relative)).string();
      }
      text += line + "\n";
    }
    const double q_seconds =
        TimeSweep(dir, "q44", text + "sensitivity:\n  method: quadrature\n" + sigma, threads,
                  false, false);
    std::cout << fmt::format("  quadrature, real 44x16x3 world (us_china_2018), 16 Armington "
                             "elasticities (32 solves), {} threads: {:.2f} s (CPU {:.2f} s; "
                             "target < 30 s)\n",
                             threads, q_seconds, last_cpu_seconds);
  }
  std::error_code error;
  fs::remove_all(dir, error);
}

}  // namespace

// The middle of `values` (the mean of the two middle ones for an even count).
double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n == 0 ? 0.0 : n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// `--cases DIR`: the peer-comparison cases that tools/bench_cases.py writes into DIR, each
// solved `runs` times as child processes in turn (decomposition on, `threads` threads, written
// whole, as `ohlin solve` does by default): the EU enlargement
// (target < 40 ms) and Caliendo-Parro's purge and NAFTA, two processes (target < 0.5 s
// together). Least and median of the whole processes' wall and CPU seconds, the least of each
// phase from summary.json, and the load average while they ran.
void RunPeerCases(const std::filesystem::path& dir, int runs, int threads,
                  const std::filesystem::path& scratch) {
  struct Case {
    std::string label;
    std::vector<std::string> files;  // solved one after another: one round
    double target_seconds;
  };
  const std::vector<Case> cases = {
      {"EU enlargement (44 economies, one sector, 572 shocks)", {"eu/enlargement.yaml"}, 0.040},
      {"Caliendo-Parro purge + NAFTA (two processes)", {"cp/purge.yaml", "cp/nafta.yaml"}, 0.5}};
  for (const Case& c : cases) {
    for (const std::string& file : c.files) {
      if (!std::filesystem::is_regular_file(dir / file)) {
        throw InputError(fmt::format(
            "ohlin bench --cases: {} not found (write the cases with tools/bench_cases.py {})",
            (dir / file).string(), dir.string()));
      }
    }
  }
  std::cout << fmt::format("\npeer cases from {}, {} runs each in turn\n", dir.string(), runs);
  std::vector<std::vector<double>> wall(cases.size()), cpu(cases.size());
  std::vector<std::map<std::string, double>> least_phase(cases.size());
  double load_low = LoadAverage(), load_high = load_low;
  for (int round = 0; round < runs; ++round) {
    for (std::size_t k = 0; k < cases.size(); ++k) {
      double round_wall = 0.0, round_cpu = 0.0;
      for (const std::string& file : cases[k].files) {
        const std::string stem = std::filesystem::path(file).stem().string();
        const ProcessRun run =
            RunSolveProcess((dir / file).string(), scratch / fmt::format("case-{}", stem), threads);
        if (run.exit_status != 0) {
          throw std::runtime_error(fmt::format(
              "ohlin bench --cases: ohlin solve {} failed (exit status {})",
              (dir / file).string(), run.exit_status));
        }
        round_wall += run.wall_seconds;
        round_cpu += run.cpu_seconds;
        if (run.summary.is_object() && run.summary.contains("phase_seconds")) {
          for (const auto& [phase, seconds] : run.summary["phase_seconds"].items()) {
            const std::string key = fmt::format("{} {}", stem, phase);
            const double value = seconds.get<double>();
            const auto found = least_phase[k].find(key);
            if (found == least_phase[k].end() || value < found->second) least_phase[k][key] = value;
          }
        }
      }
      wall[k].push_back(round_wall);
      cpu[k].push_back(round_cpu);
    }
    load_low = std::min(load_low, LoadAverage());
    load_high = std::max(load_high, LoadAverage());
  }
  for (std::size_t k = 0; k < cases.size(); ++k) {
    std::cout << fmt::format("\n{} (target < {:.3f} s)\n", cases[k].label,
                             cases[k].target_seconds);
    for (const auto& [key, seconds] : least_phase[k]) {
      std::cout << fmt::format("  {:<21} {:9.4f} s least\n", key, seconds);
    }
    std::cout << fmt::format("  whole, wall           {:9.4f} s least, {:.4f} s median\n",
                             *std::min_element(wall[k].begin(), wall[k].end()), Median(wall[k]));
    std::cout << fmt::format("  whole, CPU            {:9.4f} s least, {:.4f} s median\n",
                             *std::min_element(cpu[k].begin(), cpu[k].end()), Median(cpu[k]));
  }
  std::cout << fmt::format("\n1-minute load average while they ran: {:.2f} to {:.2f}\n",
                           load_low, load_high);
}

int RunBench(const BenchArguments& arguments) {
  const Clock::time_point start = Clock::now();
  SolverOptions options;
  options.num_threads = arguments.threads > 0
                            ? arguments.threads
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::cout << fmt::format("threads: {}\n", options.num_threads);
  const TemporaryFolder scratch;

  if (arguments.games) {
    // Targets: Nash 7x33 one factor under 20 s (Ossa 2014: about 96 minutes); 44x16 (the
    // real world's size) best response under 5 s and Nash under 5 minutes.
    // Nash rounds run the players' best responses on the threads (Jacobi); a best response is
    // single-threaded.
    RunGame(7, 33, 1, true, options);
    RunGame(44, 16, 3, false, options);
    RunShippedGame(FindScenario(arguments.executable_path, "game_wiod_us_optimal.yaml"), options);
    if (arguments.scaling) {
      RunGame(44, 16, 3, true, options);
      RunShippedGame(FindScenario(arguments.executable_path, "game_wiod_tariff_war.yaml"),
                     options);
    }
    std::cout << fmt::format("\ntotal wall time {:.3f} s, peak memory {:.1f} MB\n",
                             SecondsSince(start), PeakMemoryMegabytes());
    return kSuccess;
  }
  if (!arguments.cases_dir.empty()) {
    // As a user runs them: `ohlin solve`'s own default (one thread) unless --threads is given.
    const int threads = arguments.threads > 0 ? arguments.threads : 1;
    std::cout << fmt::format("peer cases: {} thread(s) per solve (ohlin solve's default: 1)\n",
                             threads);
    RunPeerCases(arguments.cases_dir, arguments.runs, threads, scratch.path);
    std::cout << fmt::format("\ntotal wall time {:.3f} s\n", SecondsSince(start));
    return kSuccess;
  }
  if (arguments.sweeps) {
    const std::string default_path = FindScenario(arguments.executable_path, "default.yaml");
    if (default_path.empty()) throw std::runtime_error("ohlin bench: scenarios/default.yaml not found");
    RunSweepBench(PrepareScenario(default_path, options.num_threads, false),
                  arguments.executable_path, options.num_threads);
    std::cout << fmt::format("\ntotal wall time {:.3f} s\n", SecondsSince(start));
    return kSuccess;
  }
  for (const auto& [file, label] :
       {std::pair<std::string, std::string>{"default.yaml", "default scenario"},
        {"us_china_2018.yaml", "real world (44x16x3, 3 households per region)"}}) {
    const std::string path = FindScenario(arguments.executable_path, file);
    if (path.empty()) {
      std::cout << fmt::format("\nscenarios/{} not found (tried ./scenarios and <exe "
                               "dir>/../scenarios): skipped\n",
                               file);
      continue;
    }
    PrintCase(fmt::format("{} ({})", label, path),
              RunSolveProcess(path, scratch.path / file, options.num_threads));
  }
  for (const auto& [regions, sectors, factors] : {std::array<int, 3>{30, 20, 4},
                                                  std::array<int, 3>{140, 65, 5}}) {
    const std::string scenario = WriteSyntheticScenario(regions, sectors, factors, scratch.path);
    const std::string label = fmt::format("{}x{}x{}", regions, sectors, factors);
    PrintCase(fmt::format("synthetic {} (seed 1), every tariff +0.10", label),
              RunSolveProcess(scenario, scratch.path / (label + "-results"), options.num_threads));
  }
  if (arguments.scaling) RunScaling(options);
  RunGtapImport();
  const std::string default_path = FindScenario(arguments.executable_path, "default.yaml");
  if (!default_path.empty()) {
    RunSweepBench(PrepareScenario(default_path, options.num_threads, false),
                  arguments.executable_path, options.num_threads);
  }
  std::cout << fmt::format("\ntotal wall time {:.3f} s\n", SecondsSince(start));
  return kSuccess;
}

}  // namespace ohlin::app
