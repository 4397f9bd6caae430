// Result tables as a HAR file (results/har_results.h): written, read back with our reader, and
// every array holds the numbers of the outcome under the right set labels.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "calibration/har.h"
#include "results/har_results.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

struct Solved {
  Benchmark data = testing::MakeTwoByTwo();
  Scenario scenario;
  Outcome outcome;
  SolverSummary summary;

  Solved() {
    scenario.name = "HOME tariff";
    scenario.data_path = "/tmp/data.yaml";
    outcome.regions.resize(2);
    outcome.regions[0].ev = -7.5;
    outcome.regions[0].ev_pct = -0.25;
    outcome.regions[1].ev = 3.0;
    outcome.regions[1].ev_pct = 0.125;
    for (int r = 0; r < 2; ++r) {
      for (int f = 0; f < 2; ++f) {
        outcome.factors.push_back({r, f, 1.0 + 0.01 * (f + 1), 1.0 - 0.01 * (r + 1)});
      }
      for (int i = 0; i < 2; ++i) {
        SectorOutcome sector;
        sector.region = r;
        sector.sector = i;
        sector.price_hat = 1.02;
        sector.output_hat = r == 0 && i == 1 ? 1.25 : 0.75;
        sector.exports_hat = 0.5;
        sector.imports_hat = 1.5;
        sector.has_exports = !(r == 1 && i == 1);
        outcome.sectors.push_back(sector);
      }
    }
    outcome.flows.push_back({1, 0, 0, 40.0, 30.0});  // FOREIGN -> HOME, sector LAB
    outcome.flows.push_back({0, 1, 1, 60.0, 66.0});  // HOME -> FOREIGN, sector CAP
    outcome.numeraire = "world_factor_income";
    for (int r = 0; r < 2; ++r) {  // ToT + tariffs = EV
      outcome.decomposition.push_back({r, "terms_of_trade", r == 0 ? -2.5 : 3.5, 0.0});
      outcome.decomposition.push_back({r, "tariffs", r == 0 ? -5.0 : -0.5, 0.0});
      outcome.decomposition.push_back({r, "total", outcome.regions[r].ev, 0.0});
    }
    summary.termination_type = TerminationType::kConverged;
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

double At(const har::HeaderArray& array, const std::vector<std::size_t>& index) {
  return array.reals[array.Offset(index)];
}

TEST_CASE("solve --har: result tables read back with set labels", "[har_results]") {
  const Solved solved;
  const std::string path = testing::MakeTempDir("har_results") + "/results.har";
  WriteResultsHar(path, solved.Context());
  const std::vector<har::HeaderArray> arrays = har::ReadHar(path);
  for (const char* name : {"DESC", "EV", "EVP", "PF", "RPF", "PS", "QO", "QXS", "QIM", "VXB",
                           "VXN", "VXP"}) {
    INFO(name);
    CHECK(har::FindArray(arrays, name) != nullptr);
  }
  const har::HeaderArray* desc = har::FindArray(arrays, "DESC");
  REQUIRE(desc != nullptr);
  CHECK(desc->strings.front() == "scenario: HOME tariff");

  const har::HeaderArray* ev = har::FindArray(arrays, "EV");
  REQUIRE(ev != nullptr);
  REQUIRE(ev->sets.size() == 1);
  CHECK(ev->sets[0].name == "REG");
  CHECK(ev->sets[0].elements == solved.data.regions);
  CHECK(At(*ev, {0}) == Approx(-7.5));
  CHECK(At(*har::FindArray(arrays, "EVP"), {1}) == Approx(0.125));

  const har::HeaderArray* evdc = har::FindArray(arrays, "EVDC");
  REQUIRE(evdc != nullptr);
  REQUIRE(evdc->sets.size() == 2);
  CHECK(evdc->sets[0].elements == std::vector<std::string>{"terms_of_tra", "tariffs", "total"});
  CHECK(evdc->sets[1].name == "REG");
  CHECK(At(*evdc, {0, 1}) == Approx(3.5));   // FOREIGN's terms of trade
  CHECK(At(*evdc, {2, 0}) == Approx(-7.5));  // HOME's total

  const har::HeaderArray* rpf = har::FindArray(arrays, "RPF");
  REQUIRE(rpf != nullptr);
  CHECK(rpf->sets[0].name == "ENDW");
  CHECK(rpf->sets[1].name == "REG");
  CHECK(At(*rpf, {1, 1}) == Approx(-2.0));                       // FOREIGN, second factor
  CHECK(At(*har::FindArray(arrays, "PF"), {1, 0}) == Approx(2.0));  // HOME, second factor

  const har::HeaderArray* qo = har::FindArray(arrays, "QO");
  REQUIRE(qo != nullptr);
  CHECK(qo->sets[0].elements == solved.data.sectors);
  CHECK(At(*qo, {1, 0}) == Approx(25.0));
  CHECK(At(*qo, {0, 1}) == Approx(-25.0));
  CHECK(At(*har::FindArray(arrays, "QXS"), {1, 1}) == 0.0);  // no benchmark exports: 0
  CHECK(At(*har::FindArray(arrays, "QXS"), {0, 1}) == Approx(-50.0));

  const har::HeaderArray* vxp = har::FindArray(arrays, "VXP");
  REQUIRE(vxp != nullptr);
  REQUIRE(vxp->extents == std::vector<std::size_t>{2, 2, 2});
  CHECK(At(*vxp, {0, 1, 0}) == Approx(-25.0));  // sector LAB, FOREIGN -> HOME
  CHECK(At(*vxp, {1, 0, 1}) == Approx(10.0));   // sector CAP, HOME -> FOREIGN
  CHECK(At(*har::FindArray(arrays, "VXB"), {1, 0, 1}) == Approx(60.0));
  CHECK(At(*har::FindArray(arrays, "VXN"), {0, 1, 0}) == Approx(30.0));
}

TEST_CASE("solve --har: long labels are cut to 12 characters and kept unique", "[har_results]") {
  Solved solved;
  solved.data.regions = {"a_very_long_region_name_1", "a_very_long_region_name_2"};
  const std::vector<har::HeaderArray> arrays = ResultHarArrays(solved.Context());
  const har::HeaderArray* ev = har::FindArray(arrays, "EV");
  REQUIRE(ev != nullptr);
  CHECK(ev->sets[0].elements[0] == "a_very_long_");
  CHECK(ev->sets[0].elements[1] == "a_very_long2");
  CHECK(!har::SerializeHar(arrays).empty());
}

}  // namespace
}  // namespace ohlin
