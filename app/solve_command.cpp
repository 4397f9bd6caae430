// `ohlin solve SCENARIO.yaml`: read, calibrate, shock, solve, write results.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <utility>
#include <vector>
#include <iostream>
#include <string>
#include <thread>

#include "app/commands.h"
#include "calibration/errors.h"
#include "calibration/yaml_util.h"
#include "results/har_results.h"
#include "results/results.h"
#include "solver/decomposition.h"

namespace ohlin::app {

Numeraire ToModelNumeraire(const NumeraireChoice& choice, const Benchmark& data) {
  Numeraire numeraire;
  numeraire.kind = choice.kind == NumeraireChoice::Kind::kFactorPrice
                       ? Numeraire::Kind::kFactorPrice
                       : Numeraire::Kind::kWorldFactorIncome;
  numeraire.region = choice.region;
  numeraire.factor = choice.factor;
  numeraire.description = choice.Describe(data);
  return numeraire;
}

// The scenario's redistribution rule as the model's (MODEL.md section 6). `shares` names
// households; in every region the shares of its households must sum to one.
Redistribution ToModelRedistribution(const Scenario& scenario, const Benchmark& data) {
  Redistribution redistribution;
  redistribution.description = RedistributionRuleToString(scenario.redistribution);
  switch (scenario.redistribution) {
    case RedistributionRule::kLumpSum:
      redistribution.rule = Redistribution::Rule::kLumpSum;
      return redistribution;
    case RedistributionRule::kProportional:
      redistribution.rule = Redistribution::Rule::kProportional;
      return redistribution;
    case RedistributionRule::kShares:
      break;
    case RedistributionRule::kNone:
      redistribution.rule = Redistribution::Rule::kNone;
      return redistribution;
    case RedistributionRule::kCompensate:
      redistribution.rule = Redistribution::Rule::kCompensate;
      return redistribution;
  }
  redistribution.rule = Redistribution::Rule::kShares;
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    std::vector<double> shares;
    double total = 0.0;
    for (const Household& household : data.households[r]) {
      double share = 0.0;
      for (const auto& [name, value] : scenario.redistribution_shares) {
        if (name == household.name) share = value;
      }
      shares.push_back(share);
      total += share;
    }
    if (std::abs(total - 1.0) > 1e-9) {
      throw InputError(fmt::format(
          "{}: redistribution: the shares of the households of {} sum to {}, not 1",
          scenario.path, data.regions[r], total));
    }
    redistribution.shares.push_back(shares);
  }
  return redistribution;
}

PreparedScenario PrepareScenario(const std::string& scenario_path, int threads, bool verbose) {
  PreparedScenario prepared;
  const auto start = std::chrono::steady_clock::now();
  prepared.scenario = LoadScenario(scenario_path, &prepared.data);
  const auto loaded = std::chrono::steady_clock::now();
  prepared.load_seconds = std::chrono::duration<double>(loaded - start).count();
  prepared.policy = ApplyShocks(prepared.data, prepared.scenario.shocks);
  // Quota flows get rent variables (MODEL.md section 4), so the model depends on them.
  prepared.model =
      Model::Calibrate(prepared.data, ToModelNumeraire(prepared.scenario.numeraire, prepared.data),
                       ToModelRedistribution(prepared.scenario, prepared.data),
                       prepared.policy.quotas);
  prepared.calibrate_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - loaded).count();
  prepared.options.tolerance = prepared.scenario.solver.tolerance;
  prepared.options.max_iterations = prepared.scenario.solver.max_iterations;
  StringToSolverMethod(prepared.scenario.solver.method, &prepared.options.method);
  prepared.options.num_threads = threads;
  prepared.options.verbose = verbose;
  std::string why;
  if (!prepared.options.IsValid(&why)) {
    throw InputError(fmt::format("{}: solver settings: {}", scenario_path, why));
  }
  return prepared;
}

namespace fs = std::filesystem;

std::string DefaultOutDir(const Scenario& scenario, const std::string& suffix) {
  std::string name = SafeFileName(scenario.name);
  if (name == "scenario") name = SafeFileName(input::FileStem(scenario.path));
  return std::string(kDefaultOutRoot) + "/" + name + suffix;
}

void CheckHarPath(const std::string& har, const std::vector<std::string>& inputs,
                  const std::string& out_dir) {
  const fs::path path(har);
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::directory) {
    throw InputError(fmt::format("--har {}: is a folder; name a file, e.g. {}", har,
                                 (path / "results.har").string()));
  }
  if (status.type() != fs::file_type::not_found && status.type() != fs::file_type::regular) {
    throw InputError(fmt::format("--har {}: exists and is not a regular file", har));
  }
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (fs::weakly_canonical(fs::absolute(parent), error) ==
      fs::weakly_canonical(fs::absolute(out_dir), error)) {
    throw InputError(fmt::format("--har {}: inside the result folder {}, which is replaced whole; "
                                 "write it beside the folder",
                                 har, out_dir));
  }
  if (!fs::is_directory(parent, error)) {
    throw InputError(fmt::format("--har {}: the folder {} does not exist", har, parent.string()));
  }
  if (::access(parent.c_str(), W_OK | X_OK) != 0) {
    throw InputError(fmt::format("--har {}: cannot write in {}: {}", har, parent.string(),
                                 std::strerror(errno)));
  }
  for (const std::string& input : inputs) {
    if (fs::exists(path, error) && fs::equivalent(path, input, error)) {
      throw InputError(fmt::format("--har {}: is {}, which this solve reads", har, input));
    }
  }
}

namespace {

// Solves from `start`; when that fails and a start was given, once more from the benchmark.
// `reuse` (optional): what the last solve built (Solve).
void SolveWithFallback(const SolveArguments& arguments, const PreparedScenario& prepared,
                       State* state, SolverSummary* summary, SolveReuse* reuse) {
  Solve(prepared.options, prepared.model, prepared.policy, state, summary, reuse);
  if (summary->IsConverged() || arguments.start_dir.empty()) return;
  std::cerr << fmt::format(
      "ohlin: warning: no equilibrium from the start in {} ({}); solving again from the "
      "benchmark\n",
      StartFile(arguments.start_dir), ShortText(summary->message));
  *state = prepared.model.BenchmarkState();
  if (reuse != nullptr) *reuse = SolveReuse();  // the second solve starts afresh
  const int earlier_iterations = summary->iterations;
  Solve(prepared.options, prepared.model, prepared.policy, state, summary);
  summary->iterations += earlier_iterations;
  summary->message += " (from the benchmark, after the start failed)";
}

void Progress(const SolveArguments& arguments, const std::string& text) {
  if (arguments.verbose) std::cerr << "ohlin: " << text << "\n";
}

void PrintSummaryJson(const std::string& out_dir) {
  std::ifstream in(fs::path(out_dir) / "summary.json");
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(in, nullptr, false);
  if (json.is_discarded()) json = nlohmann::ordered_json::object();
  json["out"] = out_dir;
  std::cout << json.dump(2) << "\n";
}

}  // namespace

int RunSolve(const SolveArguments& arguments) {
  // Every input check happens before the result folder is touched.
  Progress(arguments, fmt::format("reading {}", arguments.scenario_path));
  const int threads = arguments.threads > 0
                          ? arguments.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const PreparedScenario prepared =
      PrepareScenario(arguments.scenario_path, threads, arguments.verbose);
  const std::string out_dir =
      arguments.out_dir.empty() ? DefaultOutDir(prepared.scenario, "") : arguments.out_dir;
  // Output options are checked before the solve, never after minutes of work.
  const std::string start_file = arguments.start_dir.empty() ? "" : StartFile(arguments.start_dir);
  std::error_code ignored;
  const bool start_in_out =
      !start_file.empty() &&
      fs::weakly_canonical(fs::absolute(start_file), ignored) ==
          fs::weakly_canonical(fs::absolute(fs::path(out_dir) / "state.csv"), ignored);
  std::vector<std::string> inputs = {arguments.scenario_path, prepared.scenario.data_path};
  CheckOutputFolder(out_dir, inputs);
  if (!start_file.empty() && !start_in_out) inputs.push_back(start_file);
  if (!arguments.har_path.empty()) CheckHarPath(arguments.har_path, inputs, out_dir);

  PhaseSeconds phases;
  phases.load = prepared.load_seconds;
  phases.calibrate = prepared.calibrate_seconds;
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  State state = prepared.model.BenchmarkState();
  if (!arguments.start_dir.empty()) {
    std::string note;
    std::vector<std::string> names;
    for (int k = 0; k < prepared.model.num_variables(); ++k) {
      names.push_back(prepared.model.VariableName(k));
    }
    state = ReadStartState(arguments.start_dir, names, std::move(state), &note);
    if (!arguments.quiet) std::cerr << "ohlin: " << note << "\n";
  }
  Progress(arguments, fmt::format("solving '{}': {} unknowns, tolerance {:g}",
                                  ShortText(prepared.scenario.name),
                                  prepared.model.num_variables(), prepared.options.tolerance));
  SolverSummary summary;
  std::string failure_note;
  Outcome outcome;
  try {
    const auto solve_start = std::chrono::steady_clock::now();
    // What the solve built, for the decomposition's path (its pattern and preconditioner).
    SolveReuse reuse;
    SolveWithFallback(arguments, prepared, &state, &summary,
                      arguments.decomposition ? &reuse : nullptr);
    phases.solve = seconds_since(solve_start);
    if (arguments.verbose) std::cerr << summary.FullReport();
    if (summary.IsConverged()) {
      outcome = prepared.model.ComputeOutcome(prepared.policy, state);
      if (!OutcomeIsFinite(outcome, &failure_note)) {
        summary.termination_type = TerminationType::kFailure;
      } else if (arguments.decomposition) {
        Progress(arguments, "EV decomposition (a path of partial shocks)");
        const auto decompose_start = std::chrono::steady_clock::now();
        DecomposeWelfare(prepared.options, prepared.model, prepared.policy, state, &outcome,
                         &reuse);
        phases.decompose = seconds_since(decompose_start);
      } else {
        outcome.decomposition_note = "not computed (--no-decomposition)";
      }
    }
  } catch (const std::exception& error) {
    // A solve that throws has found no equilibrium: report it as such, never as an answer.
    summary.termination_type = TerminationType::kFailure;
    failure_note = fmt::format("internal error while solving: {}", error.what());
  }

  ResultContext context;
  context.data = &prepared.data;
  context.scenario = &prepared.scenario;
  context.summary = &summary;
  std::vector<std::pair<std::string, double>> named_state;
  if (summary.IsConverged()) {
    context.outcome = &outcome;
    named_state.reserve(state.size());
    for (int k = 0; k < prepared.model.num_variables(); ++k) {
      named_state.emplace_back(prepared.model.VariableName(k), state[k]);
    }
    context.state = &named_state;
    context.phases = &phases;
    context.flow_tables = arguments.flow_tables;
    Progress(arguments, fmt::format("writing {}/", out_dir));
    try {
      WriteResults(out_dir, context);
    } catch (const std::invalid_argument& error) {
      // A number that is not finite in some table: no table is written, and this is no answer.
      summary.termination_type = TerminationType::kFailure;
      failure_note = error.what();
      context.outcome = nullptr;
    }
  }
  if (!summary.IsConverged()) {
    WriteFailure(out_dir, context, failure_note,
                 start_in_out ? std::vector<std::string>{"state.csv"} : std::vector<std::string>{});
    std::string reason = FailureReason(summary);
    if (!failure_note.empty()) reason = failure_note + "; " + reason;
    std::cerr << fmt::format("ohlin: no equilibrium found for '{}': {}\n",
                             ShortText(prepared.scenario.name), reason)
              << (summary.hint.empty() ? std::string()
                                       : fmt::format("ohlin: what to try: {}\n", summary.hint))
              << fmt::format("ohlin: wrote {}/summary.json (status: failed)\n", out_dir);
    if (arguments.json) PrintSummaryJson(out_dir);
    return kNoEquilibrium;
  }
  if (!arguments.har_path.empty()) WriteResultsHar(arguments.har_path, context);
  if (arguments.json) {
    PrintSummaryJson(out_dir);
  } else if (!arguments.quiet) {
    std::cout << FormatTerminalSummary(context)
              << fmt::format("\nResults written to {}/\n", out_dir);
  }
  return kSuccess;
}

}  // namespace ohlin::app
