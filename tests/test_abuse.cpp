// What a careless or hostile user tries (issue 17), end to end through the `ohlin` binary:
// each defect's reproduction, now refused with a clear message (exit 1) or handled, and the
// frictions a new user meets. Runs the built binary on a small generated world.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/model.h"
#include "results/results.h"
#include "solver/solver.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

using testing::ReadFile;
using testing::WriteText;

namespace fs = std::filesystem;

struct Run {
  int status = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `ohlin ARGUMENTS` in `dir`; stdout and stderr apart.
Run Ohlin(const std::string& arguments, const fs::path& dir) {
  const std::string command = "cd '" + dir.string() + "' && '" + OHLIN_BINARY + "' " + arguments +
                              " > stdout.log 2> stderr.log";
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  Run run;
  run.status = WEXITSTATUS(status);
  run.out = ReadFile(dir / "stdout.log");
  run.err = ReadFile(dir / "stderr.log");
  fs::remove(dir / "stdout.log");
  fs::remove(dir / "stderr.log");
  return run;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().filename()] = ReadFile(entry.path());
  }
  return files;
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

const char* kTariff =
    "ohlin: 1\nname: R001 raises tariffs\ndata: data.yaml\n"
    "shocks:\n  - {type: tariff, importer: R001, add: 0.25}\n";

// `ohlin synth --out w` and a tariff scenario beside its data, as the issue found it.
fs::path MakeWorld(const std::string& tag) {
  const fs::path dir = testing::MakeTempDir(tag);
  REQUIRE(Ohlin("synth --regions 3 --sectors 3 --factors 2 --households 2 --seed 7 --out w", dir)
              .status == 0);
  WriteText(dir / "w" / "t.yaml", kTariff);
  return dir;
}

TEST_CASE("defect 1: --out never writes over or removes an input or a file ohlin did not write",
          "[abuse]") {
  const fs::path dir = MakeWorld("abuse-out");
  const auto before = Snapshot(dir / "w");
  const Run run = Ohlin("solve w/t.yaml --out w", dir);
  CHECK(run.status == 1);
  CHECK(Has(run.err, "which this run reads"));
  CHECK(Snapshot(dir / "w") == before);  // trade.csv and ntb.csv are still the inputs

  // A folder holding anything ohlin did not write is refused, before the solve.
  fs::create_directory(dir / "mine");
  WriteText(dir / "mine" / "notes.txt", "mine");
  WriteText(dir / "mine" / "trade.csv", "mine too");
  const Run foreign = Ohlin("solve w/t.yaml --out mine", dir);
  CHECK(foreign.status == 1);
  CHECK(Has(foreign.err, "did not write (notes.txt, trade.csv)"));
  CHECK(ReadFile(dir / "mine" / "trade.csv") == "mine too");
  CHECK(Ohlin("solve w/t.yaml --out .", dir).status == 1);  // the current folder

  // An earlier result folder is replaced whole; a failed solve leaves its summary only.
  REQUIRE(Ohlin("solve w/t.yaml --out r", dir).status == 0);
  REQUIRE(Ohlin("solve w/t.yaml --out r --no-decomposition", dir).status == 0);
  CHECK_FALSE(fs::exists(dir / "r" / "decomposition.csv"));
  const auto summary = nlohmann::json::parse(ReadFile(dir / "r" / "summary.json"));
  std::vector<std::string> manifest = summary.at("files").get<std::vector<std::string>>();
  std::sort(manifest.begin(), manifest.end());
  CHECK(manifest == Names(dir / "r"));
  // A file put into a result folder afterwards is not ohlin's: the folder is refused.
  WriteText(dir / "r" / "my_notes.md", "x");
  CHECK(Ohlin("solve w/t.yaml --out r", dir).status == 1);
  CHECK(fs::exists(dir / "r" / "my_notes.md"));
  // No temporary folder is left beside the results.
  for (const std::string& name : Names(dir)) CHECK(name.find(".tmp") == std::string::npos);
}

TEST_CASE("defect 2: a loose tolerance cannot converge at the start of a real shock", "[abuse]") {
  const fs::path dir = MakeWorld("abuse-tolerance");
  WriteText(dir / "w" / "loose.yaml", std::string(kTariff) + "solver: {tolerance: 0.05}\n");
  const Run refused = Ohlin("solve w/loose.yaml --out o", dir);
  CHECK(refused.status == 1);
  CHECK(Has(refused.err, "loose.yaml:6:"));
  CHECK(Has(refused.err, "at most 0.0001"));
  CHECK_FALSE(fs::exists(dir / "o"));

  // At the loosest allowed tolerance the shock is still solved: steps taken, EVs not zero.
  WriteText(dir / "w" / "loosest.yaml", std::string(kTariff) + "solver: {tolerance: 1e-4}\n");
  REQUIRE(Ohlin("solve w/loosest.yaml --out o --no-decomposition", dir).status == 0);
  const auto summary = nlohmann::json::parse(ReadFile(dir / "o" / "summary.json"));
  CHECK(summary.at("iterations").get<int>() > 0);
  CHECK(summary.at("max_residual").get<double>() <
        1e-3 * summary.at("initial_max_residual").get<double>());
  CHECK_FALSE(Has(ReadFile(dir / "o" / "welfare.csv"), ",0,0\n"));

  // Convergence is relative to the start: the benchmark of a shock never passes.
  CHECK(ConvergenceTolerance(1e-10, 0.5) == 1e-10);
  CHECK(ConvergenceTolerance(1e-4, 0.5) == 1e-4);
  CHECK(ConvergenceTolerance(1e-4, 0.05) == Approx(5e-5));
  CHECK(ConvergenceTolerance(1e-4, 1e-6) == Approx(1e-9));
  CHECK(ConvergenceTolerance(1e-4, 0.0) == kStartEquilibriumTolerance);
}

TEST_CASE("defect 3: --start gets the input guards and says what it matched", "[abuse]") {
  const fs::path dir = MakeWorld("abuse-start");
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  fs::create_directory(dir / "empty");
  WriteText(dir / "other.csv", "variable,value\nprice XYZ,1\nfoo,2\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fifo", "fifo: cannot read file: not a regular file"},
      {"/dev/zero", "/dev/zero: cannot read file: not a regular file"},
      {"empty", "empty/state.csv: cannot read file: no such file"},
      {"other.csv", "none of its 2 rows names an unknown of this model"},
  };
  for (const auto& [start, expected] : cases) {
    INFO(start);
    const Run run = Ohlin("solve w/t.yaml --out o --start " + start, dir);
    CHECK(run.status == 1);
    CHECK(Has(run.err, expected));
    CHECK_FALSE(fs::exists(dir / "o"));
  }
  // A start that names part of the unknowns says so; the file itself is accepted.
  REQUIRE(Ohlin("solve w/t.yaml --out first --no-decomposition", dir).status == 0);
  std::string state = ReadFile(dir / "first" / "state.csv");
  state = state.substr(0, state.find('\n', state.find('\n') + 1) + 1) + "ghost,1\n";
  WriteText(dir / "part.csv", state);
  const Run partial = Ohlin("solve w/t.yaml --out o --no-decomposition --start part.csv", dir);
  CHECK(partial.status == 0);
  CHECK(Has(partial.err, "matched 1 of this model's"));
  CHECK(Has(partial.err, "1 rows name unknowns this model does not have (e.g. 'ghost')"));
}

TEST_CASE("defect 4: a bad start falls back to the benchmark and the earlier results stay "
          "until the solve succeeds",
          "[abuse]") {
  const fs::path dir = MakeWorld("abuse-fallback");
  REQUIRE(Ohlin("solve w/t.yaml --out r --no-decomposition", dir).status == 0);
  const std::string trade = ReadFile(dir / "r" / "trade.csv");
  // One value of 709 (exp overflows) in the start in the result folder itself.
  std::string state = ReadFile(dir / "r" / "state.csv");
  const std::size_t row = state.find('\n') + 1;
  state.replace(state.find(',', row) + 1, state.find('\n', row) - state.find(',', row) - 1, "709");
  WriteText(dir / "r" / "state.csv", state);
  const Run run = Ohlin("solve w/t.yaml --out r --no-decomposition --start r", dir);
  CHECK(run.status == 0);
  CHECK(Has(run.err, "solving again from the benchmark"));
  CHECK(ReadFile(dir / "r" / "trade.csv") == trade);  // the same answer as from the benchmark
}

TEST_CASE("defect 5: output options are checked before the solve", "[abuse]") {
  const fs::path dir = MakeWorld("abuse-options");
  WriteText(dir / "a_file", "x");
  fs::create_directory(dir / "folder");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--out a_file", "--out a_file: exists and is not a folder"},
      {"--out o --har missing/x.har", "--har missing/x.har: the folder missing does not exist"},
      {"--out o --har folder", "--har folder: is a folder"},
      {"--out o --har w/data.yaml", "which this solve reads"},
      {"--out o --har o/x.har", "inside the result folder"},
  };
  for (const auto& [options, expected] : cases) {
    INFO(options);
    const Run run = Ohlin("solve w/t.yaml --verbose " + options, dir);
    CHECK(run.status == 1);
    CHECK(Has(run.err, expected));
    CHECK_FALSE(Has(run.err, "solving"));  // refused before the solve began
    CHECK_FALSE(fs::exists(dir / "o"));
  }
}

// A two-region world whose names need quoting in CSV, and whose population can be set.
std::string QuotedWorld(const std::string& population) {
  return R"(ohlin: 1
name: quoted
regions: ["HOME, Inc", "AWAY \"x\""]
sectors: [AGR, MAN]
factors: [{name: labour}, {name: capital}]
households:
  "HOME, Inc":
    - {name: workers, population: )" +
         population + R"(, owns: {labour: 1, capital: 0.25}}
    - {name: owners, population: )" +
         population + R"(, owns: {capital: 0.75}}
elasticities:
  armington: {default: 4.0}
factor_payments:
  - {factor: labour, sector: AGR, region: "HOME, Inc", value: 12}
  - {factor: capital, sector: AGR, region: "HOME, Inc", value: 8}
  - {factor: labour, sector: MAN, region: "HOME, Inc", value: 8}
  - {factor: capital, sector: MAN, region: "HOME, Inc", value: 12}
  - {factor: labour, sector: AGR, region: "AWAY \"x\"", value: 12}
  - {factor: capital, sector: AGR, region: "AWAY \"x\"", value: 8}
  - {factor: labour, sector: MAN, region: "AWAY \"x\"", value: 8}
  - {factor: capital, sector: MAN, region: "AWAY \"x\"", value: 12}
trade:
  - {exporter: "HOME, Inc", importer: "HOME, Inc", sector: AGR, value: 10}
  - {exporter: "HOME, Inc", importer: "AWAY \"x\"", sector: AGR, value: 10}
  - {exporter: "AWAY \"x\"", importer: "HOME, Inc", sector: AGR, value: 10}
  - {exporter: "AWAY \"x\"", importer: "AWAY \"x\"", sector: AGR, value: 10}
  - {exporter: "HOME, Inc", importer: "HOME, Inc", sector: MAN, value: 10}
  - {exporter: "HOME, Inc", importer: "AWAY \"x\"", sector: MAN, value: 10}
  - {exporter: "AWAY \"x\"", importer: "HOME, Inc", sector: MAN, value: 10}
  - {exporter: "AWAY \"x\"", importer: "AWAY \"x\"", sector: MAN, value: 10}
final_demand:
  - {region: "HOME, Inc", sector: AGR, value: 20}
  - {region: "HOME, Inc", sector: MAN, value: 20}
  - {region: "AWAY \"x\"", sector: AGR, value: 20}
  - {region: "AWAY \"x\"", sector: MAN, value: 20}
)";
}

const char* kQuotedScenario =
    "ohlin: 1\nname: quoted tariff\ndata: world.yaml\n"
    "shocks:\n  - {type: tariff, importer: \"HOME, Inc\", add: 0.2}\n";

TEST_CASE("defect 6: state.csv is quoted like the other tables and reads back", "[abuse]") {
  const fs::path dir = testing::MakeTempDir("abuse-quoted");
  WriteText(dir / "world.yaml", QuotedWorld("2"));
  WriteText(dir / "s.yaml", kQuotedScenario);
  REQUIRE(Ohlin("solve s.yaml --out o --no-decomposition", dir).status == 0);
  const std::string state = ReadFile(dir / "o" / "state.csv");
  CHECK(Has(state, "\"factor_price HOME, Inc/labour\","));
  CHECK(Has(state, "\"factor_price AWAY \"\"x\"\"/labour\","));
  // Every row is two fields, and the state starts a later solve: every unknown matched.
  const Run again = Ohlin("solve s.yaml --out o2 --no-decomposition --start o/state.csv", dir);
  CHECK(again.status == 0);
  CHECK(Has(again.err, "matched"));
  CHECK_FALSE(Has(again.err, "start at the benchmark"));
  CHECK_FALSE(Has(again.err, "does not have"));
  CHECK(ReadFile(dir / "o2" / "income_sources.csv").find("\"HOME, Inc\",workers") !=
        std::string::npos);
}

TEST_CASE("defect 7: names that collide with keywords are refused", "[abuse]") {
  const fs::path dir = testing::MakeTempDir("abuse-names");
  const std::string world = QuotedWorld("2");
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"name: owners", "name: government", "'government' is reserved"},
      {"sectors: [AGR, MAN]", "sectors: [AGR, \"*\"]", "'*' is not a name"},
      {"{name: capital}", "{name: \"cap\\nital\"}", "control character"},
  };
  for (const auto& [from, to, expected] : cases) {
    INFO(to);
    std::string text = world;
    text.replace(text.find(from), from.size(), to);
    WriteText(dir / "bad.yaml", text);
    const Run run = Ohlin("check bad.yaml", dir);
    CHECK(run.status == 1);
    CHECK(Has(run.err, "bad.yaml:"));
    CHECK(Has(run.err, expected));
  }
}

TEST_CASE("defect 8: no table holds NaN or infinity", "[abuse]") {
  // Populations of 1e160 overflowed the Gini's products into NaN.
  const fs::path dir = testing::MakeTempDir("abuse-nan");
  WriteText(dir / "world.yaml", QuotedWorld("1e160"));
  WriteText(dir / "s.yaml", kQuotedScenario);
  REQUIRE(Ohlin("solve s.yaml --out o --no-decomposition", dir).status == 0);
  const std::regex not_finite("(^|,)-?(nan|inf)(,|$)", std::regex::icase | std::regex::multiline);
  for (const std::string& name : Names(dir / "o")) {
    INFO(name);
    CHECK_FALSE(std::regex_search(ReadFile(dir / "o" / name), not_finite));
  }
  // Gini of two groups of equal size: (1/4) |y1 - y2| / mean, finite at any population.
  CHECK(Has(ReadFile(dir / "o" / "distribution.csv"), "\"HOME, Inc\",0."));

  // Any number that is not finite, in any table, stops the writer before the folder exists.
  Benchmark data = testing::MakeTwoByTwo();
  const Model model = Model::Calibrate(data);
  const Policy policy = Policy::Benchmark(data);
  Outcome outcome = model.ComputeOutcome(policy, model.BenchmarkState());
  outcome.decomposition.push_back({0, "terms_of_trade", std::nan(""), 0.0});
  Scenario scenario;
  SolverSummary summary;
  summary.termination_type = TerminationType::kConverged;
  ResultContext context;
  context.data = &data;
  context.scenario = &scenario;
  context.summary = &summary;
  context.outcome = &outcome;
  const fs::path out = dir / "unit";
  try {
    WriteResults(out.string(), context);
    FAIL("no exception");
  } catch (const std::invalid_argument& error) {
    CHECK(Has(error.what(), "decomposition.csv"));
  }
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("defect 9: synth applies the loader's limits before generating", "[abuse]") {
  const fs::path dir = testing::MakeTempDir("abuse-synth");
  const Run run = Ohlin("synth --regions 5000 --sectors 100 --factors 4 --out big", dir);
  CHECK(run.status == 1);
  CHECK(Has(run.err, "with 2500000000 entries; the limit of a benchmark is 16777216"));
  CHECK_FALSE(Has(run.err, "internal error"));
  CHECK_FALSE(fs::exists(dir / "big"));
}

TEST_CASE("defect 10: messages say what is wrong, briefly", "[abuse][messages]") {
  const fs::path dir = MakeWorld("abuse-messages");
  fs::create_directory(dir / "folder.yaml");
  CHECK(Has(Ohlin("solve folder.yaml", dir).err, "directory"));
  CHECK(Has(Ohlin("check /dev/null", dir).err, "/dev/null: cannot read file: not a regular file"));

  WriteText(dir / "w" / "deep.yaml",
            "ohlin: 1\nname: " + std::string(5000, '[') + std::string(5000, ']') + "\n");
  const Run deep = Ohlin("solve w/deep.yaml", dir);
  CHECK(deep.status == 1);
  CHECK(Has(deep.err, "deep.yaml:2:"));
  CHECK(Has(deep.err, "levels deep"));

  // A 1 MB field is echoed as a few hundred characters.
  const std::string huge(1 << 20, 'X');
  WriteText(dir / "w" / "huge.yaml", std::string("ohlin: 1\nname: h\ndata: data.yaml\nshocks:\n"
                                                 "  - {type: tariff, importer: ") +
                                         huge + ", add: 0.1}\n");
  const Run echo = Ohlin("solve w/huge.yaml", dir);
  CHECK(echo.status == 1);
  CHECK(Has(echo.err, "unknown region"));
  CHECK(echo.err.size() < 2000);

  // A 1 MB scenario name: the summary and the default folder stay short.
  WriteText(dir / "w" / "long.yaml", "ohlin: 1\nname: " + huge +
                                         "\ndata: data.yaml\nshocks:\n"
                                         "  - {type: tariff, importer: R001, add: 0.1}\n");
  const Run long_name = Ohlin("solve w/long.yaml --no-decomposition", dir);
  CHECK(long_name.status == 0);
  CHECK(long_name.out.size() < 5000);
  CHECK(fs::exists(dir / "out" / std::string(kMaxSafeFileName, 'x')));

  WriteText(dir / "w" / "two.yaml", std::string(kTariff) + "---\nohlin: 1\nname: second\n");
  const Run two = Ohlin("solve w/two.yaml", dir);
  CHECK(two.status == 1);
  CHECK(Has(two.err, "two.yaml:7: a second YAML document"));

  // A write error says why.
  try {
    WriteFileAtomically((dir / "no" / "such" / "file.csv").string(), "x");
    FAIL("no exception");
  } catch (const std::runtime_error& error) {
    CHECK(Has(error.what(), "No such file or directory"));
  }

  // Never a rename over a device, pipe or folder (`ohlin report --out /dev/full` did).
  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(WriteFileAtomically((dir / "pipe").string(), "x"),
                    Catch::Contains("exists and is not a regular file"));
  CHECK(fs::is_fifo(dir / "pipe"));

  // sigma = 1e6: the elasticity is blamed, not the deficits.
  const Benchmark flat = testing::MakeTwoByTwo(1e6);
  const Model model = Model::Calibrate(flat);
  Policy policy = Policy::Benchmark(flat);
  for (double& deficit : policy.deficit) deficit = 1.0;
  SolverSummary failed;
  failed.continuation_failures = 3;
  const std::string hint = SuggestRemedy(failed, model, policy, SolverOptions());
  // The elasticity is named first (solver/solver.cpp, issue 18's wording).
  CHECK(Has(hint, "1e+06"));
  CHECK(hint.find("1e+06") < hint.find("deficits"));
}

TEST_CASE("defect 10: SIGINT while writing leaves no temporary and no mixed folder",
          "[abuse][signal]") {
  const fs::path dir = MakeWorld("abuse-sigint");
  WriteText(dir / "w" / "later.yaml",
            "ohlin: 1\nname: later\ndata: data.yaml\n"
            "shocks:\n  - {type: tariff, importer: R002, add: 0.20}\n");
  REQUIRE(Ohlin("solve w/t.yaml --out earlier", dir).status == 0);
  REQUIRE(Ohlin("solve w/later.yaml --out later", dir).status == 0);
  for (const char* delay : {"0.01", "0.03", "0.06", "0.1", "0.2"}) {
    INFO("interrupted after " << delay << " s");
    fs::remove_all(dir / "out");
    fs::copy(dir / "earlier", dir / "out");
    const std::string command = "cd '" + dir.string() + "' && timeout -s INT " + delay + " '" +
                                OHLIN_BINARY + "' solve w/later.yaml --out out >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) != -1);
    for (const std::string& name : Names(dir)) CHECK(name.find(".tmp") == std::string::npos);
    // The folder is the earlier one or the later one, whole.
    const std::string run =
        nlohmann::json::parse(ReadFile(dir / "out" / "summary.json")).at("scenario") == "later"
            ? "later"
            : "earlier";
    CHECK(Names(dir / "out") == Names(dir / run));
    for (const std::string& name : Names(dir / run)) {
      if (name != "summary.json") CHECK(ReadFile(dir / "out" / name) == ReadFile(dir / run / name));
    }
  }
}

// ---- frictions ----

TEST_CASE("friction: check --list names the world, check SCENARIO is a dry run", "[abuse]") {
  const fs::path dir = MakeWorld("abuse-check");
  const Run list = Ohlin("check w/data.yaml --list", dir);
  CHECK(list.status == 0);
  for (const char* part : {"regions    R001 R002 R003", "F1 (mobile)", "H1 (population",
                           "armington", "deficits"}) {
    CHECK(Has(list.out, part));
  }
  const auto json = nlohmann::json::parse(Ohlin("check w/data.yaml --list --json", dir).out);
  CHECK(json.at("regions").size() == 3);
  CHECK(json.at("households").at("R001").size() == 2);
  CHECK(json.at("deficits").size() == 3);

  const Run dry = Ohlin("check w/t.yaml", dir);
  CHECK(dry.status == 0);
  CHECK(Has(dry.out, "dry run"));
  CHECK_FALSE(fs::exists(dir / "out"));
  WriteText(dir / "w" / "bad.yaml", "ohlin: 1\ndata: data.yaml\nshocks:\n  - {type: tarif}\n");
  CHECK(Ohlin("check w/bad.yaml", dir).status == 1);
}

TEST_CASE("friction: --quiet and --json on the commands that print", "[abuse]") {
  const fs::path dir = MakeWorld("abuse-quiet");
  const Run quiet = Ohlin("solve w/t.yaml --out o --quiet", dir);
  CHECK(quiet.status == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());
  const auto solved = nlohmann::json::parse(Ohlin("solve w/t.yaml --out o --json", dir).out);
  CHECK(solved.at("status") == "converged");
  CHECK(solved.at("out") == "o");
  CHECK(Ohlin("check w/data.yaml --quiet", dir).out.empty());
  CHECK(nlohmann::json::parse(Ohlin("check w/data.yaml --json", dir).out).at("status") == "ok");
  CHECK(Ohlin("synth --regions 2 --sectors 2 --factors 1 --out s --quiet", dir).out.empty());
  const Run balance = Ohlin("balance s/data.yaml --out b --quiet", dir);
  CHECK(balance.status == 0);
  CHECK(balance.out.empty());
  CHECK(fs::exists(dir / "b" / "data.yaml"));
  CHECK(nlohmann::json::parse(Ohlin("synth --regions 2 --sectors 2 --factors 1 --out s2 --json",
                                    dir)
                                  .out)
            .at("regions") == 2);
  WriteText(dir / "w" / "c.yaml", std::string(kTariff) + "compare: [lump_sum, none]\n");
  CHECK(Ohlin("compare w/c.yaml --out c --quiet", dir).out.empty());
  CHECK(Has(nlohmann::json::parse(Ohlin("compare w/c.yaml --out c --json", dir).out)
                .at("csv")
                .get<std::string>(),
            "lump_sum"));
}

TEST_CASE("friction: the default folder, non-ASCII names, commands and version", "[abuse]") {
  const fs::path dir = MakeWorld("abuse-location");
  WriteText(dir / "w" / "zoll.yaml", "ohlin: 1\nname: 関税\ndata: data.yaml\nshocks: []\n");
  WriteText(dir / "w" / "steuer.yaml", "ohlin: 1\nname: 税金\ndata: data.yaml\nshocks: []\n");
  REQUIRE(Ohlin("solve w/zoll.yaml", dir).status == 0);
  REQUIRE(Ohlin("solve w/steuer.yaml", dir).status == 0);
  CHECK(Names(dir / "out") == std::vector<std::string>{"steuer", "zoll"});
  CHECK_FALSE(fs::exists(dir / "results"));

  const Run unknown = Ohlin("solv w/t.yaml", dir);
  CHECK(unknown.status == 1);
  CHECK(Has(unknown.err, "ohlin: error: unknown command 'solv'"));
  CHECK(Has(unknown.err, "did you mean 'solve'"));
  CHECK(Has(Ohlin("version", dir).out, "ohlin "));
  CHECK(Has(Ohlin("--version", dir).out, "ohlin "));
  const Run usage = Ohlin("solve", dir);
  CHECK(usage.status == 1);
  CHECK(usage.err.rfind("ohlin: error: ", 0) == 0);  // CLI11's errors in ohlin's voice

  const Run verbose = Ohlin("solve w/t.yaml --out v --verbose --no-decomposition", dir);
  CHECK(verbose.status == 0);
  CHECK(Has(verbose.err, "ohlin: solving"));
  CHECK(Has(verbose.err, "ohlin: writing"));

  WriteText(dir / "w" / "c.yaml", std::string(kTariff) + "compare: [lump_sum, none]\n");
  const Run rules = Ohlin("compare w/c.yaml --rules ''", dir);
  CHECK(rules.status == 1);
  CHECK(Has(rules.err, "--rules: unknown rule ''"));
}

TEST_CASE("friction: docs/FORMATS.md names every option of every command", "[abuse][docs]") {
  const fs::path dir = testing::MakeTempDir("abuse-docs");
  const std::string docs = ReadFile(fs::path(OHLIN_SOURCE_DIR) / "docs" / "FORMATS.md");
  const std::string section = docs.substr(docs.find("## Command line"));
  const std::regex option("(^|\\s)(--[a-z][a-z-]*)");
  for (const std::string command : {"solve", "compare", "check", "synth", "aggregate", "balance",
                                    "import gtap", "import wiod", "bench", "report", "game"}) {
    const Run help = Ohlin(command + " --help", dir);
    REQUIRE(help.status == 0);
    CHECK(Has(section, "ohlin " + command));
    std::set<std::string> options;
    for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), option);
         it != std::sregex_iterator(); ++it) {
      options.insert((*it)[2]);
    }
    for (const std::string& name : options) {
      if (name == "--help") continue;
      INFO(command << " " << name);
      CHECK(Has(section, name));
    }
  }
}

TEST_CASE("friction: no -0.000 in the summary, no 3.2000000000000002 in generated data",
          "[abuse]") {
  const fs::path dir = MakeWorld("abuse-cosmetic");
  WriteText(dir / "w" / "none.yaml", "ohlin: 1\nname: none\ndata: data.yaml\nshocks: []\n");
  const Run run = Ohlin("solve w/none.yaml --out o", dir);
  REQUIRE(run.status == 0);
  CHECK_FALSE(Has(run.out, "-0.000"));
  const std::string data = ReadFile(dir / "w" / "data.yaml");
  const std::size_t from = data.find("elasticities:");
  REQUIRE(from != std::string::npos);
  const std::string elasticities = data.substr(from, data.find("\n", data.find("top:", from)) - from);
  CHECK(Has(elasticities, "armington"));
  const std::regex long_decimal("\\.[0-9]*0000000000[0-9]");
  CHECK_FALSE(std::regex_search(elasticities, long_decimal));
}

}  // namespace
}  // namespace ohlin
