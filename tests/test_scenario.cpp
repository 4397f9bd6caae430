// Scenario files and shocks (FORMATS.md "Scenarios").
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "calibration/errors.h"
#include "model/policy.h"
#include "scenarios/scenario.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

using Catch::Matchers::Contains;

enum { kUsa = 0, kChn = 1, kRow = 2, kAgr = 0, kMan = 1, kSer = 2, kLabour = 0, kCapital = 1 };
const char* const kRegions[] = {"USA", "CHN", "ROW"};
const char* const kSectors[] = {"AGR", "MAN", "SER"};

// A balanced 3x3x2 benchmark: every flow 10, tariffs 0.1 on every cross-border flow except
// 0.2 on MAN from CHN to USA; final demand clears every composite market, so no deficits.
std::string BalancedBenchmarkYaml() {
  std::string text =
      "ohlin: 1\nname: scenario test world\nregions: [USA, CHN, ROW]\n"
      "sectors: [AGR, MAN, SER]\nfactors: [{name: labour}, {name: capital}]\n"
      "households:\n  USA:\n    - {name: workers, population: 2, owns: {labour: 1}}\n"
      "    - {name: owners, population: 1, owns: {capital: 1}}\nfactor_payments:\n";
  for (const char* region : kRegions) {
    for (const char* sector : kSectors) {
      text += fmt::format("  - {{region: {}, sector: {}, factor: labour, value: 20}}\n", region,
                          sector);
      text += fmt::format("  - {{region: {}, sector: {}, factor: capital, value: 10}}\n", region,
                          sector);
    }
  }
  text += "trade:\n";
  std::string tariffs = "tariffs:\n";
  for (const char* sector : kSectors) {
    for (const char* exporter : kRegions) {
      for (const char* importer : kRegions) {
        text += fmt::format("  - {{exporter: {}, importer: {}, sector: {}, value: 10}}\n",
                            exporter, importer, sector);
        if (std::string(exporter) == importer) continue;
        const bool special = std::string(sector) == "MAN" && std::string(exporter) == "CHN" &&
                             std::string(importer) == "USA";
        tariffs += fmt::format("  - {{exporter: {}, importer: {}, sector: {}, rate: {}}}\n",
                               exporter, importer, sector, special ? 0.2 : 0.1);
      }
    }
  }
  text += tariffs + "final_demand:\n";
  for (const char* region : kRegions) {
    for (const char* sector : kSectors) {
      const bool special = std::string(sector) == "MAN" && std::string(region) == "USA";
      text += fmt::format("  - {{region: {}, sector: {}, value: {}}}\n", region, sector,
                          special ? 33 : 32);
    }
  }
  return text;
}

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::path(dir) / name).string();
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

// Writes data/world.yaml and scenarios/test.yaml (with `body` after the version and data
// lines) into a fresh folder; returns the scenario path.
std::string WriteScenario(const std::string& body, const std::string& tag = "scenario",
                          const std::string& world = BalancedBenchmarkYaml()) {
  const std::string dir = testing::MakeTempDir(tag);
  WriteFile(dir, "data/world.yaml", world);
  return WriteFile(dir, "scenarios/test.yaml", "ohlin: 1\ndata: ../data/world.yaml\n" + body);
}

struct Loaded {
  Scenario scenario;
  Benchmark data;
  Policy policy;
};

Loaded LoadAndApply(const std::string& body, const std::string& world = BalancedBenchmarkYaml()) {
  Loaded loaded;
  loaded.scenario = LoadScenario(WriteScenario(body, "scenario", world), &loaded.data);
  loaded.policy = ApplyShocks(loaded.data, loaded.scenario.shocks);
  return loaded;
}

// The error of loading the scenario and applying its shocks.
std::string ScenarioError(const std::string& body,
                          const std::string& world = BalancedBenchmarkYaml()) {
  return testing::ErrorOf([&] { LoadAndApply(body, world); });
}

// `text` with each `from` (which must occur exactly once) replaced by its `to`.
std::string Replaced(std::string text,
                     const std::vector<std::pair<std::string, std::string>>& replacements) {
  for (const auto& [from, to] : replacements) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    text.replace(at, from.size(), to);
  }
  return text;
}

// The balanced world with two gaps, still balanced: USA uses none of its own AGR (it imports
// all of it and exports all of its output), and CHN sells no MAN to the USA (it uses it at home).
std::string SparseBenchmarkYaml() {
  return Replaced(
      BalancedBenchmarkYaml(),
      {{"{exporter: USA, importer: USA, sector: AGR, value: 10}",
        "{exporter: USA, importer: USA, sector: AGR, value: 0}"},
       {"{exporter: USA, importer: CHN, sector: AGR, value: 10}",
        "{exporter: USA, importer: CHN, sector: AGR, value: 15}"},
       {"{exporter: USA, importer: ROW, sector: AGR, value: 10}",
        "{exporter: USA, importer: ROW, sector: AGR, value: 15}"},
       {"{region: USA, sector: AGR, value: 32}", "{region: USA, sector: AGR, value: 22}"},
       {"{region: CHN, sector: AGR, value: 32}", "{region: CHN, sector: AGR, value: 37.5}"},
       {"{region: ROW, sector: AGR, value: 32}", "{region: ROW, sector: AGR, value: 37.5}"},
       {"{exporter: CHN, importer: USA, sector: MAN, value: 10}",
        "{exporter: CHN, importer: USA, sector: MAN, value: 0}"},
       {"{exporter: CHN, importer: CHN, sector: MAN, value: 10}",
        "{exporter: CHN, importer: CHN, sector: MAN, value: 20}"},
       {"{region: USA, sector: MAN, value: 33}", "{region: USA, sector: MAN, value: 21}"},
       {"{region: CHN, sector: MAN, value: 32}", "{region: CHN, sector: MAN, value: 42}"}});
}

// The balanced world with the given Armington elasticities, e.g. "{default: 5.0, MAN: 0.8}".
std::string WorldWithArmington(const std::string& armington) {
  return Replaced(BalancedBenchmarkYaml(),
                  {{"factor_payments:\n", "elasticities:\n  armington: " + armington +
                                              "\nfactor_payments:\n"}});
}

// Every rate of `after` equals `before` except where `changed(i, r, s)` says so.
void CheckOnly(const Tensor3& before, const Tensor3& after,
               const std::function<bool(std::size_t, std::size_t, std::size_t)>& changed,
               const std::function<double(double)>& expected) {
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t r = 0; r < 3; ++r) {
      for (std::size_t s = 0; s < 3; ++s) {
        INFO("entry (" << kSectors[i] << ", " << kRegions[r] << ", " << kRegions[s] << ")");
        if (r == s) {
          CHECK(after(i, r, s) == 0.0);  // domestic flows are never taxed
        } else if (changed(i, r, s)) {
          CHECK(after(i, r, s) == Approx(expected(before(i, r, s))));
        } else {
          CHECK(after(i, r, s) == before(i, r, s));
        }
      }
    }
  }
}

// Every entry of a 3x3x3 tensor equals expected(i, r, s).
void CheckEach(const Tensor3& after,
               const std::function<double(std::size_t, std::size_t, std::size_t)>& expected) {
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t r = 0; r < 3; ++r) {
      for (std::size_t s = 0; s < 3; ++s) {
        INFO("entry (" << kSectors[i] << ", " << kRegions[r] << ", " << kRegions[s] << ")");
        CHECK(after(i, r, s) == Approx(expected(i, r, s)).margin(1e-15));
      }
    }
  }
}

}  // namespace

TEST_CASE("the benchmark policy reproduces the benchmark", "[scenario]") {
  const Loaded loaded = LoadAndApply("");
  const Policy& policy = loaded.policy;
  CHECK(policy.tariffs.data() == loaded.data.tariffs.data());
  CHECK(policy.export_taxes.data() == loaded.data.export_taxes.data());
  CHECK(policy.ntb.data() == loaded.data.ntb.data());
  CHECK(policy.tariffs(kMan, kChn, kUsa) == 0.2);
  CHECK(policy.productivity == std::vector<double>(9, 1.0));
  CHECK(policy.endowment == std::vector<double>(6, 1.0));
  CHECK(policy.factor_productivity.data() == std::vector<double>(18, 1.0));
  REQUIRE(policy.deficit.size() == 3);
  for (double deficit : policy.deficit) CHECK(deficit == Approx(0.0).margin(1e-12));
  // Defaults.
  CHECK(loaded.scenario.name == "test");
  CHECK(loaded.scenario.redistribution == RedistributionRule::kLumpSum);
  CHECK(loaded.scenario.numeraire.kind == NumeraireChoice::Kind::kWorldFactorIncome);
  CHECK(loaded.scenario.numeraire.Describe(loaded.data) == "world_factor_income");
  CHECK(loaded.scenario.solver.tolerance == 1e-10);
  CHECK(loaded.scenario.solver.max_iterations == 200);
  CHECK(std::filesystem::path(loaded.scenario.data_path).filename() == "world.yaml");
  CHECK(loaded.data.regions.size() == 3);
}

TEST_CASE("tariff shocks: set by name, add to all, scale by list", "[scenario][shocks]") {
  const Benchmark data = LoadAndApply("").data;
  SECTION("set by name") {
    const Policy policy = LoadAndApply(
        "shocks:\n  - {type: tariff, importer: USA, exporter: CHN, sectors: [MAN], set: 0.25}\n")
        .policy;
    CheckOnly(data.tariffs, policy.tariffs,
              [](std::size_t i, std::size_t r, std::size_t s) {
                return i == kMan && r == kChn && s == kUsa;
              },
              [](double) { return 0.25; });
  }
  SECTION("add with \"*\" and omitted selectors, never on domestic flows") {
    const Policy policy =
        LoadAndApply("shocks:\n  - {type: tariff, importer: \"*\", add: 0.15}\n").policy;
    CheckOnly(data.tariffs, policy.tariffs,
              [](std::size_t, std::size_t, std::size_t) { return true; },
              [](double before) { return before + 0.15; });
  }
  SECTION("scale with lists that include a domestic pair") {
    const Policy policy = LoadAndApply(
        "shocks:\n  - {type: tariff, importer: [USA, CHN], exporter: [CHN, USA], sectors: [AGR, "
        "SER], scale: 3}\n")
        .policy;
    CheckOnly(data.tariffs, policy.tariffs,
              [](std::size_t i, std::size_t r, std::size_t s) {
                return i != kMan && r != kRow && s != kRow;
              },
              [](double before) { return 3.0 * before; });
  }
  SECTION("shocks apply in order") {
    const Policy policy = LoadAndApply(
        "shocks:\n"
        "  - {type: tariff, importer: USA, exporter: CHN, set: -2}\n"  // invalid alone
        "  - {type: tariff, importer: USA, exporter: CHN, add: 2.5}\n")
        .policy;
    CHECK(policy.tariffs(kAgr, kChn, kUsa) == Approx(0.5));
    CHECK(policy.tariffs(kMan, kChn, kUsa) == Approx(0.5));
    CHECK(policy.tariffs(kAgr, kUsa, kChn) == Approx(0.1));
  }
}

TEST_CASE("export tax shocks apply to the exporter's cross-border flows", "[scenario][shocks]") {
  const Benchmark data = LoadAndApply("").data;
  const Policy policy =
      LoadAndApply("shocks:\n  - {type: export_tax, exporter: USA, sectors: MAN, set: 0.05}\n")
          .policy;
  CheckOnly(data.export_taxes, policy.export_taxes,
            [](std::size_t i, std::size_t r, std::size_t) { return i == kMan && r == kUsa; },
            [](double) { return 0.05; });
  CHECK(policy.tariffs.data() == data.tariffs.data());
  CHECK(policy.ntb.data() == data.ntb.data());
  const Policy added = LoadAndApply(
      "shocks:\n  - {type: export_tax, exporter: \"*\", importer: CHN, add: -0.1}\n"
      "  - {type: export_tax, exporter: ROW, importer: CHN, scale: 2}\n")
      .policy;
  CHECK(added.export_taxes(kAgr, kUsa, kChn) == Approx(-0.1));
  CHECK(added.export_taxes(kSer, kRow, kChn) == Approx(-0.2));
  CHECK(added.export_taxes(kSer, kChn, kChn) == 0.0);
  CHECK(added.export_taxes(kSer, kChn, kUsa) == 0.0);
}

TEST_CASE("ntb shocks apply to the selected cross-border flows", "[scenario][shocks]") {
  const Benchmark data = LoadAndApply("").data;
  const Policy policy = LoadAndApply(
      "shocks:\n  - {type: ntb, importer: [USA, ROW], exporter: CHN, add: 0.10, rents: none}\n")
      .policy;
  CheckOnly(data.ntb, policy.ntb,
            [](std::size_t, std::size_t r, std::size_t s) {
              return r == kChn && (s == kUsa || s == kRow);
            },
            [](double before) { return before + 0.1; });
  CHECK(policy.tariffs.data() == data.tariffs.data());
}

TEST_CASE("productivity, factor productivity and endowment shocks", "[scenario][shocks]") {
  const Policy policy = LoadAndApply(
      "shocks:\n"
      "  - {type: productivity, region: CHN, sectors: [MAN], scale: 1.10}\n"
      "  - {type: productivity, region: \"*\", sectors: SER, add: 0.5}\n"
      "  - {type: factor_productivity, region: USA, factor: labour, scale: 1.05}\n"
      "  - {type: factor_productivity, region: [ROW], factor: capital, sectors: AGR, set: 2}\n"
      "  - {type: endowment, region: USA, factor: labour, scale: 1.02}\n"
      "  - {type: endowment, region: USA, factor: labour, add: 0.01}\n"
      "  - {type: endowment, factor: capital, set: 0.5}\n")
      .policy;
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t r = 0; r < 3; ++r) {
      double expected = 1.0;
      if (i == kMan && r == kChn) expected = 1.1;
      if (i == kSer) expected = 1.5;
      CHECK(policy.productivity[i * 3 + r] == Approx(expected));
      for (std::size_t f = 0; f < 2; ++f) {
        double level = 1.0;
        if (f == kLabour && r == kUsa) level = 1.05;
        if (f == kCapital && r == kRow && i == kAgr) level = 2.0;
        CHECK(policy.factor_productivity(f, i, r) == Approx(level));
      }
    }
  }
  CHECK(policy.endowment[kLabour * 3 + kUsa] == Approx(1.03));
  CHECK(policy.endowment[kLabour * 3 + kChn] == 1.0);
  for (std::size_t r = 0; r < 3; ++r) CHECK(policy.endowment[kCapital * 3 + r] == 0.5);
}

TEST_CASE("deficit shocks that keep the world balanced", "[scenario][shocks]") {
  const Policy policy = LoadAndApply(
      "shocks:\n"
      "  - {type: deficit, region: USA, add: 5}\n"
      "  - {type: deficit, region: [CHN], add: -5}\n")
      .policy;
  CHECK(policy.deficit[kUsa] == Approx(5.0));
  CHECK(policy.deficit[kChn] == Approx(-5.0));
  CHECK(policy.deficit[kRow] == Approx(0.0).margin(1e-12));
  const Policy purged = LoadAndApply("shocks:\n  - {type: deficit, region: \"*\", set: 0}\n").policy;
  for (double deficit : purged.deficit) CHECK(deficit == 0.0);
}

TEST_CASE("redistribution, numeraire and solver settings are read", "[scenario]") {
  const Loaded loaded = LoadAndApply(
      "name: my run\n"
      "redistribution: {rule: shares, shares: {workers: 0.6, owners: 0.4}}\n"
      "numeraire: {region: CHN, factor: capital}\n"
      "solver: {tolerance: 1e-8, max_iterations: 50}\n");
  CHECK(loaded.scenario.name == "my run");
  CHECK(loaded.scenario.redistribution == RedistributionRule::kShares);
  REQUIRE(loaded.scenario.redistribution_shares.size() == 2);
  CHECK(loaded.scenario.redistribution_shares[0].first == "workers");
  CHECK(loaded.scenario.redistribution_shares[0].second == 0.6);
  CHECK(loaded.scenario.numeraire.kind == NumeraireChoice::Kind::kFactorPrice);
  CHECK(loaded.scenario.numeraire.Describe(loaded.data) == "CHN/capital");
  CHECK(loaded.scenario.solver.tolerance == 1e-8);
  CHECK(loaded.scenario.solver.max_iterations == 50);
  for (const std::string rule : {"lump_sum", "proportional", "none", "compensate"}) {
    const Loaded other = LoadAndApply("redistribution: {rule: " + rule + "}\n");
    CHECK(RedistributionRuleToString(other.scenario.redistribution) == rule);
  }
  CHECK_THAT(ScenarioError("redistribution: {rule: shares}\n"), Contains("needs a map 'shares"));
  CHECK_THAT(ScenarioError("redistribution: {rule: fair}\n"),
             Contains("unknown rule 'fair' (rules: lump_sum, proportional, none, compensate, "
                      "shares)"));
  CHECK_THAT(ScenarioError("numeraire: {region: CHN, factor: land}\n"),
             Contains("unknown factor 'land' (factors: labour, capital)"));
  CHECK_THAT(ScenarioError("numeraire: gold\n"), Contains("unknown choice 'gold'"));
  CHECK_THAT(ScenarioError("solver: {tolerance: 0}\n"), Contains("tolerance must be > 0"));
  CHECK_THAT(ScenarioError("solver: {tolerance: .inf}\n"), Contains("must be a finite number"));
  CHECK_THAT(ScenarioError("solver: {max_iterations: -1}\n"), Contains("max_iterations must be"));
}

TEST_CASE("string conversions round-trip", "[scenario]") {
  for (ShockType type : {ShockType::kTariff, ShockType::kExportTax, ShockType::kNtb,
                         ShockType::kProductivity, ShockType::kFactorProductivity,
                         ShockType::kEndowment, ShockType::kDeficit, ShockType::kFactorTax,
                         ShockType::kIncomeTax}) {
    ShockType back = ShockType::kTariff;
    REQUIRE(StringToShockType(ShockTypeToString(type), &back));
    CHECK(back == type);
  }
  for (ShockType type : {ShockType::kQuota, ShockType::kExportBan}) {
    ShockType back = ShockType::kTariff;
    REQUIRE(StringToShockType(ShockTypeToString(type), &back));
    CHECK(back == type);
  }
  CHECK(std::string(ShockTypeToString(ShockType::kQuota)) == "quota");
  CHECK(std::string(ShockTypeToString(ShockType::kExportBan)) == "export_ban");
  ShockType unused = ShockType::kTariff;
  CHECK_FALSE(StringToShockType("subsidy", &unused));
  RedistributionRule rule = RedistributionRule::kLumpSum;
  CHECK(StringToRedistributionRule("compensate", &rule));
  CHECK(rule == RedistributionRule::kCompensate);
  CHECK_FALSE(StringToRedistributionRule("fair", &rule));
}

TEST_CASE("unknown shock type lists the valid types", "[scenario][errors]") {
  const std::string message =
      ScenarioError("shocks:\n  - {type: tariff, set: 0}\n  - {type: subsidy, set: 1}\n");
  CHECK_THAT(message, Contains("test.yaml:5:12: shock 2: unknown shock type 'subsidy' (types: "
                               "tariff, export_tax, ntb, productivity, factor_productivity, "
                               "endowment, deficit, factor_tax, income_tax, quota, "
                               "export_ban)"));
}

TEST_CASE("unknown names in selectors list the valid names", "[scenario][errors]") {
  CHECK_THAT(ScenarioError("shocks:\n  - {type: tariff, importer: XXX, set: 0}\n"),
             Contains("test.yaml:4:30: shock 1 (tariff): unknown region 'XXX' in importer "
                      "(regions: USA, CHN, ROW)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: productivity, sectors: [MAN, FOO], scale: 2}\n"),
             Contains("unknown sector 'FOO' in sectors (sectors: AGR, MAN, SER)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: endowment, factor: land, scale: 2}\n"),
             Contains("unknown factor 'land' in factor (factors: labour, capital)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: endowment, factor: [], scale: 2}\n"),
             Contains("non-empty list"));
}

TEST_CASE("keys not valid for the shock type are refused", "[scenario][errors]") {
  CHECK_THAT(ScenarioError("shocks:\n  - {type: productivity, importer: USA, scale: 1.1}\n"),
             Contains("test.yaml:4:26: shock 1 (productivity): unknown key 'importer' (valid "
                      "keys: type, set, add, scale, region, sectors)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: tariff, rents: none, set: 0.1}\n"),
             Contains("unknown key 'rents'"));
}

TEST_CASE("exactly one of set, add, scale", "[scenario][errors]") {
  CHECK_THAT(ScenarioError("shocks:\n  - {type: tariff, set: 0.1, add: 0.2}\n"),
             Contains("test.yaml:4:35: shock 1 (tariff): give exactly one of set, add, scale "
                      "(found more)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: tariff, importer: USA}\n"),
             Contains("test.yaml:4:5: shock 1 (tariff): give exactly one of set, add, scale "
                      "(found none)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: tariff, set: 12abc}\n"),
             Contains("expected a number, got '12abc'"));
}

TEST_CASE("rates with 1 + rate <= 0 after the shocks name the shock and flow",
          "[scenario][errors]") {
  const std::string message = ScenarioError(
      "shocks:\n  - {type: tariff, importer: ROW, set: 0}\n"
      "  - {type: tariff, importer: USA, exporter: CHN, sectors: MAN, add: -1.2}\n");
  CHECK_THAT(message, Contains("test.yaml:5:5: after the shocks, the tariff on MAN from CHN to "
                               "USA is -1: 1 + rate must be > 0"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: ntb, set: -1}\n"),
             Contains("test.yaml:4:5: after the shocks, the ntb on AGR from USA to CHN"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: productivity, region: USA, set: 0}\n"),
             Contains("test.yaml:4:5: after the shocks, productivity of USA/AGR is 0: it must be "
                      "> 0"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: endowment, scale: -1}\n"),
             Contains("endowment of labour in USA is -1"));
}

TEST_CASE("deficit shocks that unbalance the world are refused", "[scenario][errors]") {
  const std::string message = ScenarioError("shocks:\n  - {type: deficit, region: USA, add: 5}\n");
  CHECK_THAT(message, Contains("test.yaml:4:5: after the shocks, deficits sum to 5; they must "
                               "sum to zero across regions"));
}

TEST_CASE("ntb shocks with rents change the rate of their own kind", "[scenario][shocks]") {
  const Loaded base = LoadAndApply("");
  const Tensor3& zero = base.policy.importer_rent;  // the benchmark has iceberg NTBs only
  for (double rate : zero.data()) REQUIRE(rate == 0.0);
  for (double rate : base.policy.exporter_rent.data()) REQUIRE(rate == 0.0);
  SECTION("rents: importer, set") {
    const Policy policy = LoadAndApply(
        "shocks:\n  - {type: ntb, importer: USA, exporter: CHN, sectors: MAN, set: 0.3, "
        "rents: importer}\n")
        .policy;
    CheckOnly(zero, policy.importer_rent,
              [](std::size_t i, std::size_t r, std::size_t s) {
                return i == kMan && r == kChn && s == kUsa;
              },
              [](double) { return 0.3; });
    CHECK(policy.exporter_rent.data() == zero.data());
    CHECK(policy.ntb.data() == base.data.ntb.data());
    CHECK(policy.tariffs.data() == base.data.tariffs.data());
  }
  SECTION("rents: exporter, add then scale") {
    const Policy policy = LoadAndApply(
        "shocks:\n"
        "  - {type: ntb, exporter: CHN, add: 0.1, rents: exporter}\n"
        "  - {type: ntb, exporter: CHN, importer: USA, scale: 2, rents: exporter}\n")
        .policy;
    CheckEach(policy.exporter_rent, [](std::size_t, std::size_t r, std::size_t s) {
      if (r != kChn || s == kChn) return 0.0;
      return s == kUsa ? 0.2 : 0.1;
    });
    CHECK(policy.importer_rent.data() == zero.data());
    CHECK(policy.ntb.data() == base.data.ntb.data());
  }
  SECTION("each kind is its own rate") {
    const Policy policy = LoadAndApply(
        "shocks:\n"
        "  - {type: ntb, add: 0.05}\n"  // rents omitted: none (iceberg)
        "  - {type: ntb, add: 0.02, rents: importer}\n"
        "  - {type: ntb, scale: 3, rents: importer}\n"
        "  - {type: ntb, importer: ROW, scale: 2, rents: none}\n")
        .policy;
    CheckEach(policy.ntb, [](std::size_t, std::size_t r, std::size_t s) {
      return r == s ? 0.0 : s == kRow ? 0.10 : 0.05;
    });
    CheckEach(policy.importer_rent,
              [](std::size_t, std::size_t r, std::size_t s) { return r == s ? 0.0 : 0.06; });
    CHECK(policy.exporter_rent.data() == zero.data());
    CHECK(policy.quotas.empty());
    for (double open : policy.access.data()) CHECK(open == 1.0);
  }
}

TEST_CASE("ntb rent rates with 1 + rate <= 0 and unknown rents are refused",
          "[scenario][errors]") {
  CHECK_THAT(ScenarioError("shocks:\n  - {type: ntb, importer: USA, set: -1, rents: importer}\n"),
             Contains("test.yaml:4:5: after the shocks, the ntb (rents: importer) on AGR from CHN "
                      "to USA is -1: 1 + rate must be > 0"));
  CHECK_THAT(ScenarioError("shocks:\n"
                           "  - {type: ntb, set: 0.5, rents: exporter}\n"
                           "  - {type: ntb, exporter: ROW, add: -1.5, rents: exporter}\n"),
             Contains("test.yaml:5:5: after the shocks, the ntb (rents: exporter) on AGR from ROW "
                      "to USA is -1: 1 + rate must be > 0"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: ntb, add: 0.1, rents: nobody}\n"),
             Contains("test.yaml:4:34: shock 1 (ntb): unknown rents 'nobody' (rents: none, "
                      "importer, exporter)"));
}

TEST_CASE("quota shocks add one Quota per traded cross-border flow", "[scenario][shocks]") {
  SECTION("one importer, domestic flows skipped, rents default to the importer") {
    const Loaded loaded = LoadAndApply(
        "shocks:\n  - {type: quota, importer: USA, exporter: [ROW, USA, CHN], sectors: MAN, "
        "level: 0.8}\n");
    const Policy& policy = loaded.policy;
    REQUIRE(policy.quotas.size() == 2);
    CHECK(policy.quotas[0].sector == kMan);
    CHECK(policy.quotas[0].exporter == kChn);
    CHECK(policy.quotas[0].importer == kUsa);
    CHECK(policy.quotas[1].exporter == kRow);
    for (const Quota& quota : policy.quotas) {
      CHECK(quota.level == 0.8);
      CHECK(quota.owner == RentOwner::kImporter);
    }
    CHECK(policy.quota_on(kMan, kUsa, kUsa) == nullptr);
    CHECK(policy.quota_on(kMan, kChn, kRow) == nullptr);
    // A quota changes no rate and no access.
    CHECK(policy.tariffs.data() == loaded.data.tariffs.data());
    CHECK(policy.ntb.data() == loaded.data.ntb.data());
    for (double rate : policy.importer_rent.data()) CHECK(rate == 0.0);
    for (double rate : policy.exporter_rent.data()) CHECK(rate == 0.0);
    for (double open : policy.access.data()) CHECK(open == 1.0);
  }
  SECTION("rents to the exporter; sorted by sector, exporter, importer") {
    const Policy policy = LoadAndApply(
        "shocks:\n  - {type: quota, importer: [USA, CHN], exporter: [ROW, CHN], "
        "sectors: [SER, AGR], level: 1.5, rents: exporter}\n")
        .policy;
    const int expected[][3] = {{kAgr, kChn, kUsa}, {kAgr, kRow, kUsa}, {kAgr, kRow, kChn},
                               {kSer, kChn, kUsa}, {kSer, kRow, kUsa}, {kSer, kRow, kChn}};
    REQUIRE(policy.quotas.size() == 6);
    for (std::size_t k = 0; k < 6; ++k) {
      INFO("quota " << k);
      CHECK(policy.quotas[k].sector == expected[k][0]);
      CHECK(policy.quotas[k].exporter == expected[k][1]);
      CHECK(policy.quotas[k].importer == expected[k][2]);
      CHECK(policy.quotas[k].level == 1.5);
      CHECK(policy.quotas[k].owner == RentOwner::kExporter);
    }
  }
  SECTION("a later quota on the same flow replaces the earlier one") {
    const Policy policy = LoadAndApply(
        "shocks:\n"
        "  - {type: quota, importer: USA, level: 0.5}\n"
        "  - {type: quota, importer: USA, exporter: CHN, sectors: MAN, level: 0.9, "
        "rents: exporter}\n")
        .policy;
    REQUIRE(policy.quotas.size() == 6);  // 3 sectors x 2 foreign exporters, each once
    for (std::size_t k = 0; k < policy.quotas.size(); ++k) {
      const Quota& quota = policy.quotas[k];
      const bool replaced = quota.sector == kMan && quota.exporter == kChn;
      CHECK(quota.importer == kUsa);
      CHECK(quota.level == (replaced ? 0.9 : 0.5));
      CHECK(quota.owner == (replaced ? RentOwner::kExporter : RentOwner::kImporter));
      if (k > 0) {
        const Quota& before = policy.quotas[k - 1];
        CHECK(std::make_tuple(before.sector, before.exporter, before.importer) <
              std::make_tuple(quota.sector, quota.exporter, quota.importer));
      }
    }
    REQUIRE(policy.quota_on(kMan, kChn, kUsa) != nullptr);
    CHECK(policy.quota_on(kMan, kChn, kUsa)->level == 0.9);
  }
  SECTION("flows with no benchmark trade are skipped") {
    const Policy policy =
        LoadAndApply("shocks:\n  - {type: quota, importer: USA, sectors: MAN, level: 0.8}\n",
                     SparseBenchmarkYaml())
            .policy;
    REQUIRE(policy.quotas.size() == 1);
    CHECK(policy.quotas[0].exporter == kRow);
    CHECK(policy.quota_on(kMan, kChn, kUsa) == nullptr);
  }
}

TEST_CASE("bad quota shocks are refused with file, line and column", "[scenario][errors]") {
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: 0.8, rents: none}\n"),
             Contains("test.yaml:4:38: shock 1 (quota): rents: none is not allowed: a quota's "
                      "rent goes to the importer or the exporter"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: 0.8, rents: government}\n"),
             Contains("test.yaml:4:38: shock 1 (quota): unknown rents 'government' (rents: "
                      "importer, exporter)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, importer: USA}\n"),
             Contains("test.yaml:4:5: shock 1 (quota): missing required key 'level'"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: 0}\n"),
             Contains("test.yaml:4:26: shock 1 (quota): level must be > 0 (a share of the "
                      "flow's benchmark quantity), got 0"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: -0.5}\n"),
             Contains("level must be > 0"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: .nan}\n"),
             Contains("test.yaml:4:26: shock 1 (quota).level: must be a finite number"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: high}\n"),
             Contains("expected a number, got 'high'"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: 0.8, set: 0.5}\n"),
             Contains("test.yaml:4:31: shock 1 (quota): unknown key 'set' (valid keys: type, "
                      "importer, exporter, sectors, level, rents)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, level: 0.8, scale: 2}\n"),
             Contains("unknown key 'scale'"));
  // Selects only a flow with no benchmark trade, or only domestic flows.
  CHECK_THAT(ScenarioError("shocks:\n"
                           "  - {type: tariff, set: 0}\n"
                           "  - {type: quota, importer: USA, exporter: CHN, sectors: MAN, "
                           "level: 0.8}\n",
                           SparseBenchmarkYaml()),
             Contains("test.yaml:5:5: the quota selects no cross-border flow with benchmark "
                      "trade"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: quota, importer: CHN, exporter: CHN, "
                           "level: 0.8}\n"),
             Contains("test.yaml:4:5: the quota selects no cross-border flow"));
}

TEST_CASE("export_ban closes only the selected cross-border flows", "[scenario][shocks]") {
  SECTION("one flow") {
    const Loaded loaded = LoadAndApply(
        "shocks:\n  - {type: export_ban, exporter: USA, importer: CHN, sectors: MAN}\n");
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t r = 0; r < 3; ++r) {
        for (std::size_t s = 0; s < 3; ++s) {
          const bool banned = i == kMan && r == kUsa && s == kChn;
          CHECK(loaded.policy.access(i, r, s) == (banned ? 0.0 : 1.0));
        }
      }
    }
    CHECK(loaded.policy.quotas.empty());
    CHECK(loaded.policy.tariffs.data() == loaded.data.tariffs.data());
    CHECK(loaded.policy.ntb.data() == loaded.data.ntb.data());
  }
  SECTION("lists that include a domestic pair; bans repeated on a flow are harmless") {
    const Policy policy = LoadAndApply(
        "shocks:\n"
        "  - {type: export_ban, exporter: [USA, CHN], importer: [CHN, ROW], sectors: [MAN, SER]}\n"
        "  - {type: export_ban, exporter: USA, importer: ROW, sectors: SER}\n")
        .policy;
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t r = 0; r < 3; ++r) {
        for (std::size_t s = 0; s < 3; ++s) {
          INFO("flow (" << kSectors[i] << ", " << kRegions[r] << ", " << kRegions[s] << ")");
          const bool banned =
              i != kAgr && r != kRow && s != kUsa && r != s;
          CHECK(policy.access(i, r, s) == (banned ? 0.0 : 1.0));
        }
      }
    }
  }
  SECTION("a quota and a ban on different flows") {
    const Policy policy = LoadAndApply(
        "shocks:\n"
        "  - {type: export_ban, exporter: USA, importer: CHN, sectors: MAN}\n"
        "  - {type: quota, importer: USA, exporter: CHN, sectors: MAN, level: 0.8}\n")
        .policy;
    CHECK(policy.access(kMan, kUsa, kChn) == 0.0);
    REQUIRE(policy.quotas.size() == 1);
    CHECK(policy.quota_on(kMan, kChn, kUsa) != nullptr);
  }
}

TEST_CASE("bad export bans are refused with file, line and column", "[scenario][errors]") {
  const std::string complements = WorldWithArmington("{default: 5.0, MAN: 0.8, SER: 1}");
  CHECK_THAT(ScenarioError("shocks:\n  - {type: export_ban, exporter: USA, importer: CHN, "
                           "sectors: [AGR, MAN]}\n",
                           complements),
             Contains("test.yaml:4:5: export_ban on MAN needs an Armington elasticity above 1 "
                      "(it is 0.8): with complements a banned variety leaves no finite "
                      "equilibrium"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: export_ban, exporter: ROW, sectors: SER}\n",
                           complements),
             Contains("export_ban on SER needs an Armington elasticity above 1 (it is 1)"));
  CHECK(LoadAndApply("shocks:\n  - {type: export_ban, exporter: USA, sectors: AGR}\n",
                     complements)
            .policy.access(kAgr, kUsa, kRow) == 0.0);
  CHECK_THAT(ScenarioError("shocks:\n  - {type: export_ban, exporter: USA, importer: USA}\n"),
             Contains("test.yaml:4:5: the export_ban selects no cross-border flow"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: export_ban, exporter: USA, set: 0}\n"),
             Contains("test.yaml:4:39: shock 1 (export_ban): unknown key 'set' (valid keys: "
                      "type, exporter, importer, sectors)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: export_ban, exporter: USA, level: 0}\n"),
             Contains("unknown key 'level'"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: export_ban, exporter: XXX}\n"),
             Contains("shock 1 (export_ban): unknown region 'XXX' in exporter"));
}

TEST_CASE("export bans that leave a market without an origin or destination are refused",
          "[scenario][errors]") {
  const std::string sparse = SparseBenchmarkYaml();
  // USA uses no AGR of its own: banning CHN and ROW leaves it no origin.
  CHECK_THAT(ScenarioError("shocks:\n"
                           "  - {type: export_ban, exporter: CHN, importer: USA, sectors: AGR}\n"
                           "  - {type: tariff, set: 0}\n"
                           "  - {type: export_ban, exporter: ROW, importer: USA, sectors: AGR}\n",
                           sparse),
             Contains("test.yaml:6:5: after the shocks, AGR absorbed in USA has no open origin"));
  // USA exports all of its AGR: banning both destinations leaves its output nowhere to go.
  CHECK_THAT(ScenarioError("shocks:\n  - {type: export_ban, exporter: USA, sectors: AGR}\n",
                           sparse),
             Contains("test.yaml:4:5: after the shocks, AGR of USA has no open destination"));
  // A flow without benchmark trade is no origin: CHN sells no MAN to the USA, so banning ROW
  // still leaves USA's own MAN, which is enough.
  const Policy policy =
      LoadAndApply("shocks:\n  - {type: export_ban, exporter: ROW, importer: USA, sectors: MAN}\n",
                   sparse)
          .policy;
  CHECK(policy.access(kMan, kRow, kUsa) == 0.0);
  // One open destination is enough.
  CHECK(LoadAndApply("shocks:\n  - {type: export_ban, exporter: USA, importer: CHN, "
                     "sectors: AGR}\n",
                     sparse)
            .policy.access(kAgr, kUsa, kChn) == 0.0);
}

TEST_CASE("a quota and an export_ban on the same flow are refused", "[scenario][errors]") {
  CHECK_THAT(ScenarioError("shocks:\n"
                           "  - {type: export_ban, exporter: CHN, importer: USA, sectors: MAN}\n"
                           "  - {type: quota, importer: USA, level: 0.8}\n"),
             Contains("test.yaml:5:5: a quota on MAN from CHN to USA, which already has an "
                      "export_ban (line 4, column 5): a flow can have a quota or an export_ban, "
                      "not both"));
  CHECK_THAT(ScenarioError("shocks:\n"
                           "  - {type: quota, importer: USA, exporter: ROW, level: 0.8}\n"
                           "  - {type: export_ban, exporter: ROW, importer: USA, sectors: SER}\n"),
             Contains("test.yaml:5:5: an export_ban on SER from ROW to USA, which already has a "
                      "quota (line 4, column 5)"));
}

TEST_CASE("the NTB scenarios shipped with ohlin load and give the expected policy",
          "[scenario]") {
  const std::string name = GENERATE(as<std::string>{}, "ntb_rise_tariff_cut", "export_controls",
                                    "steel_quota", "steel_quota_exporter_rents");
  CAPTURE(name);
  Benchmark data;
  const Scenario scenario =
      LoadScenario(std::string(OHLIN_SOURCE_DIR) + "/scenarios/" + name + ".yaml", &data);
  const Policy policy = ApplyShocks(data, scenario.shocks);
  const std::size_t num_r = data.num_regions();
  const std::size_t num_i = data.num_sectors();
  REQUIRE(num_r == 11);
  REQUIRE(data.regions[0] == "USA");
  REQUIRE(data.regions[1] == "CHN");
  REQUIRE(data.sectors[2] == "MAN");
  REQUIRE(data.sectors[3] == "HIT");
  const std::size_t usa = 0, chn = 1, man = 2, hit = 3;
  for (double rate : policy.importer_rent.data()) CHECK(rate == 0.0);
  for (double rate : policy.exporter_rent.data()) CHECK(rate == 0.0);
  if (name == "ntb_rise_tariff_cut") {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) {
        for (std::size_t s = 0; s < num_r; ++s) {
          const double added = r == s ? 0.0 : 0.05;
          CHECK(policy.ntb(i, r, s) == Approx(data.ntb(i, r, s) + added));
          CHECK(policy.tariffs(i, r, s) == Approx(0.5 * data.tariffs(i, r, s)));
        }
      }
    }
    CHECK(policy.quotas.empty());
  } else {
    CHECK(policy.tariffs.data() == data.tariffs.data());
    CHECK(policy.ntb.data() == data.ntb.data());
  }
  if (name == "export_controls") {
    for (std::size_t i = 0; i < num_i; ++i) {
      for (std::size_t r = 0; r < num_r; ++r) {
        for (std::size_t s = 0; s < num_r; ++s) {
          const bool banned = i == hit && r == usa && s == chn;
          CHECK(policy.access(i, r, s) == (banned ? 0.0 : 1.0));
        }
      }
    }
    CHECK(policy.quotas.empty());
  } else {
    for (double open : policy.access.data()) CHECK(open == 1.0);
  }
  if (name == "steel_quota" || name == "steel_quota_exporter_rents") {
    REQUIRE(policy.quotas.size() == 1);
    const Quota& quota = policy.quotas[0];
    CHECK(quota.sector == static_cast<int>(man));
    CHECK(quota.exporter == static_cast<int>(chn));
    CHECK(quota.importer == static_cast<int>(usa));
    CHECK(quota.level == 0.8);
    CHECK(quota.owner ==
          (name == "steel_quota" ? RentOwner::kImporter : RentOwner::kExporter));
    CHECK(data.trade(man, chn, usa) > 0.0);
  }
}

TEST_CASE("factor and income tax shocks", "[scenario][shocks]") {
  const Policy policy = LoadAndApply(
      "shocks:\n"
      "  - {type: factor_tax, region: USA, factor: capital, sectors: [MAN], set: 0.1}\n"
      "  - {type: factor_tax, factor: labour, add: 0.02}\n"
      "  - {type: income_tax, region: CHN, set: 0.2}\n")
      .policy;
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t r = 0; r < 3; ++r) {
      CHECK(policy.factor_tax(kLabour, i, r) == Approx(0.02));
      CHECK(policy.factor_tax(kCapital, i, r) == (i == kMan && r == kUsa ? 0.1 : 0.0));
    }
    CHECK(policy.income_tax[i] == (i == kChn ? 0.2 : 0.0));
  }
  CHECK_THAT(ScenarioError("shocks:\n  - {type: factor_tax, factor: labour, set: -1}\n"),
             Contains("test.yaml:4:5: after the shocks, the factor tax on labour in USA/AGR"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: factor_tax, factor: labour, set: -1}\n"),
             Contains("1 + rate must be > 0"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: income_tax, region: USA, set: 1}\n"),
             Contains("the income tax of USA is 1: it must be between -1 and 1"));
}

TEST_CASE("bad scenario files: not a map, empty, binary, version, data", "[scenario][errors]") {
  const std::string dir = testing::MakeTempDir("scenario-files");
  auto error_of_file = [&](const std::string& text) {
    const std::string path = WriteFile(dir, "bad.yaml", text);
    Benchmark data;
    return testing::ErrorOf([&] { LoadScenario(path, &data); });
  };
  CHECK_THAT(error_of_file("- type: tariff\n"),
             Contains("bad.yaml:1:1: the top level of a scenario file must be a map"));
  CHECK_THAT(error_of_file("just words\n"), Contains("bad.yaml:1:1: the top level"));
  CHECK_THAT(error_of_file(""), Contains("bad.yaml: empty file"));
  CHECK_THAT(error_of_file(std::string("ohlin: 1\0", 9)), Contains("bad.yaml: not a text file"));
  CHECK_THAT(error_of_file("ohlin: 3\ndata: x.yaml\n"),
             Contains("bad.yaml:1:8: unsupported format version '3'"));
  CHECK_THAT(error_of_file("data: x.yaml\n"), Contains("missing format version"));
  CHECK_THAT(error_of_file("ohlin: 1\n"), Contains("missing required key 'data'"));
  CHECK_THAT(error_of_file("ohlin: 1\ndata: nowhere.yaml\n"),
             Contains("bad.yaml:2:7: data: benchmark file 'nowhere.yaml' not found"));
  CHECK_THAT(error_of_file("ohlin: 1\ndata: x.yaml\nshokcs: []\n"),
             Contains("bad.yaml:3:1: scenario: unknown key 'shokcs'"));
  CHECK_THAT(error_of_file("ohlin: 1\ndata: x.yaml\nshocks: [1, 2\n"),
             Contains("YAML syntax error"));
  // A bad benchmark reports the benchmark's own file.
  WriteFile(dir, "broken.yaml", "ohlin: 1\nregions: [A]\n");
  CHECK_THAT(error_of_file("ohlin: 1\ndata: broken.yaml\n"),
             Contains("broken.yaml:1:1: benchmark: missing required key 'sectors'"));
}

TEST_CASE("a scenario on a benchmark that does not balance is refused", "[scenario][errors]") {
  const std::string dir = testing::MakeTempDir("scenario-unbalanced");
  // One more unit of USA's own MAN: its output exceeds its costs, its market is oversupplied.
  std::string world = BalancedBenchmarkYaml();
  const std::string row = "{exporter: USA, importer: USA, sector: MAN, value: 10}";
  const std::size_t at = world.find(row);
  REQUIRE(at != std::string::npos);
  world.replace(at, row.size(), "{exporter: USA, importer: USA, sector: MAN, value: 11}");
  WriteFile(dir, "data/world.yaml", world);
  const std::string path =
      WriteFile(dir, "scenarios/test.yaml", "ohlin: 1\ndata: ../data/world.yaml\n");
  Benchmark data;
  const std::string message = testing::ErrorOf([&] { LoadScenario(path, &data); });
  CHECK_THAT(message, Contains("test.yaml:2:7: data: benchmark '../data/world.yaml' does not "
                               "balance (relative tolerance 1e-06): "));
  CHECK_THAT(message, Contains("zero profit USA/MAN (30 vs 31, gap 1, relative 0.0323)"));
  CHECK_THAT(message, Contains("run `ohlin check "));
}

}  // namespace ohlin

namespace ohlin {
namespace {

// A scenario beside nothing, on the shipped 2014 WIOD world, with the given elasticities line.
std::string WiodScenario(const std::string& elasticities) {
  const std::string dir = testing::MakeTempDir("scenario-sets");
  const std::string path = dir + "/s.yaml";
  std::ofstream(path) << "ohlin: 1\nname: sets\ndata: " << OHLIN_SOURCE_DIR
                      << "/data/wiod2014/world.yaml\n" << elasticities << "shocks: []\n";
  return path;
}

TEST_CASE("a scenario picks a published elasticity set of its world by name",
          "[scenario][elasticities]") {
  Benchmark world;
  LoadScenario(WiodScenario(""), &world);
  Benchmark data;
  LoadScenario(WiodScenario("elasticities: {armington: {set: CP}}\n"), &data);
  const auto sector = [&](const std::string& name) {
    return static_cast<std::size_t>(
        std::find(data.sectors.begin(), data.sectors.end(), name) - data.sectors.begin());
  };
  // The world's default is IS (Lashkaripour 2021); CP is Caliendo-Parro (2015), sigma = 1 + theta.
  CHECK(world.elasticities.armington[sector("AGR")] == Approx(1.67));
  CHECK(data.elasticities.armington[sector("AGR")] == Approx(10.11));
  CHECK(data.elasticities.armington[sector("PETRO")] == Approx(65.85));
  CHECK(data.elasticities.value_added == world.elasticities.value_added);

  const auto error = [](const std::string& line) {
    Benchmark ignored;
    return testing::ErrorOf([&] { LoadScenario(WiodScenario(line), &ignored); });
  };
  CHECK_THAT(error("elasticities: {armington: {set: XX}}\n"),
             Contains("s.yaml:4:33: elasticities.armington: unknown elasticity set 'XX' (sets: "
                      "IS, U4, CP, BSY, GYY, Shap, FGO, LL)"));
  CHECK_THAT(error("elasticities: {armington: 4}\n"),
             Contains("elasticities.armington: expected {set: NAME}"));
  CHECK_THAT(error("elasticities: {consumption: {set: CP}}\n"), Contains("consumption"));
}

}  // namespace
}  // namespace ohlin
