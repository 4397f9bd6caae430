// `ohlin report`: bad input refused with a clear message and no report; the reports of the
// demo scenario and of a `compare` run opened in headless Chromium: no errors, every chart drew
// its marks, and the numbers the page drew and shows are the CSVs'.
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "reports/report.h"
#include "test_support.h"

namespace ohlin {
namespace {

using testing::RunOhlin;
using testing::ReadFile;
using testing::WriteText;

namespace fs = std::filesystem;
using nlohmann::json;

// The shipped demo scenario solved into dir/demo (its data file found from the source tree).
fs::path SolveDemo(const fs::path& dir) {
  const std::string scenario = std::string(OHLIN_SOURCE_DIR) + "/scenarios/default.yaml";
  REQUIRE(RunOhlin("solve '" + scenario + "' --out demo", dir) == 0);
  return dir / "demo";
}

// A CSV's rows keyed by the values of `keys` joined with '/', each row a column -> field map.
std::map<std::string, json> Keyed(const fs::path& file, const std::vector<std::string>& keys) {
  const reports::Table table = reports::ReadCsvTable(file.string(), keys, {}, keys);
  std::map<std::string, json> rows;
  for (const auto& row : table.rows) {
    json record;
    for (std::size_t c = 0; c < table.columns.size(); ++c) record[table.columns[c]] = row[c];
    std::string key;
    for (const auto& column : keys) {
      if (!key.empty()) key += '/';
      key += record[column].get<std::string>();
    }
    rows[key] = record;
  }
  return rows;
}

const json& Chart(const json& probe, const std::string& id) {
  for (const auto& chart : probe["charts"]) {
    if (chart["id"] == id) return chart;
  }
  FAIL("no chart " << id);
  static const json none;
  return none;
}

// A number as the page shows it: thousands separators removed.
double Shown(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ','), text.end());
  return std::stod(text);
}

// Every chart drew at least one mark per data item, and the page reported no error.
void CheckEveryChartDrew(const json& probe, std::size_t expected_charts) {
  CHECK(probe["done"] == true);
  CHECK(probe["errors"].empty());
  INFO(probe["errors"].dump());
  CHECK(probe["charts"].size() == expected_charts);
  for (const auto& chart : probe["charts"]) {
    INFO("chart " << chart["id"]);
    CHECK(chart["items"].get<int>() > 0);
    CHECK(chart["marks"].get<int>() >= chart["items"].get<int>());
    CHECK(chart["drawn"].size() == chart["items"].get<std::size_t>());
    CHECK(chart["table"].size() > 1);  // a header and rows
  }
}

// Each drawn [key, value] of a chart equals the CSV's field `column` of the row with that key.
void CheckDrawn(const json& chart, const std::map<std::string, json>& rows,
                const std::string& column) {
  for (const auto& item : chart["drawn"]) {
    const std::string key = item[0];
    INFO(chart["id"] << " " << key);
    REQUIRE(rows.count(key) == 1);
    CHECK(item[1].get<double>() == rows.at(key)[column].get<double>());
  }
}

TEST_CASE("report: result CSVs read whole, with RFC 4180 quoting, names kept as text") {
  const fs::path dir = testing::MakeTempDir("report_csv");
  WriteText(dir / "t.csv", "region,sector,value\r\n01,\"MAN, \"\"heavy\"\"\",1.5\r\nUSA,AGR,\r\n");
  const reports::Table table = reports::ReadCsvTable((dir / "t.csv").string(), {"value"},
                                                     {"value"}, {"region"});
  CHECK(table.columns == std::vector<std::string>{"region", "sector", "value"});
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0] == json::parse(R"(["01", "MAN, \"heavy\"", 1.5])"));
  CHECK(table.rows[1] == json::parse(R"(["USA", "AGR", null])"));
  WriteText(dir / "t.csv", "region,value\nUSA,\"1\n");
  CHECK_THROWS_WITH(reports::ReadCsvTable((dir / "t.csv").string()),
                    Catch::Contains("t.csv:2: a quoted field is never closed"));
  WriteText(dir / "t.csv", "region,value\nUSA,abc\n");
  CHECK_THROWS_WITH(reports::ReadCsvTable((dir / "t.csv").string(), {}, {"value"}),
                    Catch::Contains("t.csv:2: row 1, column value: 'abc' is not a number"));
  WriteText(dir / "t.csv", "region,value\nUSA,1\nCHN\n");
  CHECK_THROWS_WITH(reports::ReadCsvTable((dir / "t.csv").string()),
                    Catch::Contains("t.csv:3: row 2 has 1 fields, the header 2"));
}

TEST_CASE("report: a folder without results, a failed solve and damaged files are refused") {
  const fs::path dir = testing::MakeTempDir("report_bad");
  fs::create_directories(dir / "empty");
  CHECK(RunOhlin("report empty", dir) == 1);
  CHECK(RunOhlin("report missing", dir) == 1);
  CHECK_FALSE(fs::exists(dir / "empty" / "report.html"));
  WriteText(dir / "empty" / "trade.csv", "exporter,importer,sector,value\nA,B,C,1\n");
  CHECK(RunOhlin("report empty", dir) == 1);  // a data folder's table is no result
  CHECK(ReadFile(dir / "cli.log").find("empty: no ohlin results here") != std::string::npos);

  // A solve that stops after one iteration writes summary.json with status failed (exit 2).
  WriteText(dir / "fails.yaml",
            "ohlin: 1\nname: fails\ndata: " + std::string(OHLIN_SOURCE_DIR) +
                "/data/default/data.yaml\nshocks:\n  - {type: tariff, importer: USA, add: 0.5}\n"
                "solver: {method: newton, max_iterations: 1}\n");
  REQUIRE(RunOhlin("solve fails.yaml --out failed", dir) == 2);
  WriteText(dir / "failed" / "report.html",
            "<!doctype html>\n<meta name=\"generator\" content=\"ohlin 0\">\nan earlier run's");
  CHECK(RunOhlin("report failed", dir) == 1);
  CHECK_FALSE(fs::exists(dir / "failed" / "report.html"));  // a stale report is removed too
  // --out never writes over (nor removes) a file that is not a report ohlin wrote.
  WriteText(dir / "fails.html", "not a report");
  CHECK(RunOhlin("report failed --out fails.yaml", dir) == 1);
  CHECK(RunOhlin("report failed --out fails.html", dir) == 1);
  CHECK(fs::exists(dir / "fails.yaml"));
  CHECK(ReadFile(dir / "fails.html") == "not a report");
  CHECK(ReadFile(dir / "cli.log").find("not a report ohlin wrote") != std::string::npos);

  // compare.csv cut at a line break: its last region lacks measures the others have.
  fs::create_directories(dir / "compared");
  WriteText(dir / "compared" / "compare.csv",
            "region,household,measure,lump_sum,none\nA,h,ev_pct,1,2\nA,,ev,3,4\nA,,gini_new,0.1,0.2\n"
            "B,h,ev_pct,1,2\nB,,ev,3,4\n");
  CHECK(RunOhlin("report compared", dir) == 1);
  CHECK_FALSE(fs::exists(dir / "compared" / "report.html"));
  CHECK(ReadFile(dir / "cli.log").find("compare.csv: region B has the measures {ev}") !=
        std::string::npos);

  const fs::path demo = SolveDemo(dir);
  const std::string log_before = ReadFile(dir / "cli.log");
  auto refused = [&](const std::string& message_part) {
    CHECK(RunOhlin("report demo --out out.html", dir) == 1);
    CHECK_FALSE(fs::exists(dir / "out.html"));
    const std::string log = ReadFile(dir / "cli.log");
    CHECK(log.find(message_part, log_before.size()) != std::string::npos);
  };
  const std::string welfare = ReadFile(demo / "welfare.csv");
  SECTION("cut inside a line") {
    WriteText(demo / "welfare.csv", welfare.substr(0, welfare.find('\n', welfare.size() / 2) + 5));
    refused("welfare.csv:");
    refused("truncated");
  }
  SECTION("cut at a line break: regions missing") {
    const std::string factors = ReadFile(demo / "factors.csv");
    WriteText(demo / "factors.csv", factors.substr(0, factors.find('\n', factors.size() / 2) + 1));
    refused("factors.csv: no rows for region");
  }
  SECTION("decomposition without its last total") {
    const std::string parts = ReadFile(demo / "decomposition.csv");
    WriteText(demo / "decomposition.csv", parts.substr(0, parts.rfind("ROW,total")));
    refused("decomposition.csv: region ROW has no `total` row");
  }
  SECTION("a number that is not one") {
    std::string damaged = welfare;
    damaged.replace(damaged.find(",60,"), 4, ",6x,");
    WriteText(demo / "welfare.csv", damaged);
    refused("welfare.csv:2: row 1, column population: '6x' is not a number");
  }
  SECTION("a table missing, summary.json cut") {
    fs::remove(demo / "sectors.csv");
    refused("sectors.csv: missing");
    const std::string summary = ReadFile(demo / "summary.json");
    WriteText(demo / "summary.json", summary.substr(0, summary.size() / 2));
    refused("summary.json: not valid JSON");
  }
}

TEST_CASE("report of the demo scenario in headless Chromium: every chart drawn, the CSVs' numbers") {
  const std::string chromium = reports::FindChromium();
  REQUIRE_FALSE(chromium.empty());  // installed by tools/install-deps.sh (make deps)
  const fs::path dir = testing::MakeTempDir("report_demo");
  const fs::path demo = SolveDemo(dir);
  // One run of Chromium: --svg writes each chart and the page's probe (svg/charts.json).
  REQUIRE(RunOhlin("report demo --svg svg", dir) == 0);
  const json probe = json::parse(ReadFile(dir / "svg" / "charts.json"));
  CheckEveryChartDrew(probe, 10);
  // Self-contained: no script, style sheet, image or frame loaded from anywhere.
  const std::string html = ReadFile(demo / "report.html");
  for (const char* reference : {"<script src", "<link", "<img", "<iframe", "@import"}) {
    CHECK(html.find(reference) == std::string::npos);
  }

  const auto welfare = Keyed(demo / "welfare.csv", {"region", "household"});
  const auto factors = Keyed(demo / "factors.csv", {"region", "factor"});
  const auto sectors = Keyed(demo / "sectors.csv", {"region", "sector"});
  const auto parts = Keyed(demo / "decomposition.csv", {"region", "component"});
  const auto distribution = Keyed(demo / "distribution.csv", {"region"});
  CheckDrawn(Chart(probe, "ev-pct-by-household"), welfare, "ev_pct");
  CheckDrawn(Chart(probe, "real-factor-returns"), factors, "real_price_pct");
  CheckDrawn(Chart(probe, "largest-output-changes"), sectors, "output_pct");
  CheckDrawn(Chart(probe, "largest-price-changes"), sectors, "price_pct");
  CheckDrawn(Chart(probe, "ev-decomposition"), parts, "pct_of_income");
  // Region EV % (households' EV over their benchmark income) is decomposition.csv's total.
  for (const auto& item : Chart(probe, "ev-pct-by-region")["drawn"]) {
    const double total = parts.at(item[0].get<std::string>() + "/total")["pct_of_income"];
    CHECK(item[1].get<double>() == Approx(total).epsilon(1e-9));
  }
  for (const auto& item : Chart(probe, "ev-by-region")["drawn"]) {
    const double total = parts.at(item[0].get<std::string>() + "/total")["value"];
    CHECK(item[1].get<double>() == Approx(total).epsilon(1e-9));
  }
  std::set<std::string> regions;
  for (const auto& item : Chart(probe, "population-losing")["drawn"]) {
    CHECK(item[1] == distribution.at(item[0])["population_losing_pct"]);
    regions.insert(item[0]);
  }
  CHECK(regions.size() == 11);

  // The largest output changes are the largest: none left out is larger than one shown.
  double smallest_shown = 1e300;
  std::set<std::string> shown;
  for (const auto& item : Chart(probe, "largest-output-changes")["drawn"]) {
    smallest_shown = std::min(smallest_shown, std::abs(item[1].get<double>()));
    shown.insert(item[0]);
  }
  for (const auto& [key, row] : sectors) {
    if (!shown.count(key)) CHECK(std::abs(row["output_pct"].get<double>()) <= smallest_shown);
  }

  // The table under the household chart shows welfare.csv rounded for display only.
  const json& table = Chart(probe, "ev-pct-by-household")["table"];
  REQUIRE(table.size() == welfare.size() + 1);
  CHECK(table[0][5] == "EV %");
  for (std::size_t r = 1; r < table.size(); ++r) {
    const json& row = welfare.at(table[r][0].get<std::string>() + "/" + table[r][1].get<std::string>());
    CHECK(std::abs(Shown(table[r][5]) - row["ev_pct"].get<double>()) <= 0.0005 + 1e-12);
    CHECK(std::abs(Shown(table[r][4]) - row["ev"].get<double>()) <= 0.05 + 1e-9);
  }
  // What a reader sees first: two regions of eleven lose (USA and CHN in the tariff war).
  CHECK(probe["headline"][1] == "Regions that lose2 of 11EV below zero");

  // --svg: one standalone SVG file per chart.
  for (const auto& chart : probe["charts"]) {
    const std::string svg = ReadFile(dir / "svg" / (chart["id"].get<std::string>() + ".svg"));
    INFO(chart["id"]);
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(svg.find("xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
    CHECK(svg.find(chart["title"].get<std::string>().substr(0, 12)) != std::string::npos);
  }
}

TEST_CASE("report of a compare run in headless Chromium: each rule side by side") {
  const std::string chromium = reports::FindChromium();
  REQUIRE_FALSE(chromium.empty());
  const fs::path dir = testing::MakeTempDir("report_compare");
  const std::string scenario = std::string(OHLIN_SOURCE_DIR) + "/scenarios/tariff_war.yaml";
  REQUIRE(RunOhlin("compare '" + scenario + "' --out compared", dir) == 0);
  REQUIRE(RunOhlin("report compared --out compared.html", dir) == 0);
  const json probe = reports::ReadPageProbe(chromium, (dir / "compared.html").string());
  CheckEveryChartDrew(probe, 4);

  const std::vector<std::string> names = {"region", "household", "measure"};
  const reports::Table table =
      reports::ReadCsvTable((dir / "compared" / "compare.csv").string(), names, {}, names);
  std::map<std::string, json> cells;  // region/household-or-measure/rule -> value
  for (const auto& row : table.rows) {
    for (std::size_t c = 3; c < table.columns.size(); ++c) {
      const std::string household = row[1];
      const std::string who = household.empty() ? row[2].get<std::string>() : household;
      cells[row[0].get<std::string>() + " " + who + "/" + table.columns[c]] = {{"value", row[c]}};
    }
  }
  const json& households = Chart(probe, "compare-household-ev");
  CheckDrawn(households, cells, "value");
  std::set<std::string> rules;
  for (const auto& item : households["drawn"]) rules.insert(item[0].get<std::string>().substr(item[0].get<std::string>().find('/') + 1));
  CHECK(rules == std::set<std::string>{"lump_sum", "proportional", "none", "compensate"});
  for (const auto& item : Chart(probe, "compare-gini")["drawn"]) {
    std::string key = item[0];
    key.insert(key.find('/'), " gini_new");
    CHECK(item[1] == cells.at(key)["value"]);
  }
  // The table of household EV% under each rule: compare.csv rounded for display.
  const json& shown = households["table"];
  for (std::size_t r = 1; r < shown.size(); ++r) {
    for (std::size_t c = 3; c < shown[r].size(); ++c) {
      const std::string text = shown[r][c];
      const std::string household = shown[r][1];
      const std::string who = household.empty() ? shown[r][2].get<std::string>() : household;
      const json& value =
          cells.at(shown[r][0].get<std::string>() + " " + who + "/" + table.columns[c])["value"];
      if (value.is_null()) {
        CHECK(text.empty());
      } else {
        CHECK(std::abs(Shown(text) - value.get<double>()) <= 0.0005 + 1e-12);
      }
    }
  }
}

// The page of a folder written by `ohlin report DIR --out page.html`, read back by Chromium.
json ProbeOf(const fs::path& dir, const std::string& folder) {
  REQUIRE_FALSE(reports::FindChromium().empty());
  REQUIRE(RunOhlin("report " + folder + " --out " + folder + ".html", dir) == 0);
  return reports::ReadPageProbe(reports::FindChromium(), (dir / (folder + ".html")).string());
}

TEST_CASE("report of a 44-region world: charts keep the largest, tables keep every region") {
  REQUIRE_FALSE(reports::FindChromium().empty());
  const fs::path dir = testing::MakeTempDir("report_44");
  REQUIRE(RunOhlin("synth --regions 44 --sectors 3 --factors 2 --households 2 --seed 5 --out world",
                   dir) == 0);
  WriteText(dir / "world" / "tariff.yaml",
            "ohlin: 1\nname: R001 raises tariffs\ndata: data.yaml\nshocks:\n"
            "  - {type: tariff, importer: R001, add: 0.2}\n");
  REQUIRE(RunOhlin("solve world/tariff.yaml --no-decomposition --out solved", dir) == 0);
  const json probe = ProbeOf(dir, "solved");
  CheckEveryChartDrew(probe, 9);
  const json& bars = Chart(probe, "ev-pct-by-region");
  CHECK(bars["items"] == 20);
  CHECK(bars["table"].size() == 45);  // header and every region
  CHECK(Chart(probe, "real-factor-returns")["items"] == 30 * 2);
  // The bars are the 20 regions of largest |EV %|, sorted from the largest gain.
  double previous = 1e300;
  for (const auto& item : bars["drawn"]) {
    CHECK(item[1].get<double>() <= previous);
    previous = item[1].get<double>();
  }
  double smallest = 1e300;
  std::set<std::string> drawn;
  for (const auto& item : bars["drawn"]) {
    smallest = std::min(smallest, std::abs(item[1].get<double>()));
    drawn.insert(item[0]);
  }
  for (std::size_t r = 1; r < bars["table"].size(); ++r) {
    if (!drawn.count(bars["table"][r][0])) {
      CHECK(std::abs(Shown(bars["table"][r][1])) <= smallest + 0.0005);
    }
  }
}

TEST_CASE("report sections of a game, a sweep and a sensitivity analysis, keyed on their files") {
  REQUIRE_FALSE(reports::FindChromium().empty());
  const fs::path dir = testing::MakeTempDir("report_others");
  const std::string scenario = std::string(OHLIN_SOURCE_DIR) + "/scenarios/default.yaml";
  REQUIRE(RunOhlin("solve '" + scenario + "' --no-decomposition --out game", dir) == 0);

  // A game: the solve's tables, tariffs.csv and summary.json's `game` (FORMATS.md "Games").
  json summary = json::parse(ReadFile(dir / "game" / "summary.json"));
  summary["game"] = {{"concept", "nash"},
                     {"players", {{{"region", "USA"}, {"gain_pct_of_income", 0.25}},
                                  {{"region", "CHN"}, {"gain_pct_of_income", -0.5}}}}};
  WriteText(dir / "game" / "summary.json", summary.dump(2));
  WriteText(dir / "game" / "tariffs.csv",
            "player,partner,sector,rate_before,rate_chosen\nUSA,CHN,MAN,0.03,0.2\n"
            "USA,EU,MAN,0.03,0.4\nUSA,CHN,HIT,0,0.1\nCHN,USA,AGR,0.05,0.3\n");
  json probe = ProbeOf(dir, "game");
  CheckEveryChartDrew(probe, 11);  // the solve's 9 (no decomposition) and the game's 2
  std::map<std::string, json> tariffs = {{"USA/MAN", {{"rate", 0.3}}},
                                         {"USA/HIT", {{"rate", 0.1}}},
                                         {"CHN/AGR", {{"rate", 0.3}}}};
  for (const auto& item : Chart(probe, "game-tariffs")["drawn"]) {
    CHECK(item[1].get<double>() == Approx(tariffs.at(item[0])["rate"].get<double>()));
  }
  CHECK(Chart(probe, "game-gains")["drawn"] == json::parse(R"([["USA", 0.25], ["CHN", -0.5]])"));

  // A sweep: points.csv and welfare.csv with the coordinates first (FORMATS.md "Sweeps").
  fs::create_directories(dir / "sweep");
  WriteText(dir / "sweep" / "points.csv",
            "point,usa_tariff,rule,status,iterations,start,reason\n0,0,lump_sum,converged,3,,\n"
            "1,0.25,lump_sum,converged,4,0,\n2,0.5,lump_sum,failed,200,1,no equilibrium\n");
  WriteText(dir / "sweep" / "welfare.csv",
            "point,usa_tariff,rule,region,household,population,income_base,income_new,ev,ev_pct\n"
            "0,0,lump_sum,USA,workers,1,100,100,0,0\n0,0,lump_sum,USA,owners,1,300,300,0,0\n"
            "1,0.25,lump_sum,USA,workers,1,100,101,2,2\n1,0.25,lump_sum,USA,owners,1,300,299,-6,-2\n");
  probe = ProbeOf(dir, "sweep");
  CHECK(probe["kind"] == "sweep");
  CheckEveryChartDrew(probe, 1);
  // USA's EV % at each point: (2 - 6) / (100 + 300) = -1% at usa_tariff 0.25, 0 at 0.
  CHECK(Chart(probe, "sweep-ev")["drawn"] == json::parse(R"([["0/USA", 0], ["1/USA", -1]])"));

  // A sensitivity analysis: summary.json with `method`, statistics tables, points.csv.
  fs::create_directories(dir / "sensitivity");
  WriteText(dir / "sensitivity" / "summary.json",
            R"({"scenario": "s", "method": "quadrature", "points": 2, "converged": 2})");
  WriteText(dir / "sensitivity" / "points.csv", "point,weight,sigma,status\n0,0.5,4,converged\n"
                                                "1,0.5,6,converged\n");
  WriteText(dir / "sensitivity" / "welfare.csv",
            "region,household,column,mean,sd,low,high,points\nUSA,workers,ev_pct,0.5,0.1,0.2,0.8,2\n"
            "USA,owners,ev_pct,-0.25,0.05,-0.4,-0.1,2\nUSA,owners,ev,-3,1,-6,0,2\n");
  probe = ProbeOf(dir, "sensitivity");
  CHECK(probe["kind"] == "sensitivity");
  CheckEveryChartDrew(probe, 1);
  CHECK(Chart(probe, "sensitivity-ev")["drawn"] ==
        json::parse(R"([["USA workers", 0.5], ["USA owners", -0.25]])"));
}

}  // namespace
}  // namespace ohlin
