// Scenario files and shocks (FORMATS.md "Scenarios").
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

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
std::string WriteScenario(const std::string& body, const std::string& tag = "scenario") {
  const std::string dir = testing::MakeTempDir(tag);
  WriteFile(dir, "data/world.yaml", BalancedBenchmarkYaml());
  return WriteFile(dir, "scenarios/test.yaml", "ohlin: 1\ndata: ../data/world.yaml\n" + body);
}

struct Loaded {
  Scenario scenario;
  Benchmark data;
  Policy policy;
};

Loaded LoadAndApply(const std::string& body) {
  Loaded loaded;
  loaded.scenario = LoadScenario(WriteScenario(body), &loaded.data);
  loaded.policy = ApplyShocks(loaded.data, loaded.scenario.shocks);
  return loaded;
}


// The error of loading the scenario and applying its shocks.
std::string ScenarioError(const std::string& body) {
  return testing::ErrorOf([&] { LoadAndApply(body); });
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
  ShockType unused = ShockType::kTariff;
  CHECK_FALSE(StringToShockType("quota", &unused));
  RedistributionRule rule = RedistributionRule::kLumpSum;
  CHECK(StringToRedistributionRule("compensate", &rule));
  CHECK(rule == RedistributionRule::kCompensate);
  CHECK_FALSE(StringToRedistributionRule("fair", &rule));
}

TEST_CASE("unknown shock type lists the valid types", "[scenario][errors]") {
  const std::string message =
      ScenarioError("shocks:\n  - {type: tariff, set: 0}\n  - {type: quota, set: 1}\n");
  CHECK_THAT(message, Contains("test.yaml:5:12: shock 2: unknown shock type 'quota' (types: "
                               "tariff, export_tax, ntb, productivity, factor_productivity, "
                               "endowment, deficit, factor_tax, income_tax)"));
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

TEST_CASE("ntb rents other than none are not supported yet", "[scenario][errors]") {
  CHECK_THAT(ScenarioError("shocks:\n  - {type: ntb, add: 0.1, rents: importer}\n"),
             Contains("test.yaml:4:34: ntb rents: importer is not supported yet (only rents: "
                      "none)"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: ntb, add: 0.1, rents: exporter}\n"),
             Contains("ntb rents: exporter is not supported yet"));
  CHECK_THAT(ScenarioError("shocks:\n  - {type: ntb, add: 0.1, rents: nobody}\n"),
             Contains("unknown rents 'nobody' (rents: none, importer, exporter)"));
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
