// Result files (FORMATS.md "Results"): headers, rows, percentages, atomic and deterministic
// writes, and failure reports.
#include <algorithm>
#include <sys/resource.h>

#include <csignal>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "results/results.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

using testing::ReadFile;

namespace fs = std::filesystem;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.push_back("");
  return fields;
}

std::vector<std::string> FilesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// A hand-made outcome on the 2x2x2 world, with two households in HOME, whose numbers are
// easy to check by hand.
struct Fixture {
  Benchmark data = testing::MakeTwoByTwo();
  Scenario scenario;
  Outcome outcome;
  SolverSummary summary;

  Fixture() {
    scenario.name = "HOME tariff on LAB: +10%";
    scenario.path = "/tmp/scenario.yaml";
    scenario.data_path = "/tmp/data.yaml";

    HouseholdOutcome workers;  // per-capita income 1 in the benchmark
    workers.region = 0;
    workers.household = "workers";
    workers.population = 100;
    workers.income_base = 100;
    workers.income_new = 105;
    workers.utility_hat = 1.02;
    workers.ev = 2;
    workers.ev_pct = 2;
    HouseholdOutcome owners = workers;  // per-capita income 3, loses
    owners.household = "owners";
    owners.income_base = 300;
    owners.income_new = 297;
    owners.utility_hat = 0.97;
    owners.ev = -9;
    owners.ev_pct = -3;
    HouseholdOutcome foreign = workers;
    foreign.region = 1;
    foreign.household = "all";
    foreign.population = 1;
    foreign.income_base = 300;
    foreign.utility_hat = 0.99;
    foreign.ev = -3;
    foreign.ev_pct = -1;
    outcome.households = {workers, owners, foreign};
    outcome.regions.resize(2);
    outcome.regions[0].ev = -7;
    outcome.regions[1].ev = -3;
    for (int r = 0; r < 2; ++r) {
      for (int f = 0; f < 2; ++f) {
        FactorOutcome factor;
        factor.region = r;
        factor.factor = f;
        factor.price_hat = 1.10;
        factor.real_price_hat = f == 0 ? 1.05 : 0.95;
        outcome.factors.push_back(factor);
      }
      for (int i = 0; i < 2; ++i) {
        SectorOutcome sector;
        sector.region = r;
        sector.sector = i;
        sector.price_hat = 1.0;
        sector.output_hat = r == 0 && i == 0 ? 1.25 : 0.99;
        sector.exports_hat = 0.8;
        sector.imports_hat = 1.1;
        sector.has_exports = !(r == 1 && i == 1);  // an empty field in sectors.csv
        outcome.sectors.push_back(sector);
      }
    }
    FlowOutcome flow;
    flow.exporter = 1;
    flow.importer = 0;
    flow.sector = 0;
    flow.value_base = 40;
    flow.value_new = 30;
    outcome.flows.push_back(flow);
    flow.exporter = 0;
    flow.value_base = 60;
    flow.value_new = 66;
    outcome.flows.push_back(flow);
    outcome.numeraire = "world_factor_income";
    NtbOutcome quota;  // a quota of HOME on LAB from FOREIGN, rent to HOME
    quota.exporter = 1;
    quota.importer = 0;
    quota.sector = 0;
    quota.kind = "quota";
    quota.ave_new = 0.25;
    quota.rent_new = 7.5;
    quota.rent_owner = "importer";
    quota.quantity_hat = 0.8;
    NtbOutcome ban = quota;  // and a ban of the other flow: no finite equivalent
    ban.exporter = 0;
    ban.importer = 1;
    ban.kind = "export_ban";
    ban.prohibitive = true;
    ban.rent_new = 0.0;
    ban.rent_owner = "none";
    ban.quantity_hat = 0.0;
    outcome.ntbs = {quota, ban};
    for (int r = 0; r < 2; ++r) {
      outcome.decomposition.push_back({r, "terms_of_trade", r == 0 ? 1.0 : -1.0, 0.25});
      outcome.decomposition.push_back({r, "total", outcome.regions[r].ev, -1.0});
    }
    outcome.decomposition_note = "exact";

    summary.termination_type = TerminationType::kConverged;
    summary.message = "converged";
    summary.iterations = 4;
    summary.final_max_residual = 1e-12;
    summary.walras_residual = 2e-13;
    summary.walras_equation = "income balance FOREIGN/all";
    summary.num_unknowns = 17;
    summary.jacobian_nonzeros = 120;
    summary.total_seconds = 0.25;
  }

  ResultContext Context() const {
    ResultContext context;
    context.data = &data;
    context.scenario = &scenario;
    context.outcome = &outcome;
    context.summary = &summary;
    return context;
  }
};

TEST_CASE("the result tables are built in parallel into the same bytes, in file order",
          "[results]") {
  const Fixture fixture;
  const auto tables_with = [&](int threads) {
#ifdef _OPENMP
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
#endif
    auto tables = ResultTables(fixture.data, fixture.outcome, true);
#ifdef _OPENMP
    omp_set_num_threads(saved);
#endif
    return tables;
  };
  const auto one = tables_with(1), two = tables_with(2);
  CHECK(one == two);
  std::vector<std::string> names;
  for (const auto& table : two) names.push_back(table.first);
  CHECK(names == std::vector<std::string>{"welfare.csv", "factors.csv", "sectors.csv",
                                          "distribution.csv", "trade.csv", "ntb.csv",
                                          "decomposition.csv", "income_sources.csv"});
  for (const auto& table : two) CHECK_FALSE(table.second.empty());

  // A number that is not finite is named with its table, and nothing is written.
  const std::vector<std::pair<std::string, double>> state{
      {"producer_price HOME/LAB", 0.5}, {"producer_price FOREIGN/LAB", std::nan("")}};
  ResultContext context = fixture.Context();
  context.state = &state;
  const fs::path dir = fs::path(testing::MakeTempDir("results-nan")) / "out";
  try {
    WriteResults(dir.string(), context);
    FAIL("no exception");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()).find("(in state.csv)") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("WriteResults writes every file with the FORMATS.md headers", "[results]") {
  const Fixture fixture;
  const fs::path dir = fs::path(testing::MakeTempDir("results")) / "nested" / "folder";
  WriteResults(dir.string(), fixture.Context());

  CHECK(FilesIn(dir) == std::vector<std::string>{"decomposition.csv", "distribution.csv",
                                                 "factors.csv", "income_sources.csv", "ntb.csv",
                                                 "sectors.csv", "summary.json", "trade.csv",
                                                 "welfare.csv"});
  const auto ntb = Lines(ReadFile(dir / "ntb.csv"));
  CHECK(ntb.at(0) ==
        "exporter,importer,sector,kind,ave_base,ave_new,rent_new,rent_owner,landed_quantity_pct");
  REQUIRE(ntb.size() == 3);
  CHECK(Fields(ntb[1]) == std::vector<std::string>{"FOREIGN", "HOME", "LAB", "quota", "0", "0.25",
                                                   "7.5", "importer", "-20"});
  CHECK(Fields(ntb[2])[5].empty());  // a ban's tariff equivalent is left empty
  const auto decomposition = Lines(ReadFile(dir / "decomposition.csv"));
  CHECK(decomposition.at(0) == "region,component,value,pct_of_income");
  CHECK(decomposition.size() == 1 + 4);
  CHECK(decomposition.at(2) == "HOME,total,-7,-1");
  const auto welfare = Lines(ReadFile(dir / "welfare.csv"));
  const auto factors = Lines(ReadFile(dir / "factors.csv"));
  const auto sectors = Lines(ReadFile(dir / "sectors.csv"));
  const auto trade = Lines(ReadFile(dir / "trade.csv"));
  const auto distribution = Lines(ReadFile(dir / "distribution.csv"));
  CHECK(welfare.at(0) == "region,household,population,income_base,income_new,ev,ev_pct");
  CHECK(factors.at(0) == "region,factor,price_pct,real_price_pct");
  CHECK(sectors.at(0) == "region,sector,price_pct,output_pct,exports_pct,imports_pct");
  CHECK(trade.at(0) == "exporter,importer,sector,value_base,value_new,pct");
  CHECK(distribution.at(0) ==
        "region,gini_base,gini_new,theil_base,theil_new,population_losing_pct");
  CHECK(welfare.size() == 1 + 3);
  CHECK(factors.size() == 1 + 4);
  CHECK(sectors.size() == 1 + 4);
  CHECK(trade.size() == 1 + 2);
  CHECK(distribution.size() == 1 + 2);

  const auto summary = nlohmann::json::parse(ReadFile(dir / "summary.json"));
  CHECK(summary.at("status") == "converged");
  CHECK(summary.at("scenario") == fixture.scenario.name);
  CHECK(summary.at("data") == "/tmp/data.yaml");
  CHECK(summary.at("iterations") == 4);
  CHECK(summary.at("max_residual").get<double>() == 1e-12);
  CHECK(summary.at("walras_residual").get<double>() == 2e-13);
  CHECK(summary.at("seconds").get<double>() == 0.25);
  CHECK(summary.at("ohlin_version") == OHLIN_VERSION);
  CHECK(summary.at("numeraire") == "world_factor_income");
  CHECK(summary.at("walras_equation") == "income balance FOREIGN/all");
  CHECK(summary.at("unknowns") == 17);
  CHECK(summary.at("jacobian_nonzeros") == 120);
  CHECK(summary.contains("message"));
  CHECK_FALSE(summary.contains("reason"));
}

TEST_CASE("result files hold names and percentages computed right", "[results]") {
  const Fixture fixture;
  const fs::path dir = testing::MakeTempDir("results-values");
  WriteResults(dir.string(), fixture.Context());

  const auto welfare = Lines(ReadFile(dir / "welfare.csv"));
  CHECK(welfare.at(1) == "HOME,workers,100,100,105,2,2");
  CHECK(welfare.at(2) == "HOME,owners,100,300,297,-9,-3");

  const auto factor_row = Fields(Lines(ReadFile(dir / "factors.csv")).at(1));
  REQUIRE(factor_row.size() == 4);
  CHECK(factor_row[0] == "HOME");
  CHECK(factor_row[1] == "labour");
  CHECK(std::stod(factor_row[2]) == Approx(10.0));
  CHECK(std::stod(factor_row[3]) == Approx(5.0));

  const auto sectors = Lines(ReadFile(dir / "sectors.csv"));
  const auto home_lab = Fields(sectors.at(1));
  REQUIRE(home_lab.size() == 6);
  CHECK(home_lab[1] == "LAB");
  CHECK(std::stod(home_lab[2]) == Approx(0.0).margin(1e-12));
  CHECK(std::stod(home_lab[3]) == Approx(25.0));
  CHECK(std::stod(home_lab[4]) == Approx(-20.0));
  CHECK(std::stod(home_lab[5]) == Approx(10.0));
  const auto foreign_cap = Fields(sectors.at(4));
  REQUIRE(foreign_cap.size() == 6);
  CHECK(foreign_cap[0] == "FOREIGN");
  CHECK(foreign_cap[4].empty());  // no benchmark exports: no percentage

  const auto trade = Lines(ReadFile(dir / "trade.csv"));
  const auto import_flow = Fields(trade.at(1));
  REQUIRE(import_flow.size() == 6);
  CHECK(import_flow[0] == "FOREIGN");
  CHECK(import_flow[1] == "HOME");
  CHECK(import_flow[2] == "LAB");
  CHECK(import_flow[3] == "40");
  CHECK(import_flow[4] == "30");
  CHECK(std::stod(import_flow[5]) == Approx(-25.0));
  CHECK(std::stod(Fields(trade.at(2))[5]) == Approx(10.0));

  // HOME: per-capita real incomes 1 and 3 (equal populations) -> Gini 1/4,
  // Theil (ln(1/2) + 3 ln(3/2)) / 4; owners (half the population) lose.
  const auto home = Fields(Lines(ReadFile(dir / "distribution.csv")).at(1));
  REQUIRE(home.size() == 6);
  CHECK(home[0] == "HOME");
  CHECK(std::stod(home[1]) == Approx(0.25));
  CHECK(std::stod(home[3]) == Approx((std::log(0.5) + 3.0 * std::log(1.5)) / 4.0));
  // Counterfactual real incomes 1.02 and 2.91: the gap narrows.
  CHECK(std::stod(home[2]) == Approx((2.91 - 1.02) / (2.0 * (2.91 + 1.02))));
  CHECK(std::stod(home[5]) == Approx(50.0));
  const auto foreign = Fields(Lines(ReadFile(dir / "distribution.csv")).at(2));
  CHECK(std::stod(foreign[1]) == Approx(0.0).margin(1e-15));
  CHECK(std::stod(foreign[5]) == Approx(100.0));
}

TEST_CASE("result writes are atomic and byte-identical when repeated", "[results]") {
  const Fixture fixture;
  const fs::path dir = testing::MakeTempDir("results-repeat");
  WriteResults(dir.string(), fixture.Context());
  std::vector<std::string> first;
  for (const std::string& name : ResultFileNames()) first.push_back(ReadFile(dir / name));
  WriteResults(dir.string(), fixture.Context());
  for (std::size_t k = 0; k < ResultFileNames().size(); ++k) {
    INFO(ResultFileNames()[k]);
    CHECK(ReadFile(dir / ResultFileNames()[k]) == first[k]);
  }
  for (const std::string& name : FilesIn(dir)) {
    CHECK(name.find(".tmp") == std::string::npos);
  }
  CHECK(FilesIn(dir).size() == ResultFileNames().size());
}

TEST_CASE("a write interrupted at any file leaves whole files and no false summary",
          "[results][atomic]") {
  // The earlier run and the interrupted one differ in every file.
  const Fixture earlier;
  Fixture later;
  later.scenario.name = "a later run";
  for (HouseholdOutcome& household : later.outcome.households) household.ev_pct += 1.0;
  for (FactorOutcome& factor : later.outcome.factors) factor.price_hat += 0.01;
  for (SectorOutcome& sector : later.outcome.sectors) sector.output_hat += 0.01;
  for (FlowOutcome& flow : later.outcome.flows) flow.value_new += 1.0;
  for (RegionOutcome& region : later.outcome.regions) region.ev += 1.0;
  later.outcome.households[0].utility_hat = 0.5;  // changes distribution.csv
  for (NtbOutcome& ntb : later.outcome.ntbs) ntb.rent_new += 1.0;
  for (DecompositionRow& row : later.outcome.decomposition) row.value += 1.0;
  for (HouseholdOutcome& household : later.outcome.households) {
    household.sources = {{"transfers", 1.0, 2.0}};  // changes income_sources.csv
  }

  const fs::path reference = testing::MakeTempDir("results-interrupt-reference");
  WriteResults((reference / "earlier").string(), earlier.Context());
  WriteResults((reference / "later").string(), later.Context());
  for (const std::string& name : ResultFileNames()) {
    INFO(name);
    REQUIRE(ReadFile(reference / "earlier" / name) != ReadFile(reference / "later" / name));
  }

  // Interrupt the later write with files limited to a size (RLIMIT_FSIZE: write() then fails
  // with EFBIG, as on a full disk), so it fails at whichever file first exceeds the limit.
  struct rlimit saved {};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  for (const rlim_t limit : {rlim_t{1}, rlim_t{60}, rlim_t{200}, rlim_t{1000}}) {
    INFO("files limited to " << limit << " bytes");
    const fs::path dir = testing::MakeTempDir("results-interrupt");
    WriteResults(dir.string(), earlier.Context());
    struct rlimit small = saved;
    small.rlim_cur = limit;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string message;
    try {
      WriteResults(dir.string(), later.Context());
    } catch (const std::runtime_error& error) {
      message = error.what();
    }
    REQUIRE(setrlimit(RLIMIT_FSIZE, &saved) == 0);
    CHECK(message.find("File too large") != std::string::npos);  // the reason, not just "error"

    // The folder is the earlier run's, whole, and no temporary is left beside it.
    CHECK(FilesIn(dir) == FilesIn(reference / "earlier"));
    for (const std::string& name : FilesIn(dir)) {
      INFO(name);
      CHECK(ReadFile(dir / name) == ReadFile(reference / "earlier" / name));
    }
    for (const std::string& name : FilesIn(dir.parent_path())) {
      CHECK(name.find(dir.filename().string() + ".tmp") == std::string::npos);
    }

    // The next complete write replaces the folder whole.
    WriteResults(dir.string(), later.Context());
    for (const std::string& name : ResultFileNames()) {
      CHECK(ReadFile(dir / name) == ReadFile(reference / "later" / name));
    }
  }
  std::signal(SIGXFSZ, previous_handler);
}

TEST_CASE("WriteFailure leaves only summary.json with status failed", "[results]") {
  Fixture fixture;
  const fs::path dir = testing::MakeTempDir("results-failure");
  WriteResults(dir.string(), fixture.Context());  // an earlier, converged run

  fixture.summary.termination_type = TerminationType::kNoConvergence;
  fixture.summary.message = "iteration limit reached";
  fixture.summary.largest_residuals = {{"goods market HOME/LAB", 3e-2},
                                       {"factor market FOREIGN/capital", 1e-3}};
  ResultContext context = fixture.Context();
  context.outcome = nullptr;
  WriteFailure(dir.string(), context);

  CHECK(FilesIn(dir) == std::vector<std::string>{"summary.json"});
  const auto summary = nlohmann::json::parse(ReadFile(dir / "summary.json"));
  CHECK(summary.at("status") == "failed");
  const std::string reason = summary.at("reason");
  CHECK(reason.find("iteration limit reached") != std::string::npos);
  CHECK(reason.find("goods market HOME/LAB") != std::string::npos);
  CHECK(reason.find("removed result files of an earlier run") != std::string::npos);

  // Into a fresh folder: no earlier files, so nothing is said about removing them.
  const fs::path fresh = fs::path(testing::MakeTempDir("results-failure-fresh")) / "out";
  WriteFailure(fresh.string(), context, "outcome not finite");
  CHECK(FilesIn(fresh) == std::vector<std::string>{"summary.json"});
  const std::string fresh_reason =
      nlohmann::json::parse(ReadFile(fresh / "summary.json"))["reason"];
  CHECK(fresh_reason.rfind("outcome not finite; iteration limit reached", 0) == 0);
  CHECK(fresh_reason.find("removed") == std::string::npos);
}

TEST_CASE("an outcome with a non-finite number writes nothing", "[results]") {
  Fixture fixture;
  fixture.outcome.factors[1].real_price_hat = std::numeric_limits<double>::quiet_NaN();
  const fs::path dir = fs::path(testing::MakeTempDir("results-nan")) / "out";
  CHECK_THROWS_AS(WriteResults(dir.string(), fixture.Context()), std::invalid_argument);
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("the terminal summary shows welfare, factor returns and top sectors", "[results]") {
  const Fixture fixture;
  const std::string text = FormatTerminalSummary(fixture.Context(), 1);
  CHECK(text.find(fixture.scenario.name) != std::string::npos);
  CHECK(text.find("converged") != std::string::npos);
  CHECK(text.find("world_factor_income") != std::string::npos);
  CHECK(text.find("owners") != std::string::npos);  // two households in HOME: listed
  CHECK(text.find("capital") != std::string::npos);
  CHECK(text.find("25.000") != std::string::npos);  // HOME/LAB, the largest output change
  CHECK(text.find("top 1 of 4") != std::string::npos);
}

TEST_CASE("scenario names become safe folder names", "[results]") {
  CHECK(SafeFileName("US–China tariff war 2018–19") == "us_china_tariff_war_2018_19");
  CHECK(SafeFileName("  Default ") == "default");
  CHECK(SafeFileName("../..") == "scenario");
}

}  // namespace
}  // namespace ohlin
