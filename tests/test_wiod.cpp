// The real worlds built from WIOD 2016 (data/make_wiod.py, data/README.md): a rebuild of the
// 2014 world from ../shared/data holds the observed numbers (bilateral flows, factor incomes,
// tariffs) and replicates; a bad source file stops the build with file and line and writes
// nothing. Skipped where ../shared/data/wiod16 is absent (the raw files never enter the
// repository). The shipped worlds are checked too, whether or not the shared data are here.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "calibration/accounts.h"
#include "calibration/loader.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "scenarios/scenario.h"
#include "solver/solver.h"
#include "tests/test_support.h"

using namespace ohlin;
namespace fs = std::filesystem;

namespace {

const fs::path kShared = fs::path(OHLIN_SHARED_DIR) / "data";

std::vector<std::vector<std::string>> ReadCsv(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

std::vector<std::string> FactorNames(const Benchmark& data) {
  std::vector<std::string> names;
  for (const Factor& factor : data.factors) names.push_back(factor.name);
  return names;
}

std::size_t IndexOf(const std::vector<std::string>& names, const std::string& name) {
  for (std::size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return k;
  FAIL("unknown name " << name);
  return 0;
}

// S01.. -> the short names the worlds use (AGR..), from sectors.csv.
std::map<std::string, std::string> SectorNames() {
  std::map<std::string, std::string> names;
  for (const auto& row : ReadCsv(kShared / "wiod16" / "sectors.csv")) names[row[0]] = row[1];
  return names;
}

// Runs the build; returns its exit status and stderr.
int RunBuild(const fs::path& shared, const std::string& out, std::string* errors,
             const std::string& extra = "") {
  const std::string err = out + ".stderr";
  const std::string command = "python3 '" + std::string(OHLIN_SOURCE_DIR) +
                              "/data/make_wiod.py' --shared '" + shared.string() + "' --out '" +
                              out + "' --years 2014 " + extra + " > /dev/null 2> '" + err + "'";
  const int status = std::system(command.c_str());
  std::ifstream in(err);
  *errors = std::string(std::istreambuf_iterator<char>(in), {});
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool Near(double a, double b) {
  return std::abs(a - b) <= 1e-6 * std::max({std::abs(a), std::abs(b), 1e-9});
}

// Calibrates and solves the benchmark itself: no iteration may be needed.
void CheckReplicates(const Benchmark& data) {
  const Model model = Model::Calibrate(data);
  CHECK(BenchmarkReplicationResidual(model) < 1e-10);
  State x = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, Policy::Benchmark(data), &x, &summary);
  INFO(summary.FullReport());
  CHECK(summary.IsConverged());
  CHECK(summary.iterations == 0);
  CHECK(summary.final_max_residual < 1e-10);
}

}  // namespace

TEST_CASE("the 2014 WIOD world rebuilt from the shared files holds the observed data",
          "[wiod][data]") {
  if (!fs::exists(kShared / "wiod16" / "trade_2014.csv")) {
    WARN("../shared/data/wiod16 is not here: skipped");
    return;
  }
  const std::string out = testing::MakeTempDir("wiod_build");
  std::string errors;
  REQUIRE(RunBuild(kShared, out, &errors) == 0);
  const Benchmark data = LoadBenchmark(out + "/wiod2014/world.yaml");
  REQUIRE(data.num_regions() == 44);
  REQUIRE(data.num_sectors() == 16);
  REQUIRE(data.factors.size() == 3);
  const auto sector = SectorNames();
  const std::size_t skilled = IndexOf(FactorNames(data), "skilled");
  const std::size_t unskilled = IndexOf(FactorNames(data), "unskilled");
  const std::size_t capital = IndexOf(FactorNames(data), "capital");

  // Every bilateral flow, domestic sales included, exactly as observed (and no other flow).
  int mismatches = 0, rows = 0;
  double observed_total = 0.0;
  for (const auto& row : ReadCsv(kShared / "wiod16" / "trade_2014.csv")) {
    const std::size_t e = IndexOf(data.regions, row[0]), m = IndexOf(data.regions, row[1]);
    const std::size_t i = IndexOf(data.sectors, sector.at(row[2]));
    const double value = std::stod(row[3]);
    observed_total += value;
    if (!Near(data.trade(i, e, m), value)) ++mismatches;
    ++rows;
  }
  CHECK(rows == 30831);
  CHECK(mismatches == 0);
  double total = 0.0;
  for (double value : data.trade.data()) total += value;
  CHECK(total == Approx(observed_total).epsilon(1e-9));

  // Labour and capital income of the 43 countries by sector exactly as in the SEA file (the
  // reconciliation moves intermediates and final demand, never factor payments); labour is
  // skilled plus unskilled.
  mismatches = 0;
  for (const auto& row : ReadCsv(kShared / "wiod16" / "factor_payments_2014.csv")) {
    const std::size_t r = IndexOf(data.regions, row[0]);
    const std::size_t i = IndexOf(data.sectors, sector.at(row[1]));
    const double labour = data.factor_payments(skilled, i, r) +
                          data.factor_payments(unskilled, i, r);
    if (!Near(labour, std::stod(row[2])) ||
        !Near(data.factor_payments(capital, i, r), std::stod(row[3]))) {
      ++mismatches;
    }
  }
  CHECK(mismatches == 0);

  // Tariffs as observed among the 43; ROW's are filled by the stated rule (R4), non-negative.
  mismatches = rows = 0;
  for (const auto& row : ReadCsv(kShared / "wiod16" / "tariffs_2014.csv")) {
    const std::size_t e = IndexOf(data.regions, row[0]), m = IndexOf(data.regions, row[1]);
    const std::size_t i = IndexOf(data.sectors, sector.at(row[2]));
    if (!Near(data.tariffs(i, e, m), std::stod(row[3]))) ++mismatches;
    ++rows;
  }
  CHECK(rows == 13280);
  CHECK(mismatches == 0);
  const std::size_t row_region = IndexOf(data.regions, "ROW");
  const std::size_t usa = IndexOf(data.regions, "USA"), chn = IndexOf(data.regions, "CHN");
  const std::size_t tex = IndexOf(data.sectors, "TEX");
  CHECK(data.tariffs(tex, chn, row_region) > 0.0);  // ROW's tariffs: the proxies' mean
  CHECK(data.tariffs(tex, row_region, usa) > 0.0);  // on ROW's goods: the US MFN rate

  // The deficits are the observed trade balances at basic prices (imports minus exports).
  const Accounts accounts = ComputeAccounts(data, 1e-9);
  CHECK(accounts.failures.empty());
  double us_exports = 0.0, us_imports = 0.0;
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t s = 0; s < data.num_regions(); ++s) {
      if (s == usa) continue;
      us_exports += data.trade(i, usa, s);
      us_imports += data.trade(i, s, usa);
    }
  }
  CHECK(accounts.regions[usa].deficit == Approx(us_imports - us_exports).epsilon(1e-9));
  CHECK(us_imports - us_exports > 3e5);  // the US deficit of 2014, above USD 300 bn in WIOD

  CheckReplicates(data);
}

TEST_CASE("one switch gives the 2014 world with one labour factor instead of two skills",
          "[wiod][data]") {
  if (!fs::exists(kShared / "wiod16" / "trade_2014.csv")) {
    WARN("../shared/data/wiod16 is not here: skipped");
    return;
  }
  const std::string out = testing::MakeTempDir("wiod_labour");
  std::string errors;
  REQUIRE(RunBuild(kShared, out, &errors, "--skills none") == 0);
  const Benchmark labour = LoadBenchmark(out + "/wiod2014/world.yaml");
  const Benchmark skills =
      LoadBenchmark(std::string(OHLIN_SOURCE_DIR) + "/data/wiod2014/world.yaml");
  REQUIRE(FactorNames(labour) == std::vector<std::string>{"labour", "capital"});
  // Labour income is the two skills' together, cell by cell; capital and trade are unchanged.
  int mismatches = 0;
  for (std::size_t r = 0; r < labour.num_regions(); ++r) {
    for (std::size_t i = 0; i < labour.num_sectors(); ++i) {
      if (!Near(labour.factor_payments(0, i, r),
                skills.factor_payments(0, i, r) + skills.factor_payments(1, i, r)) ||
          !Near(labour.factor_payments(1, i, r), skills.factor_payments(2, i, r))) {
        ++mismatches;
      }
    }
  }
  CHECK(mismatches == 0);
  CHECK(labour.trade.data() == skills.trade.data());
  // Three households still; workers own all labour between them, the owners none.
  for (std::size_t r = 0; r < labour.num_regions(); ++r) {
    REQUIRE(labour.households[r].size() == 3);
    CHECK(labour.households[r][0].owns[0] + labour.households[r][1].owns[0] ==
          Approx(1.0).epsilon(1e-9));
    CHECK(labour.households[r][2].owns[0] == 0.0);
  }
  CHECK(ComputeAccounts(labour, 1e-9).failures.empty());
  CHECK(BenchmarkReplicationResidual(Model::Calibrate(labour)) < 1e-10);
}

TEST_CASE("tools/strip_io.py gives the 2014 world without input-output links and one factor",
          "[wiod][data]") {
  // The world of the tariff-war comparison with Lashkaripour's baseline (MODEL.md 12.6): the
  // same flows and tariffs, each region-sector's output paid to one factor, its absorption at
  // purchaser prices as final demand.
  const std::string out = testing::MakeTempDir("wiod_noio") + "/noio";
  const std::string source = std::string(OHLIN_SOURCE_DIR) + "/data/wiod2014";
  const std::string command = "python3 '" + std::string(OHLIN_SOURCE_DIR) + "/tools/strip_io.py' '" +
                              source + "' '" + out + "' > /dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  const Benchmark noio = LoadBenchmark(out + "/world.yaml");
  const Benchmark full = LoadBenchmark(source + "/world.yaml");
  REQUIRE(FactorNames(noio) == std::vector<std::string>{"labour"});
  CHECK(noio.trade.data() == full.trade.data());
  CHECK(noio.tariffs.data() == full.tariffs.data());
  CHECK(noio.elasticities.armington == full.elasticities.armington);
  int mismatches = 0;
  for (std::size_t r = 0; r < noio.num_regions(); ++r) {
    for (std::size_t i = 0; i < noio.num_sectors(); ++i) {
      double output = 0.0, absorption = 0.0;
      for (std::size_t d = 0; d < noio.num_regions(); ++d) {
        output += noio.trade(i, r, d);
        absorption += noio.trade(i, d, r) * (1.0 + noio.tariffs(i, d, r));
      }
      double intermediates = 0.0;
      for (std::size_t j = 0; j < noio.num_sectors(); ++j) intermediates += noio.intermediates(j, i, r);
      if (!Near(noio.factor_payments(0, i, r), output) ||
          !Near(noio.final_demand[r][0][i], absorption) || intermediates != 0.0) {
        ++mismatches;
      }
    }
  }
  CHECK(mismatches == 0);
  CHECK(ComputeAccounts(noio, 1e-9).failures.empty());
  CHECK(BenchmarkReplicationResidual(Model::Calibrate(noio)) < 1e-10);
}

TEST_CASE("a bad or missing WIOD source file stops the build naming file and row, writing "
          "nothing", "[wiod][data][errors]") {
  if (!fs::exists(kShared / "wiod16" / "trade_2014.csv")) {
    WARN("../shared/data/wiod16 is not here: skipped");
    return;
  }
  const std::string tmp = testing::MakeTempDir("wiod_bad");
  const fs::path shared = fs::path(tmp) / "shared";
  fs::create_directories(shared);
  fs::copy(kShared / "wiod16", shared / "wiod16", fs::copy_options::recursive);
  fs::copy(kShared / "pwt101", shared / "pwt101", fs::copy_options::recursive);
  fs::permissions(shared / "wiod16", fs::perms::owner_all, fs::perm_options::add);

  SECTION("a malformed number") {
    const fs::path file = shared / "wiod16" / "trade_2014.csv";
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    in.close();
    const std::size_t line3 = text.find('\n', text.find('\n') + 1) + 1;
    text.replace(text.find('\n', line3) - 9, 9, "12x.5");  // line 3's value
    std::ofstream(file) << text;
    std::string errors;
    CHECK(RunBuild(shared, tmp + "/out", &errors) == 1);
    CHECK_THAT(errors, Catch::Contains("trade_2014.csv:3: column value: '"));
    CHECK_THAT(errors, Catch::Contains("nothing written"));
  }
  SECTION("a missing file") {
    fs::remove(shared / "wiod16" / "factor_payments_2014.csv");
    std::string errors;
    CHECK(RunBuild(shared, tmp + "/out", &errors) == 1);
    CHECK_THAT(errors, Catch::Contains("factor_payments_2014.csv: cannot read"));
  }
  SECTION("a missing row where every row is required") {
    const fs::path file = shared / "wiod16" / "final_demand_2014.csv";
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    auto rows = ReadCsv(file);
    std::ofstream rewritten(file);
    rewritten << "region,sector,domestic,imported,inventories_domestic,inventories_imported\n";
    for (std::size_t k = 1; k < rows.size(); ++k) {  // AUS/S01 left out
      for (std::size_t c = 0; c < rows[k].size(); ++c) rewritten << (c ? "," : "") << rows[k][c];
      rewritten << "\n";
    }
    rewritten.close();
    std::string errors;
    CHECK(RunBuild(shared, tmp + "/out", &errors) == 1);
    CHECK_THAT(errors, Catch::Contains("final_demand_2014.csv: missing row AUS/AGR"));
  }
  CHECK_FALSE(fs::exists(tmp + "/out/wiod2014"));
}

TEST_CASE("the shipped WIOD worlds balance, replicate and default to the IS set",
          "[wiod][data]") {
  for (const char* year : {"2014", "2000"}) {
    const std::string path = std::string(OHLIN_SOURCE_DIR) + "/data/wiod" + year + "/world.yaml";
    INFO(path);
    const Benchmark data = LoadBenchmark(path);
    CHECK(ComputeAccounts(data, 1e-9).failures.empty());
    // The default set is IS (Lashkaripour 2021): sigma = 1 + epsilon.
    CHECK(data.elasticities.armington[IndexOf(data.sectors, "AGR")] == Approx(1.67));
    if (std::string(year) == "2014") CheckReplicates(data);
  }
}

TEST_CASE("the 2018-19 tariff war solves on the 2014 world under every published elasticity set",
          "[wiod][elasticities]") {
  Benchmark data =
      LoadBenchmark(std::string(OHLIN_SOURCE_DIR) + "/data/wiod2014/world.yaml");
  REQUIRE(data.elasticity_sets.size() == 8);
  const std::size_t usa = IndexOf(data.regions, "USA"), chn = IndexOf(data.regions, "CHN");
  const std::size_t services = IndexOf(data.sectors, "SERV");
  for (const ElasticitySet& set : data.elasticity_sets) {
    INFO("set " << set.name);
    std::string why;
    data.elasticities.armington = *PickElasticitySet(data, set.name, false, &why);
    const Model model = Model::Calibrate(data);
    Policy policy = Policy::Benchmark(data);
    for (std::size_t i = 0; i < data.num_sectors(); ++i) {
      if (i == services) continue;
      policy.tariffs(i, chn, usa) += 0.162;  // Bown (2023), as scenarios/us_china_2018.yaml
      policy.tariffs(i, usa, chn) += 0.131;
    }
    State x = model.BenchmarkState();
    SolverSummary summary;
    Solve(SolverOptions(), model, policy, &x, &summary);
    INFO(summary.FullReport());
    REQUIRE(summary.IsConverged());
    const Outcome outcome = model.ComputeOutcome(policy, x);
    // Small aggregate losses for both (docs/MODEL.md section 11: the US loses 0.0x% of income,
    // as Amiti, Redding and Weinstein 2019 and Fajgelbaum et al. 2020 find), larger for China.
    CHECK(outcome.regions[usa].ev_pct < 0.0);
    CHECK(outcome.regions[usa].ev_pct > -0.1);
    CHECK(outcome.regions[chn].ev_pct < 2.0 * outcome.regions[usa].ev_pct);
    CHECK(outcome.regions[chn].ev_pct > -0.5);
  }
}

namespace {

// China's share of world manufacturing exports (cross-border FOOD..OTHMAN, producer prices).
double ChinaManufacturingShare(const Benchmark& data, const std::vector<FlowOutcome>& flows,
                               bool counterfactual) {
  const std::size_t chn = IndexOf(data.regions, "CHN");
  const std::size_t first = IndexOf(data.sectors, "FOOD"), last = IndexOf(data.sectors, "OTHMAN");
  double china = 0.0, world = 0.0;
  for (const FlowOutcome& flow : flows) {
    const auto i = static_cast<std::size_t>(flow.sector);
    if (flow.exporter == flow.importer || i < first || i > last) continue;
    const double value = counterfactual ? flow.value_new : flow.value_base;
    world += value;
    if (static_cast<std::size_t>(flow.exporter) == chn) china += value;
  }
  return china / world;
}

// The same from a benchmark's trade table.
double ChinaManufacturingShare(const Benchmark& data) {
  std::vector<FlowOutcome> flows;
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      for (std::size_t s = 0; s < data.num_regions(); ++s) {
        flows.push_back(FlowOutcome{static_cast<int>(r), static_cast<int>(s),
                                    static_cast<int>(i), data.trade(i, r, s), 0.0});
      }
    }
  }
  return ChinaManufacturingShare(data, flows, false);
}

}  // namespace

TEST_CASE("china_shock moves China's share of world manufacturing exports from its 2000 to its "
          "2014 value, and US factors gain", "[wiod][china_shock]") {
  Benchmark data;
  const Scenario scenario =
      LoadScenario(std::string(OHLIN_SOURCE_DIR) + "/scenarios/china_shock.yaml", &data);
  const Benchmark later =
      LoadBenchmark(std::string(OHLIN_SOURCE_DIR) + "/data/wiod2014/world.yaml");
  const Model model = Model::Calibrate(data);
  const Policy policy = ApplyShocks(data, scenario.shocks);
  State x = model.BenchmarkState();
  SolverSummary summary;
  Solve(SolverOptions(), model, policy, &x, &summary);
  REQUIRE(summary.IsConverged());
  const Outcome outcome = model.ComputeOutcome(policy, x);
  const double share_2000 = ChinaManufacturingShare(data, outcome.flows, false);
  const double share_2014 = ChinaManufacturingShare(later);
  CHECK(share_2000 == Approx(0.04257).margin(1e-4));  // WIOD, as in the scenario's comment
  CHECK(share_2014 == Approx(0.15741).margin(1e-4));
  CHECK(ChinaManufacturingShare(data, outcome.flows, true) == Approx(share_2014).margin(1e-3));
  // With mobile factors every US factor gains in real terms (docs/MODEL.md section 11).
  const std::size_t usa = IndexOf(data.regions, "USA");
  for (const FactorOutcome& factor : outcome.factors) {
    if (static_cast<std::size_t>(factor.region) == usa) CHECK(factor.real_price_hat > 1.0);
  }
  CHECK(outcome.regions[usa].ev_pct > 0.0);
}
