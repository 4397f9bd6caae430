// `ohlin sweep` and `ohlin sensitivity` (sweeps/, FORMATS.md "Sweeps", "Sensitivity
// analysis"): Stroud's quadrature exact to degree 3, a sweep point equal to a plain solve,
// quadrature against Monte Carlo, identical files for any thread count and after a resume,
// and bad input refused before anything is written.
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "scenarios/scenario.h"
#include "sweeps/derivatives.h"
#include "sweeps/runner.h"
#include "sweeps/spec.h"
#include "sweeps/sampling.h"
#include "sweeps/tables.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

using testing::RunOhlin;
using testing::ReadFile;
using testing::WriteText;

namespace fs = std::filesystem;

// Rows of a CSV file as header -> value maps.
std::vector<std::map<std::string, std::string>> ReadCsv(const fs::path& path) {
  std::istringstream in(ReadFile(path));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = sweeps::SplitCsvLine(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = sweeps::SplitCsvLine(line);
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < header.size() && c < fields.size(); ++c) row[header[c]] = fields[c];
    rows.push_back(row);
  }
  return rows;
}

// A tiny generated world: 2 regions, 2 sectors, 2 factors.
fs::path MakeTinyWorld(const fs::path& dir) {
  REQUIRE(RunOhlin("synth --regions 2 --sectors 2 --factors 2 --seed 3 --out world", dir) == 0);
  return dir / "world";
}

const char* kHeader =
    "ohlin: 1\n"
    "name: tiny\n"
    "data: data.yaml\n"
    "shocks:\n"
    "  - {type: tariff, importer: R001, exporter: R002, add: 0.2}\n"
    "  - {type: ntb, importer: R002, exporter: R001, add: 0.05}\n";

TEST_CASE("Stroud's 2n points integrate every polynomial of degree 3 exactly", "[sweeps]") {
  for (int n = 1; n <= 7; ++n) {
    INFO("n = " << n);
    const auto points = sweeps::StroudPoints(n);
    REQUIRE(points.size() == static_cast<std::size_t>(2 * n));
    const double w = 1.0 / (2.0 * n);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        double first = 0.0, second = 0.0, third = 0.0, mixed = 0.0;
        for (const auto& z : points) {
          first += w * z[i];
          second += w * z[i] * z[j];
          third += w * z[i] * z[i] * z[i];
          mixed += w * z[i] * z[i] * z[j];
        }
        CHECK(std::abs(first) < 1e-12);
        CHECK(std::abs(second - (i == j ? 1.0 : 0.0)) < 1e-12);
        CHECK(std::abs(third) < 1e-12);
        CHECK(std::abs(mixed) < 1e-12);
        for (int k = 0; k < n; ++k) {
          double triple = 0.0;
          for (const auto& z : points) triple += w * z[i] * z[j] * z[k];
          CHECK(std::abs(triple) < 1e-12);
        }
      }
    }
  }
}

TEST_CASE("waves: each point starts from the nearest point of an earlier wave", "[sweeps]") {
  CHECK(sweeps::WaveOf(0, 11) == 0);
  CHECK(sweeps::WaveOf(8, 11) == 1);
  CHECK(sweeps::WaveOf(4, 11) == 2);
  CHECK(sweeps::WaveOf(6, 11) == 3);
  CHECK(sweeps::WaveOf(5, 11) == 4);
  sweeps::RunPlan plan;
  std::vector<sweeps::PointOutcome> outcomes(11);
  std::vector<int> waves;
  for (int p = 0; p < 11; ++p) {
    plan.coordinates.push_back({p / 10.0});
    plan.family.push_back(0);
    outcomes[static_cast<std::size_t>(p)].converged = true;
    waves.push_back(sweeps::WaveOf(p, 11));
  }
  const std::vector<int> parents = sweeps::Parents(plan, waves);
  CHECK(parents[0] == -1);
  CHECK(parents[10] == 8);
  CHECK(parents[5] == 4);  // 4 and 6 tie: the lower
  CHECK(parents[4] == 0);  // 0 and 8 tie
  CHECK(sweeps::StartOf(5, parents, outcomes) == 4);
  // 5 lies between 4 (its parent) and 6: started on the line between their unknowns.
  const std::vector<int> others = sweeps::Brackets(plan, waves, parents);
  CHECK(others[5] == 6);
  CHECK(others[10] == -1);  // nothing beyond the grid's end
  CHECK(others[6] == 8);    // 6: parent 4, bracket 8
  outcomes[4].state = {1.0, 2.0};
  outcomes[6].state = {3.0, 6.0};
  std::vector<double> start;
  REQUIRE(sweeps::Interpolate(plan, 5, 4, 6, outcomes, &start));
  CHECK(start == std::vector<double>{2.0, 4.0});
  outcomes[6].converged = false;
  CHECK_FALSE(sweeps::Interpolate(plan, 5, 4, 6, outcomes, &start));
  outcomes[6].converged = true;
  outcomes[4].converged = false;  // a failed parent: its own start instead
  CHECK(sweeps::StartOf(5, parents, outcomes) == 0);
  outcomes[0].converged = false;
  CHECK(sweeps::StartOf(5, parents, outcomes) == -1);
}

TEST_CASE("a sweep point equals ohlin solve of the same scenario", "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("sweep-solve");
  const fs::path world = MakeTinyWorld(dir);
  // Both solves to a tolerance of 1e-13, so that each is within 1e-10 of the equilibrium.
  WriteText(world / "sweep.yaml",
            std::string(kHeader) +
                "solver: {tolerance: 1e-13}\n"
                "sweep:\n"
                "  parameters:\n"
                "    - {name: tariff, shock: 1, grid: {from: 0, to: 0.4, step: 0.1}}\n"
                "    - {name: rule, redistribution: [lump_sum, proportional]}\n");
  REQUIRE(RunOhlin("sweep world/sweep.yaml --out sweep", dir) == 0);
  WriteText(world / "point.yaml",
            "ohlin: 1\nname: point\ndata: data.yaml\nredistribution: proportional\n"
            "solver: {tolerance: 1e-13}\nshocks:\n"
            "  - {type: tariff, importer: R001, exporter: R002, add: 0.3}\n"
            "  - {type: ntb, importer: R002, exporter: R001, add: 0.05}\n");
  REQUIRE(RunOhlin("solve world/point.yaml --out solve --no-decomposition", dir) == 0);
  const auto points = ReadCsv(dir / "sweep" / "points.csv");
  REQUIRE(points.size() == 10);
  for (const auto& point : points) CHECK(point.at("status") == "converged");
  CHECK(points[7].at("tariff") == "0.3");
  CHECK(points[7].at("rule") == "proportional");
  CHECK_FALSE(points[7].at("start").empty());  // warm-started
  for (const std::string table : {"welfare.csv", "factors.csv", "sectors.csv"}) {
    INFO(table);
    std::vector<std::map<std::string, std::string>> swept;
    for (const auto& row : ReadCsv(dir / "sweep" / table)) {
      if (row.at("point") == "7") swept.push_back(row);
    }
    const auto solved = ReadCsv(dir / "solve" / table);
    REQUIRE(swept.size() == solved.size());
    for (std::size_t r = 0; r < solved.size(); ++r) {
      for (const auto& [column, text] : solved[r]) {
        if (text.empty() || std::isalpha(static_cast<unsigned char>(text[0]))) {
          CHECK(swept[r].at(column) == text);
          continue;
        }
        const double a = std::stod(text), b = std::stod(swept[r].at(column));
        INFO(column << " " << a << " vs " << b);
        CHECK(std::abs(a - b) <= 1e-10 * std::max(1.0, std::abs(a)));
      }
    }
  }
}

TEST_CASE("a failed point is listed with its reason, never dropped", "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("sweep-failed");
  const fs::path world = MakeTinyWorld(dir);
  // add: -2 leaves 1 + rate <= 0: that point cannot be solved; the others can.
  WriteText(world / "sweep.yaml", std::string(kHeader) +
                                      "sweep:\n  parameters:\n"
                                      "    - {name: tariff, shock: 1, values: [0.1, -2, 0.3]}\n");
  REQUIRE(RunOhlin("sweep world/sweep.yaml --out out", dir) == 0);
  const auto points = ReadCsv(dir / "out" / "points.csv");
  REQUIRE(points.size() == 3);
  CHECK(points[0].at("status") == "converged");
  CHECK(points[1].at("status") == "failed");
  CHECK(points[1].at("reason").find("1 + rate") != std::string::npos);
  CHECK(points[2].at("status") == "converged");
  for (const auto& row : ReadCsv(dir / "out" / "welfare.csv")) CHECK(row.at("point") != "1");
  // Every point failing: exit 2.
  WriteText(world / "sweep.yaml", std::string(kHeader) +
                                      "sweep:\n  parameters:\n"
                                      "    - {name: tariff, shock: 1, values: [-2, -3]}\n");
  CHECK(RunOhlin("sweep world/sweep.yaml --out all_failed", dir) == 2);
}

std::vector<std::string> DeterministicFiles(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename();
    if (name != "timings.csv" && name != "journal.jsonl") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

void CheckSameFiles(const fs::path& a, const fs::path& b) {
  const auto names = DeterministicFiles(a);
  REQUIRE(names == DeterministicFiles(b));
  REQUIRE(names.size() > 5);
  for (const std::string& name : names) {
    INFO(name);
    CHECK(ReadFile(a / name) == ReadFile(b / name));
  }
}

TEST_CASE("1 and 2 threads, and a killed and resumed run, write the same files", "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("sweep-threads");
  const fs::path world = MakeTinyWorld(dir);
  WriteText(world / "sweep.yaml",
            std::string(kHeader) +
                "sweep:\n"
                "  parameters:\n"
                "    - {name: tariff, shock: 1, grid: {from: 0, to: 0.6, count: 7}}\n"
                "    - {name: sigma, elasticity: armington, values: [2, 4, 8]}\n");
  REQUIRE(RunOhlin("sweep world/sweep.yaml --out one --threads 1", dir) == 0);
  REQUIRE(RunOhlin("sweep world/sweep.yaml --out two --threads 2", dir) == 0);
  CheckSameFiles(dir / "one", dir / "two");
  // A run killed after 8 points, in the middle of writing the 9th: its journal.
  std::istringstream journal(ReadFile(dir / "two" / "journal.jsonl"));
  std::string line, cut;
  for (int k = 0; k < 9 && std::getline(journal, line); ++k) cut += line + "\n";
  std::getline(journal, line);
  cut += line.substr(0, line.size() / 2);
  fs::create_directories(dir / "killed");
  WriteText(dir / "killed" / "journal.jsonl", cut);
  REQUIRE(RunOhlin("sweep world/sweep.yaml --out killed --threads 2 --resume", dir) == 0);
  CheckSameFiles(dir / "one", dir / "killed");
  // The resumed run solved only the 13 points the journal did not have.
  const std::string resumed = ReadFile(dir / "killed" / "journal.jsonl");
  CHECK(std::count(resumed.begin(), resumed.end(), '\n') == 22);
  // A Monte Carlo analysis: its statistics and derivatives too, over 1 and 3 threads.
  WriteText(world / "mc.yaml", std::string(kHeader) +
                                   "sensitivity:\n  method: monte_carlo\n  draws: 60\n"
                                   "  parameters:\n"
                                   "    - {name: sigma, elasticity: armington, by_sector: true, "
                                   "distribution: triangular, relative: 0.4}\n"
                                   "    - {name: tariff, shock: 1, distribution: uniform, "
                                   "absolute: 0.1}\n");
  REQUIRE(RunOhlin("sensitivity world/mc.yaml --out mc-one --threads 1", dir) == 0);
  REQUIRE(RunOhlin("sensitivity world/mc.yaml --out mc-three --threads 3", dir) == 0);
  CheckSameFiles(dir / "mc-one", dir / "mc-three");
  CHECK(ReadFile(dir / "mc-one" / "importance.csv").size() > 1000);
}

TEST_CASE("sweep folders: never over or deleting files ohlin did not write", "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("sweep-folders");
  const fs::path world = MakeTinyWorld(dir);
  WriteText(world / "sweep.yaml", std::string(kHeader) +
                                      "sweep:\n  parameters:\n"
                                      "    - {name: tariff, shock: 1, values: [0.1, 0.2]}\n");
  WriteText(world / "ssa.yaml", std::string(kHeader) +
                                    "sensitivity:\n  method: quadrature\n  parameters:\n"
                                    "    - {name: s, shock: 1, distribution: uniform, "
                                    "absolute: 0.1}\n");
  auto listing = [](const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  for (const std::string command : {"sweep world/sweep.yaml", "sensitivity world/ssa.yaml"}) {
    INFO(command);
    // A folder of someone else's files, and one with a journal.jsonl ohlin did not write.
    fs::remove_all(dir / "mine");
    fs::create_directories(dir / "mine");
    WriteText(dir / "mine" / "notes.txt", "keep me\n");
    CHECK(RunOhlin(command + " --out mine", dir) == 1);
    CHECK(listing(dir / "mine") == std::vector<std::string>{"notes.txt"});
    CHECK(ReadFile(dir / "cli.log").find("files ohlin did not write (notes.txt)") !=
          std::string::npos);
    fs::remove(dir / "mine" / "notes.txt");
    WriteText(dir / "mine" / "journal.jsonl", "dear diary\n");
    CHECK(RunOhlin(command + " --out mine --resume", dir) == 1);
    CHECK(RunOhlin(command + " --out mine", dir) == 1);
    CHECK(ReadFile(dir / "mine" / "journal.jsonl") == "dear diary\n");
    CHECK(listing(dir / "mine") == std::vector<std::string>{"journal.jsonl"});
    // The folder holding the inputs, and the current folder.
    CHECK(RunOhlin(command + " --out world", dir) == 1);
    CHECK(RunOhlin(command + " --out .", dir) == 1);
  }
  // A folder a killed run left (only its journal), then a finished one: replaced, and the
  // manifest in summary.json names every file of the folder.
  REQUIRE(RunOhlin("sweep world/sweep.yaml --out done", dir) == 0);
  fs::create_directories(dir / "killed");
  fs::copy_file(dir / "done" / "journal.jsonl", dir / "killed" / "journal.jsonl");
  CHECK(RunOhlin("sweep world/sweep.yaml --out killed --resume", dir) == 0);
  CHECK(RunOhlin("sensitivity world/ssa.yaml --out done", dir) == 0);
  for (const fs::path& folder : {dir / "done", dir / "killed"}) {
    const auto summary = nlohmann::json::parse(ReadFile(folder / "summary.json"));
    std::vector<std::string> files = summary.at("files").get<std::vector<std::string>>();
    std::sort(files.begin(), files.end());
    CHECK(files == listing(folder));
  }
  CHECK(fs::exists(dir / "done" / "importance.csv"));  // the sensitivity replaced the sweep
  CHECK(ReadFile(dir / "done" / "sectors.csv").rfind("region,sector,column,mean", 0) == 0);
}

// Statistics of `column` in the row of `table` whose key columns match.
std::map<std::string, double> StatsOf(const fs::path& file, const std::string& key_column,
                                      const std::string& key, const std::string& column) {
  for (const auto& row : ReadCsv(file)) {
    if (row.at(key_column) != key || row.at("column") != column) continue;
    return {{"mean", std::stod(row.at("mean"))}, {"sd", std::stod(row.at("sd"))},
            {"low", std::stod(row.at("low"))},   {"high", std::stod(row.at("high"))},
            {"points", std::stod(row.at("points"))}};
  }
  FAIL("no row " << key << " " << column << " in " << file);
  return {};
}

TEST_CASE("quadrature: the exact mean and sd of a result linear in the parameter", "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("ssa-linear");
  const fs::path world = MakeTinyWorld(dir);
  // ntb.csv's ave_new of the shocked flow is benchmark + the shock's value: linear.
  WriteText(world / "ssa.yaml",
            std::string(kHeader) +
                "sensitivity:\n"
                "  method: quadrature\n"
                "  parameters:\n"
                "    - {name: ntb, shock: 2, distribution: normal, absolute: 0.02}\n"
                "    - {name: sigma, elasticity: armington, distribution: triangular, "
                "relative: 0.3}\n");
  REQUIRE(RunOhlin("sensitivity world/ssa.yaml --out ssa", dir) == 0);
  CHECK(ReadCsv(dir / "ssa" / "points.csv").size() == 4);
  double base = -1.0;
  for (const auto& row : ReadCsv(dir / "ssa" / "ntb.csv")) {
    if (row.at("exporter") == "R001" && row.at("importer") == "R002" &&
        row.at("column") == "ave_base") {
      base = std::stod(row.at("mean"));
      CHECK(std::stod(row.at("sd")) == 0.0);
    }
    if (row.at("exporter") == "R001" && row.at("importer") == "R002" &&
        row.at("column") == "ave_new") {
      REQUIRE(base >= 0.0);
      CHECK(std::abs(std::stod(row.at("mean")) - (base + 0.05)) < 1e-11);
      CHECK(std::abs(std::stod(row.at("sd")) - 0.02) < 1e-11);
      // Chebyshev: mean -/+ sqrt(10) sd.
      CHECK(std::abs(std::stod(row.at("high")) - (base + 0.05 + std::sqrt(10.0) * 0.02)) < 1e-9);
    }
  }
  CHECK(ReadFile(dir / "ssa" / "importance.csv").find("welfare.csv") != std::string::npos);
}

// The world of a point of `analysis` on the scenario and data (default numeraire and rule).
std::unique_ptr<sweeps::PointModel> BuildWorld(const Scenario& base, const Benchmark& world,
                                               const sweeps::Sensitivity& analysis,
                                               const std::vector<double>& values) {
  Scenario scenario = base;
  Benchmark data = world;
  for (std::size_t c = 0; c < values.size(); ++c) {
    sweeps::Alternative value;
    value.number = values[c];
    sweeps::ApplyAlternative(analysis.components[c].target, value, &scenario, &data);
  }
  Policy policy = ApplyShocks(data, scenario.shocks);
  Model model = Model::Calibrate(data, {}, {}, policy.quotas);
  return std::make_unique<sweeps::PointModel>(
      sweeps::PointModel{std::move(data), std::move(policy), std::move(model)});
}

TEST_CASE("local derivatives by the implicit function theorem equal finite differences",
          "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("ssa-derivatives");
  const fs::path world = MakeTinyWorld(dir);
  WriteText(world / "ssa.yaml",
            std::string(kHeader) +
                "sensitivity:\n"
                "  method: quadrature\n"
                "  parameters:\n"
                "    - {name: tariff, shock: 1, distribution: uniform, absolute: 0.05}\n"
                "    - {name: sigma, elasticity: armington, by_sector: true, "
                "distribution: uniform, relative: 0.3}\n"
                "    - {name: va, elasticity: value_added, distribution: uniform, "
                "relative: 0.2}\n");
  Benchmark data;
  const Scenario scenario = LoadScenario((world / "ssa.yaml").string(), &data);
  const sweeps::Sensitivity analysis =
      sweeps::LoadSensitivity((world / "ssa.yaml").string(), scenario, data);
  REQUIRE(analysis.components.size() == 4);
  std::vector<double> central, scales;
  for (const auto& c : analysis.components) {
    central.push_back(c.base);
    scales.push_back(c.scale);
  }
  const sweeps::BuildPoint build = [&](const std::vector<double>& values) {
    return BuildWorld(scenario, data, analysis, values);
  };
  SolverOptions options;
  options.tolerance = 1e-13;
  const sweeps::LocalDerivatives local = sweeps::Derivatives(build, central, scales, options);
  REQUIRE(local.ok);
  // Finite differences of full solves: central, step 1e-4 sd, each solve to 1e-13.
  auto solve = [&](const std::vector<double>& values) {
    const auto point = build(values);
    State x = point->model.BenchmarkState();
    SolverSummary summary;
    Solve(options, point->model, point->policy, &x, &summary);
    REQUIRE(summary.IsConverged());
    const EquilibriumSystem system(point->model, point->policy);
    games::JacobianLu lu;
    REQUIRE(sweeps::Polish(system, &x, &lu));
    return sweeps::RankedCells(point->data, point->model.ComputeOutcome(point->policy, x));
  };
  // Relative 1e-6, above the rounding floor of differences with steps of 1e-4 sd: the
  // numbers behind a cell (incomes, for EV = income (U-hat - 1)) lose about
  // 1e-16 |income| sd / h = 1e-12 |income| to cancellation: a weak parameter's effect.
  double floor = 0.0;
  for (const auto& [id, value] : solve(central)) floor = std::max(floor, 1e-11 * std::abs(value));
  int compared = 0;
  for (std::size_t k = 0; k < central.size(); ++k) {
    const double h = 1e-4 * scales[k];
    std::vector<double> plus = central, minus = central;
    plus[k] += h;
    minus[k] -= h;
    const auto up = solve(plus), down = solve(minus);
    double largest = 0.0;
    for (const auto& [id, value] : up) {
      largest = std::max(largest, std::abs((value - down.at(id)) / (2.0 * h) * scales[k]));
    }
    REQUIRE(largest > 1e-6);  // every parameter moves some result
    for (const auto& [id, value] : up) {
      const double fd = (value - down.at(id)) / (2.0 * h) * scales[k];
      const double ift = local.cells.at(id)[k];
      INFO(analysis.components[k].name << " " << id << ": " << ift << " vs " << fd);
      CHECK(std::abs(ift - fd) <= 1e-6 * std::abs(fd) + floor);
      compared += 1e-6 * std::abs(fd) > floor ? 1 : 0;  // where relative 1e-6 binds
    }
  }
  CHECK(compared > 50);
  // The command writes them into importance.csv (12 significant digits).
  REQUIRE(RunOhlin("sensitivity world/ssa.yaml --out ssa", dir) == 0);
  int found = 0;
  for (const auto& row : ReadCsv(dir / "ssa" / "importance.csv")) {
    std::size_t k = 0;
    while (k < central.size() && analysis.components[k].name != row.at("parameter")) ++k;
    REQUIRE(k < central.size());
    const double ift = local.cells.at(sweeps::CellId(row.at("table"), row.at("key"),
                                                     row.at("column")))[k];
    CHECK(std::abs(std::stod(row.at("derivative")) - ift) <= 1e-8 * std::abs(ift) + floor);
    ++found;
  }
  CHECK(found > 20);
}

TEST_CASE("quadrature and a 2,000-draw Monte Carlo agree on the means", "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("ssa-mc");
  const fs::path world = MakeTinyWorld(dir);
  const std::string parameters =
      "  parameters:\n"
      "    - {name: sigma_A, elasticity: armington, by_sector: true, distribution: uniform, "
      "relative: 0.5}\n"
      "    - {name: tariff, shock: 1, distribution: triangular, absolute: 0.1}\n"
      "  correlations:\n    - {between: [sigma_A/S001, tariff], rho: 0.3}\n";
  WriteText(world / "quadrature.yaml",
            std::string(kHeader) + "sensitivity:\n  method: quadrature\n" + parameters);
  WriteText(world / "mc.yaml", std::string(kHeader) +
                                   "sensitivity:\n  method: monte_carlo\n  draws: 2000\n"
                                   "  seed: 11\n" +
                                   parameters);
  REQUIRE(RunOhlin("sensitivity world/quadrature.yaml --out q --threads 2", dir) == 0);
  REQUIRE(RunOhlin("sensitivity world/mc.yaml --out mc --threads 2", dir) == 0);
  int compared = 0;
  for (const auto& row : ReadCsv(dir / "q" / "welfare.csv")) {
    if (row.at("column") != "ev_pct" && row.at("column") != "income_new") continue;
    const auto mc = StatsOf(dir / "mc" / "welfare.csv", "household", row.at("household"),
                            row.at("column"));
    if (row.at("region") != "R001") continue;
    const double standard_error = mc.at("sd") / std::sqrt(mc.at("points"));
    INFO(row.at("household") << " " << row.at("column") << ": quadrature " << row.at("mean")
                             << ", Monte Carlo " << mc.at("mean") << " +/- " << standard_error);
    CHECK(mc.at("points") == 2000);
    CHECK(std::abs(std::stod(row.at("mean")) - mc.at("mean")) <= 2.0 * standard_error);
    // Uniform and triangular: the Chebyshev band is wider than the 5-95% quantiles.
    CHECK(std::stod(row.at("low")) <= mc.at("low"));
    CHECK(std::stod(row.at("high")) >= mc.at("high"));
    ++compared;
  }
  CHECK(compared >= 2);
}

TEST_CASE("the shipped SSA: the US skilled households' loss is robust", "[sweeps][shipped]") {
  const fs::path dir = testing::MakeTempDir("ssa-shipped");
  const fs::path source = OHLIN_SOURCE_DIR;
  REQUIRE(RunOhlin("sensitivity '" + (source / "scenarios" / "tariff_war_ssa.yaml").string() +
                       "' --out ssa --threads 2",
                   dir) == 0);
  CHECK(ReadCsv(dir / "ssa" / "points.csv").size() == 10);  // 2 x 5 sectors
  for (const auto& row : ReadCsv(dir / "ssa" / "welfare.csv")) {
    if (row.at("region") != "USA" || row.at("column") != "ev_pct") continue;
    INFO(row.at("household") << " " << row.at("mean") << " sd " << row.at("sd"));
    CHECK(std::stod(row.at("sd")) > 0.0);
    if (row.at("household") != "unskilled") CHECK(std::stod(row.at("high")) < 0.0);
  }
}

TEST_CASE("a sweep over the world's published Armington sets", "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("sweep-sets");
  const fs::path source = OHLIN_SOURCE_DIR;
  WriteText(dir / "sets.yaml",
            "ohlin: 1\nname: sets\ndata: " + (source / "data" / "wiod2014" / "world.yaml").string() +
                "\nshocks:\n  - {type: tariff, importer: USA, exporter: CHN, add: 0.1}\n"
                "sweep:\n  parameters:\n    - {name: sigma, elasticity_sets: [IS, CP]}\n");
  Benchmark data;
  const Scenario scenario = LoadScenario((dir / "sets.yaml").string(), &data);
  const sweeps::Sweep sweep = sweeps::LoadSweep((dir / "sets.yaml").string(), scenario, data);
  REQUIRE(sweep.points.size() == 2);
  const sweeps::Alternative& cp = sweep.parameters[0].values[1];
  CHECK(cp.label == "CP");
  std::string why;
  const auto values = PickElasticitySet(data, "CP", false, &why);
  REQUIRE(values);
  REQUIRE(cp.elasticities.size() == data.num_sectors());
  Scenario changed = scenario;
  Benchmark world = data;
  sweeps::ApplyAlternative(sweep.parameters[0].target, cp, &changed, &world);
  CHECK(world.elasticities.armington == *values);
}

TEST_CASE("bad sweep and sensitivity input: key and line named, exit 1, nothing written",
          "[sweeps]") {
  const fs::path dir = testing::MakeTempDir("sweep-bad");
  const fs::path world = MakeTinyWorld(dir);
  const std::string ban =
      "ohlin: 1\nname: ban\ndata: data.yaml\nshocks:\n"
      "  - {type: export_ban, exporter: R001, importer: R002, sectors: [S001]}\n";
  struct Case {
    std::string command, text, expected;
  };
  const std::vector<Case> cases = {
      {"sweep", std::string(kHeader) + "sweep:\n  parameters:\n"
                    "    - {name: t, shock: 1, grid: {from: 0.5, to: 0.1, step: 0.1}}\n",
       "bad.yaml:9:|sweep.parameters[1] (t).grid: empty grid"},
      {"sweep", std::string(kHeader) + "sweep:\n  parameters:\n    - {name: t, shock: 1, values: []}\n",
       "bad.yaml:9:|sweep.parameters[1] (t).values: empty"},
      {"sweep", std::string(kHeader) + "sweep:\n  parameters:\n    - {name: t, values: [1]}\n",
       "bad.yaml:9:|sweep.parameters[1] (t): unknown parameter"},
      {"sweep", std::string(kHeader) + "sweep:\n  parameters:\n    - {name: t, shock: 9, values: [1]}\n",
       "bad.yaml:9:|sweep.parameters[1] (t).shock: no shock 9"},
      {"sweep", std::string(kHeader) + "sweep:\n  parameters:\n"
                    "    - {name: s, elasticity: armington, values: [2, 0]}\n",
       "bad.yaml:9:|sweep.parameters[1] (s): armington elasticity of S001 must be > 0, got 0"},
      {"sensitivity", std::string(kHeader) + "sensitivity:\n  method: monte_carlo\n  draws: 0\n"
                          "  parameters:\n    - {name: s, shock: 1, distribution: normal, absolute: 1}\n",
       "bad.yaml:9:|sensitivity.draws: N = 0 draws"},
      {"sensitivity", std::string(kHeader) + "sensitivity:\n  method: quadrature\n  parameters:\n"
                          "    - {name: s, elasticity: armington, distribution: uniform, relative: 1.2}\n",
       "bad.yaml:10:|sensitivity.parameters[1] (s): the distribution's support reaches"},
      {"sensitivity", std::string(kHeader) + "sensitivity:\n  method: quadrature\n  parameters:\n"
                          "    - {name: s, elasticity: armington, distribution: normal, relative: 0.1}\n",
       "bad.yaml:10:|sensitivity.parameters[1] (s): the distribution's support reaches "
       "armington elasticity of S001, below the bound > 0 (a normal distribution is unbounded"},
      {"sensitivity", ban + "sensitivity:\n  method: quadrature\n  parameters:\n"
                          "    - {name: s, elasticity: armington, by_sector: true, "
                          "distribution: uniform, absolute: 4}\n",
       "bad.yaml:9:|sensitivity.parameters[1] (s/S001): the distribution's support reaches "
       "armington elasticity of S001, below the bound > 1 (an export_ban in the scenario needs "
       "it)"},
      {"sensitivity", std::string(kHeader) + "sensitivity:\n  method: quadrature\n  parameters:\n"
                          "    - {name: s, elasticity: armington, distribution: uniform, relative: 0.1, "
                          "colour: red}\n",
       "bad.yaml:10:|sensitivity.parameters[1]: unknown key 'colour'"},
      {"sensitivity", std::string(kHeader) + "sensitivity:\n  method: quadrature\n  parameters:\n"
                          "    - {name: s, elasticity: armington, distribution: uniform, relative: 0.1}\n"
                          "  correlations:\n    - {between: [s, t], rho: 0.5}\n",
       "bad.yaml:12:|sensitivity.correlations[1].between: unknown parameter 't'"},
  };
  for (std::size_t k = 0; k < cases.size(); ++k) {
    INFO(cases[k].text);
    WriteText(world / "bad.yaml", cases[k].text);
    fs::remove(dir / "cli.log");
    CHECK(RunOhlin(cases[k].command + " world/bad.yaml --out out", dir) == 1);
    CHECK_FALSE(fs::exists(dir / "out"));
    const std::string log = ReadFile(dir / "cli.log");
    INFO(log);
    // "FILE:LINE:" (then the column) and the message naming the key.
    const std::size_t bar = cases[k].expected.find('|');
    if (bar != std::string::npos) {
      CHECK(log.find(cases[k].expected.substr(0, bar)) != std::string::npos);
    }
    CHECK(log.find(cases[k].expected.substr(bar == std::string::npos ? 0 : bar + 1)) !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace ohlin
