// GTAP data base -> ohlin benchmark (gtap_import.h).
//
// Header names. GTAP 10 and 11 renamed the base-data headers: "market prices" became "basic
// prices" (suffix B) and "agent prices" became "purchaser prices" (suffix P). We accept both:
//   new (v10-v11)  old (v7-v9)   meaning                                      dimensions
//   EVFB           VFM           factor payments at basic prices              ENDW x ACTS x REG
//   VDFB, VMFB     VDFM, VIFM    firms' domestic / imported purchases, basic  COMM x ACTS x REG
//   VDFP, VMFP     VDFA, VIFA    the same at purchaser prices (report only)   COMM x ACTS x REG
//   VDPB, VMPB     VDPM, VIPM    private household purchases, basic          COMM x REG
//   VDGB, VMGB     VDGM, VIGM    government purchases, basic                  COMM x REG
//   VDIB, VMIB     (column CGDS of VDFM/VIFM)  investment purchases, basic     COMM x REG
//   VXSB           VXMD          exports at the exporter's basic prices       COMM x REG x REG
//   VFOB           VXWD          exports at world (fob) prices                COMM x REG x REG
//   VCIF           VIWS          imports at world (cif) prices                COMM x REG x REG
//   VMSB           VIMS          imports at the importer's basic prices       COMM x REG x REG
//   VST            VST           margin exports to international transport    MARG x REG
// Sources: the old->new correspondence as listed in "Undocumented Changes in GTAP 11"
// (https://nh2015.blogspot.com/2023/05/undocumented-changes-in-gtap-11.html: VDFM->VDFB,
// VIFM->VMFB, VXMD->VXSB, VIMS->VMSB, VXWD->VFOB, VIWS->VCIF, VFM->EVFB, EVFA->EVFP, ...;
// investment goods no longer a CGDS commodity but headers VDIB, VMIB; ESBD and ESBV gain a
// region dimension); the dimensions of VDFB, VXSB, VMSB and EVFB as dumped in
// github.com/david-baumann/GTAP_MRIOT_mapping raw_gtap_dataset/load_gtap_dataset.gms; the
// meaning of the old headers as in github.com/mit-jp/GTAPinGAMS build/gtap8data.gms (vfm
// "Endowments - Firms' purchases at market prices", vxmd "Trade - bilateral exports at market
// prices", vst, vtwr); VST of size MARG_COMM x REG and the SLUG parameter header from
// www.copsmodels.com/webhelp/rungtap/hc_newgtapfilefmt.htm.
//
// What goes where (MODEL.md section 2):
// - Sets: the commodities and regions labelling VXSB/VXMD, the endowments labelling EVFB/VFM.
//   Activities must carry the commodities' names (the diagonal make matrix of the standard data
//   base); an activity named CGDS (v7-v9) is investment demand, not a sector.
// - Trade between regions (r != s): tx = VFOB/VXSB - 1, the transport margin as an iceberg
//   cost ntb = VCIF/VFOB - 1, tm = VMSB/VCIF - 1, and X = VXSB (1 + ntb): the exporter ships
//   the units that the margin uses up. Then X (1+tx)(1+tm) = VMSB exactly: the importer pays
//   what GTAP says it pays. Margin supply (VST) is removed from the margin sectors' output, since
//   each exporter now supplies its own transport; the net change of each sector's output is
//   folded into its value added and reported.
// - Domestic sales X[i,r,r]: every domestic purchase at basic prices (firms, households,
//   government, investment).
// - Intermediates VIM[j,i,r] = domestic + imported purchases at basic prices. MODEL.md's
//   "purchaser's price" of a composite is the price after tariffs and export taxes, which is
//   GTAP's basic price of imports; MODEL.md has no taxes on the use of a good (one composite
//   price for every user), so GTAP's commodity taxes on intermediates are folded into value added.
// - Factor payments: value added = output - intermediates, split across factors in proportion
//   to EVFB. This folds output taxes, factor taxes, taxes on intermediates and the margin
//   adjustment into factor payments, so that zero profit holds exactly; the fold is reported.
// - Final demand (one household per region): private + government + investment purchases at
//   basic prices. Taxes on final purchases are left out (they are neither spending on goods nor
//   income in MODEL.md); the household's income gap shows up as its trade deficit D[r].
// - Elasticities (default.prm): armington = ESBD (domestic vs imported; a single CES nest across
//   all origins, so GTAP's ESBM across import sources is reported, not used), value_added = ESBV,
//   top = ESBT where present (else 0, Leontief as in GTAP), consumption 1 (Cobb-Douglas instead
//   of GTAP's CDE). Arrays with a region dimension (v11) are averaged over regions. A factor with
//   SLUG = 1 (sluggish) is sector-specific.
// The result goes through the balance step (calibration/balance.h) to absorb rounding (HAR
// stores 4-byte reals) and the small inconsistencies of real data, within its tolerance.
#include "calibration/gtap_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "calibration/accounts.h"
#include "calibration/errors.h"

namespace ohlin {
namespace {

constexpr std::size_t kAbsent = std::numeric_limits<std::size_t>::max();

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// The first of `names` present in `arrays` (new name first), or nullptr.
const har::HeaderArray* Pick(const std::vector<har::HeaderArray>& arrays,
                             std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (const har::HeaderArray* found = har::FindArray(arrays, name)) return found;
  }
  return nullptr;
}

// The labels of dimension d of a real array (empty when it carries none).
std::vector<std::string> Labels(const har::HeaderArray& array, std::size_t d) {
  if (array.type != har::ArrayType::kReal || d >= array.sets.size()) return {};
  return array.sets[d].elements;
}

std::size_t Extent(const har::HeaderArray& array, std::size_t d) {
  return d < array.extents.size() ? array.extents[d] : 1;
}

// A real array read through our sets: index maps per dimension from our elements to the
// array's, kAbsent where the array has no such element.
class View {
 public:
  View() = default;
  View(const har::HeaderArray* array, std::vector<std::vector<std::size_t>> maps)
      : array_(array), maps_(std::move(maps)) {}
  bool present() const { return array_ != nullptr; }
  double operator()(std::size_t a, std::size_t b = 0, std::size_t c = 0) const {
    if (array_ == nullptr) return 0.0;
    const std::size_t index[3] = {a, b, c};
    std::size_t offset = 0, stride = 1;
    for (std::size_t d = 0; d < maps_.size(); ++d) {
      const std::size_t k = maps_[d][index[d]];
      if (k == kAbsent) return 0.0;
      offset += k * stride;
      stride *= Extent(*array_, d);
    }
    return array_->reals[offset];
  }

 private:
  const har::HeaderArray* array_ = nullptr;
  std::vector<std::vector<std::size_t>> maps_;
};

class Converter {
 public:
  Converter(const GtapArrays& arrays, GtapImportReport* report)
      : arrays_(arrays), report_(report) {}
  Benchmark Run(const GtapImportOptions& options);

 private:
  const har::HeaderArray& Require(std::initializer_list<const char*> names, const char* what);
  void ReadSets();
  // Maps dimension d of `array` onto `names`; `activities` allows the extra element CGDS.
  std::vector<std::size_t> MapDimension(const har::HeaderArray& array, std::size_t d,
                                        const std::vector<std::string>& names, bool activities);
  View Real(std::initializer_list<const char*> names, std::initializer_list<int> dims);
  std::size_t CgdsIndex(const har::HeaderArray& array, std::size_t d) const;
  void Fold(const std::string& what, double value, double reference, const std::string& of) {
    report_->folds.push_back({what, value, reference != 0.0 ? value / reference : 0.0, of});
  }
  std::vector<double> SectorParameter(std::initializer_list<const char*> names,
                                      double fallback, const char* what);

  const GtapArrays& arrays_;
  GtapImportReport* report_;
  bool new_names_ = true;
  std::vector<std::string> regions_, sectors_, factors_;
  enum Dim { kComm = 0, kActs = 1, kReg = 2, kEndw = 3 };
};

const har::HeaderArray& Converter::Require(std::initializer_list<const char*> names,
                                           const char* what) {
  if (const har::HeaderArray* found = Pick(arrays_.basedata, names)) {
    if (found->type != har::ArrayType::kReal && found->type != har::ArrayType::kRealMatrix) {
      throw InputError(fmt::format("GTAP base data: header {} ({}) is not a real array",
                                   found->name, what));
    }
    return *found;
  }
  std::string list;
  for (const char* name : names) list += (list.empty() ? "" : " or ") + std::string(name);
  throw InputError(fmt::format("GTAP base data: no header {} ({})", list, what));
}

// Sets of a sets file: the 1C array with one of `names`, lowercased comparison later.
std::vector<std::string> SetFromFile(const std::vector<har::HeaderArray>& sets,
                                     std::initializer_list<const char*> names) {
  const har::HeaderArray* found = Pick(sets, names);
  if (found == nullptr || found->type != har::ArrayType::kStrings) return {};
  std::vector<std::string> elements;
  for (const std::string& text : found->strings) {
    std::string trimmed = text;
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
    elements.push_back(trimmed);
  }
  return elements;
}

void Converter::ReadSets() {
  new_names_ = har::FindArray(arrays_.basedata, "VXSB") != nullptr;
  report_->generation = new_names_ ? "v10-v11 headers (EVFB, VDFB, VMFB, VXSB, VFOB, VCIF, VMSB)"
                                   : "v7-v9 headers (VFM, VDFM, VIFM, VXMD, VXWD, VIWS, VIMS)";
  const har::HeaderArray& trade = Require({"VXSB", "VXMD"}, "bilateral exports at basic prices");
  const har::HeaderArray& factors = Require({"EVFB", "VFM"}, "factor payments");
  // Sets files name the sets by header; the names differ between releases, so several are tried.
  const std::vector<std::string> file_regions = SetFromFile(arrays_.sets, {"REG", "H1"});
  const std::vector<std::string> file_comm =
      SetFromFile(arrays_.sets, {"COMM", "TRAD", "TRAD_COMM", "H2"});
  const std::vector<std::string> file_endw =
      SetFromFile(arrays_.sets, {"ENDW", "ENDW_COMM", "H6"});
  sectors_ = Labels(trade, 0);
  regions_ = Labels(trade, 1);
  factors_ = Labels(factors, 0);
  auto settle = [](std::vector<std::string>* from_array, const std::vector<std::string>& from_file,
                   const char* what) {
    if (from_array->empty()) {
      if (from_file.empty()) {
        throw InputError(fmt::format("GTAP: the set of {} is neither labelled in the base data "
                                     "nor in the sets file",
                                     what));
      }
      *from_array = from_file;
      return;
    }
    if (!from_file.empty()) {
      std::vector<std::string> a, b;
      for (const std::string& x : *from_array) a.push_back(Lower(x));
      for (const std::string& x : from_file) b.push_back(Lower(x));
      if (a != b) {
        throw InputError(fmt::format("GTAP: the {} of the base data ({}) differ from the sets "
                                     "file ({})",
                                     what, fmt::join(*from_array, ", "), fmt::join(from_file, ", ")));
      }
    }
  };
  settle(&sectors_, file_comm, "commodities");
  settle(&regions_, file_regions, "regions");
  settle(&factors_, file_endw, "endowments");
  if (Extent(trade, 0) != sectors_.size() || Extent(trade, 1) != regions_.size() ||
      Extent(trade, 2) != regions_.size()) {
    throw InputError(fmt::format("GTAP: {} has extents that do not match {} commodities and {} "
                                 "regions",
                                 trade.name, sectors_.size(), regions_.size()));
  }
}

std::size_t Converter::CgdsIndex(const har::HeaderArray& array, std::size_t d) const {
  const std::vector<std::string> labels = Labels(array, d);
  for (std::size_t k = 0; k < labels.size(); ++k) {
    if (Lower(labels[k]) == "cgds") return k;
  }
  if (labels.empty() && Extent(array, d) == sectors_.size() + 1) return sectors_.size();
  return kAbsent;
}

std::vector<std::size_t> Converter::MapDimension(const har::HeaderArray& array, std::size_t d,
                                                 const std::vector<std::string>& names,
                                                 bool activities) {
  const std::vector<std::string> labels = Labels(array, d);
  const std::size_t extent = Extent(array, d);
  std::vector<std::size_t> map(names.size(), kAbsent);
  if (labels.empty()) {
    if (extent != names.size() && !(activities && extent == names.size() + 1)) {
      throw InputError(fmt::format("GTAP: header {} dimension {} has {} elements and no labels; "
                                   "expected {}",
                                   array.name, d + 1, extent, names.size()));
    }
    for (std::size_t k = 0; k < names.size(); ++k) map[k] = k;
    return map;
  }
  for (std::size_t k = 0; k < labels.size(); ++k) {
    const std::string label = Lower(labels[k]);
    bool matched = false;
    for (std::size_t n = 0; n < names.size(); ++n) {
      if (Lower(names[n]) == label) {
        map[n] = k;
        matched = true;
      }
    }
    if (!matched && !(activities && label == "cgds")) {
      throw InputError(fmt::format(
          "GTAP: header {} has element '{}' in set {}, which is not among {} ({}){}", array.name,
          labels[k], array.sets[d].name, activities ? "the commodities" : "the set's elements",
          fmt::join(names, ", "),
          activities ? "; activities that differ from commodities (a non-diagonal make matrix) "
                       "are not supported"
                     : ""));
    }
  }
  return map;
}

View Converter::Real(std::initializer_list<const char*> names, std::initializer_list<int> dims) {
  const har::HeaderArray* array = Pick(arrays_.basedata, names);
  if (array == nullptr) return View();
  std::vector<std::vector<std::size_t>> maps;
  std::size_t d = 0;
  for (const int dim : dims) {
    switch (dim) {
      case kComm:
        maps.push_back(MapDimension(*array, d, sectors_, false));
        break;
      case kActs:
        maps.push_back(MapDimension(*array, d, sectors_, true));
        break;
      case kReg:
        maps.push_back(MapDimension(*array, d, regions_, false));
        break;
      default:
        maps.push_back(MapDimension(*array, d, factors_, false));
    }
    ++d;
  }
  for (; d < array->extents.size(); ++d) {
    if (array->extents[d] != 1) {
      throw InputError(fmt::format("GTAP: header {} has {} dimensions, expected {}", array->name,
                                   array->extents.size(), dims.size()));
    }
  }
  return View(array, std::move(maps));
}

// A per-sector parameter from default.prm: first dimension commodities or activities, an
// optional second dimension of regions (averaged). `fallback` where absent.
std::vector<double> Converter::SectorParameter(std::initializer_list<const char*> names,
                                               double fallback, const char* what) {
  std::vector<double> values(sectors_.size(), fallback);
  const har::HeaderArray* array = Pick(arrays_.parameters, names);
  if (array == nullptr || array->type != har::ArrayType::kReal) {
    report_->notes.push_back(
        fmt::format("{}: not in the parameter file, ohlin's default {:g}", what, fallback));
    return values;
  }
  const std::vector<std::size_t> map = MapDimension(*array, 0, sectors_, true);
  const std::size_t extent0 = Extent(*array, 0);
  const std::size_t columns = array->reals.size() / std::max<std::size_t>(extent0, 1);
  for (std::size_t i = 0; i < sectors_.size(); ++i) {
    if (map[i] == kAbsent) continue;
    double sum = 0.0;
    for (std::size_t c = 0; c < columns; ++c) sum += array->reals[c * extent0 + map[i]];
    values[i] = columns > 0 ? sum / static_cast<double>(columns) : fallback;
  }
  report_->notes.push_back(fmt::format("{}: {} from the parameter file{}", what, array->name,
                                       columns > 1 ? " (mean over regions)" : ""));
  return values;
}

Benchmark Converter::Run(const GtapImportOptions& options) {
  ReadSets();
  const std::size_t num_r = regions_.size(), num_i = sectors_.size(), num_f = factors_.size();
  Benchmark data;
  data.name = "GTAP data base";
  data.units = "USD million";
  data.source = fmt::format(
      "GTAP data base (licensed by the Center for Global Trade Analysis, Purdue University), {}, "
      "imported by ohlin import gtap: margins as iceberg costs, domestic taxes folded into value "
      "added, government and investment folded into final demand",
      report_->generation);
  data.regions = regions_;
  data.sectors = sectors_;
  for (const std::string& name : factors_) data.factors.push_back({name, FactorMobility::kMobile});
  data.ResizeTables();

  const View evfb = Real({"EVFB", "VFM"}, {kEndw, kActs, kReg});
  const View vdfb = Real({"VDFB", "VDFM"}, {kComm, kActs, kReg});
  const View vmfb = Real({"VMFB", "VIFM"}, {kComm, kActs, kReg});
  const View vdfp = Real({"VDFP", "VDFA"}, {kComm, kActs, kReg});
  const View vmfp = Real({"VMFP", "VIFA"}, {kComm, kActs, kReg});
  const View vdpb = Real({"VDPB", "VDPM"}, {kComm, kReg});
  const View vmpb = Real({"VMPB", "VIPM"}, {kComm, kReg});
  const View vdgb = Real({"VDGB", "VDGM"}, {kComm, kReg});
  const View vmgb = Real({"VMGB", "VIGM"}, {kComm, kReg});
  const View vdib = Real({"VDIB"}, {kComm, kReg});
  const View vmib = Real({"VMIB"}, {kComm, kReg});
  const View vxsb = Real({"VXSB", "VXMD"}, {kComm, kReg, kReg});
  const View vfob = Real({"VFOB", "VXWD"}, {kComm, kReg, kReg});
  const View vcif = Real({"VCIF", "VIWS"}, {kComm, kReg, kReg});
  const View vmsb = Real({"VMSB", "VIMS"}, {kComm, kReg, kReg});
  const View vst = Real({"VST"}, {kComm, kReg});
  if (!vdfb.present() || !vmfb.present()) {
    throw InputError("GTAP base data: no header VDFB/VDFM or VMFB/VIFM (firms' purchases)");
  }
  if (!vfob.present() || !vcif.present() || !vmsb.present()) {
    report_->notes.push_back("VFOB/VCIF/VMSB (or VXWD/VIWS/VIMS) missing: export taxes, "
                             "margins or tariffs taken as zero where absent");
  }
  // Investment: VDIB/VMIB (v11), else the CGDS activity column of firms' purchases.
  const har::HeaderArray* vdfb_array = Pick(arrays_.basedata, {"VDFB", "VDFM"});
  const har::HeaderArray* vmfb_array = Pick(arrays_.basedata, {"VMFB", "VIFM"});
  const std::size_t cgds_d = CgdsIndex(*vdfb_array, 1), cgds_m = CgdsIndex(*vmfb_array, 1);
  auto cgds = [&](const har::HeaderArray* array, std::size_t k, std::size_t j, std::size_t r) {
    if (k == kAbsent) return 0.0;
    const std::vector<std::size_t> jm = MapDimension(*array, 0, sectors_, false);
    const std::vector<std::size_t> rm = MapDimension(*array, 2, regions_, false);
    if (jm[j] == kAbsent || rm[r] == kAbsent) return 0.0;
    return array->reals[(rm[r] * Extent(*array, 1) + k) * Extent(*array, 0) + jm[j]];
  };

  double export_tax_revenue = 0.0, margins = 0.0, tariff_revenue = 0.0, imports_cif = 0.0;
  double margin_supply = 0.0, clamped_margins = 0.0, exports_fob = 0.0;
  int inconsistent_flows = 0;
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      margin_supply += vst(i, r);
      for (std::size_t s = 0; s < num_r; ++s) {
        if (r == s) continue;
        const double xs = vxsb(i, r, s);
        if (!(xs > 0.0)) {
          if (vmsb(i, r, s) > 0.0) ++inconsistent_flows;
          continue;
        }
        const double fob = vfob(i, r, s) > 0.0 ? vfob(i, r, s) : xs;
        double cif = vcif(i, r, s) > 0.0 ? vcif(i, r, s) : fob;
        const double msb = vmsb(i, r, s) > 0.0 ? vmsb(i, r, s) : cif;
        if (cif < fob) {  // a negative margin: no iceberg cost, its value moves to the tariff
          clamped_margins += fob - cif;
          cif = fob;
        }
        const double tx = fob / xs - 1.0, ntb = cif / fob - 1.0, tm = msb / cif - 1.0;
        data.export_taxes(i, r, s) = tx;
        data.ntb(i, r, s) = ntb;
        data.tariffs(i, r, s) = tm;
        data.trade(i, r, s) = xs * (1.0 + ntb);
        export_tax_revenue += fob - xs;
        margins += cif - fob;
        tariff_revenue += msb - cif;
        imports_cif += cif;
        exports_fob += fob;
      }
    }
  }

  double private_demand = 0.0, government_demand = 0.0, investment_demand = 0.0;
  double intermediate_taxes = 0.0, intermediates_basic = 0.0;
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t j = 0; j < num_i; ++j) {
      double domestic = 0.0;
      for (std::size_t i = 0; i < num_i; ++i) {
        domestic += vdfb(j, i, r);
        data.intermediates(j, i, r) = vdfb(j, i, r) + vmfb(j, i, r);
        intermediates_basic += data.intermediates(j, i, r);
        if (vdfp.present() && vmfp.present()) {
          intermediate_taxes += vdfp(j, i, r) + vmfp(j, i, r) - data.intermediates(j, i, r);
        }
      }
      const double investment_d = vdib(j, r) + cgds(vdfb_array, cgds_d, j, r);
      const double investment_m = vmib(j, r) + cgds(vmfb_array, cgds_m, j, r);
      domestic += vdpb(j, r) + vdgb(j, r) + investment_d;
      data.trade(j, r, r) = domestic;
      const double private_use = vdpb(j, r) + vmpb(j, r);
      const double government_use = vdgb(j, r) + vmgb(j, r);
      const double investment_use = investment_d + investment_m;
      data.final_demand[r][0][j] = private_use + government_use + investment_use;
      private_demand += private_use;
      government_demand += government_use;
      investment_demand += investment_use;
    }
  }

  // Value added = output - intermediates, split in proportion to EVFB.
  double factor_basic = 0.0, tax_fold = 0.0, margin_fold = 0.0, dropped = 0.0;
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t i = 0; i < num_i; ++i) {
      double output = 0.0, exports_basic = 0.0, inputs = 0.0, payments = 0.0;
      for (std::size_t s = 0; s < num_r; ++s) {
        output += data.trade(i, r, s);
        if (s != r) exports_basic += vxsb(i, r, s);
      }
      for (std::size_t j = 0; j < num_i; ++j) inputs += data.intermediates(j, i, r);
      for (std::size_t f = 0; f < num_f; ++f) payments += evfb(f, i, r);
      factor_basic += payments;
      const double gtap_output = data.trade(i, r, r) + exports_basic + vst(i, r);
      if (!(output > 0.0)) {
        // No sales: the sector's inputs and payments (if any) are dropped and reported.
        dropped += inputs + payments;
        for (std::size_t j = 0; j < num_i; ++j) data.intermediates(j, i, r) = 0.0;
        continue;
      }
      const double value_added = output - inputs;
      if (!(value_added > 0.0) || !(payments > 0.0)) {
        throw InputError(fmt::format(
            "GTAP: sector {} of {}: output {:.6g} (after folding margins) against intermediate "
            "costs {:.6g} and factor payments {:.6g}: no positive value added to give the "
            "factors",
            sectors_[i], regions_[r], output, inputs, payments));
      }
      for (std::size_t f = 0; f < num_f; ++f) {
        data.factor_payments(f, i, r) = value_added * evfb(f, i, r) / payments;
      }
      tax_fold += (gtap_output - inputs) - payments;
      margin_fold += output - gtap_output;
    }
  }

  const double final_demand = private_demand + government_demand + investment_demand;
  Fold("government demand -> final demand of the household", government_demand, final_demand,
       "final demand");
  Fold("investment demand -> final demand of the household", investment_demand, final_demand,
       "final demand");
  Fold("output, factor and intermediate-use taxes -> factor payments", tax_fold, factor_basic,
       "factor payments at basic prices (EVFB)");
  if (vdfp.present() && vmfp.present()) {
    Fold("  of which taxes on intermediate use (purchaser - basic)", intermediate_taxes,
         intermediates_basic, "intermediates at basic prices");
  }
  Fold("transport margins (VCIF - VFOB) -> iceberg cost ntb, shipped by the exporter", margins,
       imports_cif, "imports cif");
  Fold("margin supply (VST) removed from the margin sectors' output", margin_supply, margins,
       "margins");
  Fold("net change of value added from the margin fold", margin_fold, factor_basic,
       "factor payments at basic prices (EVFB)");
  Fold("export taxes (VFOB - VXSB), kept as rates tx", export_tax_revenue, exports_fob,
       "exports fob");
  Fold("tariffs (VMSB - VCIF), kept as rates tm", tariff_revenue, imports_cif, "imports cif");
  if (clamped_margins > 0.0) {
    Fold("negative margins (VCIF < VFOB) set to zero, moved into tariffs", clamped_margins,
         margins, "margins");
  }
  if (dropped > 0.0) {
    Fold("inputs and payments of sectors without sales, dropped", dropped, factor_basic,
         "factor payments at basic prices (EVFB)");
  }
  if (inconsistent_flows > 0) {
    report_->notes.push_back(fmt::format(
        "{} flows with imports (VMSB) but no exports at basic prices (VXSB) skipped",
        inconsistent_flows));
  }

  // Elasticities and factor mobility (default.prm).
  data.elasticities.armington =
      SectorParameter({"ESBD"}, 5.0, "armington (ESBD, domestic vs imported)");
  data.elasticities.value_added = SectorParameter({"ESBV"}, 1.0, "value_added (ESBV)");
  data.elasticities.top = SectorParameter({"ESBT"}, 0.0, "top (ESBT)");
  data.elasticities.consumption = 1.0;
  report_->notes.push_back("consumption: 1 (Cobb-Douglas; GTAP's CDE demand is not represented)");
  if (const har::HeaderArray* esbm = Pick(arrays_.parameters, {"ESBM"})) {
    double sum = 0.0;
    for (const double value : esbm->reals) sum += value;
    report_->notes.push_back(fmt::format(
        "ESBM (across import sources, mean {:.3g}) not used: ohlin has one Armington nest",
        esbm->reals.empty() ? 0.0 : sum / static_cast<double>(esbm->reals.size())));
  }
  if (const har::HeaderArray* slug = Pick(arrays_.parameters, {"SLUG"})) {
    std::vector<std::string> specific;
    for (std::size_t f = 0; f < num_f; ++f) {
      const std::vector<std::string> labels = Labels(*slug, 0);
      std::size_t k = labels.empty() ? f : kAbsent;
      for (std::size_t n = 0; n < labels.size(); ++n) {
        if (Lower(labels[n]) == Lower(factors_[f])) k = n;
      }
      double value = 0.0;
      if (k != kAbsent && k < slug->reals.size()) value = slug->reals[k];
      if (k != kAbsent && k < slug->ints.size()) value = slug->ints[k];
      if (value > 0.5) {
        data.factors[f].mobility = FactorMobility::kSpecific;
        specific.push_back(factors_[f]);
      }
    }
    report_->notes.push_back(
        specific.empty() ? std::string("SLUG: every factor mobile")
                         : fmt::format("SLUG: sector-specific factors {}", fmt::join(specific, ", ")));
  }

  return Balance(data, options.balance, &report_->balance);
}

std::vector<har::HeaderArray> ReadFirst(const std::string& dir,
                                        std::initializer_list<const char*> names, bool required,
                                        GtapImportReport* report) {
  std::error_code error;
  for (const char* name : names) {
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      if (Lower(entry.path().filename().string()) == name) {
        report->files.push_back(entry.path().string());
        return har::ReadHar(entry.path().string());
      }
    }
  }
  if (error) throw InputError(fmt::format("{}: cannot list the folder: {}", dir, error.message()));
  if (required) {
    throw InputError(fmt::format("{}: no GTAP base data (basedata.har or gsddat.har)", dir));
  }
  return {};
}

}  // namespace

Benchmark ConvertGtap(const GtapArrays& arrays, const GtapImportOptions& options,
                      GtapImportReport* report) {
  GtapImportReport local;
  Converter converter(arrays, report != nullptr ? report : &local);
  return converter.Run(options);
}

Benchmark ImportGtap(const std::string& dir, const GtapImportOptions& options,
                     GtapImportReport* report) {
  GtapImportReport local;
  GtapImportReport* out = report != nullptr ? report : &local;
  if (!std::filesystem::is_directory(dir)) {
    throw InputError(fmt::format("{}: not a folder (expected a GTAP data base folder)", dir));
  }
  GtapArrays arrays;
  arrays.basedata = ReadFirst(dir, {"basedata.har", "gsddat.har"}, true, out);
  arrays.sets = ReadFirst(dir, {"sets.har", "gsdset.har"}, false, out);
  arrays.parameters = ReadFirst(dir, {"default.prm", "gsdpar.har"}, false, out);
  Benchmark data = ConvertGtap(arrays, options, out);
  data.name = "GTAP data base " + std::filesystem::path(dir).filename().string();
  return data;
}

}  // namespace ohlin
