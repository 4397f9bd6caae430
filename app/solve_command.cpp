// `ohlin solve SCENARIO.yaml`: read, calibrate, shock, solve, write results.
#include <fmt/format.h>

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

// The start written by an earlier solve (DIR/state.csv): values matched by variable name;
// variables it does not name start at the benchmark. Throws InputError naming file and line.
State ReadStartState(const std::string& dir, const Model& model) {
  const std::string path = (std::filesystem::path(dir) / "state.csv").string();
  std::ifstream in(path);
  if (!in) {
    throw InputError(fmt::format("{}: cannot read the start (written by `ohlin solve` next to "
                                 "its results)",
                                 path));
  }
  std::unordered_map<std::string, int> index;
  for (int k = 0; k < model.num_variables(); ++k) index.emplace(model.VariableName(k), k);
  State state = model.BenchmarkState();
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line_number == 1) {
      if (line != "variable,value") {
        throw InputError(fmt::format("{}:1: expected the header 'variable,value'", path));
      }
      continue;
    }
    if (line.empty()) continue;
    const std::size_t comma = line.rfind(',');
    if (comma == std::string::npos) {
      throw InputError(fmt::format("{}:{}: expected 'variable,value'", path, line_number));
    }
    const std::string value_text = line.substr(comma + 1);
    char* end = nullptr;
    const double value = std::strtod(value_text.c_str(), &end);
    if (end == value_text.c_str() || *end != '\0' || !std::isfinite(value)) {
      throw InputError(fmt::format("{}:{}: value '{}' is not a finite number", path,
                                   line_number, value_text));
    }
    const auto found = index.find(line.substr(0, comma));
    if (found != index.end()) state[found->second] = value;
  }
  return state;
}

int RunSolve(const SolveArguments& arguments) {
  // Every input check happens before the result folder is touched.
  const int threads = arguments.threads > 0
                          ? arguments.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const PreparedScenario prepared =
      PrepareScenario(arguments.scenario_path, threads, arguments.verbose);
  const std::string out_dir = arguments.out_dir.empty()
                                  ? "results/" + SafeFileName(prepared.scenario.name)
                                  : arguments.out_dir;

  PhaseSeconds phases;
  phases.load = prepared.load_seconds;
  phases.calibrate = prepared.calibrate_seconds;
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  State state = arguments.start_dir.empty()
                    ? prepared.model.BenchmarkState()
                    : ReadStartState(arguments.start_dir, prepared.model);
  SolverSummary summary;
  std::string failure_note;
  Outcome outcome;
  try {
    const auto solve_start = std::chrono::steady_clock::now();
    Solve(prepared.options, prepared.model, prepared.policy, &state, &summary);
    phases.solve = seconds_since(solve_start);
    if (arguments.verbose) std::cerr << summary.FullReport();
    if (summary.IsConverged()) {
      outcome = prepared.model.ComputeOutcome(prepared.policy, state);
      if (!OutcomeIsFinite(outcome, &failure_note)) {
        summary.termination_type = TerminationType::kFailure;
      } else if (arguments.decomposition) {
        const auto decompose_start = std::chrono::steady_clock::now();
        DecomposeWelfare(prepared.options, prepared.model, prepared.policy, state, &outcome);
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
  if (!summary.IsConverged()) {
    WriteFailure(out_dir, context, failure_note);
    std::string reason = FailureReason(summary);
    if (!failure_note.empty()) reason = failure_note + "; " + reason;
    std::cerr << fmt::format("ohlin: no equilibrium found for '{}': {}\n", prepared.scenario.name,
                             reason)
              << (summary.hint.empty() ? std::string()
                                       : fmt::format("ohlin: what to try: {}\n", summary.hint))
              << fmt::format("ohlin: wrote {}/summary.json (status: failed)\n", out_dir);
    return kNoEquilibrium;
  }
  context.outcome = &outcome;
  std::vector<std::pair<std::string, double>> named_state;
  named_state.reserve(state.size());
  for (int k = 0; k < prepared.model.num_variables(); ++k) {
    named_state.emplace_back(prepared.model.VariableName(k), state[k]);
  }
  context.state = &named_state;
  context.phases = &phases;
  context.flow_tables = arguments.flow_tables;
  WriteResults(out_dir, context);
  if (!arguments.har_path.empty()) WriteResultsHar(arguments.har_path, context);
  std::cout << FormatTerminalSummary(context) << fmt::format("\nResults written to {}/\n", out_dir);
  return kSuccess;
}

}  // namespace ohlin::app
