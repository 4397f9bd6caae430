// Importers (calibration/gtap_import.h, calibration/wiod_import.h): small data bases written by the
// test in the published layouts are converted into benchmarks that balance and replicate.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <string>
#include <vector>

#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "calibration/gtap_import.h"
#include "calibration/gtap_synth.h"
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
// Region "row" aggregates countries: it trades with itself (a diagonal VXSB, as in every real
// aggregation). With `subsidy`, agr in usa buys mnf with a subsidy that makes its value added at
// basic prices negative (purchasers' prices below basic prices).
constexpr std::size_t kR = 3, kC = 3, kF = 2;
const std::vector<std::string> kRegions = {"usa", "chn", "row"};
const std::vector<std::string> kComm = {"agr", "mnf", "otp"};  // otp: the margin commodity
const std::vector<std::string> kEndw = {"lab", "cap"};

struct GtapWorld {
  // [i][r][s]
  double vxsb[kC][kR][kR] = {}, vfob[kC][kR][kR] = {}, vcif[kC][kR][kR] = {},
         vmsb[kC][kR][kR] = {};
  double vdfb[kC][kC][kR] = {}, vmfb[kC][kC][kR] = {};  // [j][i][r]
  double vdfp[kC][kC][kR] = {}, vmfp[kC][kC][kR] = {};  // purchasers' prices
  double vdpb[kC][kR] = {}, vmpb[kC][kR] = {}, vdgb[kC][kR] = {}, vmgb[kC][kR] = {};
  double vdib[kC][kR] = {}, vmib[kC][kR] = {}, vst[kC][kR] = {};
  double evfb[kF][kC][kR] = {};
  double subsidy = 0.0;  // on mnf bought by agr in usa
};

GtapWorld MakeWorld(bool subsidy = false) {
  GtapWorld w;
  double margins = 0.0;
  double imports[kC][kR] = {};
  for (std::size_t i = 0; i < kC; ++i) {
    for (std::size_t r = 0; r < kR; ++r) {
      for (std::size_t s = 0; s < kR; ++s) {
        if (r == s && r != 2) continue;
        const double tx = r == s ? 0.01 : r == 1 ? -0.02 : 0.01 * static_cast<double>(i + 1);
        const double margin = 0.04 + 0.01 * static_cast<double>(i + s);
        const double tm = r == s ? 0.02 : 0.03 * static_cast<double>((s + 1) * (i + 1));
        w.vxsb[i][r][s] = (r == s ? 4.0 : 5.0) + static_cast<double>(i + 2 * r + s);
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
        w.vdfp[j][i][r] = 1.05 * w.vdfb[j][i][r];
        w.vmfp[j][i][r] = 1.05 * w.vmfb[j][i][r];
      }
      w.vdpb[j][r] = 40.0 + 5.0 * jd + 3.0 * rd;
      w.vmpb[j][r] = 0.4 * imports[j][r];
      w.vdgb[j][r] = 8.0 + jd;
      w.vmgb[j][r] = 0.1 * imports[j][r];
      w.vdib[j][r] = 10.0 + 2.0 * jd + rd;
      w.vmib[j][r] = 0.2 * imports[j][r];
    }
  }
  auto value_added = [&](std::size_t i, std::size_t r) {
    double output = w.vdpb[i][r] + w.vdgb[i][r] + w.vdib[i][r] + w.vst[i][r];
    double inputs = 0.0;
    for (std::size_t a = 0; a < kC; ++a) output += w.vdfb[i][a][r];
    for (std::size_t s = 0; s < kR; ++s) output += w.vxsb[i][r][s];
    for (std::size_t j = 0; j < kC; ++j) inputs += w.vdfb[j][i][r] + w.vmfb[j][i][r];
    return output - inputs;
  };
  const double agr_usa = value_added(0, 0);
  if (subsidy) {  // basic value up by S, purchasers' value unchanged: a subsidy of S + 5%
    w.subsidy = agr_usa + 10.0;
    w.vdfb[1][0][0] += w.subsidy;
  }
  for (std::size_t r = 0; r < kR; ++r) {
    for (std::size_t i = 0; i < kC; ++i) {
      const double va = i == 0 && r == 0 ? agr_usa : value_added(i, r);  // 10% of it: taxes
      const double labour = 0.6 - 0.1 * static_cast<double>(i);
      w.evfb[0][i][r] = 0.9 * va * labour;
      w.evfb[1][i][r] = 0.9 * va * (1.0 - labour);
    }
  }
  return w;
}

enum class Mobility { kSlug, kEflg, kSets };

struct ArrayOptions {
  bool old_names = false;  // v7-v9 headers, investment as the CGDS activity, FULL storage
  Mobility mobility = Mobility::kEflg;  // how "cap" is declared sluggish
  bool purchasers = true;  // write VDFP/VMFP (VDFA/VIFA)
};

har::HeaderArray Real(const std::string& name, const std::vector<Set>& sets,
                      std::vector<double> values, bool sparse = false) {
  har::HeaderArray array =
      har::MakeReal(name, name + " (test data base)", name, sets, std::move(values));
  array.sparse = sparse;
  return array;
}

// The arrays of a data base in GTAP's layout: v10-v11 headers (VDIB/VMIB; ESBD by commodity and
// region; trade and firms' arrays stored SPSE) or v7-v9 headers (`old_names`).
GtapArrays MakeArrays(const GtapWorld& w, const ArrayOptions& options = {}) {
  const bool old_names = options.old_names, sparse = !old_names;
  const Set comm{old_names ? "TRAD_COMM" : "COMM", kComm};
  std::vector<std::string> activity_names = kComm;
  if (old_names) activity_names.push_back("cgds");
  const Set acts{old_names ? "PROD_COMM" : "ACTS", activity_names};
  const Set reg{"REG", kRegions};
  const Set endw{old_names ? "ENDW_COMM" : "ENDW", kEndw};
  const Set marg{old_names ? "MARG_COMM" : "MARG", {"otp"}};
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
  base.push_back(Real(name("VXSB", "VXMD"), {comm, reg, reg}, trade(w.vxsb), sparse));
  base.push_back(Real(name("VFOB", "VXWD"), {comm, reg, reg}, trade(w.vfob), sparse));
  base.push_back(Real(name("VCIF", "VIWS"), {comm, reg, reg}, trade(w.vcif), sparse));
  base.push_back(Real(name("VMSB", "VIMS"), {comm, reg, reg}, trade(w.vmsb), sparse));
  auto firms = [&](const double (&table)[kC][kC][kR], const double (&investment)[kC][kR],
                   double scale) {
    std::vector<double> values;
    for (std::size_t r = 0; r < kR; ++r)
      for (std::size_t a = 0; a < num_a; ++a)
        for (std::size_t j = 0; j < kC; ++j)
          values.push_back(a < kC ? table[j][a][r] : scale * investment[j][r]);
    return values;
  };
  base.push_back(Real(name("VDFB", "VDFM"), {comm, acts, reg}, firms(w.vdfb, w.vdib, 1.0), sparse));
  base.push_back(Real(name("VMFB", "VIFM"), {comm, acts, reg}, firms(w.vmfb, w.vmib, 1.0), sparse));
  if (options.purchasers) {
    base.push_back(Real(name("VDFP", "VDFA"), {comm, acts, reg}, firms(w.vdfp, w.vdib, 1.05)));
    base.push_back(Real(name("VMFP", "VIFA"), {comm, acts, reg}, firms(w.vmfp, w.vmib, 1.05)));
  }
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
  } else {
    std::vector<double> esbd;
    for (std::size_t r = 0; r < kR; ++r)
      for (const double value : {2.0, 3.0, 1.5}) esbd.push_back(value);
    prm.push_back(Real("ESBD", {comm, reg}, esbd));
    prm.push_back(Real("ESBT", {acts}, {0.0, 0.0, 0.0}));
  }
  if (options.mobility == Mobility::kSlug) {
    HeaderArray slug;
    slug.name = "SLUG";
    slug.long_name = "sluggish endowments";
    slug.type = har::ArrayType::kIntMatrix;
    slug.extents = {2, 1};
    slug.ints = {0, 1};
    prm.push_back(slug);
  } else if (options.mobility == Mobility::kEflg) {
    // ENDW x ENDWT (mobile, sluggish, fixed), as in v10+ default.prm.
    prm.push_back(Real("EFLG", {endw, Set{"ENDWT", {"mobile", "sluggish", "fixed"}}},
                       {1.0, 0.0, 0.0, 1.0, 0.0, 0.0}));
  } else {
    arrays.sets.push_back(har::MakeStrings("ENDM", "mobile endowments", {"lab"}));
    arrays.sets.push_back(har::MakeStrings("ENDS", "sluggish endowments", {"cap"}));
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
    if (fold.what.find(prefix) != std::string::npos) return fold.value;
  }
  FAIL("no fold " << prefix);
  return 0.0;
}

bool Mentions(const std::vector<std::string>& lines, const std::string& text) {
  for (const std::string& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("GTAP v10-v11 headers import into a balanced benchmark that replicates", "[import]") {
  const GtapWorld world = MakeWorld();
  const fs::path temp = testing::MakeTempDir("gtap_new");
  const fs::path dir = temp / "gtap11";
  WriteDataBase(MakeArrays(world), dir, false);
  GtapImportReport report;
  const Benchmark data = ImportGtap(dir.string(), GtapImportOptions{}, &report);
  CHECK(report.generation.find("v10-v11") == 0);
  CHECK(report.files.size() == 3);
  REQUIRE(data.regions == kRegions);
  REQUIRE(data.sectors == kComm);
  REQUIRE(data.num_factors() == kF);
  CheckBalancedAndReplicates(data);
  CHECK(report.balance.largest_adjustment < 1e-6);  // nothing to balance but float32 rounding

  // Every GTAP revenue is kept: the importer pays VMSB, export-tax revenue tx X is VFOB - VXSB,
  // the melted units are the margin VCIF - VFOB, and X (1+tx) is VCIF.
  double export_taxes = 0.0;
  for (std::size_t i = 0; i < kC; ++i) {
    for (std::size_t r = 0; r < kR; ++r) {
      for (std::size_t s = 0; s < kR; ++s) {
        if (r == s) continue;
        const double x = data.trade(i, r, s), tx = data.export_taxes(i, r, s);
        CHECK(x * (1.0 + tx) * (1.0 + data.tariffs(i, r, s)) ==
              Approx(world.vmsb[i][r][s]).epsilon(1e-6));
        CHECK(x * tx == Approx(world.vfob[i][r][s] - world.vxsb[i][r][s]).margin(1e-5));
        CHECK(x * (1.0 + tx) == Approx(world.vcif[i][r][s]).epsilon(1e-6));
        CHECK(x - x / (1.0 + data.ntb(i, r, s)) ==
              Approx(world.vcif[i][r][s] - world.vfob[i][r][s]).epsilon(1e-5));
        export_taxes += x * tx;
      }
    }
  }
  // The report's export-tax revenue is the benchmark's.
  CHECK(Fold(report, "export taxes (VFOB - VXSB), kept") == Approx(export_taxes).epsilon(1e-6));
  double government = 0.0, investment = 0.0;
  for (std::size_t r = 0; r < kR; ++r) {
    for (std::size_t j = 0; j < kC; ++j) {
      government += world.vdgb[j][r] + world.vmgb[j][r];
      investment += world.vdib[j][r] + world.vmib[j][r];
    }
  }
  // Government and investment are folded into final demand (less the taxes on trade within
  // row that leave import purchases).
  CHECK(Fold(report, "government demand") == Approx(government).epsilon(0.01));
  CHECK(Fold(report, "investment demand") == Approx(investment).epsilon(0.01));
  CHECK(Fold(report, "output, factor and intermediate-use taxes") > 0.0);
  CHECK(Fold(report, "transport margins") > 0.0);
  CHECK(data.elasticities.armington == std::vector<double>{2.0, 3.0, 1.5});
  CHECK(data.elasticities.value_added == std::vector<double>{0.5, 0.5, 0.5});

  // What WriteBenchmark writes reads back and still balances.
  const std::string yaml = WriteBenchmark(data, (temp / "out").string());
  CheckBalancedAndReplicates(LoadBenchmark(yaml));
}

TEST_CASE("GTAP trade within a region becomes domestic sales, totals preserved", "[import]") {
  // In memory (no float32 rounding): the identities hold to 1e-9 before any balancing.
  const GtapWorld w = MakeWorld();
  GtapImportReport report;
  const Benchmark data = ConvertGtap(MakeArrays(w), GtapImportOptions{}, &report);
  CHECK(report.balance.accounts_moved == 0);
  CheckBalancedAndReplicates(data);
  double gtap_output = 0.0, output = 0.0, diagonal = 0.0, diagonal_taxes = 0.0;
  for (std::size_t r = 0; r < kR; ++r) {
    for (std::size_t i = 0; i < kC; ++i) {
      // Domestic sales = domestic purchases + trade within the region at the producer's price
      // plus its margin (the producer ships it, as an iceberg within the region).
      double domestic = w.vdpb[i][r] + w.vdgb[i][r] + w.vdib[i][r];
      for (std::size_t a = 0; a < kC; ++a) domestic += w.vdfb[i][a][r];
      const double within = w.vcif[i][r][r] - w.vfob[i][r][r] + w.vxsb[i][r][r];
      CHECK(data.trade(i, r, r) == Approx(domestic + within).epsilon(1e-9));
      gtap_output += domestic + w.vst[i][r];
      for (std::size_t s = 0; s < kR; ++s) {
        gtap_output += w.vxsb[i][r][s];
        output += data.trade(i, r, s);
      }
      diagonal += w.vxsb[i][r][r];
      diagonal_taxes += w.vmsb[i][r][r] - w.vcif[i][r][r] + w.vfob[i][r][r] - w.vxsb[i][r][r];
    }
  }
  CHECK(diagonal > 0.0);
  // World output: the margins that exporters now ship replace the margin supply VST.
  CHECK(output == Approx(gtap_output).epsilon(1e-9));
  // Buyers' purchases in row lose the taxes on trade within row, and nothing else.
  double purchases = 0.0, absorbed = 0.0;
  for (std::size_t j = 0; j < kC; ++j) {
    purchases += w.vdpb[j][2] + w.vmpb[j][2] + w.vdgb[j][2] + w.vmgb[j][2] + w.vdib[j][2] +
                 w.vmib[j][2];
    absorbed += data.final_demand[2][0][j];
    for (std::size_t i = 0; i < kC; ++i) {
      purchases += w.vdfb[j][i][2] + w.vmfb[j][i][2];
      absorbed += data.intermediates(j, i, 2);
    }
  }
  CHECK(absorbed == Approx(purchases - diagonal_taxes).epsilon(1e-9));
  CHECK(Fold(report, "trade within regions") == Approx(diagonal).epsilon(1e-9));
  CHECK(Fold(report, "its export taxes") == Approx(diagonal_taxes).epsilon(1e-9));
  CHECK(data.tariffs(0, 2, 2) == 0.0);
  CHECK(data.ntb(0, 2, 2) == 0.0);
}

TEST_CASE("GTAP v7-v9 headers (CGDS column, SLUG, FULL storage) give the same benchmark",
          "[import]") {
  const GtapWorld world = MakeWorld();
  const fs::path temp = testing::MakeTempDir("gtap_old");
  const fs::path old_dir = temp / "gtap9";
  const fs::path new_dir = temp / "gtap11";
  WriteDataBase(MakeArrays(world, {true, Mobility::kSlug}), old_dir, true);
  WriteDataBase(MakeArrays(world, {false, Mobility::kEflg}), new_dir, false);
  GtapImportReport report, new_report;
  const Benchmark old_data = ImportGtap(old_dir.string(), GtapImportOptions{}, &report);
  const Benchmark new_data = ImportGtap(new_dir.string(), GtapImportOptions{}, &new_report);
  CHECK(report.generation.find("v7-v9") == 0);
  // The old data base is reported with its own header names.
  CHECK(Fold(report, "export taxes (VXWD - VXMD)") > 0.0);
  CHECK(Fold(report, "tariffs (VIMS - VIWS)") > 0.0);
  CheckBalancedAndReplicates(old_data);
  REQUIRE(old_data.trade.data().size() == new_data.trade.data().size());
  for (std::size_t k = 0; k < old_data.trade.data().size(); ++k) {
    CHECK(old_data.trade.data()[k] == Approx(new_data.trade.data()[k]).epsilon(1e-12));
  }
  for (std::size_t k = 0; k < old_data.factor_payments.data().size(); ++k) {
    CHECK(old_data.factor_payments.data()[k] ==
          Approx(new_data.factor_payments.data()[k]).epsilon(1e-12));
  }
  // Sluggish capital: SLUG in one, EFLG in the other; each choice is reported.
  for (const Benchmark* data : {&old_data, &new_data}) {
    CHECK(data->factors[0].mobility == FactorMobility::kMobile);
    CHECK(data->factors[1].mobility == FactorMobility::kSpecific);
  }
  CHECK(Mentions(report.notes, "factor cap: sluggish in SLUG -> sector-specific"));
  CHECK(Mentions(new_report.notes, "factor cap: sluggish in EFLG -> sector-specific"));
  CHECK(Mentions(new_report.notes, "factor lab: mobile in EFLG -> mobile"));
  CHECK(Fold(report, "investment demand") > 0.0);
}

TEST_CASE("GTAP factor mobility from the sets ENDM / ENDS when the parameters say nothing",
          "[import]") {
  GtapImportReport report;
  const Benchmark data =
      ConvertGtap(MakeArrays(MakeWorld(), {false, Mobility::kSets}), GtapImportOptions{}, &report);
  CHECK(data.factors[0].mobility == FactorMobility::kMobile);
  CHECK(data.factors[1].mobility == FactorMobility::kSpecific);
  CHECK(Mentions(report.notes, "factor cap: sluggish in sets ENDM/ENDS/ENDF -> sector-specific"));
}

TEST_CASE("GTAP input subsidy: folded cell by cell so value added stays positive", "[import]") {
  const GtapWorld w = MakeWorld(true);
  GtapImportReport report;
  const Benchmark data = ConvertGtap(MakeArrays(w), GtapImportOptions{}, &report);
  CheckBalancedAndReplicates(data);
  // agr in usa buys mnf at purchasers' prices; the subsidy moves to usa's final demand of mnf.
  CHECK(data.intermediates(1, 0, 0) ==
        Approx(w.vdfp[1][0][0] + w.vmfp[1][0][0]).epsilon(1e-12));
  double value_added = 0.0;
  for (std::size_t f = 0; f < kF; ++f) value_added += data.factor_payments(f, 0, 0);
  CHECK(value_added > 0.0);
  REQUIRE(report.cells.size() == 1);
  CHECK(report.cells[0].find("usa/agr: input subsidy on mnf") == 0);
  const double subsidy = w.vdfb[1][0][0] + w.vmfb[1][0][0] - w.vdfp[1][0][0] - w.vmfp[1][0][0];
  CHECK(Fold(report, "input subsidies -> final demand (1 cells") == Approx(subsidy));

  SECTION("without purchasers' prices the sector is refused, the fold report kept") {
    GtapArrays arrays = MakeArrays(w, {false, Mobility::kEflg, false});
    GtapImportReport refused;
    CHECK_THROWS_WITH(ConvertGtap(arrays, GtapImportOptions{}, &refused),
                      Catch::Contains("usa/agr") && Catch::Contains("no positive value added"));
    CHECK(Fold(refused, "trade within regions") > 0.0);
    CHECK(Fold(refused, "transport margins") > 0.0);
  }
}

TEST_CASE("GTAP activities that differ from commodities: industry technology or refusal",
          "[import]") {
  const GtapWorld w = MakeWorld();
  GtapArrays arrays = MakeArrays(w);
  const std::vector<std::string> activities = {"a_agr", "a_mnf", "a_otp"};
  for (HeaderArray& array : arrays.basedata) {
    for (Set& set : array.sets) {
      if (set.name == "ACTS") set.elements = activities;
    }
  }
  for (HeaderArray& array : arrays.parameters) {
    for (Set& set : array.sets) {
      if (set.name == "ACTS") set.elements = activities;
    }
  }
  SECTION("no make matrix: refused, saying what to aggregate") {
    CHECK_THROWS_WITH(ConvertGtap(arrays, GtapImportOptions{}, nullptr),
                      Catch::Contains("a_agr") && Catch::Contains("no make matrix") &&
                          Catch::Contains("aggregate"));
  }
  SECTION("a_agr makes agr and some mnf: its inputs are shared 3:1") {
    // MAKB(c, a, r): a_agr 3 agr + 1 mnf, a_mnf 5 mnf, a_otp 1 otp, in every region.
    std::vector<double> make;
    for (std::size_t r = 0; r < kR; ++r) {
      for (const std::vector<double>& column :
           {std::vector<double>{3.0, 1.0, 0.0}, {0.0, 5.0, 0.0}, {0.0, 0.0, 1.0}}) {
        make.insert(make.end(), column.begin(), column.end());
      }
    }
    arrays.basedata.push_back(
        Real("MAKB", {Set{"COMM", kComm}, Set{"ACTS", activities}, Set{"REG", kRegions}}, make));
    GtapImportReport report;
    const Benchmark data = ConvertGtap(arrays, GtapImportOptions{}, &report);
    CheckBalancedAndReplicates(data);
    for (std::size_t j = 0; j < kC; ++j) {  // usa: no trade within the region
      const double a_agr = w.vdfb[j][0][0] + w.vmfb[j][0][0];
      const double a_mnf = w.vdfb[j][1][0] + w.vmfb[j][1][0];
      CHECK(data.intermediates(j, 0, 0) == Approx(0.75 * a_agr).epsilon(1e-12));
      CHECK(data.intermediates(j, 1, 0) == Approx(0.25 * a_agr + a_mnf).epsilon(1e-12));
    }
    CHECK(Mentions(report.notes, "industry-technology assumption"));
  }
}

// The `ohlin` binary on a data base folder: exit status, stdout + stderr.
int RunImport(const fs::path& dir, const fs::path& out, std::string* output) {
  const fs::path log = dir.parent_path() / (dir.filename().string() + ".log");
  const std::string command = fmt::format("\"{}\" import gtap \"{}\" --out \"{}\" > \"{}\" 2>&1",
                                          OHLIN_BINARY, dir.string(), out.string(), log.string());
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  output->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("ohlin import gtap: bad input names the file and header, exits 1, writes nothing",
          "[import]") {
  const fs::path temp = testing::MakeTempDir("gtap_bad");
  const GtapWorld world = MakeWorld();
  std::string output;
  const fs::path good = temp / "good";
  WriteDataBase(MakeArrays(world), good, false);
  REQUIRE(RunImport(good, temp / "good_out", &output) == 0);
  CHECK(fs::exists(temp / "good_out" / "data.yaml"));

  auto expect_refusal = [&](const std::string& tag, const std::string& file,
                            const std::vector<std::string>& words) {
    const fs::path out = temp / (tag + "_out");
    CHECK(RunImport(temp / tag, out, &output) == 1);
    INFO(output);
    CHECK(output.find((temp / tag / file).string()) != std::string::npos);
    for (const std::string& word : words) CHECK(output.find(word) != std::string::npos);
    CHECK(!fs::exists(out));
  };
  SECTION("a truncated base data file") {
    WriteDataBase(MakeArrays(world), temp / "truncated", false);
    const fs::path file = temp / "truncated" / "basedata.har";
    fs::resize_file(file, fs::file_size(file) / 2);
    expect_refusal("truncated", "basedata.har", {"header '", "truncated"});
  }
  SECTION("a corrupt record length") {
    WriteDataBase(MakeArrays(world), temp / "corrupt", false);
    const fs::path file = temp / "corrupt" / "basedata.har";
    std::fstream bytes(file, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekp(8);  // the trailing length of the first record
    bytes.put('\x7f');
    bytes.close();
    expect_refusal("corrupt", "basedata.har", {"header name", "corrupt"});
  }
  SECTION("a header of the wrong type") {
    GtapArrays arrays = MakeArrays(world);
    for (HeaderArray& array : arrays.basedata) {
      if (array.name == "VMSB") array = har::MakeStrings("VMSB", "not numbers", {"a", "b"});
    }
    WriteDataBase(arrays, temp / "type", false);
    expect_refusal("type", "basedata.har", {"header VMSB", "1C"});
  }
  SECTION("a header of the wrong shape") {
    GtapArrays arrays = MakeArrays(world);
    for (HeaderArray& array : arrays.basedata) {
      if (array.name == "VDPB") {
        array = Real("VDPB", {Set{"COMM", kComm}, Set{"REG", kRegions}, Set{"REG", kRegions}},
                     std::vector<double>(kC * kR * kR, 1.0));
      }
    }
    WriteDataBase(arrays, temp / "shape", false);
    expect_refusal("shape", "basedata.har", {"header VDPB", "3 dimensions"});
  }
  SECTION("sets that do not match the arrays") {
    GtapArrays arrays = MakeArrays(world);
    arrays.sets[0] = har::MakeStrings("REG", "regions", {"usa", "chn", "eur"});
    WriteDataBase(arrays, temp / "sets", false);
    expect_refusal("sets", "sets.har", {"differ from the sets file", "header VXSB"});
  }
  SECTION("a refusal after conversion prints the fold report first") {
    GtapArrays arrays = MakeArrays(MakeWorld(true), {false, Mobility::kEflg, false});
    WriteDataBase(arrays, temp / "refused", false);
    expect_refusal("refused", "basedata.har", {"usa/agr", "no positive value added"});
    const std::size_t report = output.find("folded into MODEL.md's accounts");
    CHECK(report != std::string::npos);
    CHECK(report < output.find("no positive value added"));
  }
}

TEST_CASE("a synthetic GTAP data base (as `ohlin bench` times) imports exactly", "[import]") {
  GtapSynthSize size;
  size.regions = 11;
  size.commodities = 6;
  size.endowments = 3;
  const fs::path dir = testing::MakeTempDir("gtap_synth");
  const GtapArrays arrays = SynthesizeGtap(size);
  har::WriteHar((fs::path(dir) / "basedata.har").string(), arrays.basedata);
  har::WriteHar((fs::path(dir) / "sets.har").string(), arrays.sets);
  har::WriteHar((fs::path(dir) / "default.prm").string(), arrays.parameters);
  GtapImportReport report;
  const Benchmark data = ImportGtap(dir, GtapImportOptions{}, &report);
  CHECK(data.num_regions() == 11);
  CHECK(data.num_sectors() == 6);
  CheckBalancedAndReplicates(data);
  CHECK(report.balance.largest_adjustment < 1e-6);
  CHECK(report.cells.empty());
  CHECK(data.factors[0].mobility == FactorMobility::kSpecific);
  CHECK(data.factors[1].mobility == FactorMobility::kMobile);
  CHECK(Fold(report, "trade within regions") > 0.0);
}

TEST_CASE("GTAP import refuses missing headers and sets that disagree", "[import]") {
  const GtapWorld world = MakeWorld();
  GtapArrays arrays = MakeArrays(world);
  SECTION("no bilateral exports") {
    arrays.basedata.erase(arrays.basedata.begin());  // VXSB
    CHECK_THROWS_WITH(ConvertGtap(arrays, GtapImportOptions{}, nullptr),
                      Catch::Contains("GTAP base data: no header VXSB or VXMD"));
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

TEST_CASE("WIOD import names the file and line of a malformed quoted field", "[import]") {
  // The one CSV splitter (calibration/csv.h) of the loader, this import and the sweeps.
  const fs::path dir = testing::MakeTempDir("wiod_quote");
  const WiodFiles files = WriteWiod(dir, false);
  std::ofstream(files.sea, std::ios::app) << "AAA,LAB,x,\"A01,1,2\n";
  CHECK_THROWS_WITH(ImportWiod(files.wiot, files.sea, WiodImportOptions{}, nullptr),
                    Catch::Contains("sea.csv:") && Catch::Contains(": unterminated quoted field"));
}

}  // namespace
}  // namespace ohlin
