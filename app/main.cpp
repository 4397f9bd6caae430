// The `ohlin` command: solve, compare, report, check, synth, bench, aggregate, balance and import
// (FORMATS.md "Command line").
// Exit status: 0 success, 1 bad input or usage, 2 no equilibrium found; never a crash.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <new>
#include <vector>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <tuple>

#include "app/commands.h"
#include "calibration/errors.h"
#include "results/results.h"
#include "solver/blas_threads.h"

namespace {

using ohlin::app::kBadInput;

// --quiet and --json, for every command that prints.
void AddOutputFlags(CLI::App* command, bool* quiet, bool* json) {
  command->add_flag("--quiet", *quiet, "Print nothing but errors and warnings");
  command->add_flag("--json", *json, "Print the outcome as JSON on standard output");
}

// `ohlin solv x`: name the unknown command (CLI11 alone says "arguments not expected"), and
// the nearest command when one is close. Returns an exit status, or -1 to go on parsing.
int RefuseUnknownCommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return -1;
  const std::string given = argv[1];
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(command->get_name());
  if (std::find(names.begin(), names.end(), given) != names.end()) return -1;
  std::string nearest;
  for (const std::string& name : names) {
    if (name.rfind(given.substr(0, 3), 0) == 0 && given.size() >= 3) nearest = name;
  }
  std::cerr << fmt::format("ohlin: error: unknown command '{}' (commands: {}){}\n",
                           ohlin::ShortText(given), fmt::join(names, ", "),
                           nearest.empty() ? "" : fmt::format("; did you mean '{}'?", nearest));
  return kBadInput;
}

// Every echo of input between single quotes is cut to a few hundred characters, and the
// whole message to a few thousand: a 50 MB field is never printed.
std::string ShortenMessage(const std::string& message) {
  std::string text;
  std::size_t pos = 0;
  while (pos < message.size()) {
    const std::size_t open = message.find('\'', pos);
    const std::size_t close = open == std::string::npos ? open : message.find('\'', open + 1);
    if (close == std::string::npos) {
      text += message.substr(pos);
      break;
    }
    text += message.substr(pos, open + 1 - pos) +
            ohlin::ShortText(message.substr(open + 1, close - open - 1), 300) + "'";
    pos = close + 1;
  }
  return ohlin::ShortText(text, 4000);
}

std::string ExecutablePath(const char* argv0) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string(argv0) : self.string();
}

int Run(int argc, char** argv) {
  CLI::App app{
      "ohlin: who wins and who loses from trade policy, in every country.\n"
      "A Heckscher-Ohlin model with Armington trade and input-output links."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ohlin " OHLIN_VERSION);

  ohlin::app::SolveArguments solve_arguments;
  CLI::App* solve = app.add_subcommand("solve", "Solve a scenario and write its result files");
  solve->add_option("scenario", solve_arguments.scenario_path, "Scenario file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  solve->add_option("--out", solve_arguments.out_dir,
                    "Result folder, replaced whole (default: out/<scenario name>)");
  solve->add_option("--threads", solve_arguments.threads,
                    "Threads for the solver and the decomposition's path points (the results "
                    "do not depend on it)")
      ->check(CLI::Range(1, 1024));
  solve->add_flag("--verbose", solve_arguments.verbose, "Print the solver's progress");
  AddOutputFlags(solve, &solve_arguments.quiet, &solve_arguments.json);
  solve->add_option("--start", solve_arguments.start_dir,
                    "Start from FILE, or DIR/state.csv, of an earlier solve");
  solve->add_flag("!--no-decomposition", solve_arguments.decomposition,
                  "Skip the EV decomposition (decomposition.csv), which solves a path of "
                  "partial shocks");
  solve->add_option("--har", solve_arguments.har_path,
                    "Also write the result tables as a GEMPACK header-array file (ViewHAR)");
  solve->add_flag("!--no-flow-tables", solve_arguments.flow_tables,
                  "Leave out trade.csv and ntb.csv, the tables with a row per bilateral flow "
                  "(1.27 million at GTAP size)");

  ohlin::app::GameArguments game_arguments;
  CLI::App* game = app.add_subcommand(
      "game", "Find the tariffs governments choose (best response, Nash, cooperative) and "
              "write the results at them");
  game->add_option("scenario", game_arguments.scenario_path, "Scenario file with a game: section")
      ->required()
      ->check(CLI::ExistingFile);
  game->add_option("--out", game_arguments.out_dir,
                   "Result folder (default: out/<scenario name>)");
  game->add_option("--threads", game_arguments.threads, "Threads for the solver")
      ->check(CLI::Range(1, 1024));
  game->add_flag("--verbose", game_arguments.verbose, "Print the game's progress");
  game->add_flag("!--no-decomposition", game_arguments.decomposition,
                 "Skip the EV decomposition at the chosen tariffs");

  ohlin::app::CompareArguments compare_arguments;
  CLI::App* compare = app.add_subcommand(
      "compare", "Solve a scenario under several redistribution rules and write compare.csv");
  compare->add_option("scenario", compare_arguments.scenario_path, "Scenario file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  compare->add_option("--rules", compare_arguments.rules,
                      "Rules, comma-separated (default: the scenario's `compare:` list)");
  compare->add_option("--out", compare_arguments.out_dir,
                      "Result folder, replaced whole (default: out/<scenario name>-compare)");
  compare->add_option("--threads", compare_arguments.threads, "Threads for the solver")
      ->check(CLI::Range(1, 1024));
  AddOutputFlags(compare, &compare_arguments.quiet, &compare_arguments.json);

  ohlin::app::SweepArguments sweep_arguments;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Solve a scenario at every point of its `sweep:` section (long tables)");
  ohlin::app::SweepArguments sensitivity_arguments;
  CLI::App* sensitivity = app.add_subcommand(
      "sensitivity", "Mean, sd and bounds of every result over the `sensitivity:` section's "
                     "uncertain parameters");
  for (auto [command, arguments, suffix] :
       {std::tuple{sweep, &sweep_arguments, "sweep"},
        std::tuple{sensitivity, &sensitivity_arguments, "sensitivity"}}) {
    command->add_option("scenario", arguments->path, "Scenario file with the section (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--out", arguments->out_dir,
                        std::string("Result folder (default: out/<scenario name>-") + suffix +
                            ")");
    command->add_option("--threads", arguments->threads,
                        "Points solved at once (each solve single-threaded)")
        ->check(CLI::Range(1, 1024));
    command->add_flag("--resume", arguments->resume,
                      "Continue a killed run from OUT/journal.jsonl (finished points kept)");
    command->add_flag("--cold-starts", arguments->cold_starts,
                      "Start every point from the benchmark, not from its nearest solved point");
  }

  ohlin::app::ReportArguments report_arguments;
  CLI::App* report = app.add_subcommand(
      "report", "Write one self-contained HTML file of a result folder's charts and tables");
  report->add_option("dir", report_arguments.dir, "Result folder of `ohlin solve` or `compare`")
      ->required();
  report->add_option("--out", report_arguments.out_path, "HTML file (default: DIR/report.html)");
  report->add_option("--svg", report_arguments.svg_dir,
                     "Also write each chart as an SVG file into this folder (needs Chromium)");

  ohlin::app::CheckArguments check_arguments;
  CLI::App* check = app.add_subcommand(
      "check",
      "Check a benchmark (totals, deficits, identities, replication) or a scenario (a dry run)");
  check->add_option("file", check_arguments.data_path, "Benchmark or scenario file (YAML)")
      ->required();
  check->add_flag("--list", check_arguments.list,
                  "List the names: regions, sectors, factors, households, elasticities, deficits");
  AddOutputFlags(check, &check_arguments.quiet, &check_arguments.json);

  ohlin::app::SynthArguments synth_arguments;
  CLI::App* synth = app.add_subcommand("synth", "Write a generated, balanced benchmark");
  synth->add_option("--regions", synth_arguments.regions, "Number of regions")
      ->required()
      ->check(CLI::PositiveNumber);
  synth->add_option("--sectors", synth_arguments.sectors, "Number of sectors")
      ->required()
      ->check(CLI::PositiveNumber);
  synth->add_option("--factors", synth_arguments.factors, "Number of factors")
      ->required()
      ->check(CLI::PositiveNumber);
  synth->add_option("--households", synth_arguments.households, "Households per region")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  synth->add_option("--seed", synth_arguments.seed, "Random seed")->capture_default_str();
  synth->add_option("--out", synth_arguments.out_dir, "Folder for data.yaml and its tables")
      ->required();
  AddOutputFlags(synth, &synth_arguments.quiet, &synth_arguments.json);

  ohlin::app::AggregateArguments aggregate_arguments;
  CLI::App* aggregate = app.add_subcommand(
      "aggregate", "Group regions, sectors and factors of a benchmark by a mapping file");
  aggregate->add_option("data", aggregate_arguments.data_path, "Benchmark file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  aggregate->add_option("--map", aggregate_arguments.map_path,
                        "Mapping file: regions/sectors/factors: {GROUP: [member, ...]}")
      ->required()
      ->check(CLI::ExistingFile);
  aggregate->add_option("--out", aggregate_arguments.out_dir, "Folder for data.yaml and its tables")
      ->required();
  bool quiet = false;  // aggregate, balance, import: nothing on standard output
  aggregate->add_flag("--quiet", quiet, "Print nothing but errors and warnings");

  ohlin::app::BalanceArguments balance_arguments;
  CLI::App* balance = app.add_subcommand(
      "balance", "Restore the accounting identities by least squares on relative adjustments");
  balance->add_option("data", balance_arguments.data_path, "Benchmark file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  balance->add_option("--out", balance_arguments.out_dir, "Folder for data.yaml and its tables")
      ->required();
  balance->add_flag("--quiet", quiet, "Print nothing but errors and warnings");
  balance->add_option("--tolerance", balance_arguments.tolerance,
                      "Refuse when a relative adjustment exceeds this")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  balance->add_option("--report-threshold", balance_arguments.report_threshold,
                      "Print adjustments at least this large (relative)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  CLI::App* import = app.add_subcommand(
      "import", "Import a GTAP data base or the WIOD 2016 tables as a benchmark");
  import->require_subcommand(1);
  ohlin::app::ImportGtapArguments gtap_arguments;
  CLI::App* import_gtap = import->add_subcommand(
      "gtap", "GTAP data base in HAR files (v7-v9 or v10-v11 headers) -> benchmark");
  import_gtap->add_option("dir", gtap_arguments.dir,
                          "Folder with basedata.har, sets.har and default.prm")
      ->required()
      ->check(CLI::ExistingDirectory);
  import_gtap->add_option("--out", gtap_arguments.out_dir, "Folder for data.yaml and its tables")
      ->required();
  import_gtap->add_flag("--quiet", quiet, "Print nothing but errors and warnings");
  import_gtap->add_option("--tolerance", gtap_arguments.tolerance,
                          "Refuse when the balance step moves a value by more than this")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  import_gtap->add_option("--report-threshold", gtap_arguments.report_threshold,
                          "Print balance adjustments at least this large (relative)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  ohlin::app::ImportWiodArguments wiod_arguments;
  CLI::App* import_wiod = import->add_subcommand(
      "wiod", "WIOD 2016 world input-output table and Socio-Economic Accounts -> benchmark");
  import_wiod->add_option("wiot", wiod_arguments.wiot_path, "WIOT of one year, as CSV")
      ->required()
      ->check(CLI::ExistingFile);
  import_wiod->add_option("sea", wiod_arguments.sea_path, "Socio-Economic Accounts, long CSV")
      ->required()
      ->check(CLI::ExistingFile);
  import_wiod->add_option("--year", wiod_arguments.year, "Year of the SEA to use")->required();
  import_wiod->add_option("--out", wiod_arguments.out_dir, "Folder for data.yaml and its tables")
      ->required();
  import_wiod->add_flag("--quiet", quiet, "Print nothing but errors and warnings");
  import_wiod->add_option("--tolerance", wiod_arguments.tolerance,
                          "Refuse when the balance step moves a value by more than this")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  import_wiod->add_option("--report-threshold", wiod_arguments.report_threshold,
                          "Print balance adjustments at least this large (relative)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  ohlin::app::BenchArguments bench_arguments;
  CLI::App* bench =
      app.add_subcommand("bench", "Time the default scenario, a 30x20x4 and a 140x65x5 world");
  bench->add_flag("--scaling", bench_arguments.scaling,
                  "Also time a ladder of sizes and fit the growth exponent");
  bench->add_flag("--sweeps", bench_arguments.sweeps,
                  "Time only the sweeps: Monte Carlo on 1 and 2 threads and 2 MPI ranks, warm "
                  "starts, quadrature on 44x16");
  bench->add_flag("--games", bench_arguments.games,
                  "Time tariff games instead: Nash 7x33x1, a best response on 44x16x3 (with "
                  "--scaling also Nash on 44x16x3)");
  bench->add_option("--threads", bench_arguments.threads, "Threads for the solver (default: every core)")
      ->check(CLI::Range(1, 1024));
  bench->add_option("--cases", bench_arguments.cases_dir,
                    "Time only the peer cases that tools/bench_cases.py wrote into this folder "
                    "(EU enlargement; Caliendo-Parro purge + NAFTA), --runs times each");
  bench->add_option("--runs", bench_arguments.runs, "Rounds of the peer cases (default 10)")
      ->check(CLI::Range(1, 1000));

  app.add_subcommand("version", "Print the version");
  if (const int status = RefuseUnknownCommand(app, argc, argv); status >= 0) return status;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& error) {
    return app.exit(error);
  } catch (const CLI::CallForAllHelp& error) {
    return app.exit(error);
  } catch (const CLI::CallForVersion& error) {
    return app.exit(error);
  } catch (const CLI::ParseError& error) {
    // Usage errors in the voice of every other message.
    std::cerr << "ohlin: error: " << error.what() << "\n"
              << "Run 'ohlin --help' or 'ohlin COMMAND --help' for more information.\n";
    return kBadInput;
  }
  if (app.got_subcommand("version")) {
    std::cout << "ohlin " << OHLIN_VERSION << "\n";
    return ohlin::app::kSuccess;
  }
  if (quiet) std::cout.rdbuf(nullptr);  // a stream without a buffer drops what it is given
  if (compare->parsed()) compare_arguments.rules_given = compare->count("--rules") > 0;

  if (solve->parsed()) return ohlin::app::RunSolve(solve_arguments);
  if (game->parsed()) return ohlin::app::RunGame(game_arguments);
  if (compare->parsed()) return ohlin::app::RunCompare(compare_arguments);
  if (sweep->parsed()) return ohlin::app::RunSweep(sweep_arguments);
  if (sensitivity->parsed()) return ohlin::app::RunSensitivity(sensitivity_arguments);
  if (report->parsed()) return ohlin::app::RunReport(report_arguments);
  if (check->parsed()) return ohlin::app::RunCheck(check_arguments);
  if (synth->parsed()) return ohlin::app::RunSynth(synth_arguments);
  if (aggregate->parsed()) return ohlin::app::RunAggregate(aggregate_arguments);
  if (balance->parsed()) return ohlin::app::RunBalance(balance_arguments);
  if (import_gtap->parsed()) return ohlin::app::RunImportGtap(gtap_arguments);
  if (import_wiod->parsed()) return ohlin::app::RunImportWiod(wiod_arguments);
  if (bench->parsed()) {
    bench_arguments.executable_path = ExecutablePath(argv[0]);
    return ohlin::app::RunBench(bench_arguments);
  }
  std::cerr << app.help();
  return kBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  ohlin::StopBlasWorkerThreads();  // before any BLAS call (solver/blas_threads.h)
  try {
    return Run(argc, argv);
  } catch (const ohlin::InputError& error) {
    std::cerr << "ohlin: error: " << ShortenMessage(error.what()) << "\n";
  } catch (const std::runtime_error& error) {
    std::cerr << "ohlin: error: " << ShortenMessage(error.what()) << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << "ohlin: error: out of memory (the input is too large for this machine)\n";
  } catch (const std::exception& error) {
    std::cerr << "ohlin: internal error: " << ShortenMessage(error.what()) << "\n";
  } catch (...) {
    std::cerr << "ohlin: internal error: unknown exception\n";
  }
  return kBadInput;
}
