// The subcommands of `ohlin` (FORMATS.md "Command line"). Each returns the process exit
// status; InputError and other exceptions propagate to main, which maps them to statuses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "calibration/benchmark.h"
#include "model/model.h"
#include "model/policy.h"
#include "scenarios/scenario.h"
#include "solver/solver.h"

namespace ohlin::app {

// Exit statuses of FORMATS.md: never anything else.
enum ExitStatus : int { kSuccess = 0, kBadInput = 1, kNoEquilibrium = 2 };

struct SolveArguments {
  std::string scenario_path;
  std::string out_dir;  // empty: DefaultOutDir
  int threads = 1;      // results do not depend on it
  bool verbose = false;
  bool quiet = false;  // nothing on stdout, no notes on stderr (errors and warnings stay)
  bool json = false;   // summary.json (and the folder) on stdout instead of the summary
  std::string start_dir;  // non-empty: start from FILE, or DIR/state.csv, of an earlier solve
  std::string har_path;   // non-empty: also write the result tables as a HAR file
  bool decomposition = true;  // false: skip the EV decomposition (its path of solves)
  bool flow_tables = true;    // false: leave out trade.csv and ntb.csv (--no-flow-tables)
};

struct CheckArguments {
  std::string data_path;  // a benchmark, or a scenario (checked as a dry run)
  bool list = false;      // list the names of the world
  bool quiet = false;
  bool json = false;
};

struct SynthArguments {
  int regions = 3;
  int sectors = 3;
  int factors = 3;
  int households = 1;
  std::uint64_t seed = 1;
  std::string out_dir;
  bool quiet = false;
  bool json = false;
};

struct AggregateArguments {
  std::string data_path;
  std::string map_path;
  std::string out_dir;
};

struct BalanceArguments {
  std::string data_path;
  std::string out_dir;
  double tolerance = 0.05;          // largest relative adjustment allowed
  double report_threshold = 1e-4;   // adjustments at least this large are printed
};

struct ImportGtapArguments {
  std::string dir;                  // GTAP data base folder (basedata.har, sets.har, default.prm)
  std::string out_dir;
  double tolerance = 0.05;          // largest relative adjustment the balance step may make
  double report_threshold = 1e-4;   // balance adjustments at least this large are printed
};

struct ImportWiodArguments {
  std::string wiot_path;  // the world input-output table as published, exported to CSV
  std::string sea_path;   // the Socio-Economic Accounts, long format, CSV
  int year = 2014;
  std::string out_dir;
  double tolerance = 0.05;
  double report_threshold = 1e-4;
};

struct BenchArguments {
  bool scaling = false;
  bool games = false;  // time tariff games instead (with scaling: also Nash on 44x16)
  bool sweeps = false;  // only the sweeps and sensitivity analyses
  int threads = 0;  // 0: every core
  std::string executable_path;  // argv[0], to find scenarios/default.yaml
  std::string cases_dir;  // --cases: time only the peer cases of tools/bench_cases.py there
  int runs = 10;          // --runs: rounds of the peer cases
};

struct CompareArguments {
  std::string scenario_path;
  std::string rules;    // comma-separated rule names
  bool rules_given = false;  // --rules given (even empty); else the scenario's `compare:` list
  std::string out_dir;  // empty: DefaultOutDir(scenario, "-compare")
  int threads = 1;
  bool quiet = false;
  bool json = false;
};

// `ohlin sweep FILE` and `ohlin sensitivity FILE` (app/sweep_command.cpp).
struct SweepArguments {
  std::string path;
  std::string out_dir;  // empty: DefaultOutDir(scenario, "-sweep") (or "-sensitivity")
  int threads = 1;      // OpenMP threads over points (each solve single-threaded)
  bool resume = false;  // continue from OUT/journal.jsonl
  bool cold_starts = false;  // every point from the benchmark (no warm starts)
};

struct ReportArguments {
  std::string dir;       // a result folder of solve or compare
  std::string out_path;  // empty: DIR/report.html
  std::string svg_dir;   // non-empty: also each chart as DIR/<chart>.svg (headless Chromium)
};

struct GameArguments {
  std::string scenario_path;
  std::string out_dir;  // empty: DefaultOutDir(scenario, "")
  int threads = 1;
  bool verbose = false;
  bool decomposition = true;
};

int RunSolve(const SolveArguments& arguments);
int RunSweep(const SweepArguments& arguments);
int RunSensitivity(const SweepArguments& arguments);
int RunReport(const ReportArguments& arguments);
int RunGame(const GameArguments& arguments);
int RunCompare(const CompareArguments& arguments);
int RunCheck(const CheckArguments& arguments);
int RunSynth(const SynthArguments& arguments);
int RunBench(const BenchArguments& arguments);
int RunAggregate(const AggregateArguments& arguments);
int RunBalance(const BalanceArguments& arguments);
int RunImportGtap(const ImportGtapArguments& arguments);
int RunImportWiod(const ImportWiodArguments& arguments);

// A scenario read, validated and turned into a model, a policy and solver options: every
// input check happens here, before anything is written.
struct PreparedScenario {
  Benchmark data;
  Scenario scenario;
  Model model;
  Policy policy;
  SolverOptions options;
  double load_seconds = 0.0;       // reading and checking the scenario and its benchmark
  double calibrate_seconds = 0.0;  // applying the shocks and calibrating the model
};

// Throws InputError for any bad input, including solver settings that SolverOptions rejects.
PreparedScenario PrepareScenario(const std::string& scenario_path, int threads, bool verbose);

// Where results go without --out: kDefaultOutRoot/<safe scenario name><suffix>, or the
// scenario file's name when the scenario's name has no ASCII letter or digit. (Not
// `results/`, which in the repository is a source folder.)
inline constexpr const char* kDefaultOutRoot = "out";
std::string DefaultOutDir(const Scenario& scenario, const std::string& suffix);

// Throws InputError unless `--out` can take a result folder (results/results.h
// CheckOutputFolder) and --har names a writable file outside it that is not an input.
void CheckHarPath(const std::string& har, const std::vector<std::string>& inputs,
                  const std::string& out_dir);


// The model's numeraire for a scenario's choice, with its description.
Numeraire ToModelNumeraire(const NumeraireChoice& choice, const Benchmark& data);
// The model's redistribution rule for the scenario's (shares by household name checked).
Redistribution ToModelRedistribution(const Scenario& scenario, const Benchmark& data);

}  // namespace ohlin::app
