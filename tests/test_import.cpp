// Importers (calibration/gtap_import.h, calibration/wiod_import.h): small data bases written by the
// test in the published layouts are converted into benchmarks that balance and replicate.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "calibration/gtap_import.h"
#include "calibration/har.h"
#include "calibration/wiod_import.h"
#include "calibration/loader.h"
#include "calibration/writer.h"
#include "model/equilibrium.h"
#include "model/model.h"
#include "tests/test_support.h"

namespace ohlin {
namespace {

namespace fs = std::filesystem;
using har::HeaderArray;
using har::Set;

// ---- a small GTAP data base, consistent in GTAP's own accounting ----
constexpr std::size_t kR = 3, kC = 3, kF = 2;
const std::vector<std::string> kRegions = {"usa", "chn", "row"};
const std::vector<std::string> kComm = {"agr", "mnf", "otp"};  // otp: the margin commodity
const std::vector<std::string> kEndw = {"lab", "cap"};

struct GtapWorld {
  // [i][r][s]
  double vxsb[kC][kR][kR] = {}, vfob[kC][kR][kR] = {}, vcif[kC][kR][kR] = {},
         vmsb[kC][kR][kR] = {};
  double vdfb[kC][kC][kR] = {}, vmfb[kC][kC][kR] = {};  // [j][i][r]
  double vdpb[kC][kR] = {}, vmpb[kC][kR] = {}, vdgb[kC][kR] = {}, vmgb[kC][kR] = {};
  double vdib[kC][kR] = {}, vmib[kC][kR] = {}, vst[kC][kR] = {};
  double evfb[kF][kC][kR] = {};
};

GtapWorld MakeWorld() {
  GtapWorld w;
  double margins = 0.0;
  double imports[kC][kR] = {};
  for (std::size_t i = 0; i < kC; ++i) {
    for (std::size_t r = 0; r < kR; ++r) {
      for (std::size_t s = 0; s < kR; ++s) {
        if (r == s) continue;
        const double tx = r == 1 ? -0.02 : 0.01 * static_cast<double>(i + 1);
        const double margin = 0.04 + 0.01 * static_cast<double>(i + s);
        const double tm = 0.03 * static_cast<double>((s + 1) * (i + 1));
        w.vxsb[i][r][s] = 5.0 + static_cast<double>(i + 2 * r + s);
        w.vfob[i][r][s] = w.vxsb[i][r][s] * (1.0 + tx);
        w.vcif[i][r][s] = w.vfob[i][r][s] * (1.0 + margin);
        w.vmsb[i][r][s] = w.vcif[i][r][s] * (1.0 + tm);
        margins += w.vcif[i][r][s] - w.vfob[i][r][s];
        imports[i][s] += w.vmsb[i][r][s];
      }
    }
  }
  const double margin_shares[kR] = {0.5, 0.3, 0.2};
  for (std::size_t r = 0; r < kR; ++r) w.vst[2][r] = margins * margin_shares[r];
  for (std::size_t r = 0; r < kR; ++r) {
    for (std::size_t j = 0; j < kC; ++j) {
      const double jd = static_cast<double>(j), rd = static_cast<double>(r);
      for (std::size_t i = 0; i < kC; ++i) {
        w.vdfb[j][i][r] = 3.0 + jd + static_cast<double>(i) + rd;
        w.vmfb[j][i][r] = 0.1 * imports[j][r];
      }
      w.vdpb[j][r] = 40.0 + 5.0 * jd + 3.0 * rd;
      w.vmpb[j][r] = 0.4 * imports[j][r];
      w.vdgb[j][r] = 8.0 + jd;
      w.vmgb[j][r] = 0.1 * imports[j][r];
      w.vdib[j][r] = 10.0 + 2.0 * jd + rd;
      w.vmib[j][r] = 0.2 * imports[j][r];
    }
    for (std::size_t i = 0; i < kC; ++i) {
      double output = w.vdpb[i][r] + w.vdgb[i][r] + w.vdib[i][r] + w.vst[i][r];
      double inputs = 0.0;
      for (std::size_t a = 0; a < kC; ++a) output += w.vdfb[i][a][r];
      for (std::size_t s = 0; s < kR; ++s) output += w.vxsb[i][r][s];
      for (std::size_t j = 0; j < kC; ++j) inputs += w.vdfb[j][i][r] + w.vmfb[j][i][r];
      const double value_added = output - inputs;  // 10% of it goes to taxes
      const double labour = 0.6 - 0.1 * static_cast<double>(i);
      w.evfb[0][i][r] = 0.9 * value_added * labour;
      w.evfb[1][i][r] = 0.9 * value_added * (1.0 - labour);
    }
  }
  return w;
}

Set MakeSet(const std::string& name, const std::vector<std::string>& elements) {
  return Set{name, elements};
}

// The arrays of a data base in GTAP's layout; `old_names`: v7-v9 headers (investment as the CGDS
// activity), otherwise v10-v11 headers (VDIB/VMIB; ESBD by commodity and region).
har::HeaderArray Real(const std::string& name, const std::vector<Set>& sets,
                      std::vector<double> values) {
  return har::MakeReal(name, name + " (test data base)", name, sets, std::move(values));
}

GtapArrays MakeArrays(const GtapWorld& w, bool old_names) {
  const Set comm = MakeSet(old_names ? "TRAD_COMM" : "COMM", kComm);
  std::vector<std::string> activity_names = kComm;
  if (old_names) activity_names.push_back("cgds");
  const Set acts = MakeSet(old_names ? "PROD_COMM" : "ACTS", activity_names);
  const Set reg = MakeSet("REG", kRegions);
  const Set endw = MakeSet(old_names ? "ENDW_COMM" : "ENDW", kEndw);
  const Set marg = MakeSet(old_names ? "MARG_COMM" : "MARG", {"otp"});
  const std::size_t num_a = activity_names.size();
  auto name = [&](const char* fresh, const char* old) { return old_names ? old : fresh; };
  GtapArrays arrays;
  auto& base = arrays.basedata;
  // Column-major: the first index runs fastest.
  auto trade = [&](const double (&table)[kC][kR][kR]) {
    std::vector<double> values;
    for (std::size_t s = 0; s < kR; ++s)
      for (std::size_t r = 0; r < kR; ++r)
        for (std::size_t i = 0; i < kC; ++i) values.push_back(table[i][r][s]);
    return values;
  };
  base.push_back(Real(name("VXSB", "VXMD"), {comm, reg, reg}, trade(w.vxsb)));
  base.push_back(Real(name("VFOB", "VXWD"), {comm, reg, reg}, trade(w.vfob)));
  base.push_back(Real(name("VCIF", "VIWS"), {comm, reg, reg}, trade(w.vcif)));
  base.push_back(Real(name("VMSB", "VIMS"), {comm, reg, reg}, trade(w.vmsb)));
  auto firms = [&](const double (&table)[kC][kC][kR], const double (&investment)[kC][kR],
                   double scale) {
    std::vector<double> values;
    for (std::size_t r = 0; r < kR; ++r)
      for (std::size_t a = 0; a < num_a; ++a)
        for (std::size_t j = 0; j < kC; ++j)
          values.push_back(scale * (a < kC ? table[j][a][r] : investment[j][r]));
    return values;
  };
  base.push_back(Real(name("VDFB", "VDFM"), {comm, acts, reg}, firms(w.vdfb, w.vdib, 1.0)));
  base.push_back(Real(name("VMFB", "VIFM"), {comm, acts, reg}, firms(w.vmfb, w.vmib, 1.0)));
  base.push_back(Real(name("VDFP", "VDFA"), {comm, acts, reg}, firms(w.vdfb, w.vdib, 1.05)));
  base.push_back(Real(name("VMFP", "VIFA"), {comm, acts, reg}, firms(w.vmfb, w.vmib, 1.05)));
  auto by_region = [&](const double (&table)[kC][kR]) {
    std::vector<double> values;
    for (std::size_t r = 0; r < kR; ++r)
      for (std::size_t i = 0; i < kC; ++i) values.push_back(table[i][r]);
    return values;
  };
  base.push_back(Real(name("VDPB", "VDPM"), {comm, reg}, by_region(w.vdpb)));
  base.push_back(Real(name("VMPB", "VIPM"), {comm, reg}, by_region(w.vmpb)));
  base.push_back(Real(name("VDGB", "VDGM"), {comm, reg}, by_region(w.vdgb)));
  base.push_back(Real(name("VMGB", "VIGM"), {comm, reg}, by_region(w.vmgb)));
  if (!old_names) {
    base.push_back(Real("VDIB", {comm, reg}, by_region(w.vdib)));
    base.push_back(Real("VMIB", {comm, reg}, by_region(w.vmib)));
  }
  std::vector<double> vst;
  for (std::size_t r = 0; r < kR; ++r) vst.push_back(w.vst[2][r]);
  base.push_back(Real("VST", {marg, reg}, vst));
  std::vector<double> factors;
  for (std::size_t r = 0; r < kR; ++r)
    for (std::size_t a = 0; a < num_a; ++a)
      for (std::size_t f = 0; f < kF; ++f) factors.push_back(a < kC ? w.evfb[f][a][r] : 0.0);
  base.push_back(Real(name("EVFB", "VFM"), {endw, acts, reg}, factors));

  arrays.sets.push_back(har::MakeStrings(old_names ? "H1" : "REG", "regions", kRegions));
  arrays.sets.push_back(har::MakeStrings(old_names ? "H2" : "COMM", "commodities", kComm));
  arrays.sets.push_back(har::MakeStrings(old_names ? "H6" : "ENDW", "endowments", kEndw));

  auto& prm = arrays.parameters;
  if (old_names) {
    prm.push_back(Real("ESBD", {comm}, {2.0, 3.0, 1.5}));
    HeaderArray slug;
    slug.name = "SLUG";
    slug.long_name = "sluggish endowments";
    slug.type = har::ArrayType::kIntMatrix;
    slug.extents = {2, 1};
    slug.ints = {0, 0};
    prm.push_back(slug);
  } else {
    std::vector<double> esbd;
    for (std::size_t r = 0; r < kR; ++r)
      for (const double value : {2.0, 3.0, 1.5}) esbd.push_back(value);
    prm.push_back(Real("ESBD", {comm, reg}, esbd));
    prm.push_back(Real("ESBT", {acts}, {0.0, 0.0, 0.0}));
  }
  prm.push_back(Real("ESBM", {comm}, {4.0, 6.0, 3.8}));
  prm.push_back(Real("ESBV", {acts}, std::vector<double>(num_a, 0.5)));
  return arrays;
}

void WriteDataBase(const GtapArrays& arrays, const fs::path& dir, bool upper_case_names) {
  fs::create_directories(dir);
  har::WriteHar((dir / (upper_case_names ? "BASEDATA.HAR" : "basedata.har")).string(),
                arrays.basedata);
  har::WriteHar((dir / (upper_case_names ? "SETS.HAR" : "sets.har")).string(), arrays.sets);
  har::WriteHar((dir / (upper_case_names ? "DEFAULT.PRM" : "default.prm")).string(),
                arrays.parameters);
}

void CheckBalancedAndReplicates(const Benchmark& data) {
  const Accounts accounts = ComputeAccounts(data);
  INFO((accounts.failures.empty() ? std::string() : accounts.failures.front().account));
  CHECK(accounts.failures.empty());
  CHECK(BenchmarkReplicationResidual(Model::Calibrate(data)) < 1e-10);
}

double Fold(const GtapImportReport& report, const std::string& prefix) {
  for (const GtapFold& fold : report.folds) {
    if (fold.what.rfind(prefix, 0) == 0) return fold.value;
  }
  FAIL("no fold " << prefix);
  return 0.0;
}

TEST_CASE("GTAP v10-v11 headers import into a balanced benchmark that replicates", "[import]") {
  const GtapWorld world = MakeWorld();
  const fs::path temp = testing::MakeTempDir("gtap_new");
  const fs::path dir = temp / "gtap11";
  WriteDataBase(MakeArrays(world, false), dir, false);
  GtapImportReport report;
  const Benchmark data = ImportGtap(dir.string(), GtapImportOptions{}, &report);
  CHECK(report.generation.find("v10-v11") == 0);
  CHECK(report.files.size() == 3);
  REQUIRE(data.regions == kRegions);
  REQUIRE(data.sectors == kComm);
  REQUIRE(data.num_factors() == kF);
  CheckBalancedAndReplicates(data);
  CHECK(report.balance.largest_adjustment < 1e-5);  // float32 rounding only

  // The importer pays what GTAP says: X (1+tx)(1+tm) = VMSB; the margin is the iceberg cost.
  for (std::size_t i = 0; i < kC; ++i) {
    for (std::size_t r = 0; r < kR; ++r) {
      for (std::size_t s = 0; s < kR; ++s) {
        if (r == s) continue;
        const double landed = data.trade(i, r, s) * (1.0 + data.export_taxes(i, r, s)) *
                              (1.0 + data.tariffs(i, r, s));
        CHECK(landed == Approx(world.vmsb[i][r][s]).epsilon(1e-6));
        CHECK(data.ntb(i, r, s) ==
              Approx(world.vcif[i][r][s] / world.vfob[i][r][s] - 1.0).epsilon(1e-5));
        CHECK(data.export_taxes(i, r, s) ==
              Approx(world.vfob[i][r][s] / world.vxsb[i][r][s] - 1.0).margin(1e-6));
      }
    }
  }
  // Final demand folds private, government and investment purchases.
  double government = 0.0, investment = 0.0;
  for (std::size_t r = 0; r < kR; ++r) {
    for (std::size_t j = 0; j < kC; ++j) {
      government += world.vdgb[j][r] + world.vmgb[j][r];
      investment += world.vdib[j][r] + world.vmib[j][r];
      CHECK(data.final_demand[r][0][j] ==
            Approx(world.vdpb[j][r] + world.vmpb[j][r] + world.vdgb[j][r] + world.vmgb[j][r] +
                   world.vdib[j][r] + world.vmib[j][r])
                .epsilon(1e-5));
    }
  }
  CHECK(Fold(report, "government demand") == Approx(government).epsilon(1e-6));
  CHECK(Fold(report, "investment demand") == Approx(investment).epsilon(1e-6));
  CHECK(Fold(report, "output, factor and intermediate-use taxes") > 0.0);
  CHECK(Fold(report, "transport margins") > 0.0);
  CHECK(data.elasticities.armington == std::vector<double>{2.0, 3.0, 1.5});
  CHECK(data.elasticities.value_added == std::vector<double>{0.5, 0.5, 0.5});

  // What WriteBenchmark writes reads back and still balances.
  const std::string yaml = WriteBenchmark(data, (temp / "out").string());
  CheckBalancedAndReplicates(LoadBenchmark(yaml));
}

TEST_CASE("GTAP v7-v9 headers (CGDS column, upper-case file names) give the same benchmark",
          "[import]") {
  const GtapWorld world = MakeWorld();
  const fs::path temp = testing::MakeTempDir("gtap_old");
  const fs::path old_dir = temp / "gtap9";
  const fs::path new_dir = temp / "gtap11";
  WriteDataBase(MakeArrays(world, true), old_dir, true);
  WriteDataBase(MakeArrays(world, false), new_dir, false);
  GtapImportReport report;
  const Benchmark old_data = ImportGtap(old_dir.string(), GtapImportOptions{}, &report);
  const Benchmark new_data = ImportGtap(new_dir.string(), GtapImportOptions{}, nullptr);
  CHECK(report.generation.find("v7-v9") == 0);
  CheckBalancedAndReplicates(old_data);
  REQUIRE(old_data.trade.data().size() == new_data.trade.data().size());
  for (std::size_t k = 0; k < old_data.trade.data().size(); ++k) {
    CHECK(old_data.trade.data()[k] == Approx(new_data.trade.data()[k]).epsilon(1e-12));
  }
  for (std::size_t k = 0; k < old_data.factor_payments.data().size(); ++k) {
    CHECK(old_data.factor_payments.data()[k] ==
          Approx(new_data.factor_payments.data()[k]).epsilon(1e-12));
  }
  CHECK(Fold(report, "investment demand") > 0.0);
}

TEST_CASE("GTAP import refuses missing headers and sets that disagree", "[import]") {
  const GtapWorld world = MakeWorld();
  GtapArrays arrays = MakeArrays(world, false);
  SECTION("no bilateral exports") {
    arrays.basedata.erase(arrays.basedata.begin());  // VXSB
    CHECK_THROWS_AS(ConvertGtap(arrays, GtapImportOptions{}, nullptr), InputError);
  }
  SECTION("regions differ from the sets file") {
    arrays.sets[0] = har::MakeStrings("REG", "regions", {"usa", "chn", "eur"});
    CHECK_THROWS_WITH(ConvertGtap(arrays, GtapImportOptions{}, nullptr),
                      Catch::Contains("differ from the sets file"));
  }
  SECTION("a folder without base data") {
    CHECK_THROWS_WITH(ImportGtap(testing::MakeTempDir("gtap_empty"), GtapImportOptions{}, nullptr),
                      Catch::Contains("no GTAP base data"));
  }
}

// ---- a small WIOT and SEA in the WIOD 2016 layouts ----
// Countries AAA, BBB and ROW; industries A01, C10-C12; final uses 57..61 (CONS_h, CONS_np,
// CONS_g, GFCF, INVEN).
struct WiodFiles {
  std::string wiot, sea;
};

WiodFiles WriteWiod(const fs::path& dir, bool long_sea) {
  fs::create_directories(dir);
  const std::vector<std::string> countries = {"AAA", "BBB", "ROW"};
  const std::vector<std::string> codes = {"A01", "C10-C12"};
  const std::vector<std::string> descriptions = {"Crop and animal production, hunting",
                                                 "Manufacture of food products, beverages"};
  std::string wiot = "IndustryCode,IndustryDescription,Country,RNr,Year";
  for (const std::string& country : countries) {
    for (int n = 1; n <= 2; ++n) wiot += "," + country + std::to_string(n);
  }
  for (const std::string& country : countries) {
    for (int n = 57; n <= 61; ++n) wiot += "," + country + std::to_string(n);
  }
  wiot += ",TOT\n";
  for (std::size_t r = 0; r < countries.size(); ++r) {
    for (std::size_t i = 0; i < codes.size(); ++i) {
      wiot += codes[i] + ",\"" + descriptions[i] + "\"," + countries[r] + "," +
              std::to_string(i + 1) + ",2014";
      for (std::size_t s = 0; s < countries.size(); ++s) {
        for (std::size_t j = 0; j < codes.size(); ++j) {
          const double z = (r == s ? 12.0 : 2.0) + static_cast<double>(i + j + r);
          wiot += fmt::format(",{}", z);
        }
      }
      for (std::size_t s = 0; s < countries.size(); ++s) {
        const double home = r == s ? 1.0 : 0.2;
        // CONS_h, CONS_np, CONS_g, GFCF, INVEN (a small depletion abroad)
        wiot += fmt::format(",{},{},{},{},{}", 80.0 * home + static_cast<double>(i), 2.0 * home,
                            10.0 * home, 20.0 * home, r == s ? 1.5 : -0.1);
      }
      wiot += ",0\n";
    }
  }
  for (const char* total : {"II_fob", "TXSP", "VA", "GO"}) {
    wiot += std::string(total) + ",total,TOT,70,2014" + std::string(21, ',') + "\n";
  }
  std::string sea;
  if (long_sea) {
    sea = "country,variable,description,code,year,value\n";
  } else {
    sea = "country,variable,description,code,2013,2014\n";
  }
  for (std::size_t r = 0; r < 2; ++r) {  // no SEA rows for ROW, as in the release
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const double labour = 30.0 + 10.0 * static_cast<double>(i + r);
      const double capital = 40.0 - 5.0 * static_cast<double>(i);
      for (const auto& [variable, value] :
           {std::pair<const char*, double>{"LAB", labour}, {"CAP", capital}, {"EMP", 7.0}}) {
        if (long_sea) {
          sea += fmt::format("{},{},\"x, y\",{},2013,1\n", countries[r], variable, codes[i]);
          sea += fmt::format("{},{},\"x, y\",{},2014,{}\n", countries[r], variable, codes[i],
                             value);
        } else {
          sea += fmt::format("{},{},\"x, y\",{},1,{}\n", countries[r], variable, codes[i], value);
        }
      }
    }
  }
  WiodFiles files{(dir / "wiot.csv").string(), (dir / "sea.csv").string()};
  std::ofstream(files.wiot) << wiot;
  std::ofstream(files.sea) << sea;
  return files;
}

TEST_CASE("WIOD tables import into a balanced benchmark that replicates", "[import]") {
  const fs::path temp = testing::MakeTempDir("wiod");
  for (const bool long_sea : {false, true}) {
    const WiodFiles files = WriteWiod(temp / (long_sea ? "long" : "wide"), long_sea);
    WiodImportOptions options;
    options.year = 2014;
    WiodImportReport report;
    const Benchmark data = ImportWiod(files.wiot, files.sea, options, &report);
    REQUIRE(data.regions == std::vector<std::string>{"AAA", "BBB", "ROW"});
    REQUIRE(data.sectors == std::vector<std::string>{"A01", "C10-C12"});
    REQUIRE(data.num_factors() == 2);
    CHECK(data.factors[0].name == "LAB");
    CheckBalancedAndReplicates(data);
    // LAB and CAP shares from the SEA, scaled to value added (before balancing, which moves
    // values by less than its tolerance).
    const double labour = data.factor_payments(0, 1, 1), capital = data.factor_payments(1, 1, 1);
    CHECK(labour / (labour + capital) == Approx(50.0 / 85.0).epsilon(0.1));
    // Intermediate sales: AAA's A01 to BBB = 2 intermediate cells + final uses.
    CHECK(data.trade(0, 0, 1) > 0.0);
    CHECK(data.tariffs(0, 0, 1) == 0.0);
    CHECK(report.balance.largest_adjustment <= options.balance.tolerance);
  }
}

TEST_CASE("WIOD import names the file and line of a bad number", "[import]") {
  const fs::path dir = testing::MakeTempDir("wiod_bad");
  const WiodFiles files = WriteWiod(dir, false);
  std::ofstream(files.sea, std::ios::app) << "AAA,LAB,x,A01,1,abc\n";
  CHECK_THROWS_WITH(ImportWiod(files.wiot, files.sea, WiodImportOptions{}, nullptr),
                    Catch::Contains("sea.csv:") && Catch::Contains("abc"));
}

}  // namespace
}  // namespace ohlin
