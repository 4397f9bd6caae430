// `ohlin game SCENARIO.yaml`: the tariffs that governments choose (FORMATS.md "Games"), then
// every result file of `ohlin solve` for the equilibrium at those tariffs.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.h"
#include "calibration/errors.h"
#include "games/game.h"
#include "games/solve_game.h"
#include "results/results.h"
#include "solver/decomposition.h"

namespace ohlin::app {
namespace {

using Json = nlohmann::ordered_json;

// tariffs.csv, or export_taxes.csv when `export_taxes` (partner: the destination).
std::string TariffsCsv(const Benchmark& data, const games::GameOutcome& outcome,
                       bool export_taxes = false) {
  std::string csv = "player,partner,sector,rate_before,rate_chosen\n";
  for (const games::PlayerOutcome& player : outcome.players) {
    for (std::size_t k = 0; k < player.instruments.size(); ++k) {
      const games::Instrument& instrument = player.instruments[k];
      if (instrument.export_tax != export_taxes) continue;
      for (std::size_t f = 0; f < instrument.flows.size(); ++f) {
        const games::Flow& flow = instrument.flows[f];
        const int partner = export_taxes ? flow.importer : flow.exporter;
        csv += fmt::format("{},{},{},{:.10g},{:.10g}\n", CsvField(data.regions[player.region]),
                           CsvField(data.regions[partner]),
                           CsvField(data.sectors[flow.sector]), instrument.before[f],
                           player.chosen[k]);
      }
    }
  }
  return csv;
}

// Whether any player chose export taxes.
bool HasExportTaxes(const games::GameSpec& game) {
  for (const games::PlayerSpec& spec : game.players) {
    if (spec.export_taxes) return true;
  }
  return false;
}

// The mean rate chosen over a player's tariff (or export-tax) instruments, and their number.
std::pair<double, int> MeanRate(const games::PlayerOutcome& player, bool export_taxes) {
  double sum = 0.0;
  int count = 0;
  for (std::size_t k = 0; k < player.instruments.size() && k < player.chosen.size(); ++k) {
    if (player.instruments[k].export_tax != export_taxes) continue;
    sum += player.chosen[k];
    ++count;
  }
  return {count == 0 ? 0.0 : sum / count, count};
}

Json GameJson(const games::GameSpec& game, const Benchmark& data,
              const games::GameOutcome& outcome) {
  Json json;
  json["concept"] = games::ConceptToString(game.concept_kind);
  if (game.concept_kind == games::Concept::kCooperative) {
    json["threat_point"] = game.threat_point == games::ThreatPoint::kNash ? "nash" : "factual";
    json["talks"] = game.talks == games::Talks::kWorldWelfare ? "world_welfare" : "equal_gains";
  }
  json["converged"] = outcome.converged;
  if (!outcome.message.empty()) json["message"] = outcome.message;
  json["rounds"] = outcome.rounds;
  json["equilibria_solved"] = outcome.equilibria;
  json["seconds"] = outcome.seconds;
  json["tolerance"] = game.tolerance;
  json["kkt_residual"] = outcome.kkt_residual;
  Json players = Json::array();
  for (std::size_t p = 0; p < outcome.players.size(); ++p) {
    const games::PlayerOutcome& player = outcome.players[p];
    const games::PlayerSpec& spec = game.players[p];
    Json entry;
    entry["region"] = data.regions[player.region];
    entry["objective"] = games::ObjectiveKindToString(spec.objective.kind);
    entry["instruments"] = spec.tariffs ? games::InstrumentKindToString(spec.instruments) : "none";
    entry["num_instruments"] = MeanRate(player, false).second;
    entry["objective_value"] = player.objective;
    entry["objective_factual"] = player.objective_factual;
    entry["gain_pct_of_income"] = 100.0 * (player.objective - player.objective_factual) / player.income;
    entry["kkt_residual"] = player.kkt_residual;
    if (game.concept_kind == games::Concept::kCooperative) {
      entry["objective_threat"] = player.objective_threat;
      entry["gain_pct_over_threat"] =
          100.0 * (player.objective - player.objective_threat) / player.income;
    }
    entry["at_lower_bound"] = player.at_lower;
    entry["at_upper_bound"] = player.at_upper;
    entry["mean_rate_chosen"] = MeanRate(player, false).first;
    if (spec.export_taxes) {
      const auto [mean, count] = MeanRate(player, true);
      entry["export_taxes"] = {
          {"instruments", games::InstrumentKindToString(spec.export_taxes->instruments)},
          {"num_instruments", count},
          {"mean_rate_chosen", mean}};
    }
    players.push_back(entry);
  }
  json["players"] = players;
  return json;
}

// Adds the game's section to summary.json (written by the solve writer), and tariffs.csv to
// its manifest (`files`) when the game wrote it.
void AddGameToSummary(const std::string& dir, const Json& game, bool wrote_tariffs,
                      bool wrote_export_taxes = false) {
  const std::string path = (std::filesystem::path(dir) / "summary.json").string();
  std::ifstream in(path);
  Json summary = Json::parse(in);
  summary["game"] = game;
  if (wrote_tariffs && summary.contains("files")) summary["files"].push_back("tariffs.csv");
  if (wrote_export_taxes && summary.contains("files")) {
    summary["files"].push_back("export_taxes.csv");
  }
  WriteFileAtomically(path, summary.dump(2) + "\n");
}

std::string Count(std::size_t n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// "Game: nash (44 players), 12 rounds, 14274 equilibria solved in 581.23 s; converged"; only
// Nash games (and talks from a Nash threat point) have rounds.
std::string GameHeadline(const games::GameSpec& game, const games::GameOutcome& outcome) {
  const std::size_t n_rounds = static_cast<std::size_t>(outcome.rounds);
  std::string rounds;
  if (game.concept_kind == games::Concept::kNash) {
    rounds = ", " + Count(n_rounds, "round");
  } else if (game.concept_kind == games::Concept::kCooperative &&
             game.threat_point == games::ThreatPoint::kNash) {
    rounds = ", Nash threat point in " + Count(n_rounds, "round");
  }
  return fmt::format(
      "Game: {} ({}){}, {} solved in {:.2f} s; {}\n", games::ConceptToString(game.concept_kind),
      Count(game.players.size(), "player"), rounds,
      outcome.equilibria == 1 ? std::string("1 equilibrium")
                              : fmt::format("{} equilibria", outcome.equilibria),
      outcome.seconds, outcome.converged ? "converged" : "NOT converged");
}

std::string FormatGame(const games::GameSpec& game, const Benchmark& data,
                       const games::GameOutcome& outcome) {
  std::string out = GameHeadline(game, outcome);
  const bool talks = game.concept_kind == games::Concept::kCooperative;
  if (talks) {
    out += fmt::format("  talks: {} from the {} threat point; KKT residual of the talks {:.3g} "
                       "(tolerance {:.3g})\n",
                       game.talks == games::Talks::kWorldWelfare ? "world_welfare" : "equal_gains",
                       game.threat_point == games::ThreatPoint::kNash ? "Nash" : "factual",
                       outcome.cooperative_residual, game.tolerance);
  }
  out += fmt::format("  {:<12} {:<18} {:>14} {:>10}{} {:>10} {:>11} {:>7}\n", "player",
                     "objective", "value", "gain %", talks ? fmt::format(" {:>10}", "vs threat") : "",
                     "mean rate", "KKT resid.", "bounds");
  for (std::size_t p = 0; p < outcome.players.size(); ++p) {
    const games::PlayerOutcome& player = outcome.players[p];
    const auto [mean_rate, tariffs] = MeanRate(player, false);
    const std::string mean = tariffs > 0 ? fmt::format("{:.4f}", mean_rate) : "-";  // none
    const std::string threat =
        talks ? fmt::format(" {:>10.4f}", 100.0 * (player.objective - player.objective_threat) /
                                              player.income)
              : "";
    out += fmt::format("  {:<12} {:<18} {:>14.6g} {:>10.4f}{} {:>10} {:>11.3g} {:>3}/{:<3}\n",
                       data.regions[player.region],
                       games::ObjectiveKindToString(game.players[p].objective.kind),
                       player.objective,
                       100.0 * (player.objective - player.objective_factual) / player.income,
                       threat, mean, player.kkt_residual, player.at_lower, player.at_upper);
  }
  for (std::size_t p = 0; p < outcome.players.size(); ++p) {
    if (!game.players[p].export_taxes) continue;
    const auto [mean, n] = MeanRate(outcome.players[p], true);
    out += fmt::format("  {:<12} export taxes ({}): {}, mean rate {:.4f}\n",
                       data.regions[outcome.players[p].region],
                       games::InstrumentKindToString(game.players[p].export_taxes->instruments),
                       Count(static_cast<std::size_t>(n), "instrument"), mean);
  }
  out += HasExportTaxes(game)
             ? "  (gain %: of benchmark income, over the scenario's tariffs; mean rate: of the "
               "import tariffs; bounds: instruments at lower/upper bound, export taxes "
               "included)\n"
             : "  (gain %: of benchmark income, over the scenario's tariffs; bounds: instruments "
               "at lower/upper bound)\n";
  if (talks) {
    out += "  (vs threat: gain % over the threat point; KKT resid.: of each player's own best "
           "response, which talks do not set to zero)\n";
  }
  return out;
}

}  // namespace

int RunGame(const GameArguments& arguments) {
  // Every input check happens before the result folder is touched.
  const PreparedScenario prepared =
      PrepareScenario(arguments.scenario_path, arguments.threads, arguments.verbose);
  const games::GameSpec game = games::LoadGame(arguments.scenario_path, prepared.data);
  const std::string out_dir =
      arguments.out_dir.empty() ? DefaultOutDir(prepared.scenario, "") : arguments.out_dir;
  // Output options are checked before the game, never after minutes of work.
  CheckOutputFolder(out_dir, {arguments.scenario_path, prepared.scenario.data_path});
  ResultContext context;
  context.data = &prepared.data;
  context.scenario = &prepared.scenario;
  SolverSummary summary;
  context.summary = &summary;
  // The factual equilibrium: the scenario's own tariffs.
  State state = prepared.model.BenchmarkState();
  Solve(prepared.options, prepared.model, prepared.policy, &state, &summary);
  games::GameOutcome outcome;
  if (summary.IsConverged()) {
    games::GameOptions options;
    options.solver = prepared.options;
    options.verbose = arguments.verbose;
    outcome = games::SolveGame(game, prepared.model, prepared.policy, state, options);
  } else {
    outcome.message = "no equilibrium at the scenario's own tariffs: " + FailureReason(summary);
  }
  Outcome result;
  if (outcome.converged) {
    state = outcome.state;
    Solve(prepared.options, prepared.model, outcome.policy, &state, &summary);
    if (summary.IsConverged()) {
      result = prepared.model.ComputeOutcome(outcome.policy, state);
      if (arguments.decomposition) {
        DecomposeWelfare(prepared.options, prepared.model, outcome.policy, state, &result);
      } else {
        result.decomposition_note = "not computed (--no-decomposition)";
      }
    } else {
      outcome.converged = false;
      outcome.message = "no equilibrium at the chosen tariffs: " + FailureReason(summary);
    }
  }
  const Json game_json = GameJson(game, prepared.data, outcome);
  if (!outcome.converged) {
    if (summary.IsConverged()) summary.termination_type = TerminationType::kNoConvergence;
    WriteFailure(out_dir, context, "the game did not converge: " + outcome.message);
    std::filesystem::remove(std::filesystem::path(out_dir) / "tariffs.csv");
    std::filesystem::remove(std::filesystem::path(out_dir) / "export_taxes.csv");
    AddGameToSummary(out_dir, game_json, false);
    std::cerr << FormatGame(game, prepared.data, outcome)
              << fmt::format("ohlin: the game '{}' did not converge: {}\n", prepared.scenario.name,
                             outcome.message)
              << fmt::format("ohlin: wrote {}/summary.json (status: failed)\n", out_dir);
    return kNoEquilibrium;
  }
  context.outcome = &result;
  std::vector<std::pair<std::string, double>> named_state;
  for (int k = 0; k < prepared.model.num_variables(); ++k) {
    named_state.emplace_back(prepared.model.VariableName(k), state[k]);
  }
  context.state = &named_state;
  WriteResults(out_dir, context);
  WriteFileAtomically((std::filesystem::path(out_dir) / "tariffs.csv").string(),
                      TariffsCsv(prepared.data, outcome));
  const bool export_taxes = HasExportTaxes(game);
  const std::filesystem::path export_path = std::filesystem::path(out_dir) / "export_taxes.csv";
  if (export_taxes) {
    WriteFileAtomically(export_path.string(), TariffsCsv(prepared.data, outcome, true));
  } else {
    std::filesystem::remove(export_path);  // a stale one from an earlier game
  }
  AddGameToSummary(out_dir, game_json, true, export_taxes);
  std::cout << FormatTerminalSummary(context) << "\n"
            << FormatGame(game, prepared.data, outcome)
            << fmt::format("\nResults written to {}/ (tariffs.csv{}: the rates chosen)\n", out_dir,
                           export_taxes ? ", export_taxes.csv" : "");
  return kSuccess;
}

}  // namespace ohlin::app
