// Benchmark loader (FORMATS.md "Benchmark data"): valid files, inline vs CSV tables,
// households, and one test case per class of bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "calibration/loader.h"
#include "calibration/yaml_fast_path.h"
#include "calibration/yaml_util.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;

// A small valid benchmark with inline rows (not balanced: the loader does not check that).
const std::string kBaseYaml = R"(ohlin: 1
name: test world
units: USD billion
year: 2014
source: hand-made
regions: [USA, CHN]
sectors: [AGR, MAN]
factors:
  - {name: labour}
  - {name: capital, mobility: specific}
elasticities:
  armington: {default: 5.0, AGR: 4.0}
  value_added: 0.5
  top: {default: 0.0, MAN: 0.25}
  consumption: 1.5
factor_payments:
  - {region: USA, sector: AGR, factor: labour, value: 10}
  - {region: USA, sector: AGR, factor: capital, value: 5}
  - {region: USA, sector: MAN, factor: labour, value: 20}
  - {region: USA, sector: MAN, factor: capital, value: 15}
  - {region: CHN, sector: AGR, factor: labour, value: 12}
  - {region: CHN, sector: MAN, factor: capital, value: 10}
intermediates:
  - {region: USA, input: MAN, sector: AGR, value: 2.5}
trade:
  - {exporter: USA, importer: USA, sector: AGR, value: 12}
  - {exporter: USA, importer: CHN, sector: AGR, value: 5.5}
  - {exporter: CHN, importer: USA, sector: MAN, value: 20}
  - {exporter: CHN, importer: CHN, sector: MAN, value: 1e-3}
tariffs:
  - {exporter: CHN, importer: USA, sector: MAN, rate: 0.1}
ntb:
  - {exporter: USA, importer: CHN, sector: AGR, rate: 0.05}
export_taxes:
  - {exporter: USA, importer: CHN, sector: MAN, rate: -0.02}
final_demand:
  - {region: USA, sector: AGR, value: 20}
  - {region: USA, sector: MAN, value: 30}
  - {region: CHN, sector: MAN, value: 25}
)";

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::path(dir) / name).string();
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

// `text` with `from` replaced by `to`; `from` must occur.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

// 1-based line of the first occurrence of `needle`.
int LineOf(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  int line = 1;
  for (std::size_t k = 0; k < at; ++k) line += text[k] == '\n' ? 1 : 0;
  return line;
}


// Writes `text` as a benchmark and returns the error of loading it.
std::string LoadError(const std::string& text, const std::string& tag = "bad") {
  const std::string dir = testing::MakeTempDir("loader-" + tag);
  const std::string path = WriteFile(dir, "world.yaml", text);
  return testing::ErrorOf([&] { LoadBenchmark(path); });
}

void CheckSameBenchmark(const Benchmark& a, const Benchmark& b) {
  CHECK(a.regions == b.regions);
  CHECK(a.sectors == b.sectors);
  REQUIRE(a.factors.size() == b.factors.size());
  for (std::size_t f = 0; f < a.factors.size(); ++f) {
    CHECK(a.factors[f].name == b.factors[f].name);
    CHECK(a.factors[f].mobility == b.factors[f].mobility);
  }
  CHECK(a.factor_payments.data() == b.factor_payments.data());
  CHECK(a.intermediates.data() == b.intermediates.data());
  CHECK(a.trade.data() == b.trade.data());
  CHECK(a.tariffs.data() == b.tariffs.data());
  CHECK(a.ntb.data() == b.ntb.data());
  CHECK(a.export_taxes.data() == b.export_taxes.data());
  CHECK(a.final_demand == b.final_demand);
  CHECK(a.elasticities.armington == b.elasticities.armington);
  CHECK(a.elasticities.value_added == b.elasticities.value_added);
  CHECK(a.elasticities.top == b.elasticities.top);
  CHECK(a.elasticities.consumption == b.elasticities.consumption);
}

}  // namespace

TEST_CASE("valid benchmark with inline rows fills every table", "[loader]") {
  const std::string dir = testing::MakeTempDir("loader-valid");
  const Benchmark data = LoadBenchmark(WriteFile(dir, "world.yaml", kBaseYaml));
  CHECK(data.name == "test world");
  CHECK(data.units == "USD billion");
  CHECK(data.year == 2014);
  CHECK(data.source == "hand-made");
  CHECK(data.regions == std::vector<std::string>{"USA", "CHN"});
  CHECK(data.sectors == std::vector<std::string>{"AGR", "MAN"});
  REQUIRE(data.factors.size() == 2);
  CHECK(data.factors[0].mobility == FactorMobility::kMobile);
  CHECK(data.factors[1].mobility == FactorMobility::kSpecific);
  // VFM(f, i, r), VIM(j, i, r), X(i, r, s), rates (i, r, s).
  CHECK(data.factor_payments(1, 1, 0) == 15.0);
  CHECK(data.factor_payments(0, 0, 1) == 12.0);
  CHECK(data.factor_payments(1, 0, 1) == 0.0);
  CHECK(data.intermediates(1, 0, 0) == 2.5);
  CHECK(data.intermediates(0, 1, 0) == 0.0);
  CHECK(data.trade(0, 0, 1) == 5.5);
  CHECK(data.trade(1, 1, 0) == 20.0);
  CHECK(data.trade(1, 1, 1) == 1e-3);
  CHECK(data.tariffs(1, 1, 0) == 0.1);
  CHECK(data.ntb(0, 0, 1) == 0.05);
  CHECK(data.export_taxes(1, 0, 1) == -0.02);
  CHECK(data.elasticities.armington == std::vector<double>{4.0, 5.0});
  CHECK(data.elasticities.value_added == std::vector<double>{0.5, 0.5});
  CHECK(data.elasticities.top == std::vector<double>{0.0, 0.25});
  CHECK(data.elasticities.consumption == 1.5);
  // No households: one "all" per region owning everything, with the region's demand.
  REQUIRE(data.households.size() == 2);
  REQUIRE(data.households[0].size() == 1);
  CHECK(data.households[0][0].name == "all");
  CHECK(data.households[0][0].population == 1.0);
  CHECK(data.households[0][0].owns == std::vector<double>{1.0, 1.0});
  CHECK(data.final_demand[0][0] == std::vector<double>{20.0, 30.0});
  CHECK(data.final_demand[1][0] == std::vector<double>{0.0, 25.0});
}

TEST_CASE("defaults apply when optional keys are absent", "[loader]") {
  std::string text = Replace(kBaseYaml,
                             "elasticities:\n  armington: {default: 5.0, AGR: 4.0}\n"
                             "  value_added: 0.5\n  top: {default: 0.0, MAN: 0.25}\n"
                             "  consumption: 1.5\n",
                             "");
  text = Replace(text, "name: test world\n", "");
  const std::string dir = testing::MakeTempDir("loader-defaults");
  const Benchmark data = LoadBenchmark(WriteFile(dir, "defaults.yaml", text));
  CHECK(data.name == "defaults");
  CHECK(data.elasticities.armington == std::vector<double>{5.0, 5.0});
  CHECK(data.elasticities.value_added == std::vector<double>{1.0, 1.0});
  CHECK(data.elasticities.top == std::vector<double>{0.0, 0.0});
  CHECK(data.elasticities.consumption == 1.0);
}

TEST_CASE("CSV tables give the same benchmark as inline rows", "[loader][csv]") {
  const std::string dir = testing::MakeTempDir("loader-csv");
  const Benchmark inline_data = LoadBenchmark(WriteFile(dir, "inline.yaml", kBaseYaml));

  // Columns in another order, quoted fields, spaces, blank lines and CRLF endings.
  WriteFile(dir, "vfm.csv",
            "factor,region,sector,value\n"
            "labour,USA,AGR,10\n"
            "\"capital\", USA , AGR, 5\n"
            "\n"
            "labour,USA,MAN,20\r\n"
            "capital,USA,MAN,15\n"
            "labour,CHN,AGR,12\n"
            "capital,CHN,MAN,1e1\n");
  WriteFile(dir, "vim.csv", "region,input,sector,value\nUSA,MAN,AGR,2.5\n");
  WriteFile(dir, "trade.csv",
            "sector,exporter,importer,value\n"
            "AGR,USA,USA,12\nAGR,USA,CHN,5.5\nMAN,CHN,USA,20\nMAN,CHN,CHN,0.001\n\n\n");
  WriteFile(dir, "tariffs.csv", "exporter,importer,sector,rate\nCHN,USA,MAN,0.1\n");
  WriteFile(dir, "ntb.csv", "exporter,importer,sector,rate\nUSA,CHN,AGR,0.05\n");
  WriteFile(dir, "tx.csv", "rate,exporter,importer,sector\n-0.02,USA,CHN,MAN\n");
  WriteFile(dir, "fd.csv", "region,sector,value\nUSA,AGR,20\nUSA,MAN,30\nCHN,MAN,25\n");
  std::string text = kBaseYaml;
  auto replace_table = [&](const std::string& key, const std::string& next_key,
                           const std::string& csv) {
    const std::size_t begin = text.find(key + ":\n");
    const std::size_t end = next_key.empty() ? text.size() : text.find(next_key + ":\n");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    text.replace(begin, end - begin, key + ": {csv: " + csv + "}\n");
  };
  replace_table("factor_payments", "intermediates", "vfm.csv");
  replace_table("intermediates", "trade", "vim.csv");
  replace_table("trade", "tariffs", "trade.csv");
  replace_table("tariffs", "ntb", "tariffs.csv");
  replace_table("ntb", "export_taxes", "ntb.csv");
  replace_table("export_taxes", "final_demand", "tx.csv");
  replace_table("final_demand", "", "fd.csv");
  REQUIRE(text.find("{csv: fd.csv}") != std::string::npos);
  const Benchmark csv_data = LoadBenchmark(WriteFile(dir, "csv.yaml", text));
  CheckSameBenchmark(inline_data, csv_data);
}

TEST_CASE("households with region final demand share it by income", "[loader][households]") {
  std::string text = Replace(kBaseYaml, "elasticities:",
                             "households:\n"
                             "  USA:\n"
                             "    - {name: workers, population: 3, owns: {labour: 1.0, capital: 0.2}}\n"
                             "    - {name: owners, population: 1, owns: {capital: 0.8},\n"
                             "       consumption_elasticity: 2}\n"
                             "elasticities:");
  // No export taxes, so USA's revenue is the tariff 0.1 * 20 = 2.
  text = Replace(text, "  - {exporter: USA, importer: CHN, sector: MAN, rate: -0.02}\n", "");
  text = Replace(text, "export_taxes:\n", "");
  const std::string dir = testing::MakeTempDir("loader-households");
  const Benchmark data = LoadBenchmark(WriteFile(dir, "world.yaml", text));
  REQUIRE(data.households[0].size() == 2);
  CHECK(data.households[0][0].name == "workers");
  CHECK(data.households[0][0].population == 3.0);
  CHECK(data.households[0][0].owns == std::vector<double>{1.0, 0.2});
  CHECK(data.households[0][1].owns == std::vector<double>{0.0, 0.8});
  CHECK_FALSE(data.households[0][0].consumption_elasticity.has_value());
  CHECK(data.households[0][1].consumption_elasticity == 2.0);
  // CHN keeps the default household.
  REQUIRE(data.households[1].size() == 1);
  CHECK(data.households[1][0].name == "all");

  // USA: labour income 30, capital 20, tariff revenue 2, total 52.
  const double workers_share = (30.0 + 0.2 * 20.0 + 0.75 * 2.0) / 52.0;
  const double owners_share = (0.8 * 20.0 + 0.25 * 2.0) / 52.0;
  CHECK(data.final_demand[0][0][0] == Approx(20.0 * workers_share));
  CHECK(data.final_demand[0][0][1] == Approx(30.0 * workers_share));
  CHECK(data.final_demand[0][1][0] == Approx(20.0 * owners_share));
  CHECK(data.final_demand[0][1][1] == Approx(30.0 * owners_share));
  CHECK(data.final_demand[1][0][1] == 25.0);
  // Region spending is unchanged by the split.
  CHECK(ComputeAccounts(data).regions[0].spending == Approx(50.0));
}

TEST_CASE("households with household final demand rows keep their own values",
          "[loader][households]") {
  std::string text = Replace(kBaseYaml, "elasticities:",
                             "households:\n"
                             "  USA:\n"
                             "    - {name: workers, population: 3, owns: {labour: 1, capital: 0.2}}\n"
                             "    - {name: owners, population: 1, owns: {labour: 0, capital: 0.8}}\n"
                             "elasticities:");
  const std::size_t at = text.find("final_demand:\n");
  text = text.substr(0, at) +
         "final_demand:\n"
         "  - {region: USA, household: workers, sector: AGR, value: 15}\n"
         "  - {region: USA, household: workers, sector: MAN, value: 10}\n"
         "  - {region: USA, household: owners, sector: MAN, value: 20}\n"
         "  - {region: CHN, household: all, sector: MAN, value: 25}\n";
  const std::string dir = testing::MakeTempDir("loader-household-rows");
  const Benchmark data = LoadBenchmark(WriteFile(dir, "world.yaml", text));
  CHECK(data.final_demand[0][0] == std::vector<double>{15.0, 10.0});
  CHECK(data.final_demand[0][1] == std::vector<double>{0.0, 20.0});
  CHECK(data.final_demand[1][0] == std::vector<double>{0.0, 25.0});

  // The same as CSV, and an unknown household names the region's households.
  WriteFile(dir, "fd.csv",
            "region,household,sector,value\nUSA,workers,AGR,15\nUSA,workers,MAN,10\n"
            "USA,owners,MAN,20\nCHN,all,MAN,25\n");
  const std::string csv_text = text.substr(0, at) + "final_demand: {csv: fd.csv}\n";
  const Benchmark csv_data = LoadBenchmark(WriteFile(dir, "csv.yaml", csv_text));
  CHECK(csv_data.final_demand == data.final_demand);
  WriteFile(dir, "fd.csv", "region,household,sector,value\nUSA,workers,AGR,15\nUSA,bosses,MAN,3\n");
  const std::string message = testing::ErrorOf([&] { LoadBenchmark(dir + "/csv.yaml"); });
  CHECK_THAT(message, Contains("fd.csv:3: final_demand row {region: USA, household: bosses"));
  CHECK_THAT(message, Contains("unknown household of USA 'bosses' (households of USA: workers, "
                               "owners)"));
}

TEST_CASE("YAML syntax error names file, line and column", "[loader][errors]") {
  const std::string text = Replace(kBaseYaml, "sectors: [AGR, MAN]", "sectors: [AGR, MAN");
  const std::string message = LoadError(text);
  CHECK_THAT(message, Contains("world.yaml:"));
  CHECK_THAT(message, Contains("YAML syntax error"));
}

TEST_CASE("empty file is refused", "[loader][errors]") {
  CHECK_THAT(LoadError(""), Contains("world.yaml: empty file"));
  CHECK_THAT(LoadError("# only a comment\n\n"), Contains("world.yaml: empty file"));
}

TEST_CASE("binary file is refused as not a text file", "[loader][errors]") {
  CHECK_THAT(LoadError(std::string("ohlin: 1\n\0\0\x01", 12)),
             Contains("world.yaml: not a text file"));
  CHECK_THAT(LoadError("ohlin: 1\nname: \xff\xfe\x80\n"), Contains("world.yaml: not a text file"));
}

TEST_CASE("top level must be a map", "[loader][errors]") {
  const std::string message = LoadError("- ohlin\n- 1\n");
  CHECK_THAT(message, Contains("world.yaml:1:1: "));
  CHECK_THAT(message, Contains("must be a map"));
}

TEST_CASE("format version must be ohlin: 1", "[loader][errors]") {
  const std::string wrong = LoadError(Replace(kBaseYaml, "ohlin: 1", "ohlin: 2"));
  CHECK_THAT(wrong, Contains("world.yaml:1:8: unsupported format version '2'"));
  const std::string missing = LoadError(Replace(kBaseYaml, "ohlin: 1\n", ""));
  CHECK_THAT(missing, Contains("world.yaml:"));
  CHECK_THAT(missing, Contains("missing format version"));
}

TEST_CASE("missing required keys are named", "[loader][errors]") {
  for (const std::string key : {"regions", "sectors", "trade", "final_demand"}) {
    std::string text = kBaseYaml;
    const std::size_t begin = text.find("\n" + key + ":") + 1;
    const std::size_t end = text.find("\n", begin);
    text.replace(begin, end - begin, "unused_comment_free_line_" + key + "_removed: 0");
    text = Replace(text, "unused_comment_free_line_" + key + "_removed: 0\n", "");
    CHECK_THAT(LoadError(text), Contains("missing required key '" + key + "'"));
  }
  const std::size_t begin = kBaseYaml.find("factors:\n");
  const std::size_t end = kBaseYaml.find("elasticities:");
  std::string text = kBaseYaml;
  text.erase(begin, end - begin);
  CHECK_THAT(LoadError(text), Contains("world.yaml:1:1: benchmark: missing required key 'factors'"));
}

TEST_CASE("unknown top-level keys are refused", "[loader][errors]") {
  const std::string text = Replace(kBaseYaml, "tariffs:", "tarifs:");
  const std::string message = LoadError(text);
  CHECK_THAT(message, Contains(fmt::format("world.yaml:{}:1: ", LineOf(text, "tarifs:"))));
  CHECK_THAT(message, Contains("unknown key 'tarifs'"));
}

TEST_CASE("a key given twice is refused", "[loader][errors]") {
  const std::string text = Replace(kBaseYaml, "units: USD billion\n",
                                   "units: USD billion\nunits: EUR\n");
  CHECK_THAT(LoadError(text), Contains("world.yaml:4:1: benchmark: key 'units' is given twice"));
}

TEST_CASE("duplicate names in a set are refused", "[loader][errors]") {
  std::string text = Replace(kBaseYaml, "regions: [USA, CHN]", "regions: [USA, CHN, USA]");
  CHECK_THAT(LoadError(text), Contains("world.yaml:6:21: regions: duplicate name 'USA'"));
  text = Replace(kBaseYaml, "sectors: [AGR, MAN]", "sectors: [AGR, AGR]");
  CHECK_THAT(LoadError(text), Contains("sectors: duplicate name 'AGR'"));
  text = Replace(kBaseYaml, "{name: capital, mobility: specific}", "{name: labour}");
  CHECK_THAT(LoadError(text), Contains("factors: duplicate name 'labour'"));
  text = Replace(kBaseYaml, "elasticities:",
                 "households:\n  USA:\n    - {name: a, owns: {labour: 0.5, capital: 0.5}}\n"
                 "    - {name: a, owns: {labour: 0.5, capital: 0.5}}\nelasticities:");
  CHECK_THAT(LoadError(text), Contains("households of USA: duplicate name 'a'"));
}

TEST_CASE("name collisions across sets are fine", "[loader]") {
  std::string text = Replace(kBaseYaml, "sectors: [AGR, MAN]", "sectors: [AGR, USA]");
  text = Replace(text, "factors:\n  - {name: labour}", "factors:\n  - {name: AGR}");
  for (int k = 0; k < 100; ++k) {
    const std::size_t at = text.find("sector: MAN");
    if (at == std::string::npos) break;
    text.replace(at, 11, "sector: USA");
  }
  text = Replace(text, "input: MAN", "input: USA");
  text = Replace(text, "MAN: 0.25", "USA: 0.25");
  for (int k = 0; k < 100; ++k) {
    const std::size_t at = text.find("factor: labour");
    if (at == std::string::npos) break;
    text.replace(at, 14, "factor: AGR");
  }
  const std::string dir = testing::MakeTempDir("loader-collide");
  const Benchmark data = LoadBenchmark(WriteFile(dir, "world.yaml", text));
  CHECK(data.factor_payments(0, 1, 0) == 20.0);  // AGR (factor), USA (sector), USA (region)
}

TEST_CASE("unknown names in tables list the valid names", "[loader][errors]") {
  const std::string bad_row = "{exporter: USA, importer: XXX, sector: AGR, value: 5.5}";
  const std::string text =
      Replace(kBaseYaml, "{exporter: USA, importer: CHN, sector: AGR, value: 5.5}", bad_row);
  const int line = LineOf(text, bad_row);
  CHECK_THAT(LoadError(text),
             EndsWith(fmt::format("/world.yaml:{}:31: trade row {{exporter: USA, importer: XXX, "
                                  "sector: AGR}}: unknown region 'XXX' (regions: USA, CHN)",
                                  line)));
  // Sectors and factors too (checked through the phrase; the path prefix varies).
  CHECK_THAT(LoadError(Replace(kBaseYaml, "sector: AGR, factor: capital", "sector: XYZ, factor: capital")),
             Contains("factor_payments row {region: USA, sector: XYZ, factor: capital}: unknown "
                      "sector 'XYZ' (sectors: AGR, MAN)"));
  CHECK_THAT(LoadError(Replace(kBaseYaml, "factor: capital, value: 5}", "factor: land, value: 5}")),
             Contains("unknown factor 'land' (factors: labour, capital)"));
}

TEST_CASE("repeated rows are refused", "[loader][errors]") {
  const std::string text = Replace(kBaseYaml, "  - {exporter: CHN, importer: USA, sector: MAN, value: 20}\n",
                                   "  - {exporter: CHN, importer: USA, sector: MAN, value: 20}\n"
                                   "  - {exporter: CHN, importer: USA, sector: MAN, value: 21}\n");
  const std::string message = LoadError(text);
  CHECK_THAT(message, Contains(fmt::format(":{}:", LineOf(text, "value: 21}"))));
  CHECK_THAT(message, Contains("trade row {exporter: CHN, importer: USA, sector: MAN}: repeated row"));

  const std::string dir = testing::MakeTempDir("loader-repeat-csv");
  WriteFile(dir, "fd.csv", "region,sector,value\nUSA,AGR,20\nCHN,MAN,25\nUSA,AGR,21\n");
  const std::size_t at = kBaseYaml.find("final_demand:\n");
  const std::string path =
      WriteFile(dir, "world.yaml", kBaseYaml.substr(0, at) + "final_demand: {csv: fd.csv}\n");
  const std::string csv_message = testing::ErrorOf([&] { LoadBenchmark(path); });
  CHECK_THAT(csv_message, Contains("fd.csv:4: final_demand row {region: USA, sector: AGR}: "
                                   "repeated row (first given at "));

  // A trade table (one bit per key while reading): the repeat and the first row, by line,
  // past blank lines and other rows with the same names in other places.
  WriteFile(dir, "trade.csv",
            "exporter,importer,sector,value\nUSA,USA,AGR,12\n\nUSA,CHN,AGR,5.5\n"
            "CHN,USA,MAN,20\nCHN,CHN,MAN,1\nUSA,CHN,MAN,2\nCHN,USA,MAN,21\n");
  const std::size_t trade = kBaseYaml.find("trade:\n");
  const std::size_t tariffs = kBaseYaml.find("tariffs:\n");
  const std::string trade_path =
      WriteFile(dir, "trade.yaml", kBaseYaml.substr(0, trade) + "trade: {csv: trade.csv}\n" +
                                       kBaseYaml.substr(tariffs));
  CHECK_THAT(testing::ErrorOf([&] { LoadBenchmark(trade_path); }),
             Contains("trade.csv:8: trade row {exporter: CHN, importer: USA, sector: MAN}: "
                      "repeated row (first given at " + dir + "/trade.csv:5)"));
}

TEST_CASE("values must be non-negative finite numbers, parsed strictly", "[loader][errors]") {
  const std::string row = "{exporter: USA, importer: CHN, sector: AGR, value: 5.5}";
  auto with_value = [&](const std::string& value) {
    return Replace(kBaseYaml, row,
                   "{exporter: USA, importer: CHN, sector: AGR, value: " + value + "}");
  };
  const std::string negative = with_value("-1");
  const std::string message = LoadError(negative);
  CHECK_THAT(message, Contains(fmt::format("world.yaml:{}:", LineOf(negative, "value: -1"))));
  CHECK_THAT(message, Contains("value must be >= 0, got -1"));
  CHECK_THAT(LoadError(with_value(".nan")), Contains("must be a finite number, got '.nan'"));
  CHECK_THAT(LoadError(with_value("nan")), Contains("must be a finite number"));
  CHECK_THAT(LoadError(with_value(".inf")), Contains("must be a finite number"));
  CHECK_THAT(LoadError(with_value("-inf")), Contains("must be a finite number"));
  CHECK_THAT(LoadError(with_value("1e400")), Contains("out of range"));
  CHECK_THAT(LoadError(with_value("12abc")), Contains("expected a number, got '12abc'"));
  CHECK_THAT(LoadError(with_value("\"\"")), Contains("expected a number, got ''"));

  const std::string dir = testing::MakeTempDir("loader-csv-number");
  WriteFile(dir, "fd.csv", "region,sector,value\nUSA,AGR,20\n\nCHN,MAN,1.5.2\n");
  const std::size_t at = kBaseYaml.find("final_demand:\n");
  const std::string path =
      WriteFile(dir, "world.yaml", kBaseYaml.substr(0, at) + "final_demand: {csv: fd.csv}\n");
  CHECK_THAT(testing::ErrorOf([&] { LoadBenchmark(path); }),
             Contains("fd.csv:4: final_demand row {region: CHN, sector: MAN}: value: expected a "
                      "number, got '1.5.2'"));
}

TEST_CASE("missing or unreadable CSV files are reported where they are named",
          "[loader][errors][csv]") {
  const std::string dir = testing::MakeTempDir("loader-csv-missing");
  const std::size_t at = kBaseYaml.find("final_demand:\n");
  const std::string text = kBaseYaml.substr(0, at) + "final_demand: {csv: nowhere.csv}\n";
  const std::string path = WriteFile(dir, "world.yaml", text);
  const std::string message = testing::ErrorOf([&] { LoadBenchmark(path); });
  CHECK_THAT(message, Contains(fmt::format("world.yaml:{}:21: final_demand: CSV file "
                                           "'nowhere.csv'",
                                           LineOf(text, "final_demand:"))));
  CHECK_THAT(message, Contains("no such file"));

  std::filesystem::create_directory(std::filesystem::path(dir) / "folder.csv");
  const std::string folder_path = WriteFile(
      dir, "folder.yaml", kBaseYaml.substr(0, at) + "final_demand: {csv: folder.csv}\n");
  CHECK_THAT(testing::ErrorOf([&] { LoadBenchmark(folder_path); }), Contains("cannot read file"));

  WriteFile(dir, "binary.csv", std::string("region,sector,value\n\0\0", 22));
  const std::string binary_path = WriteFile(
      dir, "binary.yaml", kBaseYaml.substr(0, at) + "final_demand: {csv: binary.csv}\n");
  CHECK_THAT(testing::ErrorOf([&] { LoadBenchmark(binary_path); }), Contains("not a text file"));
}

TEST_CASE("CSV headers must have exactly the table's columns", "[loader][errors][csv]") {
  const std::string dir = testing::MakeTempDir("loader-csv-header");
  const std::size_t at = kBaseYaml.find("final_demand:\n");
  const std::string path =
      WriteFile(dir, "world.yaml", kBaseYaml.substr(0, at) + "final_demand: {csv: fd.csv}\n");
  for (const std::string header :
       {"region,sector\n", "region,sector,value,extra\n", "region,sektor,value\n",
        "USA,AGR,20\n"}) {
    WriteFile(dir, "fd.csv", "\n" + header + "USA,AGR,20\n");
    const std::string message = testing::ErrorOf([&] { LoadBenchmark(path); });
    CHECK_THAT(message, Contains("fd.csv:2: final_demand: CSV header must have exactly the "
                                 "columns region, sector, value or region, household, sector, "
                                 "value"));
  }
  WriteFile(dir, "fd.csv", "");
  CHECK_THAT(testing::ErrorOf([&] { LoadBenchmark(path); }), Contains("is empty: a header line"));
  WriteFile(dir, "fd.csv", "region,sector,value\nUSA,AGR\n");
  CHECK_THAT(testing::ErrorOf([&] { LoadBenchmark(path); }), Contains("fd.csv:2: final_demand row: "
                                                            "expected 3 fields"));
}

TEST_CASE("elasticities out of range are refused", "[loader][errors]") {
  auto error_with = [&](const std::string& from, const std::string& to) {
    return LoadError(Replace(kBaseYaml, from, to));
  };
  CHECK_THAT(error_with("{default: 5.0, AGR: 4.0}", "{default: 5.0, AGR: 0}"),
             Contains("elasticities.armington.AGR must be > 0, got 0"));
  CHECK_THAT(error_with("{default: 5.0, AGR: 4.0}", "-2"),
             Contains("elasticities.armington must be > 0"));
  CHECK_THAT(error_with("value_added: 0.5", "value_added: -0.5"),
             Contains("elasticities.value_added must be >= 0"));
  CHECK_THAT(error_with("{default: 0.0, MAN: 0.25}", "{default: -1}"),
             Contains("elasticities.top.default must be >= 0"));
  CHECK_THAT(error_with("consumption: 1.5", "consumption: -1"),
             Contains("elasticities.consumption must be >= 0"));
  CHECK_THAT(error_with("consumption: 1.5", "consumption: high"),
             Contains("expected a number, got 'high'"));
  CHECK_THAT(error_with("{default: 5.0, AGR: 4.0}", "{default: 5.0, FOO: 4.0}"),
             Contains("unknown sector 'FOO' (sectors: AGR, MAN; or default)"));
  const std::string text = Replace(kBaseYaml, "value_added: 0.5", "value_added: .nan");
  CHECK_THAT(LoadError(text), Contains(fmt::format("world.yaml:{}:16: elasticities.value_added: "
                                                   "must be a finite number",
                                                   LineOf(text, "value_added"))));
}

TEST_CASE("rates need 1 + rate > 0", "[loader][errors]") {
  const std::string text = Replace(kBaseYaml, "sector: MAN, rate: 0.1}", "sector: MAN, rate: -1}");
  const std::string message = LoadError(text);
  CHECK_THAT(message, Contains(fmt::format("world.yaml:{}:", LineOf(text, "rate: -1"))));
  CHECK_THAT(message, Contains("tariffs row {exporter: CHN, importer: USA, sector: MAN}: rate "
                               "must satisfy 1 + rate > 0, got -1"));
  CHECK_THAT(LoadError(Replace(kBaseYaml, "sector: AGR, rate: 0.05}", "sector: AGR, rate: -3}")),
             Contains("ntb row"));
}

TEST_CASE("rate rows on domestic flows are refused", "[loader][errors]") {
  const std::string text = Replace(kBaseYaml, "{exporter: CHN, importer: USA, sector: MAN, rate: 0.1}",
                                   "{exporter: USA, importer: USA, sector: MAN, rate: 0.1}");
  const std::string message = LoadError(text);
  CHECK_THAT(message, Contains("tariffs row {exporter: USA, importer: USA, sector: MAN}"));
  CHECK_THAT(message, Contains("tariffs/taxes/NTBs exist only on cross-border flows"));
}

TEST_CASE("ownership shares must sum to one per factor", "[loader][errors][households]") {
  const std::string text = Replace(kBaseYaml, "elasticities:",
                                   "households:\n"
                                   "  USA:\n"
                                   "    - {name: workers, owns: {labour: 0.9, capital: 0.5}}\n"
                                   "    - {name: owners, owns: {labour: 0.1, capital: 0.4}}\n"
                                   "elasticities:");
  const std::string message = LoadError(text);
  CHECK_THAT(message, Contains(fmt::format("world.yaml:{}:", LineOf(text, "- {name: workers"))));
  CHECK_THAT(message, Contains("households of USA: ownership shares of 'capital' sum to 0.9"));
  // Within 1e-9 is fine.
  const std::string close =
      Replace(text, "capital: 0.4}", "capital: 0.5000000000001}");
  const std::string dir = testing::MakeTempDir("loader-own-close");
  CHECK_NOTHROW(LoadBenchmark(WriteFile(dir, "world.yaml", close)));
  CHECK_THAT(LoadError(Replace(text, "capital: 0.4}", "capital: 0.4, land: 1}")),
             Contains("unknown key 'land' (valid keys: labour, capital)"));
  CHECK_THAT(LoadError(Replace(kBaseYaml, "elasticities:", "households:\n  XXX: []\nelasticities:")),
             Contains("households: unknown region 'XXX' (regions: USA, CHN)"));
}

TEST_CASE("population must be positive", "[loader][errors][households]") {
  for (const std::string population : {"0", "-3"}) {
    const std::string text = Replace(kBaseYaml, "elasticities:",
                                     "households:\n  CHN:\n    - {name: everyone, population: " +
                                         population + "}\nelasticities:");
    const std::string message = LoadError(text);
    CHECK_THAT(message, Contains(fmt::format("world.yaml:{}:36: ", LineOf(text, "population"))));
    CHECK_THAT(message, Contains("CHN household 'everyone': population must be > 0"));
  }
}

TEST_CASE("every region needs some final demand", "[loader][errors]") {
  const std::string text = Replace(kBaseYaml, "  - {region: CHN, sector: MAN, value: 25}\n",
                                   "  - {region: CHN, sector: MAN, value: 0}\n");
  const std::string message = LoadError(text);
  // The position is the table's first row, right below the key.
  CHECK_THAT(message,
             Contains(fmt::format("world.yaml:{}:3: ", LineOf(text, "final_demand:") + 1)));
  CHECK_THAT(message, Contains("region 'CHN' has zero total final demand"));
}

TEST_CASE("a sector with zero output everywhere is allowed", "[loader]") {
  std::string text = Replace(kBaseYaml, "sectors: [AGR, MAN]", "sectors: [AGR, MAN, SER]");
  const std::string dir = testing::MakeTempDir("loader-zero-sector");
  const Benchmark data = LoadBenchmark(WriteFile(dir, "world.yaml", text));
  REQUIRE(data.num_sectors() == 3);
  for (std::size_t r = 0; r < 2; ++r) {
    for (std::size_t s = 0; s < 2; ++s) CHECK(data.trade(2, r, s) == 0.0);
  }
}

TEST_CASE("rows with missing or extra keys are refused", "[loader][errors]") {
  const std::string text =
      Replace(kBaseYaml, "{region: USA, input: MAN, sector: AGR, value: 2.5}",
              "{region: USA, input: MAN, value: 2.5}");
  CHECK_THAT(LoadError(text), Contains("intermediates row 1: missing key 'sector'"));
  CHECK_THAT(LoadError(Replace(kBaseYaml, "sector: AGR, value: 2.5}",
                               "sector: AGR, value: 2.5, note: x}")),
             Contains("intermediates row 1: unknown key 'note'"));
  CHECK_THAT(LoadError(Replace(kBaseYaml, "{name: capital, mobility: specific}",
                               "{name: capital, mobility: sticky}")),
             Contains("unknown mobility 'sticky' (mobility: mobile, specific)"));
}

TEST_CASE("devices and oversized worlds are refused before reading or allocating",
          "[loader][errors]") {
  // /dev/zero never ends: it must not be read at all.
  const std::size_t at = kBaseYaml.find("final_demand:\n");
  CHECK_THAT(LoadError(kBaseYaml.substr(0, at) + "final_demand: {csv: /dev/zero}\n"),
             Contains("final_demand: CSV file '/dev/zero': /dev/zero: cannot read file: not a "
                      "regular file"));
  // 300 regions x 200 sectors: a trade table of 18 million entries is refused by its size.
  std::string regions = "regions: [";
  std::string sectors = "sectors: [";
  for (int k = 0; k < 300; ++k) regions += fmt::format("{}R{}", k == 0 ? "" : ", ", k);
  for (int k = 0; k < 200; ++k) sectors += fmt::format("{}S{}", k == 0 ? "" : ", ", k);
  std::string text = Replace(kBaseYaml, "regions: [USA, CHN]", regions + "]");
  text = Replace(text, "sectors: [AGR, MAN]", sectors + "]");
  const std::string message = LoadError(text);
  CHECK_THAT(message, Contains("world.yaml:6:10: benchmark too large: 300 regions, 200 sectors "
                               "and 2 factors give trade (sectors x regions x regions) with "
                               "18000000 entries; the limit is 16777216"));
}

}  // namespace ohlin

namespace ohlin {
namespace {

// The base world with Armington elasticities picked by set name (docs/FORMATS.md).
std::string WithSets(const std::string& armington, const std::string& sets) {
  return Replace(kBaseYaml, "  armington: {default: 5.0, AGR: 4.0}\n",
                 "  armington: " + armington + "\n") + sets;
}

const std::string kSets =
    "elasticity_sets:\n"
    "  - {set: IS, sector: AGR, value: 1.67}\n"
    "  - {set: IS, sector: MAN, value: 4.5}\n"
    "  - {set: CP, sector: AGR, value: 10.11}\n"
    "  - {set: CP, sector: MAN, value: 65.85}\n";

TEST_CASE("Armington elasticities picked by set name, with per-sector overrides",
          "[loader][elasticities]") {
  const std::string dir = testing::MakeTempDir("loader-sets");
  CHECK(LoadBenchmark(WriteFile(dir, "cp.yaml", WithSets("{set: CP}", kSets)))
            .elasticities.armington == std::vector<double>{10.11, 65.85});
  CHECK(LoadBenchmark(WriteFile(dir, "is.yaml", WithSets("{set: IS, MAN: 3}", kSets)))
            .elasticities.armington == std::vector<double>{1.67, 3.0});
  // The same as a CSV table beside the file.
  WriteFile(dir, "sets.csv", "set,sector,value\nU4,AGR,5\nU4,MAN,5\n");
  CHECK(LoadBenchmark(WriteFile(dir, "u4.yaml",
                                WithSets("{set: U4}", "elasticity_sets: {csv: sets.csv}\n")))
            .elasticities.armington == std::vector<double>{5.0, 5.0});
}

TEST_CASE("a bad elasticity set is refused with the names at fault", "[loader][errors]") {
  CHECK_THAT(LoadError(WithSets("{set: XX}", kSets)),
             Contains("elasticities.armington: unknown elasticity set 'XX' (sets: IS, CP)"));
  CHECK_THAT(LoadError(WithSets("{set: CP}", "")),
             Contains("set 'CP' needs an elasticity_sets table"));
  CHECK_THAT(LoadError(WithSets("{set: CP, default: 4}", kSets)),
             Contains("give either set or default, not both"));
  CHECK_THAT(LoadError(WithSets("{set: IS}", "elasticity_sets:\n"
                                             "  - {set: IS, sector: AGR, value: 1.67}\n")),
             Contains("set 'IS' has no row for sector 'MAN'"));
  CHECK_THAT(LoadError(WithSets("{set: IS}", "elasticity_sets:\n"
                                             "  - {set: IS, sector: AGR, value: 0}\n"
                                             "  - {set: IS, sector: MAN, value: 2}\n")),
             Contains("the value for sector 'AGR' must be > 0, got 0"));
  CHECK_THAT(LoadError(WithSets("{set: IS}", kSets + "  - {set: IS, sector: AGR, value: 2}\n")),
             Contains("repeated row"));
}

}  // namespace
}  // namespace ohlin

namespace ohlin {
namespace {

// Every node of `a` and `b` alike: kind, text and position (yaml-cpp's, 0-based).
void CheckSameTree(const input::YamlDocument& document, const YAML::Node& a, const YAML::Node& b) {
  INFO(document.Where(a) << " against line " << b.Mark().line + 1 << ", column "
                         << b.Mark().column + 1);
  REQUIRE(a.Type() == b.Type());
  CHECK(document.Where(a) ==
        fmt::format("{}:{}:{}", document.path(), b.Mark().line + 1, b.Mark().column + 1));
  if (a.IsScalar()) CHECK(a.Scalar() == b.Scalar());
  if (a.IsSequence()) {
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) CheckSameTree(document, a[k], b[k]);
  }
  if (a.IsMap()) {
    REQUIRE(a.size() == b.size());
    auto ia = a.begin();
    auto ib = b.begin();
    for (; ia != a.end(); ++ia, ++ib) {
      CheckSameTree(document, ia->first, ib->first);
      CheckSameTree(document, ia->second, ib->second);
    }
  }
}

TEST_CASE("lists of one-line flow maps read by the fast path are yaml-cpp's nodes",
          "[loader][yaml]") {
  // Lists the fast path reads (shocks, rows) and ones it leaves to yaml-cpp (a comment, a
  // null, a nested list, a line in block style), with the rest of the file around them.
  const std::string text =
      "ohlin: 1\n"
      "name: \"fast: or not\"\n"
      "shocks:\n"
      "  - {type: tariff, exporter: CHN, sectors: [MAN, \"HIT\"], add: 0.1}\n"
      "\n"
      "  -   {type: ntb, region: \"*\", set: -1.5e-3, empty: []}\n"
      "rows:\n"
      "    - {a: 1}\n"
      "    - {a: 2, b: [x]}\n"
      "commented:\n"
      "  - {a: 1}  # a comment\n"
      "nulls:\n"
      "  - {a: null}\n"
      "nested:\n"
      "  - {a: [[1]]}\n"
      "mixed:\n"
      "  - {a: 1}\n"
      "  - a: 2\n"
      "last: {x: [1, 2]}\n";
  const std::string dir = testing::MakeTempDir("loader-fast-path");
  const std::string path = WriteFile(dir, "file.yaml", text);
  const input::YamlDocument document = input::YamlDocument::Load(path, "test");
  CheckSameTree(document, document.root(), YAML::Load(text));

  // Which lists the fast path took: shocks and rows, their item lines emptied for yaml-cpp.
  std::string cut = text;
  const std::vector<input::FlowList> lists = input::CutFlowLists(&cut);
  REQUIRE(lists.size() == 2);
  CHECK(lists[0].key == "shocks");
  CHECK(lists[0].list.size() == 2);
  CHECK(lists[1].key == "rows");
  CHECK(std::count(cut.begin(), cut.end(), '\n') == std::count(text.begin(), text.end(), '\n'));
  CHECK(cut.find("tariff") == std::string::npos);
  CHECK(cut.find("a: 2, b") == std::string::npos);
  CHECK(cut.find("# a comment") != std::string::npos);
}

}  // namespace
}  // namespace ohlin
