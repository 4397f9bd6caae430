// The `ohlin` command end to end (FORMATS.md "Command line"): help, exit statuses, which
// files each outcome leaves behind, and determinism. Runs the built binary.
#include <sys/wait.h>

#include <algorithm>
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

namespace fs = std::filesystem;

// Runs `ohlin ARGUMENTS` in `working_dir` with output to a log there; returns the exit status.
int RunOhlin(const std::string& arguments, const fs::path& working_dir) {
  const std::string command = "cd '" + working_dir.string() + "' && '" + OHLIN_BINARY + "' " +
                              arguments + " >> cli.log 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::string> FilesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<std::string> kResultFiles = {"distribution.csv", "factors.csv", "sectors.csv",
                                               "summary.json",     "trade.csv",   "welfare.csv"};

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

TEST_CASE("every subcommand has --help", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-help");
  CHECK(RunOhlin("--help", dir) == 0);
  for (const std::string subcommand : {"solve", "check", "synth", "bench"}) {
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

TEST_CASE("a solve of a small generated world writes every result file", "[cli]") {
  const fs::path dir = testing::MakeTempDir("cli-solve");
  MakeWorld(dir);
  CHECK(RunOhlin("check world/data.yaml", dir) == 0);
  REQUIRE(RunOhlin("solve world/tariff.yaml", dir) == 0);
  const fs::path out = dir / "results" / "r001_raises_tariffs";  // the default folder
  REQUIRE(fs::exists(out));
  CHECK(FilesIn(out) == kResultFiles);
  const auto summary = nlohmann::json::parse(ReadFile(out / "summary.json"));
  CHECK(summary.at("status") == "converged");
  CHECK(summary.at("max_residual").get<double>() < 1e-10);
  CHECK(ReadFile(out / "welfare.csv")
            .rfind("region,household,population,income_base,income_new,ev,ev_pct\n", 0) == 0);
  CHECK(ReadFile(dir / "cli.log").find("Welfare") != std::string::npos);

  // Solving again gives byte-identical tables.
  REQUIRE(RunOhlin("solve world/tariff.yaml --out again", dir) == 0);
  for (const std::string& name : kResultFiles) {
    if (name == "summary.json") continue;  // holds the wall time
    INFO(name);
    CHECK(ReadFile(out / name) == ReadFile(dir / "again" / name));
  }
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
