// `ohlin compare SCENARIO.yaml [--rules a,b,c] [--out DIR]`: the scenario solved under each
// redistribution rule, one table (compare.csv and the terminal). Every input is checked and
// every model calibrated before anything is solved; if any solve fails, nothing is written
// (and a compare.csv of an earlier run in DIR is removed), since a table with a missing rule
// would look like an answer.
#include <fmt/format.h>

#include <exception>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/commands.h"
#include "calibration/errors.h"
#include "results/results.h"

namespace ohlin::app {
namespace {

std::string AllRuleNames() {
  std::string names;
  for (RedistributionRule rule :
       {RedistributionRule::kLumpSum, RedistributionRule::kProportional, RedistributionRule::kNone,
        RedistributionRule::kCompensate, RedistributionRule::kShares}) {
    names += (names.empty() ? "" : ", ") + std::string(RedistributionRuleToString(rule));
  }
  return names;
}

// --rules a,b,c: names checked, no repeats, at least one.
std::vector<RedistributionRule> ParseRules(const std::string& text) {
  std::vector<RedistributionRule> rules;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string name = text.substr(start, end - start);
    const auto first = name.find_first_not_of(" \t");
    const auto last = name.find_last_not_of(" \t");
    name = first == std::string::npos ? "" : name.substr(first, last - first + 1);
    RedistributionRule rule;
    if (!StringToRedistributionRule(name, &rule)) {
      throw InputError(fmt::format("--rules: unknown rule '{}' (rules: {})", name, AllRuleNames()));
    }
    for (RedistributionRule other : rules) {
      if (other == rule) throw InputError(fmt::format("--rules: rule '{}' is given twice", name));
    }
    rules.push_back(rule);
    start = end + 1;
  }
  return rules;
}

}  // namespace

int RunCompare(const CompareArguments& arguments) {
  // Every input check happens before anything is solved or written.
  const PreparedScenario prepared =
      PrepareScenario(arguments.scenario_path, arguments.threads, /*verbose=*/false);
  std::vector<RedistributionRule> rules;
  if (arguments.rules_given || !arguments.rules.empty()) {
    rules = ParseRules(arguments.rules);
  } else if (!prepared.scenario.compare_rules.empty()) {
    rules = prepared.scenario.compare_rules;
  } else {
    throw InputError(
        fmt::format("{}: no rules to compare: give --rules lump_sum,compensate,... or a list "
                    "`compare: [lump_sum, compensate]` in the scenario",
                    arguments.scenario_path));
  }
  std::vector<Model> models;
  for (RedistributionRule rule : rules) {
    Scenario scenario = prepared.scenario;
    scenario.redistribution = rule;
    if (rule == RedistributionRule::kShares && scenario.redistribution_shares.empty()) {
      throw InputError(fmt::format(
          "{}: compare: rule shares needs `redistribution: {{rule: shares, shares: {{...}}}}` in "
          "the scenario",
          arguments.scenario_path));
    }
    models.push_back(Model::Calibrate(prepared.data,
                                      ToModelNumeraire(scenario.numeraire, prepared.data),
                                      ToModelRedistribution(scenario, prepared.data)));
  }
  const std::string out_dir = arguments.out_dir.empty()
                                  ? DefaultOutDir(prepared.scenario, "-compare")
                                  : arguments.out_dir;
  const std::filesystem::path csv_path = std::filesystem::path(out_dir) / "compare.csv";
  CheckOutputFolder(out_dir, {arguments.scenario_path, prepared.scenario.data_path});

  std::vector<Outcome> outcomes(rules.size());
  for (std::size_t k = 0; k < rules.size(); ++k) {
    const char* name = RedistributionRuleToString(rules[k]);
    State state = models[k].BenchmarkState();
    SolverSummary summary;
    std::string failure = "";
    try {
      Solve(prepared.options, models[k], prepared.policy, &state, &summary);
      if (summary.IsConverged()) {
        outcomes[k] = models[k].ComputeOutcome(prepared.policy, state);
        if (!OutcomeIsFinite(outcomes[k], &failure))
          summary.termination_type = TerminationType::kFailure;
      }
    } catch (const std::exception& error) {
      summary.termination_type = TerminationType::kFailure;
      failure = fmt::format("internal error while solving: {}", error.what());
    }
    if (!summary.IsConverged()) {
      std::string reason = FailureReason(summary);
      if (!failure.empty()) reason = failure + "; " + reason;
      std::error_code ignored;
      const bool removed = std::filesystem::remove(csv_path, ignored);
      std::cerr << fmt::format("ohlin: no equilibrium found for '{}' under rule {}: {}\n",
                               ShortText(prepared.scenario.name), name, reason)
                << (removed
                        ? fmt::format("ohlin: removed {} of an earlier run\n", csv_path.string())
                        : std::string())
                << "ohlin: no comparison written\n";
      return kNoEquilibrium;
    }
  }
  std::vector<RuleComparison> runs;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    runs.push_back({RedistributionRuleToString(rules[k]), &outcomes[k]});
  }
  const std::string csv = CompareCsv(prepared.data, runs);
  ReplaceFolder(out_dir, {{"compare.csv", csv}});
  if (arguments.json) {
    nlohmann::ordered_json json;
    json["scenario"] = prepared.scenario.name;
    json["file"] = csv_path.string();
    json["csv"] = csv;
    std::cout << json.dump(2) << "\n";
  } else if (!arguments.quiet) {
    std::cout << FormatCompareTable(prepared.data, ShortText(prepared.scenario.name), runs)
              << fmt::format("\nComparison written to {}\n", csv_path.string());
  }
  return kSuccess;
}

}  // namespace ohlin::app
