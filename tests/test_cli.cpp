// The `ohlin` command end to end (FORMATS.md "Command line"): help, exit statuses, which
// files each outcome leaves behind, and determinism. Runs the built binary.
#include <sys/wait.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace ohlin {
namespace {

using testing::RunOhlin;
using testing::ReadFile;
using testing::WriteText;

namespace fs = std::filesystem;

std::vector<std::string> FilesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// What a converged `ohlin solve` writes: the files of FORMATS.md and state.csv (the solved
// unknowns, a start for `--start`).
const std::vector<std::string> kResultFiles = {
    "decomposition.csv", "distribution.csv", "factors.csv", "income_sources.csv", "ntb.csv",
    "sectors.csv",       "state.csv",        "summary.json", "trade.csv",         "welfare.csv"};

// A small generated world in `dir`/world plus scenario files beside it.
fs::path MakeWorld(const fs::path& dir) {
  REQUIRE(RunOhlin("synth --regions 3 --sectors 3 --factors 2 --households 2 --seed 7 --out world",
                   dir) == 0);
  REQUIRE(fs::exists(dir / "world" / "data.yaml"));
  WriteText(dir / "world" / "tariff.yaml",
            "ohlin: 1\n"
            "name: R001 raises tariffs\n"
            "data: data.yaml\n"
            "shocks:\n"
            "  - {type: tariff, importer: R001, add: 0.10}\n");
  WriteText(dir / "world" / "unknown_region.yaml",
            "ohlin: 1\n"
            "name: unknown region\n"
            "data: data.yaml\n"
            "shocks:\n"
            "  - {type: tariff, importer: XXX, add: 0.10}\n");
  // One iteration cannot solve a 50% tariff everywhere.
  WriteText(dir / "world" / "no_equilibrium.yaml",
            "ohlin: 1\n"
            "name: cut short\n"
            "data: data.yaml\n"
            "shocks:\n"
            "  - {type: tariff, add: 0.50}\n"
            "solver: {tolerance: 1e-10, max_iterations: 1}\n");
  return dir / "world";
}

// A small balanced benchmark written inline: each sector's output 20 = labour 12 + capital
// 8; final demand 10 domestic plus 10 imported at a 10% tariff; income 42 = spending 42.
const std::string kWorldYaml = R"(ohlin: 1
name: cli world
regions: [HOME, AWAY]
sectors: [AGR, MAN]
factors: [{name: labour}, {name: capital}]
households:
  HOME:
    - {name: workers, population: 3, owns: {labour: 1, capital: 0.25}}
    - {name: owners, population: 1, owns: {capital: 0.75}}
elasticities:
  armington: {default: 4.0}
factor_payments: {csv: vfm.csv}
trade:
  - {exporter: HOME, importer: HOME, sector: AGR, value: 10}
  - {exporter: HOME, importer: AWAY, sector: AGR, value: 10}
  - {exporter: AWAY, importer: HOME, sector: AGR, value: 10}
  - {exporter: AWAY, importer: AWAY, sector: AGR, value: 10}
  - {exporter: HOME, importer: HOME, sector: MAN, value: 10}
  - {exporter: HOME, importer: AWAY, sector: MAN, value: 10}
  - {exporter: AWAY, importer: HOME, sector: MAN, value: 10}
  - {exporter: AWAY, importer: AWAY, sector: MAN, value: 10}
tariffs:
  - {exporter: HOME, importer: AWAY, sector: AGR, rate: 0.1}
  - {exporter: AWAY, importer: HOME, sector: AGR, rate: 0.1}
  - {exporter: HOME, importer: AWAY, sector: MAN, rate: 0.1}
  - {exporter: AWAY, importer: HOME, sector: MAN, rate: 0.1}
final_demand:
  - {region: HOME, sector: AGR, value: 21}
  - {region: HOME, sector: MAN, value: 21}
  - {region: AWAY, sector: AGR, value: 21}
  - {region: AWAY, sector: MAN, value: 21}
)";
const std::string kWorldCsv =
    "region,sector,factor,value\n"
    "HOME,AGR,labour,12\nHOME,AGR,capital,8\nHOME,MAN,labour,12\nHOME,MAN,capital,8\n"
    "AWAY,AGR,labour,12\nAWAY,AGR,capital,8\nAWAY,MAN,labour,12\nAWAY,MAN,capital,8\n";
const std::string kScenarioYaml =
    "ohlin: 1\nname: cli tariff\ndata: world.yaml\n"
    "shocks:\n  - {type: tariff, importer: HOME, add: 0.1}\n";

// `text` with the first `from` replaced by `to`; `from` must occur.
std::string Edit(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

// One class of bad input (issue "reliability"): the files as given, what the message says.
struct BadInput {
  std::string label;
  std::string world = kWorldYaml;
  std::string csv = kWorldCsv;
  std::string scenario = kScenarioYaml;
  std::vector<std::string> expected;  // every one must appear in the message
  bool benchmark = true;              // the benchmark is bad: `ohlin check` must refuse it too
};

std::vector<BadInput> BadInputs() {
  std::vector<BadInput> cases;
  auto world = [&](const std::string& label, const std::string& text,
                   std::vector<std::string> expected) {
    BadInput bad;
    bad.label = label;
    bad.world = text;
    bad.expected = std::move(expected);
    cases.push_back(bad);
  };
  auto csv = [&](const std::string& label, const std::string& text,
                 std::vector<std::string> expected) {
    BadInput bad;
    bad.label = label;
    bad.csv = text;
    bad.expected = std::move(expected);
    cases.push_back(bad);
  };
  auto scenario = [&](const std::string& label, const std::string& text,
                      std::vector<std::string> expected) {
    BadInput bad;
    bad.label = label;
    bad.scenario = text;
    bad.expected = std::move(expected);
    bad.benchmark = false;
    cases.push_back(bad);
  };
  const std::string& w = kWorldYaml;
  world("YAML syntax", Edit(w, "sectors: [AGR, MAN]", "sectors: [AGR, MAN"),
        {"world.yaml:", "YAML syntax error"});
  world("wrong format version", Edit(w, "ohlin: 1", "ohlin: 2"),
        {"world.yaml:1:8: unsupported format version '2': this ohlin reads 'ohlin: 1'"});
  world("missing format version", Edit(w, "ohlin: 1\n", ""),
        {"world.yaml:1:1: missing format version"});
  world("missing key", Edit(w, "sectors: [AGR, MAN]\n", ""),
        {"world.yaml:1:1: benchmark: missing required key 'sectors'"});
  world("duplicate names", Edit(w, "regions: [HOME, AWAY]", "regions: [HOME, AWAY, HOME]"),
        {"world.yaml:3:23: regions: duplicate name 'HOME'"});
  world("unknown name in a table",
        Edit(w, "{exporter: HOME, importer: AWAY, sector: AGR, value: 10}",
             "{exporter: HOME, importer: XXX, sector: AGR, value: 10}"),
        {"world.yaml:15:32: trade row {exporter: HOME, importer: XXX, sector: AGR}: unknown "
         "region 'XXX' (regions: HOME, AWAY)"});
  world("repeated row",
        Edit(w, "  - {exporter: AWAY, importer: AWAY, sector: MAN, value: 10}\n",
             "  - {exporter: AWAY, importer: AWAY, sector: MAN, value: 10}\n"
             "  - {exporter: AWAY, importer: AWAY, sector: MAN, value: 10}\n"),
        {"world.yaml:22:", "trade row {exporter: AWAY, importer: AWAY, sector: MAN}: repeated "
                           "row (first given at "});
  world("negative value",
        Edit(w, "{region: AWAY, sector: MAN, value: 21}", "{region: AWAY, sector: MAN, value: -21}"),
        {"world.yaml:31:", "final_demand row {region: AWAY, sector: MAN}: value must be >= 0"});
  for (const std::string value : {".nan", "-.inf", "1e400"}) {
    world("non-finite value " + value,
          Edit(w, "{region: AWAY, sector: MAN, value: 21}",
               "{region: AWAY, sector: MAN, value: " + value + "}"),
          {"world.yaml:31:", "final_demand row {region: AWAY, sector: MAN}: value: must be a "
                             "finite number, got '" + value + "'"});
  }
  world("missing CSV file", Edit(w, "{csv: vfm.csv}", "{csv: nowhere.csv}"),
        {"world.yaml:12:24: factor_payments: CSV file 'nowhere.csv'", "no such file"});
  world("unreadable CSV file", Edit(w, "{csv: vfm.csv}", "{csv: folder.csv}"),
        {"world.yaml:12:24: factor_payments: CSV file 'folder.csv'", "it is a folder"});
  csv("binary CSV file", std::string("region,sector,factor,value\n\0\1\2", 30),
      {"vfm.csv: not a text file"});
  csv("wrong CSV header", Edit(kWorldCsv, "region,sector,factor,value", "region,sector,value"),
      {"vfm.csv:1: factor_payments: CSV header must have exactly the columns region, sector, "
       "factor, value (in any order); got 'region, sector, value'"});
  csv("unknown name in a CSV row", Edit(kWorldCsv, "AWAY,MAN,capital", "AWAY,MAN,land"),
      {"vfm.csv:9: factor_payments row {region: AWAY, sector: MAN, factor: land}: unknown "
       "factor 'land' (factors: labour, capital)"});
  world("elasticity out of range", Edit(w, "{default: 4.0}", "{default: 4.0, MAN: -1}"),
        {"world.yaml:11:", "elasticities.armington.MAN must be > 0, got -1"});
  world("elasticity not a number", Edit(w, "{default: 4.0}", "{default: high}"),
        {"world.yaml:11:24: elasticities.armington.default: expected a number, got 'high'"});
  world("ownership shares", Edit(w, "owns: {capital: 0.75}", "owns: {capital: 0.5}"),
        {"world.yaml:8:", "households of HOME: ownership shares of 'capital' sum to 0.75; they "
                          "must sum to 1"});
  world("unbalanced accounts",
        Edit(w, "{exporter: AWAY, importer: AWAY, sector: MAN, value: 10}",
             "{exporter: AWAY, importer: AWAY, sector: MAN, value: 11}"),
        {"zero profit AWAY/MAN", "21", "20"});
  world("rate with 1 + rate <= 0",
        Edit(w, "{exporter: AWAY, importer: HOME, sector: MAN, rate: 0.1}",
             "{exporter: AWAY, importer: HOME, sector: MAN, rate: -1}"),
        {"world.yaml:26:", "tariffs row {exporter: AWAY, importer: HOME, sector: MAN}: rate must "
                           "satisfy 1 + rate > 0, got -1"});
  world("empty benchmark", "", {"world.yaml: empty file"});
  world("binary benchmark", std::string("ohlin: 1\n\0\xff", 11),
        {"world.yaml: not a text file"});
  world("benchmark not a map", "[ohlin, 1]\n", {"world.yaml:1:1: the top level of a benchmark"});

  const std::string& sc = kScenarioYaml;
  scenario("unknown name in a scenario", Edit(sc, "importer: HOME", "importer: [HOME, XXX]"),
           {"scenario.yaml:5:37: shock 1 (tariff): unknown region 'XXX' in importer (regions: "
            "HOME, AWAY)"});
  scenario("rate with 1 + rate <= 0 after the shocks", Edit(sc, "add: 0.1", "add: -1.1"),
           {"scenario.yaml:5:5: after the shocks, the tariff on AGR from AWAY to HOME is -1: 1 "
            "+ rate must be > 0"});
  scenario("non-finite shock value", Edit(sc, "add: 0.1", "add: .inf"),
           {"scenario.yaml:5:41: shock 1 (tariff).add: must be a finite number, got '.inf'"});
  scenario("conflicting set/add/scale", Edit(sc, "add: 0.1", "add: 0.1, scale: 2"),
           {"scenario.yaml:5:", "shock 1 (tariff): give exactly one of set, add, scale (found "
                                "more)"});
  scenario("unknown shock type", Edit(sc, "type: tariff", "type: subsidy"),
           {"scenario.yaml:5:12: shock 1: unknown shock type 'subsidy' (types: tariff, "
            "export_tax, ntb, productivity, factor_productivity, endowment, deficit, "
            "factor_tax, income_tax, quota, export_ban)"});
  scenario("unknown redistribution rule", sc + "redistribution: {rule: fair}\n",
           {"scenario.yaml:6:24: redistribution: unknown rule 'fair' (rules: lump_sum, "
            "proportional, none, compensate, shares)"});
  scenario("scenario YAML syntax", sc + "solver: {tolerance: 1e-8\n",
           {"scenario.yaml:", "YAML syntax error"});
  scenario("scenario format version", Edit(sc, "ohlin: 1", "ohlin: 0"),
           {"scenario.yaml:1:8: unsupported format version '0'"});
  scenario("scenario missing key", Edit(sc, "data: world.yaml\n", ""),
           {"scenario.yaml:1:1: scenario: missing required key 'data'"});
  scenario("scenario unknown key", sc + "shokcs: []\n",
           {"scenario.yaml:6:1: scenario: unknown key 'shokcs' (valid keys: "});
  scenario("empty scenario", "\n\n", {"scenario.yaml: empty file"});
  scenario("binary scenario", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10),
           {"scenario.yaml: not a text file"});
  scenario("scenario not a map", "- {type: tariff, add: 0.1}\n",
           {"scenario.yaml:1:1: the top level of a scenario file must be a map"});
  scenario("numeraire in an unknown region", sc + "numeraire: {region: MARS, factor: labour}\n",
           {"scenario.yaml:6:21: numeraire: unknown region 'MARS' (regions: HOME, AWAY)"});
  scenario("numeraire of an unknown factor", sc + "numeraire: {region: HOME, factor: land}\n",
           {"scenario.yaml:6:35: numeraire: unknown factor 'land' (factors: labour, capital)"});
  // AWAY pays only labour (its capital income moved to labour: still balanced).
  BadInput unpaid;
  unpaid.label = "numeraire a factor with no income in its region";
  unpaid.csv = Edit(kWorldCsv, "AWAY,AGR,labour,12\nAWAY,AGR,capital,8\n", "AWAY,AGR,labour,20\n");
  unpaid.csv = Edit(unpaid.csv, "AWAY,MAN,labour,12\nAWAY,MAN,capital,8\n", "AWAY,MAN,labour,20\n");
  unpaid.scenario = sc + "numeraire: {region: AWAY, factor: capital}\n";
  unpaid.expected = {"scenario.yaml:6:12: numeraire: factor 'capital' has no income in region "
                     "'AWAY' (it has in: HOME)"};
  unpaid.benchmark = false;
  cases.push_back(unpaid);
  return cases;
}

TEST_CASE("every class of bad input exits 1 with a precise message and writes no results",
          "[cli][errors]") {
  for (const BadInput& bad : BadInputs()) {
    INFO("class of bad input: " << bad.label);
    const fs::path dir = testing::MakeTempDir("cli-bad-class");
    WriteText(dir / "world.yaml", bad.world);
    WriteText(dir / "vfm.csv", bad.csv);
    WriteText(dir / "scenario.yaml", bad.scenario);
    fs::create_directory(dir / "folder.csv");
    CHECK(RunOhlin("solve scenario.yaml --out out", dir) == 1);
    CHECK_FALSE(fs::exists(dir / "out"));
    CHECK_FALSE(fs::exists(dir / "results"));
  CHECK_FALSE(fs::exists(dir / "out"));
    const std::string log = ReadFile(dir / "cli.log");
    INFO(log);
    CHECK(log.rfind("ohlin: error: ", 0) == 0);
    for (const std::string& expected : bad.expected) CHECK(log.find(expected) != std::string::npos);
    CHECK(log.find("internal error") == std::string::npos);
    if (bad.benchmark) {
      fs::remove(dir / "cli.log");
      CHECK(RunOhlin("check world.yaml", dir) == 1);
      const std::string check_log = ReadFile(dir / "cli.log");
      INFO(check_log);
      for (const std::string& expected : bad.expected) {
        CHECK(check_log.find(expected) != std::string::npos);
      }
    }
  }
}

TEST_CASE("the inline CLI world itself is good input", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-good-world");
  WriteText(dir / "world.yaml", kWorldYaml);
  WriteText(dir / "vfm.csv", kWorldCsv);
  WriteText(dir / "scenario.yaml", kScenarioYaml);
  CHECK(RunOhlin("check world.yaml", dir) == 0);
  CHECK(RunOhlin("solve scenario.yaml --out out", dir) == 0);
  CHECK(FilesIn(dir / "out") == kResultFiles);
}

TEST_CASE("every subcommand has --help", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-help");
  CHECK(RunOhlin("--help", dir) == 0);
  for (const std::string subcommand : {"solve", "compare", "check", "synth", "bench"}) {
    INFO(subcommand);
    CHECK(RunOhlin(subcommand + " --help", dir) == 0);
  }
  CHECK(ReadFile(dir / "cli.log").find("--out") != std::string::npos);
}

TEST_CASE("usage errors exit 1", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-usage");
  CHECK(RunOhlin("", dir) == 1);
  CHECK(RunOhlin("frobnicate", dir) == 1);
  CHECK(RunOhlin("synth --sectors 3 --factors 2 --out w", dir) == 1);  // no --regions
  CHECK(RunOhlin("synth --regions 0 --sectors 3 --factors 2 --out w", dir) == 1);
  CHECK_FALSE(fs::exists(dir / "w"));
}

TEST_CASE("bad input exits 1 and writes no result folder", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-bad-input");
  const fs::path world = MakeWorld(dir);
  CHECK(RunOhlin("solve missing.yaml", dir) == 1);
  CHECK(RunOhlin("solve world/unknown_region.yaml", dir) == 1);
  CHECK(RunOhlin("solve world/unknown_region.yaml --out explicit", dir) == 1);
  CHECK_FALSE(fs::exists(dir / "results"));
  CHECK_FALSE(fs::exists(dir / "out"));
  CHECK_FALSE(fs::exists(dir / "explicit"));
  const std::string log = ReadFile(dir / "cli.log");
  CHECK(log.find("unknown region 'XXX'") != std::string::npos);
  CHECK(log.find("internal error") == std::string::npos);
}

TEST_CASE("a solve that finds no equilibrium exits 2 and leaves only a failed summary", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-no-equilibrium");
  MakeWorld(dir);
  // An earlier, good answer in the same folder must not survive next to a failure.
  REQUIRE(RunOhlin("solve world/tariff.yaml --out out", dir) == 0);
  REQUIRE(FilesIn(dir / "out") == kResultFiles);

  CHECK(RunOhlin("solve world/no_equilibrium.yaml --out out", dir) == 2);
  CHECK(FilesIn(dir / "out") == std::vector<std::string>{"summary.json"});
  const auto summary = nlohmann::json::parse(ReadFile(dir / "out" / "summary.json"));
  CHECK(summary.at("status") == "failed");
  CHECK(summary.at("scenario") == "cut short");
  CHECK_FALSE(summary.at("reason").get<std::string>().empty());
}

TEST_CASE("a killed solve leaves whole files and never a false summary", "[cli][atomic]") {
  const fs::path dir = testing::MakeTempDir("cli-killed");
  MakeWorld(dir);
  WriteText(dir / "world" / "later.yaml",
            "ohlin: 1\nname: later\ndata: data.yaml\n"
            "shocks:\n  - {type: tariff, importer: R002, add: 0.20}\n");
  REQUIRE(RunOhlin("solve world/tariff.yaml --out earlier", dir) == 0);
  REQUIRE(RunOhlin("solve world/later.yaml --out later", dir) == 0);
  auto scenario_of = [](const fs::path& summary) {
    return nlohmann::json::parse(ReadFile(summary)).at("scenario").get<std::string>();
  };
  // Kill a solve into a folder holding the earlier result at several moments (whichever
  // phase each lands in, the same must hold).
  for (const char* delay : {"0.005", "0.01", "0.02", "0.04", "0.08"}) {
    INFO("killed after " << delay << " s");
    const fs::path out = dir / "out";
    fs::remove_all(out);
    fs::copy(dir / "earlier", out);
    const std::string command = "cd '" + dir.string() + "' && timeout -s KILL " + delay + " '" +
                                OHLIN_BINARY + "' solve world/later.yaml --out out >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) != -1);
    for (const std::string& name : FilesIn(out)) {
      INFO(name);
      if (name.find(".tmp.") != std::string::npos) continue;  // a kill can leave a temporary
      REQUIRE(std::find(kResultFiles.begin(), kResultFiles.end(), name) != kResultFiles.end());
      if (name == "summary.json") continue;
      const std::string text = ReadFile(out / name);
      CHECK((text == ReadFile(dir / "earlier" / name) || text == ReadFile(dir / "later" / name)));
    }
    if (fs::exists(out / "summary.json")) {
      // A summary sits next to the complete set of tables of its own run.
      const std::string run = scenario_of(out / "summary.json") == "later" ? "later" : "earlier";
      CHECK(scenario_of(dir / run / "summary.json") == scenario_of(out / "summary.json"));
      for (const std::string& name : kResultFiles) {
        if (name == "summary.json") continue;
        INFO(name);
        CHECK(ReadFile(out / name) == ReadFile(dir / run / name));
      }
    }
  }
}

TEST_CASE("a solve of a small generated world writes every result file", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-solve");
  MakeWorld(dir);
  CHECK(RunOhlin("check world/data.yaml", dir) == 0);
  REQUIRE(RunOhlin("solve world/tariff.yaml", dir) == 0);
  const fs::path out = dir / "out" / "r001_raises_tariffs";  // the default folder
  REQUIRE(fs::exists(out));
  CHECK(FilesIn(out) == kResultFiles);
  const auto summary = nlohmann::json::parse(ReadFile(out / "summary.json"));
  CHECK(summary.at("status") == "converged");
  CHECK(summary.at("max_residual").get<double>() < 1e-10);
  CHECK(ReadFile(out / "welfare.csv")
            .rfind("region,household,population,income_base,income_new,ev,ev_pct\n", 0) == 0);
  CHECK(ReadFile(dir / "cli.log").find("Welfare") != std::string::npos);

  // Solving again gives byte-identical tables, and the same summary but for the wall time.
  REQUIRE(RunOhlin("solve world/tariff.yaml --out again", dir) == 0);
  REQUIRE(FilesIn(dir / "again") == kResultFiles);
  for (const std::string& name : kResultFiles) {
    INFO(name);
    const std::string first = ReadFile(out / name);
    const std::string second = ReadFile(dir / "again" / name);
    if (name != "summary.json") {
      CHECK(first.size() > 0);
      CHECK(first == second);
      continue;
    }
    auto first_json = nlohmann::ordered_json::parse(first);
    auto second_json = nlohmann::ordered_json::parse(second);
    CHECK(first_json.contains("seconds"));
    CHECK(first_json.size() >= 13);  // every field of FORMATS.md
    // Every phase is timed, and they fit in the process (the solve itself is in "seconds").
    double phases = 0.0;
    for (const char* phase : {"load", "calibrate", "solve", "decompose", "write"}) {
      INFO(phase);
      const double seconds = first_json.at("phase_seconds").at(phase).get<double>();
      CHECK(seconds >= 0.0);
      phases += seconds;
    }
    CHECK(first_json.at("phase_seconds").at("write").get<double>() > 0.0);
    CHECK(phases >= first_json.at("seconds").get<double>());
    for (const char* timing : {"seconds", "phase_seconds"}) {
      first_json.erase(timing);
      second_json.erase(timing);
    }
    CHECK(first_json.dump(2) == second_json.dump(2));  // same fields, order and values
  }

  // --no-flow-tables leaves out trade.csv and ntb.csv, also those of an earlier run, and says
  // so; the other tables are the same bytes; two threads change nothing.
  REQUIRE(RunOhlin("solve world/tariff.yaml --out again --no-flow-tables --threads 2", dir) == 0);
  std::vector<std::string> expected;
  for (const std::string& name : kResultFiles) {
    if (name != "trade.csv" && name != "ntb.csv") expected.push_back(name);
  }
  CHECK(FilesIn(dir / "again") == expected);
  for (const std::string& name : expected) {
    if (name != "summary.json") CHECK(ReadFile(out / name) == ReadFile(dir / "again" / name));
  }
  const auto left_out = nlohmann::json::parse(ReadFile(dir / "again" / "summary.json"));
  CHECK(left_out.at("left_out") == nlohmann::json::array({"trade.csv", "ntb.csv"}));
}

TEST_CASE("synth is deterministic for a seed", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-synth");
  REQUIRE(RunOhlin("synth --regions 4 --sectors 3 --factors 3 --seed 11 --out first", dir) == 0);
  REQUIRE(RunOhlin("synth --regions 4 --sectors 3 --factors 3 --seed 11 --out second", dir) == 0);
  const std::vector<std::string> files = FilesIn(dir / "first");
  CHECK(files == FilesIn(dir / "second"));
  CHECK(std::find(files.begin(), files.end(), "data.yaml") != files.end());
  for (const std::string& name : files) {
    INFO(name);
    CHECK(ReadFile(dir / "first" / name) == ReadFile(dir / "second" / name));
  }
}

}  // namespace
}  // namespace ohlin

namespace ohlin {
namespace {

// compare.csv as rows of cells (names in this test need no quoting).
std::vector<std::vector<std::string>> ReadCsv(const fs::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      cells.push_back(line.substr(start, comma == std::string::npos ? comma : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST_CASE("compare: one column per rule, and with fixed factors the same national EV under "
          "lump-sum and proportional", "[cli][compare]") {
  const fs::path dir = testing::MakeTempDir("cli-compare");
  MakeWorld(dir);
  REQUIRE(RunOhlin("compare world/tariff.yaml --rules lump_sum,proportional,compensate --out cmp",
                   dir) == 0);
  INFO(ReadFile(dir / "cli.log"));
  CHECK(FilesIn(dir / "cmp") == std::vector<std::string>{"compare.csv"});
  const auto rows = ReadCsv(dir / "cmp" / "compare.csv");
  REQUIRE(!rows.empty());
  CHECK(rows[0] == std::vector<std::string>{"region", "household", "measure", "lump_sum",
                                            "proportional", "compensate"});
  int national_rows = 0, tax_rows = 0;
  for (std::size_t k = 1; k < rows.size(); ++k) {
    const auto& row = rows[k];
    REQUIRE(row.size() == 6);
    if (row[1].empty() && row[2] == "ev") {
      ++national_rows;
      const double lump_sum = std::stod(row[3]), proportional = std::stod(row[4]);
      const double compensate = std::stod(row[5]);
      CHECK(proportional == Approx(lump_sum).epsilon(1e-7).margin(1e-9));
      CHECK(compensate == Approx(lump_sum).epsilon(1e-7).margin(1e-9));
    }
    if (row[2] == "compensation_tax_pct") {
      ++tax_rows;
      CHECK(row[3].empty());  // only compensate has a compensation tax
      CHECK(row[4].empty());
      CHECK_FALSE(row[5].empty());
    }
    if (!row[1].empty()) CHECK(row[2] == "ev_pct");
  }
  CHECK(national_rows == 3);  // one per region
  CHECK(tax_rows == 3);
  // The rules split the same national EV differently between the two households of R001.
  bool differs = false;
  for (const auto& row : rows) {
    if (row[0] == "R001" && !row[1].empty()) differs = differs || row[3] != row[4];
  }
  CHECK(differs);
}

TEST_CASE("compare: the scenario's compare list, bad rule names and failed solves",
          "[cli][compare][errors]") {
  const fs::path dir = testing::MakeTempDir("cli-compare-errors");
  MakeWorld(dir);
  const std::string tariff = ReadFile(dir / "world" / "tariff.yaml");
  WriteText(dir / "world" / "listed.yaml", tariff + "compare: [lump_sum, none]\n");
  WriteText(dir / "world" / "bad_list.yaml", tariff + "compare: [lump_sum, fair]\n");
  WriteText(dir / "world" / "no_list.yaml", tariff);

  CHECK(RunOhlin("compare world/listed.yaml --out listed", dir) == 0);
  CHECK(ReadCsv(dir / "listed" / "compare.csv")[0] ==
        std::vector<std::string>{"region", "household", "measure", "lump_sum", "none"});
  // The command line wins over the file.
  CHECK(RunOhlin("compare world/listed.yaml --rules compensate --out wins", dir) == 0);
  CHECK(ReadCsv(dir / "wins" / "compare.csv")[0].back() == "compensate");

  fs::remove(dir / "cli.log");
  CHECK(RunOhlin("compare world/tariff.yaml --rules lump_sum,fair --out bad", dir) == 1);
  CHECK(RunOhlin("compare world/bad_list.yaml --out bad", dir) == 1);
  CHECK(RunOhlin("compare world/no_list.yaml --out bad", dir) == 1);
  CHECK(RunOhlin("compare world/tariff.yaml --rules lump_sum,lump_sum --out bad", dir) == 1);
  CHECK_FALSE(fs::exists(dir / "bad"));
  CHECK_FALSE(fs::exists(dir / "results"));
  CHECK_FALSE(fs::exists(dir / "out"));
  const std::string log = ReadFile(dir / "cli.log");
  INFO(log);
  CHECK(log.find("--rules: unknown rule 'fair' (rules: lump_sum, proportional, none, "
                 "compensate, shares)") != std::string::npos);
  CHECK(log.find("bad_list.yaml:6:21: compare: unknown rule 'fair'") != std::string::npos);
  CHECK(log.find("no_list.yaml: no rules to compare") != std::string::npos);
  CHECK(log.find("--rules: rule 'lump_sum' is given twice") != std::string::npos);
  CHECK(log.find("internal error") == std::string::npos);

  // A rule whose solve fails: exit 2 and no table, not even an earlier one.
  const std::string cut_short = ReadFile(dir / "world" / "no_equilibrium.yaml");
  WriteText(dir / "world" / "fails.yaml", cut_short);
  REQUIRE(RunOhlin("compare world/tariff.yaml --rules lump_sum --out failed", dir) == 0);
  REQUIRE(fs::exists(dir / "failed" / "compare.csv"));
  CHECK(RunOhlin("compare world/fails.yaml --rules lump_sum,compensate --out failed", dir) == 2);
  CHECK_FALSE(fs::exists(dir / "failed" / "compare.csv"));
}

}  // namespace ohlin

namespace ohlin {

TEST_CASE("the shipped data with households checks, and the compensated tariff war solves",
          "[cli][compare][shipped]") {
  const fs::path dir = testing::MakeTempDir("cli-shipped-households");
  const std::string source = OHLIN_SOURCE_DIR;
  CHECK(RunOhlin("check '" + source + "/data/default/data.yaml'", dir) == 0);
  REQUIRE(RunOhlin("solve '" + source + "/scenarios/tariff_war_compensated.yaml' --out out",
                   dir) == 0);
  INFO(ReadFile(dir / "cli.log"));
  const auto summary = nlohmann::json::parse(ReadFile(dir / "out" / "summary.json"));
  CHECK(summary.at("redistribution") == "compensate");
  const auto& compensation = summary.at("compensation");
  CHECK(compensation.at("complementarity_gap").get<double>() < 1e-8);
  for (const auto& region : compensation.at("regions")) {
    const std::string name = region.at("region");
    // The two parties to the war lose in aggregate; the tax is a rate in [0, 1).
    if (name == "USA" || name == "CHN") CHECK(region.at("loses_in_aggregate").get<bool>());
    CHECK(region.at("tax_rate").get<double>() > -1e-9);
    CHECK(region.at("tax_rate").get<double>() < 1.0);
  }
  const std::string welfare = ReadFile(dir / "out" / "welfare.csv");
  CHECK(welfare.find("USA,unskilled,") != std::string::npos);
  CHECK(welfare.find("CHN,owners,") != std::string::npos);
}

TEST_CASE("every shipped scenario solves, and its EV decomposition adds up",
          "[cli][shipped][decomposition]") {
  const fs::path source = OHLIN_SOURCE_DIR;
  std::vector<fs::path> scenarios;
  for (const auto& entry : fs::directory_iterator(source / "scenarios")) {
    if (entry.path().extension() == ".yaml") scenarios.push_back(entry.path());
  }
  std::sort(scenarios.begin(), scenarios.end());
  REQUIRE(scenarios.size() >= 12);
  for (const fs::path& scenario : scenarios) {
    INFO(scenario.filename().string());
    const fs::path dir = testing::MakeTempDir("cli-shipped");
    REQUIRE(RunOhlin("solve '" + scenario.string() + "' --out out", dir) == 0);
    const auto summary = nlohmann::json::parse(ReadFile(dir / "out" / "summary.json"));
    CHECK(summary.at("status") == "converged");
    CHECK(summary.at("decomposition_gap_pct").get<double>() < 0.1);
    // The parts of each region's EV sum to its total (decomposition.csv: ..., integration
    // error, total), and the total is the EV of welfare.csv.
    std::istringstream csv(ReadFile(dir / "out" / "decomposition.csv"));
    std::string line;
    std::getline(csv, line);
    CHECK(line == "region,component,value,pct_of_income");
    std::map<std::string, double> sum, total;
    while (std::getline(csv, line)) {
      std::istringstream row(line);
      std::string region, component, value;
      std::getline(row, region, ',');
      std::getline(row, component, ',');
      std::getline(row, value, ',');
      if (component == "total") {
        total[region] = std::stod(value);
      } else if (component != "integration_error") {
        sum[region] += std::stod(value);
      }
    }
    REQUIRE(total.size() >= 11);  // the demo world has 11 regions, the WIOD worlds 44
    for (const auto& [region, ev] : total) {
      INFO(region);
      CHECK(std::abs(sum[region] - ev) <= 1e-3 * std::max(std::abs(ev), 1.0));
    }
  }
}

TEST_CASE("ohlin bench --cases times the peer cases and names a missing one", "[cli][bench]") {
  const fs::path dir = testing::MakeTempDir("cli-bench-cases");
  MakeWorld(dir);
  // The folder tools/bench_cases.py writes, here with a small world in each case's place.
  for (const char* file : {"eu/enlargement.yaml", "cp/purge.yaml", "cp/nafta.yaml"}) {
    fs::create_directories((dir / "cases" / file).parent_path());
    WriteText(dir / "cases" / file,
              "ohlin: 1\nname: a bench case\ndata: ../../world/data.yaml\nshocks:\n"
              "  - {type: tariff, importer: R001, add: 0.10}\n");
  }
  REQUIRE(RunOhlin("bench --cases cases --runs 2", dir) == 0);
  const std::string log = ReadFile(dir / "cli.log");
  CHECK(log.find("1 thread(s) per solve") != std::string::npos);
  CHECK(log.find("EU enlargement (44 economies, one sector, 572 shocks) (target < 0.040 s)") !=
        std::string::npos);
  CHECK(log.find("Caliendo-Parro purge + NAFTA (two processes) (target < 0.500 s)") !=
        std::string::npos);
  // Both processes' phases, and the whole rounds' least and median.
  for (const char* line : {"purge solve", "nafta decompose", "enlargement write"}) {
    CHECK(log.find(line) != std::string::npos);
  }
  std::size_t count = 0;
  for (std::size_t at = log.find("whole, wall"); at != std::string::npos;
       at = log.find("whole, wall", at + 1)) {
    ++count;
  }
  CHECK(count == 2);

  fs::remove(dir / "cases" / "cp" / "nafta.yaml");
  CHECK(RunOhlin("bench --cases cases --runs 1", dir) == 1);
  CHECK(ReadFile(dir / "cli.log").find("cases/cp/nafta.yaml not found (write the cases with "
                                       "tools/bench_cases.py") != std::string::npos);
}

}  // namespace ohlin
