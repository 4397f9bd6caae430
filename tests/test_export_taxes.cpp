// Export taxes as game instruments (MODEL.md section 12.5): their column of the equilibrium
// conditions, the adjoint gradient, Lerner symmetry against the optimal tariff, the format.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "calibration/synth.h"
#include "games/game.h"
#include "games/objective.h"
#include "games/sensitivity.h"
#include "games/solve_game.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "scenarios/scenario.h"
#include "solver/solver.h"
#include "tests/game_fixtures.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

using testing::ForeignDomesticShare;
using testing::GameFile;
using testing::GeneralWorld;
using testing::OneFactorWorld;
using testing::Shipped;
using testing::SolveAt;

using games::Flow;
using games::Objective;
using games::ObjectiveKind;

// The export-tax rates of `exporter` on every flow with benchmark trade.
std::vector<Flow> ExportFlows(const Benchmark& data, int exporter) {
  std::vector<Flow> flows;
  for (int i = 0; i < static_cast<int>(data.num_sectors()); ++i) {
    for (int d = 0; d < static_cast<int>(data.num_regions()); ++d) {
      if (d != exporter && data.trade(i, exporter, d) > 0.0) flows.push_back({i, exporter, d, true});
    }
  }
  return flows;
}

// The general world's policy: tariffs and export taxes moved off the benchmark.
Policy Shocked(const Benchmark& data) {
  Policy policy = Policy::Benchmark(data);
  for (double& t : policy.tariffs.data()) t += 0.06;
  for (double& t : policy.export_taxes.data()) t += 0.04;
  return policy;
}

TEST_CASE("the export-tax column of the residuals equals finite differences") {
  const Benchmark data = GeneralWorld();
  const Model model = Model::Calibrate(data);
  const Policy policy = Shocked(data);
  const State x = SolveAt(model, policy, model.BenchmarkState());
  const EquilibriumSystem system(model, policy);
  for (const Flow& flow : ExportFlows(data, 1)) {
    std::vector<std::pair<int, double>> column;
    system.ExportTaxDerivative(x.data(), flow.sector, flow.exporter, flow.importer, &column);
    REQUIRE_FALSE(column.empty());
    testing::CheckColumn(model, policy, x, flow, column);
  }
}

TEST_CASE("the adjoint gradient with respect to export taxes equals finite differences") {
  const Benchmark data = GeneralWorld();
  const Model model = Model::Calibrate(data);
  const Policy policy = Shocked(data);
  const State x = SolveAt(model, policy, model.BenchmarkState());
  const int player = 0;
  // The player's export taxes and, in the same gradient, one of its tariffs.
  std::vector<Flow> flows = ExportFlows(data, player);
  flows.push_back({0, 1, player, false});
  std::vector<Objective> objectives(3);
  objectives[1].kind = ObjectiveKind::kWeighted;
  objectives[1].weights = {2.0, 0.5};
  objectives[2].kind = ObjectiveKind::kInequalityAverse;
  objectives[2].epsilon = 1.0;
  objectives[2].region = 2;  // an importer's welfare, moved by the player's export taxes
  const EquilibriumSystem system(model, policy);
  const games::TariffSensitivity sensitivity(system, x, flows);
  REQUIRE(sensitivity.ok());
  for (const Objective& objective : objectives) {
    std::vector<double> dx;
    games::EvaluateObjective(system, x.data(), objective, &dx);
    const std::vector<double> gradient = sensitivity.Gradient(dx);
    double largest = 0.0;
    for (double g : gradient) largest = std::max(largest, std::abs(g));
    REQUIRE(largest > 0.0);
    const double step = 1e-4;
    for (std::size_t k = 0; k < flows.size(); ++k) {
      Policy up = policy, down = policy;
      games::RateOf(&up, flows[k]) += step;
      games::RateOf(&down, flows[k]) -= step;
      const State xu = SolveAt(model, up, x), xd = SolveAt(model, down, x);
      const double fu =
          games::EvaluateObjective(EquilibriumSystem(model, up), xu.data(), objective, nullptr);
      const double fd =
          games::EvaluateObjective(EquilibriumSystem(model, down), xd.data(), objective, nullptr);
      INFO(games::ObjectiveKindToString(objective.kind) << " region " << objective.region
                                                        << " flow " << k);
      CHECK(gradient[k] == Approx((fu - fd) / (2 * step)).epsilon(1e-6).margin(1e-6 * largest));
    }
  }
}

// One sector: HOME ships 80 at home and 20 to FOREIGN, FOREIGN 120 at home and 20 to HOME.
Benchmark TwoCountries(double sigma) { return OneFactorWorld({80}, {20}, {120}, {20}, {sigma}); }

// HOME's best response with import tariffs only, or export taxes only, of kind `kind`.
games::GameOutcome BestResponse(const Model& model, bool export_taxes,
                                games::InstrumentKind kind = games::InstrumentKind::kDiscriminatory) {
  const Benchmark& data = model.data();
  games::PlayerSpec player;
  player.region = 0;
  player.objective.region = 0;
  player.partners = {1};
  for (int i = 0; i < static_cast<int>(data.num_sectors()); ++i) player.sectors.push_back(i);
  player.instruments = kind;
  player.tariffs = !export_taxes;
  if (export_taxes) {
    games::ExportTaxSpec taxes;
    taxes.instruments = kind;
    taxes.partners = {1};
    taxes.sectors = player.sectors;
    player.export_taxes = taxes;
  }
  games::GameSpec game;
  game.tolerance = 1e-8;
  game.players = {player};
  const Policy policy = Policy::Benchmark(data);
  const State start = SolveAt(model, policy, model.BenchmarkState());
  games::GameOutcome outcome = games::SolveGame(game, model, policy, start, {});
  INFO(outcome.message);
  REQUIRE(outcome.converged);
  REQUIRE(outcome.players[0].instruments[0].export_tax == export_taxes);
  return outcome;
}

TEST_CASE("Lerner symmetry: the optimal export tax is Gros's optimal tariff, with its welfare") {
  for (const double sigma : {3.0, 5.0}) {
    const Model model = Model::Calibrate(TwoCountries(sigma));
    const games::GameOutcome tax = BestResponse(model, true);
    const games::GameOutcome tariff = BestResponse(model, false);
    REQUIRE(tax.players[0].chosen.size() == 1);
    const double chosen = tax.players[0].chosen[0];
    const double lambda = ForeignDomesticShare(model, tax);
    INFO("sigma " << sigma << ": export tax " << chosen << ", tariff "
                  << tariff.players[0].chosen[0]);
    CHECK(tax.policy.export_taxes(0, 0, 1) == chosen);
    CHECK(tax.policy.tariffs(0, 1, 0) == 0.0);  // the tariff is not an instrument here
    CHECK(chosen == Approx(1.0 / ((sigma - 1.0) * lambda)).epsilon(1e-6));
    CHECK(chosen == Approx(tariff.players[0].chosen[0]).epsilon(1e-6));
    CHECK(lambda == Approx(ForeignDomesticShare(model, tariff)).epsilon(1e-6));
    CHECK(tax.players[0].objective > 0.0);
    CHECK(tax.players[0].objective == Approx(tariff.players[0].objective).epsilon(1e-6));
  }
}

TEST_CASE("at an optimum with export taxes on a general world no random deviation pays") {
  const Benchmark data = GeneralWorld();
  const Model model = Model::Calibrate(data);
  const Policy policy = Policy::Benchmark(data);
  games::PlayerSpec player;
  player.region = 0;
  player.objective.region = 0;
  player.tariffs = false;
  games::ExportTaxSpec taxes;
  taxes.partners = {1, 2};
  taxes.sectors = {0, 1, 2};
  taxes.lower = -0.5;  // export subsidies allowed
  player.export_taxes = taxes;
  games::GameSpec game;
  game.tolerance = 1e-8;
  game.players = {player};
  const State start = SolveAt(model, policy, model.BenchmarkState());
  const games::GameOutcome outcome = games::SolveGame(game, model, policy, start, {});
  INFO(outcome.message);
  REQUIRE(outcome.converged);
  const games::PlayerOutcome& best = outcome.players[0];
  REQUIRE(best.instruments.size() == 6);
  CHECK(best.kkt_residual <= 1e-8);
  CHECK(best.objective > 0.0);
  std::uint64_t seed = 2024;
  auto uniform = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(seed >> 11) / 9007199254740992.0;
  };
  for (int draw = 0; draw < 6; ++draw) {
    const double size = draw < 3 ? 1e-3 : 0.1;
    Policy deviation = outcome.policy;
    for (std::size_t k = 0; k < best.instruments.size(); ++k) {
      const double rate = std::max(-0.5, best.chosen[k] + size * (2.0 * uniform() - 1.0));
      for (const Flow& f : best.instruments[k].flows) games::RateOf(&deviation, f) = rate;
    }
    const State x = SolveAt(model, deviation, outcome.state);
    const double value = games::EvaluateObjective(EquilibriumSystem(model, deviation), x.data(),
                                                  player.objective, nullptr);
    INFO("draw " << draw);
    CHECK(value - best.objective <= 1e-9 * best.income);
  }
}

TEST_CASE("Lerner symmetry with Cobb-Douglas sectors: the optimal uniform export tax is "
          "1/sum chi_k (sigma_k-1) lambda_FF,k") {
  const std::vector<double> sigma = {3.0, 6.0, 9.0};
  const Model model = Model::Calibrate(
      OneFactorWorld({50, 30, 60}, {10, 25, 5}, {70, 40, 90}, {15, 10, 15}, sigma));
  const games::GameOutcome tax = BestResponse(model, true, games::InstrumentKind::kUniform);
  const games::GameOutcome tariff = BestResponse(model, false, games::InstrumentKind::kUniform);
  REQUIRE(tax.players[0].chosen.size() == 1);
  REQUIRE(tax.players[0].instruments[0].flows.size() == 3);
  double exports = 0.0, sum = 0.0;
  for (int k = 0; k < 3; ++k) exports += Shipped(model, tax, k, 0, 1);
  for (int k = 0; k < 3; ++k) {
    const double chi = Shipped(model, tax, k, 0, 1) / exports;
    sum += chi * (sigma[k] - 1.0) * ForeignDomesticShare(model, tax, k);
  }
  const double chosen = tax.players[0].chosen[0];
  for (int k = 0; k < 3; ++k) CHECK(tax.policy.export_taxes(k, 0, 1) == chosen);
  CHECK(chosen == Approx(1.0 / sum).epsilon(1e-6));
  CHECK(chosen == Approx(tariff.players[0].chosen[0]).epsilon(1e-6));
  CHECK(tax.players[0].objective == Approx(tariff.players[0].objective).epsilon(1e-6));
}

TEST_CASE("Lerner symmetry: the Nash equilibrium in export taxes is the tariff war's") {
  const Model model = Model::Calibrate(TwoCountries(4.0));
  std::vector<std::vector<double>> rates;
  std::vector<double> welfare;
  for (const bool export_taxes : {false, true}) {
    games::GameSpec game;
    game.concept_kind = games::Concept::kNash;
    game.tolerance = 1e-8;
    for (int r = 0; r < 2; ++r) {
      games::PlayerSpec player;
      player.region = r;
      player.objective.region = r;
      player.partners = {1 - r};
      player.sectors = {0};
      player.tariffs = !export_taxes;
      if (export_taxes) {
        player.export_taxes = games::ExportTaxSpec{games::InstrumentKind::kUniform, {1 - r}, {}, {0}};
      }
      game.players.push_back(player);
    }
    const Policy policy = Policy::Benchmark(model.data());
    const State start = SolveAt(model, policy, model.BenchmarkState());
    const games::GameOutcome outcome = games::SolveGame(game, model, policy, start, {});
    INFO(outcome.message);
    REQUIRE(outcome.converged);
    rates.push_back({outcome.players[0].chosen.at(0), outcome.players[1].chosen.at(0)});
    welfare.push_back(outcome.players[0].objective + outcome.players[1].objective);
  }
  CHECK(rates[0][0] > 0.1);
  CHECK(rates[1][0] == Approx(rates[0][0]).epsilon(1e-6));
  CHECK(rates[1][1] == Approx(rates[0][1]).epsilon(1e-6));
  CHECK(welfare[0] < 0.0);  // a war: the world loses against free trade
  CHECK(welfare[1] == Approx(welfare[0]).epsilon(1e-6));
}

// Every household's utility at `policy`, solved from `start`.
std::vector<double> LogUtilities(const Model& model, const Policy& policy, const State& start) {
  const State x = SolveAt(model, policy, start);
  const EquilibriumSystem system(model, policy);
  std::vector<double> out;
  const Benchmark& data = model.data();
  for (int r = 0; r < static_cast<int>(data.num_regions()); ++r) {
    for (int h = 0; h < static_cast<int>(data.households[r].size()); ++h) {
      out.push_back(system.LogUtility(r, h, x.data(), nullptr));
    }
  }
  return out;
}

TEST_CASE("Lerner symmetry on a general world: a uniform export tax is a uniform tariff") {
  // Input-output links, three factors, two households per region, other regions' tariffs,
  // NTBs and export taxes; balanced trade, and none of the player's own trade taxes.
  const Benchmark data = GeneralWorld(/*deficits=*/false);
  const Model model = Model::Calibrate(data);
  const int g = 0;
  Policy policy = Policy::Benchmark(data);
  for (int i = 0; i < 3; ++i) {
    for (int r = 0; r < 3; ++r) policy.tariffs(i, r, g) = policy.export_taxes(i, g, r) = 0.0;
  }
  const State start = SolveAt(model, policy, model.BenchmarkState());
  // At any rate, every household of every region has the same utility under either tax.
  Policy tariff = policy, tax = policy;
  for (int i = 0; i < 3; ++i) {
    for (int r = 0; r < 3; ++r) {
      if (r == g) continue;
      tariff.tariffs(i, r, g) = 0.2;
      tax.export_taxes(i, g, r) = 0.2;
    }
  }
  const std::vector<double> under_tariff = LogUtilities(model, tariff, start);
  const std::vector<double> under_tax = LogUtilities(model, tax, start);
  REQUIRE(under_tariff.size() == 6);
  for (std::size_t k = 0; k < under_tax.size(); ++k) {
    CHECK(under_tariff[k] != Approx(0.0).margin(1e-4));  // the tax moves everyone
    CHECK(under_tax[k] == Approx(under_tariff[k]).margin(1e-11));
  }
  // So the optimal uniform export tax is the optimal uniform tariff, with the same welfare.
  std::vector<games::PlayerOutcome> players;
  for (const bool export_taxes : {false, true}) {
    games::PlayerSpec player;
    player.region = g;
    player.objective.region = g;
    player.partners = {1, 2};
    player.sectors = {0, 1, 2};
    player.instruments = games::InstrumentKind::kUniform;
    player.tariffs = !export_taxes;
    if (export_taxes) {
      player.export_taxes =
          games::ExportTaxSpec{games::InstrumentKind::kUniform, {1, 2}, {}, {0, 1, 2}};
    }
    games::GameSpec game;
    game.tolerance = 1e-10;
    game.players = {player};
    const games::GameOutcome outcome = games::SolveGame(game, model, policy, start, {});
    INFO(outcome.message);
    REQUIRE(outcome.converged);
    players.push_back(outcome.players[0]);
  }
  CHECK(players[0].chosen.at(0) > 0.05);
  CHECK(players[1].chosen.at(0) == Approx(players[0].chosen.at(0)).epsilon(1e-6));
  CHECK(players[1].objective == Approx(players[0].objective).epsilon(1e-9));
}

TEST_CASE("export-tax instruments are read with their defaults") {
  Benchmark data;
  const std::string path = GameFile(
      "game:\n  concept: nash\n  players:\n"
      "    - {region: USA, export_taxes: {}}\n"
      "    - {region: CHN, instruments: none, export_taxes: {instruments: mfn, group: [EU],\n"
      "       sectors: [MAN], bounds: [-0.5, 2]}}\n"
      "    - {region: EU}\n");
  LoadScenario(path, &data);
  const games::GameSpec game = games::LoadGame(path, data);
  REQUIRE(game.players.size() == 3);
  const games::PlayerSpec& usa = game.players[0];
  CHECK(usa.tariffs);
  REQUIRE(usa.export_taxes);
  CHECK(usa.export_taxes->instruments == games::InstrumentKind::kDiscriminatory);
  CHECK(usa.export_taxes->partners.size() == data.num_regions() - 1);
  CHECK(usa.export_taxes->sectors.size() == data.num_sectors());
  CHECK(usa.export_taxes->lower == 0.0);
  CHECK(usa.export_taxes->upper == 10.0);
  const games::PlayerSpec& chn = game.players[1];
  CHECK_FALSE(chn.tariffs);
  REQUIRE(chn.export_taxes);
  CHECK(chn.export_taxes->instruments == games::InstrumentKind::kMfn);
  CHECK(chn.export_taxes->lower == -0.5);  // export subsidies allowed down to -50%
  CHECK_FALSE(game.players[2].export_taxes);
  // Instruments: CHN's are its export taxes only, one per sector selected (MFN).
  const Policy factual = Policy::Benchmark(data);
  const std::vector<games::Instrument> instruments = games::MakeInstruments(chn, data, factual);
  REQUIRE(instruments.size() == 1);
  CHECK(instruments[0].export_tax);
  CHECK(instruments[0].lower == -0.5);
  for (const Flow& f : instruments[0].flows) {
    CHECK(f.export_tax);
    CHECK(data.regions[f.exporter] == "CHN");
    CHECK(data.regions[f.importer] != "EU");
    CHECK(data.sectors[f.sector] == "MAN");
  }
  // USA's: its import tariffs first, then its export taxes.
  const std::vector<games::Instrument> both = games::MakeInstruments(usa, data, factual);
  REQUIRE(both.size() > 2);
  CHECK_FALSE(both.front().export_tax);
  CHECK(both.back().export_tax);
}

TEST_CASE("bad export-tax input names the file, the line and the key") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"game:\n  players:\n    - {region: USA, export_taxes: {bounds: [-1, 1]}}\n",
       ":6:44: game.players[1].export_taxes.bounds: lower bound -1 must be above -1"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {bounds: [-1.5, 1]}}\n",
       "export_taxes.bounds: lower bound -1.5 must be above -1"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {bounds: [0.5, 0.2]}}\n",
       "export_taxes.bounds: lower bound 0.5 is above upper bound 0.2"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {bounds: [0.5]}}\n",
       "export_taxes.bounds: expected [lower, upper]"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {sectors: [STEEL]}}\n",
       "game.players[1].export_taxes.sectors: unknown sector 'STEEL'"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {partners: [MARS]}}\n",
       "game.players[1].export_taxes.partners: unknown region 'MARS'"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {sectors: []}}\n",
       "export_taxes.sectors: the list is empty"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {partners: [USA]}}\n",
       "game.players[1].export_taxes: USA has no export-tax instruments"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {instruments: quota}}\n",
       "export_taxes.instruments: unknown value 'quota'"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {group: [EU]}}\n",
       "export_taxes.group: only MFN instruments have a group"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {rate: 3}}\n", "rate"},
      {"game:\n  players:\n    - {region: USA, export_taxes: uniform}\n",
       "game.players[1].export_taxes: expected a map"},
      {"game:\n  players:\n    - {region: USA, instruments: nada}\n",
       "game.players[1].instruments: unknown value 'nada' (discriminatory, mfn, uniform, none)"},
      {"game:\n  players:\n    - {region: USA, export_taxes: {instruments: none}}\n",
       "export_taxes.instruments: unknown value 'none' (discriminatory, mfn, uniform)"},
      {"game:\n  players:\n    - {region: USA, instruments: none}\n",
       ":6:34: game.players[1].instruments: none needs export_taxes"},
      {"game:\n  players:\n    - {region: USA, instruments: none, sectors: [MAN], "
       "export_taxes: {}}\n",
       "game.players[1].sectors: the player has no import tariffs"},
  };
  for (const auto& [game, expected] : cases) {
    Benchmark data;
    const std::string path = GameFile(game);
    LoadScenario(path, &data);
    const std::string message = testing::ErrorOf([&] { games::LoadGame(path, data); });
    INFO(game);
    CHECK_THAT(message, Catch::Contains(expected));
    CHECK_THAT(message, Catch::Contains(path));
  }
}

TEST_CASE("ohlin game writes export_taxes.csv; bad export-tax input writes nothing") {
  namespace fs = std::filesystem;
  const std::string dir = testing::MakeTempDir("xtax-cli");
  REQUIRE(testing::RunOhlin(
              "synth --regions 3 --sectors 2 --factors 2 --households 2 --seed 3 --out world",
              dir) == 0);
  auto write = [&](const std::string& name, const std::string& game) {
    std::ofstream(dir + "/" + name) << "ohlin: 1\nname: g\ndata: world/data.yaml\n" << game;
  };
  INFO(testing::ReadFile(dir + "/cli.log"));
  write("bad.yaml", "game:\n  players:\n    - {region: R001, export_taxes: {bounds: [-2, 1]}}\n");
  CHECK(testing::RunOhlin("game bad.yaml --out bad", dir) == 1);
  CHECK_FALSE(fs::exists(dir + "/bad"));
  CHECK_THAT(testing::ReadFile(dir + "/cli.log"),
             Catch::Contains("bad.yaml:6:45: game.players[1].export_taxes.bounds"));
  write("tax.yaml", "game:\n  players:\n    - {region: R001, instruments: none,\n"
                    "       export_taxes: {instruments: uniform}}\n");
  REQUIRE(testing::RunOhlin("game tax.yaml --out tax --no-decomposition", dir) == 0);
  const std::string taxes = testing::ReadFile(dir + "/tax/export_taxes.csv");
  CHECK_THAT(taxes, Catch::StartsWith("player,partner,sector,rate_before,rate_chosen\nR001,"));
  CHECK(testing::ReadFile(dir + "/tax/tariffs.csv") ==
        "player,partner,sector,rate_before,rate_chosen\n");  // no tariff instruments
  const std::string summary = testing::ReadFile(dir + "/tax/summary.json");
  CHECK_THAT(summary, Catch::Contains("\"export_taxes\": {") &&
                          Catch::Contains("\"instruments\": \"none\"") &&
                          Catch::Contains("\"export_taxes.csv\""));
}

}  // namespace
}  // namespace ohlin
