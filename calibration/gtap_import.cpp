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
// What goes where (MODEL.md section 2; docs/GTAP.md for users):
// - Sets: the commodities and regions labelling VXSB/VXMD, the endowments labelling EVFB/VFM.
//   ohlin's sectors are the commodities. Activities named as the commodities (the diagonal make
//   matrix of the standard data base) map one to one; an activity named CGDS (v7-v9) is
//   investment demand, not a sector. Other activities (a non-diagonal MAKE) are converted by the
//   industry-technology assumption: each activity's inputs and factor payments are shared among
//   the commodities it makes in proportion to MAKB (each commodity then has the average
//   technology of the activities making it; shares are never negative).
// - Trade between regions (r != s), so that every GTAP revenue is kept exactly:
//     X = VXSB + (VCIF - VFOB), ntb = (VCIF - VFOB) / VXSB, tx = (VFOB - VXSB) / X,
//     tm = VMSB / VCIF - 1.
//   Then X (1+tx) = VCIF, X (1+tx)(1+tm) = VMSB, export-tax revenue tx X = VFOB - VXSB, tariff
//   revenue = VMSB - VCIF, and the melted units are worth VCIF - VFOB: the exporter ships the
//   units that the margin uses up. Margin supply (VST) is removed from the margin sectors'
//   output, since each exporter now supplies its own transport.
// - Trade within a region (VXSB(i,r,r), from regions that aggregate countries) is a domestic
//   sale, where MODEL.md has no tax and no margin (as `ohlin aggregate` does for merged
//   regions): the producer's sale is VXSB + margin, and its export tax and tariff leave the
//   buyers' import purchases (VMFB, VMPB, VMGB, VMIB) in proportion to them.
// - Domestic sales X[i,r,r] = every domestic purchase at basic prices plus that intra-regional
//   trade, computed as absorption minus imports from other regions so the market clears exactly.
// - Intermediates VIM[j,i,r] = domestic + imported purchases at basic prices. MODEL.md's
//   "purchaser's price" of a composite is the price after tariffs and export taxes, which is
//   GTAP's basic price of imports; MODEL.md has no taxes on the use of a good (one composite
//   price for every user), so GTAP's commodity taxes on intermediates are folded into value added.
// - Factor payments: value added = output - intermediates, split across factors in proportion
//   to EVFB. This folds output taxes, factor taxes, taxes on intermediates and the margin
//   adjustment into factor payments, so that zero profit holds exactly; the fold is reported.
//   Where value added would not be positive (input subsidies: purchasers' prices below basic
//   prices), each subsidised input is valued at purchasers' prices and the subsidy moves to the
//   region's final demand of that good (the government buys that part of the input); every such
//   cell is reported. A sector still without positive value added is refused, naming it.
// - Final demand (one household per region): private + government + investment purchases at
//   basic prices. Taxes on final purchases are left out (they are neither spending on goods nor
//   income in MODEL.md); the household's income gap shows up as its trade deficit D[r].
// - Elasticities (default.prm): armington = ESBD (domestic vs imported; a single CES nest across
//   all origins, so GTAP's ESBM across import sources is reported, not used), value_added = ESBV,
//   top = ESBT where present (else 0, Leontief as in GTAP), consumption 1 (Cobb-Douglas instead
//   of GTAP's CDE). Arrays with a region dimension (v11) are averaged over regions.
// - Factor mobility: SLUG = 1 (v7-v9), else EFLG's "sluggish" or "fixed" columns (v10+), else
//   membership of the sets ENDS or ENDF of the sets file: such a factor is sector-specific;
//   ENDM, EFLG "mobile" or SLUG = 0 is mobile. The choice is printed for every factor.
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
#include "calibration/tensor.h"

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
  enum Dim { kComm = 0, kActs = 1, kReg = 2, kEndw = 3 };
  // Firms' purchases and factor payments by sector (commodity), before any fold.
  struct Firms {
    Tensor3 dom, imp, dom_p, imp_p;  // (j, i, r): basic and purchasers' prices
    Tensor3 payments;                // (f, i, r), EVFB
    Tensor3 investment;              // (j, 0|1, r): CGDS column of v7-v9, domestic | imported
    bool purchasers = false;         // VDFP/VMFP present
  };

  // Header names of the generation read: `fresh` for v10-v11, `old` for v7-v9.
  const char* H(const char* fresh, const char* old) const { return new_names_ ? fresh : old; }
  [[noreturn]] void Fail(const std::string& file, const std::string& why) const {
    throw InputError(fmt::format("{}: {}", file, why));
  }
  const har::HeaderArray& Require(std::initializer_list<const char*> names, const char* what);
  void ReadSets();
  void ReadActivities();
  std::vector<std::size_t> MapDimension(const har::HeaderArray& array, std::size_t d,
                                        const std::vector<std::string>& names, bool activities);
  View Real(std::initializer_list<const char*> names, std::initializer_list<int> dims);
  std::size_t CgdsIndex(const har::HeaderArray& array, std::size_t d) const;
  Tensor3 BySector(const View& view, std::size_t n0) const;
  Firms ReadFirms();
  void ReadTrade(Benchmark* data);
  void ReadAbsorption(const Firms& firms, Benchmark* data);
  void SetValueAdded(const Firms& firms, Benchmark* data);
  double FoldInputSubsidies(const Firms& firms, std::size_t i, std::size_t r, double value_added,
                            Benchmark* data);
  void ReportFolds(const Firms& firms);
  std::vector<double> SectorParameter(std::initializer_list<const char*> names,
                                      double fallback, const char* what);
  // GTAP's endowment types (SLUG, EFLG, ENDM/ENDS/ENDF); sluggish and fixed become specific.
  enum class Kind { kUnknown, kMobile, kSluggish, kFixed };
  std::size_t FactorIndex(const std::vector<std::string>& labels, std::size_t f) const;
  std::vector<Kind> KindsFromSlug(const har::HeaderArray& slug) const;
  std::vector<Kind> KindsFromEflg(const har::HeaderArray& eflg) const;
  std::vector<Kind> KindsFromSets() const;
  void ReadMobility(Benchmark* data);
  void Fold(const std::string& what, double value, double reference, const std::string& of) {
    report_->folds.push_back({what, value, reference != 0.0 ? value / reference : 0.0, of});
  }

  const GtapArrays& arrays_;
  GtapImportReport* report_;
  bool new_names_ = true;
  std::vector<std::string> regions_, sectors_, factors_, activities_;
  // make_[r][a]: the sectors that activity a makes in region r, with its output shares.
  std::vector<std::vector<std::vector<std::pair<std::size_t, double>>>> make_;
  bool diagonal_make_ = true;
  std::string make_header_;
  std::vector<double> activity_output_;  // world output by activity (weights for parameters)

  // World totals for the report, filled as the conversion goes.
  struct Totals {
    double export_taxes = 0, margins = 0, tariffs = 0, imports_cif = 0, exports_fob = 0;
    double clamped_margins = 0, margin_supply = 0;
    double diagonal_exports = 0, diagonal_export_taxes = 0, diagonal_margins = 0;
    double diagonal_tariffs = 0, diagonal_unmatched = 0;
    double private_demand = 0, government_demand = 0, investment_demand = 0;
    double intermediate_taxes = 0, intermediates_basic = 0;
    double factor_basic = 0, tax_fold = 0, margin_fold = 0, dropped = 0;
    double subsidies = 0, negative_payments = 0;
    int inconsistent_flows = 0, subsidy_cells = 0;
  } totals_;
  Tensor3 diagonal_taxes_;    // (i, r, 0): tx + tm revenue on trade within r
  Tensor3 diagonal_margins_;  // (i, r, 0): margins on trade within r
  Tensor3 margin_shift_;      // (i, r, 0): output minus GTAP's from the margin fold
  std::vector<std::string> refusals_;      // sectors without positive value added
};

const har::HeaderArray& Converter::Require(std::initializer_list<const char*> names,
                                           const char* what) {
  if (const har::HeaderArray* found = Pick(arrays_.basedata, names)) {
    if (found->type != har::ArrayType::kReal) {
      Fail(arrays_.basedata_file,
           fmt::format("header {} ({}) is of type {}, expected a real array (RE)", found->name,
                       what, har::ArrayTypeCode(found->type)));
    }
    return *found;
  }
  std::string list;
  for (const char* name : names) list += (list.empty() ? "" : " or ") + std::string(name);
  Fail(arrays_.basedata_file, fmt::format("no header {} ({})", list, what));
}

// Sets of a sets file: the 1C array with one of `names`.
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
  auto settle = [&](std::vector<std::string>* from_array, const std::vector<std::string>& from_file,
                    const char* what, const har::HeaderArray& array) {
    if (from_array->empty()) {
      if (from_file.empty()) {
        Fail(arrays_.basedata_file,
             fmt::format("header {}: the set of {} is neither labelled in the base data nor in "
                         "the sets file",
                         array.name, what));
      }
      *from_array = from_file;
      return;
    }
    if (!from_file.empty()) {
      std::vector<std::string> a, b;
      for (const std::string& x : *from_array) a.push_back(Lower(x));
      for (const std::string& x : from_file) b.push_back(Lower(x));
      if (a != b) {
        Fail(arrays_.sets_file,
             fmt::format("the {} of the base data (header {}: {}) differ from the sets file ({})",
                         what, array.name, fmt::join(*from_array, ", "),
                         fmt::join(from_file, ", ")));
      }
    }
  };
  settle(&sectors_, file_comm, "commodities", trade);
  settle(&regions_, file_regions, "regions", trade);
  settle(&factors_, file_endw, "endowments", factors);
  if (trade.extents.size() != 3 || Extent(trade, 0) != sectors_.size() ||
      Extent(trade, 1) != regions_.size() || Extent(trade, 2) != regions_.size()) {
    Fail(arrays_.basedata_file,
         fmt::format("header {} has extents {} that do not match {} commodities x {} regions x "
                     "{} regions",
                     trade.name, fmt::join(trade.extents, "x"), sectors_.size(), regions_.size(),
                     regions_.size()));
  }
  if (Extent(factors, 0) != factors_.size()) {
    Fail(arrays_.basedata_file, fmt::format("header {} has {} endowments, the sets {}",
                                            factors.name, Extent(factors, 0), factors_.size()));
  }
  ReadActivities();
}

// Activities: the labels of EVFB's second dimension without CGDS. Named as the commodities they
// map one to one; otherwise the make matrix MAKB (or MAKS) shares them among commodities.
void Converter::ReadActivities() {
  const har::HeaderArray& factors = Require({"EVFB", "VFM"}, "factor payments");
  activities_.clear();
  for (const std::string& label : Labels(factors, 1)) {
    if (Lower(label) != "cgds") activities_.push_back(label);
  }
  if (activities_.empty()) activities_ = sectors_;
  std::vector<std::size_t> sector_of(activities_.size(), kAbsent);
  for (std::size_t a = 0; a < activities_.size(); ++a) {
    for (std::size_t i = 0; i < sectors_.size(); ++i) {
      if (Lower(activities_[a]) == Lower(sectors_[i])) sector_of[a] = i;
    }
  }
  diagonal_make_ = activities_.size() == sectors_.size() &&
                   std::find(sector_of.begin(), sector_of.end(), kAbsent) == sector_of.end();
  const std::size_t num_r = regions_.size(), num_a = activities_.size();
  make_.assign(num_r, std::vector<std::vector<std::pair<std::size_t, double>>>(num_a));
  activity_output_.assign(num_a, 0.0);
  if (diagonal_make_) {
    for (auto& region : make_) {
      for (std::size_t a = 0; a < num_a; ++a) region[a] = {{sector_of[a], 1.0}};
    }
    for (std::size_t a = 0; a < num_a; ++a) activity_output_[a] = 1.0;
    return;
  }
  const har::HeaderArray* make = Pick(arrays_.basedata, {"MAKB", "MAKS"});
  if (make == nullptr) {
    Fail(arrays_.basedata_file,
         fmt::format("the activities of header {} ({}) differ from the commodities ({}) and "
                     "there is no make matrix (MAKB or MAKS) to map them; aggregate the data "
                     "base so that every activity makes the commodity of the same name",
                     factors.name, fmt::join(activities_, ", "), fmt::join(sectors_, ", ")));
  }
  make_header_ = make->name;
  const View view = Real({make->name.c_str()}, {kComm, kActs, kReg});
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t a = 0; a < num_a; ++a) {
      double total = 0.0;
      for (std::size_t i = 0; i < sectors_.size(); ++i) total += std::max(0.0, view(i, a, r));
      activity_output_[a] += total;
      if (!(total > 0.0)) continue;
      for (std::size_t i = 0; i < sectors_.size(); ++i) {
        if (view(i, a, r) > 0.0) make_[r][a].push_back({i, view(i, a, r) / total});
      }
    }
  }
  report_->notes.push_back(fmt::format(
      "activities ({}) differ from commodities: industry-technology assumption, each activity's "
      "inputs and factor payments shared among its commodities in proportion to {}",
      num_a, make->name));
}

std::size_t Converter::CgdsIndex(const har::HeaderArray& array, std::size_t d) const {
  const std::vector<std::string> labels = Labels(array, d);
  for (std::size_t k = 0; k < labels.size(); ++k) {
    if (Lower(labels[k]) == "cgds") return k;
  }
  if (labels.empty() && Extent(array, d) == activities_.size() + 1) return activities_.size();
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
      Fail(arrays_.basedata_file,
           fmt::format("header {} dimension {} has {} elements and no labels; expected {}",
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
      Fail(arrays_.basedata_file,
           fmt::format("header {} has element '{}' in set {}, which is not among the {} ({})",
                       array.name, labels[k], array.sets[d].name,
                       activities ? "activities" : "set's elements", fmt::join(names, ", ")));
    }
  }
  return map;
}

View Converter::Real(std::initializer_list<const char*> names, std::initializer_list<int> dims) {
  const har::HeaderArray* array = Pick(arrays_.basedata, names);
  if (array == nullptr) return View();
  if (array->type != har::ArrayType::kReal) {
    Fail(arrays_.basedata_file, fmt::format("header {} is of type {}, expected a real array (RE)",
                                            array->name, har::ArrayTypeCode(array->type)));
  }
  std::vector<std::vector<std::size_t>> maps;
  std::size_t d = 0;
  for (const int dim : dims) {
    switch (dim) {
      case kComm:
        maps.push_back(MapDimension(*array, d, sectors_, false));
        break;
      case kActs:
        maps.push_back(MapDimension(*array, d, activities_, true));
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
      Fail(arrays_.basedata_file,
           fmt::format("header {} has {} dimensions ({}), expected {}", array->name,
                       array->extents.size(), fmt::join(array->extents, "x"), dims.size()));
    }
  }
  return View(array, std::move(maps));
}

// view(k, a, r) over activities -> (k, i, r) over sectors, by the make shares.
Tensor3 Converter::BySector(const View& view, std::size_t n0) const {
  Tensor3 out(n0, sectors_.size(), regions_.size());
  if (!view.present()) return out;
  for (std::size_t r = 0; r < regions_.size(); ++r) {
    for (std::size_t a = 0; a < activities_.size(); ++a) {
      for (const auto& [i, share] : make_[r][a]) {
        for (std::size_t k = 0; k < n0; ++k) out(k, i, r) += share * view(k, a, r);
      }
    }
  }
  return out;
}

Converter::Firms Converter::ReadFirms() {
  const std::size_t num_i = sectors_.size(), num_r = regions_.size();
  Firms firms;
  const View vdfb = Real({"VDFB", "VDFM"}, {kComm, kActs, kReg});
  const View vmfb = Real({"VMFB", "VIFM"}, {kComm, kActs, kReg});
  if (!vdfb.present() || !vmfb.present()) {
    Fail(arrays_.basedata_file, "no header VDFB/VDFM or VMFB/VIFM (firms' purchases)");
  }
  const View vdfp = Real({"VDFP", "VDFA"}, {kComm, kActs, kReg});
  const View vmfp = Real({"VMFP", "VIFA"}, {kComm, kActs, kReg});
  firms.purchasers = vdfp.present() && vmfp.present();
  firms.dom = BySector(vdfb, num_i);
  firms.imp = BySector(vmfb, num_i);
  firms.dom_p = BySector(vdfp, num_i);
  firms.imp_p = BySector(vmfp, num_i);
  firms.payments = BySector(Real({"EVFB", "VFM"}, {kEndw, kActs, kReg}), factors_.size());
  // Investment in v7-v9: the CGDS activity column of firms' purchases.
  firms.investment = Tensor3(num_i, 2, num_r);
  int column = 0;
  for (const char* name : {H("VDFB", "VDFM"), H("VMFB", "VIFM")}) {
    const har::HeaderArray* array = Pick(arrays_.basedata, {name});
    const std::size_t k = CgdsIndex(*array, 1);
    if (k != kAbsent) {
      const std::vector<std::size_t> jm = MapDimension(*array, 0, sectors_, false);
      const std::vector<std::size_t> rm = MapDimension(*array, 2, regions_, false);
      for (std::size_t j = 0; j < num_i; ++j) {
        for (std::size_t r = 0; r < num_r; ++r) {
          if (jm[j] == kAbsent || rm[r] == kAbsent) continue;
          firms.investment(j, static_cast<std::size_t>(column), r) =
              array->reals[(rm[r] * Extent(*array, 1) + k) * Extent(*array, 0) + jm[j]];
        }
      }
    }
    ++column;
  }
  for (double& value : firms.payments.data()) {
    if (value < 0.0) {
      totals_.negative_payments -= value;
      value = 0.0;
    }
  }
  return firms;
}

// Trade between regions as rates and shipped values; trade within a region is recorded for the
// absorption step (its taxes leave the buyers' import purchases).
void Converter::ReadTrade(Benchmark* data) {
  const std::size_t num_i = sectors_.size(), num_r = regions_.size();
  const View vxsb = Real({"VXSB", "VXMD"}, {kComm, kReg, kReg});
  const View vfob = Real({"VFOB", "VXWD"}, {kComm, kReg, kReg});
  const View vcif = Real({"VCIF", "VIWS"}, {kComm, kReg, kReg});
  const View vmsb = Real({"VMSB", "VIMS"}, {kComm, kReg, kReg});
  if (!vfob.present() || !vcif.present() || !vmsb.present()) {
    report_->notes.push_back(fmt::format(
        "{}/{}/{} missing: export taxes, margins or tariffs taken as zero where absent",
        H("VFOB", "VXWD"), H("VCIF", "VIWS"), H("VMSB", "VIMS")));
  }
  diagonal_taxes_ = Tensor3(num_i, num_r, 1);
  diagonal_margins_ = Tensor3(num_i, num_r, 1);
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t s = 0; s < num_r; ++s) {
        const double xs = vxsb(i, r, s);
        if (!(xs > 0.0)) {
          if (vmsb(i, r, s) > 0.0) ++totals_.inconsistent_flows;
          continue;
        }
        const double fob = vfob(i, r, s) > 0.0 ? vfob(i, r, s) : xs;
        double cif = vcif(i, r, s) > 0.0 ? vcif(i, r, s) : fob;
        const double msb = vmsb(i, r, s) > 0.0 ? vmsb(i, r, s) : cif;
        if (cif < fob) {  // a negative margin: no iceberg cost, its value moves to the tariff
          totals_.clamped_margins += fob - cif;
          cif = fob;
        }
        if (r == s) {
          totals_.diagonal_exports += xs;
          totals_.diagonal_export_taxes += fob - xs;
          totals_.diagonal_margins += cif - fob;
          totals_.diagonal_tariffs += msb - cif;
          diagonal_taxes_(i, r, 0) = (fob - xs) + (msb - cif);
          diagonal_margins_(i, r, 0) = cif - fob;
          continue;
        }
        const double shipped = xs + (cif - fob);
        data->trade(i, r, s) = shipped;
        data->ntb(i, r, s) = (cif - fob) / xs;
        data->export_taxes(i, r, s) = (fob - xs) / shipped;
        data->tariffs(i, r, s) = msb / cif - 1.0;
        totals_.export_taxes += fob - xs;
        totals_.margins += cif - fob;
        totals_.tariffs += msb - cif;
        totals_.imports_cif += cif;
        totals_.exports_fob += fob;
      }
    }
  }
}

// Intermediates, final demand and domestic sales (the residual that clears each market).
void Converter::ReadAbsorption(const Firms& firms, Benchmark* data) {
  const std::size_t num_i = sectors_.size(), num_r = regions_.size();
  const View vdpb = Real({"VDPB", "VDPM"}, {kComm, kReg});
  const View vmpb = Real({"VMPB", "VIPM"}, {kComm, kReg});
  const View vdgb = Real({"VDGB", "VDGM"}, {kComm, kReg});
  const View vmgb = Real({"VMGB", "VIGM"}, {kComm, kReg});
  const View vdib = Real({"VDIB"}, {kComm, kReg});
  const View vmib = Real({"VMIB"}, {kComm, kReg});
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t j = 0; j < num_i; ++j) {
      const double investment_m = vmib(j, r) + firms.investment(j, 1, r);
      double imports = vmpb(j, r) + vmgb(j, r) + investment_m;
      for (std::size_t i = 0; i < num_i; ++i) imports += firms.imp(j, i, r);
      // The taxes on trade within r leave every import purchase of j in proportion.
      // (Inconsistent data: taxes beyond the purchases stay with the buyers, reported.)
      const double removed =
          imports > 0.0 ? std::min(diagonal_taxes_(j, r, 0), imports) : 0.0;
      const double keep = imports > 0.0 ? 1.0 - removed / imports : 1.0;
      totals_.diagonal_unmatched += diagonal_taxes_(j, r, 0) - removed;
      double absorption = 0.0;
      for (std::size_t i = 0; i < num_i; ++i) {
        data->intermediates(j, i, r) = firms.dom(j, i, r) + keep * firms.imp(j, i, r);
        absorption += data->intermediates(j, i, r);
        totals_.intermediates_basic += firms.dom(j, i, r) + firms.imp(j, i, r);
        if (firms.purchasers) {
          totals_.intermediate_taxes += firms.dom_p(j, i, r) + firms.imp_p(j, i, r) -
                                        firms.dom(j, i, r) - firms.imp(j, i, r);
        }
      }
      const double private_use = vdpb(j, r) + keep * vmpb(j, r);
      const double government_use = vdgb(j, r) + keep * vmgb(j, r);
      const double investment_use =
          vdib(j, r) + firms.investment(j, 0, r) + keep * investment_m;
      data->final_demand[r][0][j] = private_use + government_use + investment_use;
      absorption += data->final_demand[r][0][j];
      totals_.private_demand += private_use;
      totals_.government_demand += government_use;
      totals_.investment_demand += investment_use;
      double from_abroad = 0.0;
      for (std::size_t o = 0; o < num_r; ++o) {
        if (o == r) continue;
        from_abroad += data->trade(j, o, r) * (1.0 + data->export_taxes(j, o, r)) *
                       (1.0 + data->tariffs(j, o, r));
      }
      data->trade(j, r, r) = std::max(0.0, absorption - from_abroad);
    }
  }
}

// Values the subsidised inputs of sector i in r at purchasers' prices, one by one until value
// added is positive; each subsidy moves to r's final demand of that input. Returns value added.
double Converter::FoldInputSubsidies(const Firms& firms, std::size_t i, std::size_t r,
                                     double value_added, Benchmark* data) {
  for (std::size_t j = 0; j < sectors_.size() && !(value_added > 0.0); ++j) {
    const double subsidy = std::min(
        data->intermediates(j, i, r),
        firms.dom(j, i, r) + firms.imp(j, i, r) - firms.dom_p(j, i, r) - firms.imp_p(j, i, r));
    if (!(subsidy > 0.0)) continue;
    data->intermediates(j, i, r) -= subsidy;
    data->final_demand[r][0][j] += subsidy;
    value_added += subsidy;
    totals_.subsidies += subsidy;
    ++totals_.subsidy_cells;
    report_->cells.push_back(fmt::format(
        "{}/{}: input subsidy on {} ({}+{} - ({}+{})) of {:.6g} moved from intermediates to "
        "final demand; value added now {:.6g}",
        regions_[r], sectors_[i], sectors_[j], H("VDFB", "VDFM"), H("VMFB", "VIFM"),
        H("VDFP", "VDFA"), H("VMFP", "VIFA"), subsidy, value_added));
  }
  return value_added;
}

// Value added = output - intermediates, split in proportion to EVFB; input subsidies folded
// where it would not be positive.
void Converter::SetValueAdded(const Firms& firms, Benchmark* data) {
  const std::size_t num_r = regions_.size(), num_i = sectors_.size(), num_f = factors_.size();
  for (std::size_t r = 0; r < num_r; ++r) {
    std::vector<double> region_payments(num_f, 0.0);
    for (std::size_t f = 0; f < num_f; ++f) {
      for (std::size_t i = 0; i < num_i; ++i) region_payments[f] += firms.payments(f, i, r);
    }
    for (std::size_t i = 0; i < num_i; ++i) {
      double output = 0.0, inputs = 0.0, payments = 0.0;
      for (std::size_t s = 0; s < num_r; ++s) output += data->trade(i, r, s);
      for (std::size_t j = 0; j < num_i; ++j) inputs += data->intermediates(j, i, r);
      for (std::size_t f = 0; f < num_f; ++f) payments += firms.payments(f, i, r);
      totals_.factor_basic += payments;
      if (!(output > 0.0)) {
        // No sales: its purchases stay in the market as final demand; payments are dropped.
        totals_.dropped += inputs + payments;
        for (std::size_t j = 0; j < num_i; ++j) {
          data->final_demand[r][0][j] += data->intermediates(j, i, r);
          data->intermediates(j, i, r) = 0.0;
        }
        if (inputs + payments > 0.0) {
          report_->cells.push_back(fmt::format(
              "{}/{}: no sales; its purchases ({:.6g}) moved to final demand, its factor "
              "payments ({:.6g}) dropped",
              regions_[r], sectors_[i], inputs, payments));
        }
        continue;
      }
      double value_added = output - inputs;
      if (!(value_added > 0.0) && firms.purchasers) {
        value_added = FoldInputSubsidies(firms, i, r, value_added, data);
      }
      if (!(value_added > 0.0)) {
        refusals_.push_back(fmt::format(
            "{}/{}: output {:.6g} (after folding margins and trade within the region) against "
            "intermediate costs {:.6g}{}: no positive value added to give the factors",
            regions_[r], sectors_[i], output, output - value_added,
            firms.purchasers ? " after folding its input subsidies" : ""));
        continue;
      }
      const bool own = payments > 0.0;
      double weight_total = 0.0;
      for (std::size_t f = 0; f < num_f; ++f) {
        weight_total += own ? firms.payments(f, i, r) : region_payments[f];
      }
      if (!own) {
        report_->cells.push_back(fmt::format(
            "{}/{}: value added {:.6g} but no factor payments in {}; split by the region's "
            "factor totals",
            regions_[r], sectors_[i], value_added, H("EVFB", "VFM")));
      }
      for (std::size_t f = 0; f < num_f; ++f) {
        const double weight = own ? firms.payments(f, i, r) : region_payments[f];
        data->factor_payments(f, i, r) =
            weight_total > 0.0 ? value_added * weight / weight_total
                               : value_added / static_cast<double>(num_f);
      }
      totals_.tax_fold += value_added - margin_shift_(i, r, 0) - payments;
      totals_.margin_fold += std::max(0.0, margin_shift_(i, r, 0));
    }
  }
}

void Converter::ReportFolds(const Firms& firms) {
  const Totals& t = totals_;
  const double final_demand = t.private_demand + t.government_demand + t.investment_demand;
  const std::string evfb = fmt::format("factor payments at basic prices ({})", H("EVFB", "VFM"));
  Fold("government demand -> final demand of the household", t.government_demand, final_demand,
       "final demand");
  Fold("investment demand -> final demand of the household", t.investment_demand, final_demand,
       "final demand");
  Fold("output, factor and intermediate-use taxes -> factor payments", t.tax_fold,
       t.factor_basic, evfb);
  if (firms.purchasers) {
    Fold(fmt::format("  of which taxes on intermediate use (({}) - ({}))",
                     H("VDFP+VMFP", "VDFA+VIFA"), H("VDFB+VMFB", "VDFM+VIFM")),
         t.intermediate_taxes, t.intermediates_basic, "intermediates at basic prices");
  }
  const std::string xsb = H("VXSB", "VXMD"), fob = H("VFOB", "VXWD"), cif = H("VCIF", "VIWS"),
                    msb = H("VMSB", "VIMS");
  Fold(fmt::format("transport margins ({} - {}) -> iceberg cost ntb, shipped by the exporter",
                   cif, fob),
       t.margins, t.imports_cif, "imports cif");
  Fold(fmt::format("trade within regions ({} diagonal) -> domestic sales", xsb),
       t.diagonal_exports, t.diagonal_exports + t.exports_fob, "exports incl. within regions");
  Fold("  its margins -> the producer's domestic sales", t.diagonal_margins, t.diagonal_exports,
       "trade within regions");
  Fold(fmt::format("  its export taxes ({} - {}) and tariffs ({} - {}) -> out of buyers' "
                   "import purchases",
                   fob, xsb, msb, cif),
       t.diagonal_export_taxes + t.diagonal_tariffs, t.diagonal_exports, "trade within regions");
  Fold("margin supply (VST) removed from the margin sectors' output", t.margin_supply,
       t.margins + t.diagonal_margins, "margins");
  Fold("value added moved from margin sectors to the shippers of margins", t.margin_fold,
       t.factor_basic, evfb);
  Fold(fmt::format("export taxes ({} - {}), kept as rates tx (tx X = {} - {})", fob, xsb, fob, xsb),
       t.export_taxes, t.exports_fob, "exports fob");
  Fold(fmt::format("tariffs ({} - {}), kept as rates tm", msb, cif), t.tariffs, t.imports_cif,
       "imports cif");
  if (t.subsidy_cells > 0) {
    Fold(fmt::format("input subsidies -> final demand ({} cells, listed below)", t.subsidy_cells),
         t.subsidies, t.intermediates_basic, "intermediates at basic prices");
  }
  if (t.clamped_margins > 0.0) {
    Fold(fmt::format("negative margins ({} < {}) set to zero, moved into tariffs", cif, fob),
         t.clamped_margins, t.margins, "margins");
  }
  if (t.dropped > 0.0) {
    Fold("inputs and payments of sectors without sales, dropped", t.dropped, t.factor_basic, evfb);
  }
  if (t.negative_payments > 0.0) {
    Fold("negative factor payments set to zero", t.negative_payments, t.factor_basic, evfb);
  }
  if (t.diagonal_unmatched != 0.0) {
    Fold("taxes on trade within regions without import purchases to remove them from",
         t.diagonal_unmatched, t.diagonal_exports, "trade within regions");
  }
  if (t.inconsistent_flows > 0) {
    report_->notes.push_back(fmt::format("{} flows with imports ({}) but no exports ({}) skipped",
                                         t.inconsistent_flows, msb, xsb));
  }
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
  const std::size_t extent0 = Extent(*array, 0);
  const std::size_t columns = array->reals.size() / std::max<std::size_t>(extent0, 1);
  auto mean = [&](std::size_t k) {
    double sum = 0.0;
    for (std::size_t c = 0; c < columns; ++c) sum += array->reals[c * extent0 + k];
    return columns > 0 ? sum / static_cast<double>(columns) : fallback;
  };
  std::vector<std::string> labels = Labels(*array, 0);
  std::vector<std::size_t> by_activity(activities_.size(), kAbsent);
  bool activities = !diagonal_make_ && !labels.empty();
  for (std::size_t a = 0; activities && a < activities_.size(); ++a) {
    for (std::size_t k = 0; k < labels.size(); ++k) {
      if (Lower(labels[k]) == Lower(activities_[a])) by_activity[a] = k;
    }
    if (by_activity[a] == kAbsent) activities = false;
  }
  if (activities) {  // weighted by the make shares over regions
    std::vector<double> sum(sectors_.size(), 0.0), weight(sectors_.size(), 0.0);
    for (const auto& region : make_) {
      for (std::size_t a = 0; a < activities_.size(); ++a) {
        for (const auto& [i, share] : region[a]) {
          sum[i] += share * mean(by_activity[a]);
          weight[i] += share;
        }
      }
    }
    for (std::size_t i = 0; i < sectors_.size(); ++i) {
      if (weight[i] > 0.0) values[i] = sum[i] / weight[i];
    }
  } else {
    if (!labels.empty() || extent0 == sectors_.size() || extent0 == sectors_.size() + 1) {
      for (std::size_t i = 0; i < sectors_.size(); ++i) {
        std::size_t k = labels.empty() ? i : kAbsent;
        for (std::size_t n = 0; n < labels.size(); ++n) {
          if (Lower(labels[n]) == Lower(sectors_[i])) k = n;
        }
        if (k != kAbsent) values[i] = mean(k);
      }
    } else {
      Fail(arrays_.parameters_file,
           fmt::format("header {} has {} elements in its first dimension and no labels; "
                       "expected {} sectors",
                       array->name, extent0, sectors_.size()));
    }
  }
  report_->notes.push_back(fmt::format("{}: {} from the parameter file{}{}", what, array->name,
                                       columns > 1 ? " (mean over regions)" : "",
                                       activities ? " (activities weighted by the make shares)"
                                                  : ""));
  return values;
}

// Factor mobility: SLUG, else EFLG, else the sets ENDM / ENDS / ENDF.
std::size_t Converter::FactorIndex(const std::vector<std::string>& labels, std::size_t f) const {
  if (labels.empty()) return f;
  for (std::size_t n = 0; n < labels.size(); ++n) {
    if (Lower(labels[n]) == Lower(factors_[f])) return n;
  }
  return kAbsent;
}

std::vector<Converter::Kind> Converter::KindsFromSlug(const har::HeaderArray& slug) const {
  std::vector<Kind> kind(factors_.size(), Kind::kUnknown);
  const std::vector<std::string> labels = Labels(slug, 0);
  for (std::size_t f = 0; f < factors_.size(); ++f) {
    const std::size_t k = FactorIndex(labels, f);
    if (k == kAbsent) continue;
    double value = 0.0;
    if (k < slug.reals.size()) value = slug.reals[k];
    if (k < slug.ints.size()) value = slug.ints[k];
    kind[f] = value > 0.5 ? Kind::kSluggish : Kind::kMobile;
  }
  return kind;
}

// EFLG: ENDW x ENDWT, a 1 in the column "mobile", "sluggish" or "fixed" (in that order when the
// columns are not labelled).
std::vector<Converter::Kind> Converter::KindsFromEflg(const har::HeaderArray& eflg) const {
  if (eflg.type != har::ArrayType::kReal || eflg.extents.size() != 2) {
    Fail(arrays_.parameters_file,
         fmt::format("header EFLG is of type {} with {} dimensions, expected a real array "
                     "ENDW x ENDWT",
                     har::ArrayTypeCode(eflg.type), eflg.extents.size()));
  }
  const std::vector<std::string> labels = Labels(eflg, 0), types = Labels(eflg, 1);
  std::vector<Kind> column_kind = {Kind::kMobile, Kind::kSluggish, Kind::kFixed};
  column_kind.resize(eflg.extents[1], Kind::kUnknown);
  for (std::size_t c = 0; c < types.size() && c < column_kind.size(); ++c) {
    const std::string type = Lower(types[c]);
    column_kind[c] = type.rfind("mob", 0) == 0    ? Kind::kMobile
                     : type.rfind("slug", 0) == 0 ? Kind::kSluggish
                     : type.rfind("fix", 0) == 0  ? Kind::kFixed
                                                  : Kind::kUnknown;
  }
  std::vector<Kind> kind(factors_.size(), Kind::kUnknown);
  for (std::size_t f = 0; f < factors_.size(); ++f) {
    const std::size_t k = FactorIndex(labels, f);
    if (k == kAbsent || k >= eflg.extents[0]) continue;
    for (std::size_t c = 0; c < column_kind.size(); ++c) {
      if (eflg.reals[c * eflg.extents[0] + k] > 0.5) kind[f] = column_kind[c];
    }
  }
  return kind;
}

std::vector<Converter::Kind> Converter::KindsFromSets() const {
  const std::vector<std::string> mobile = SetFromFile(arrays_.sets, {"ENDM"});
  const std::vector<std::string> sluggish = SetFromFile(arrays_.sets, {"ENDS"});
  const std::vector<std::string> fixed = SetFromFile(arrays_.sets, {"ENDF"});
  std::vector<Kind> kind(factors_.size(), Kind::kUnknown);
  for (std::size_t f = 0; f < factors_.size(); ++f) {
    auto in = [&](const std::vector<std::string>& set) {
      return std::any_of(set.begin(), set.end(),
                         [&](const std::string& x) { return Lower(x) == Lower(factors_[f]); });
    };
    kind[f] = in(fixed)      ? Kind::kFixed
              : in(sluggish) ? Kind::kSluggish
              : in(mobile)   ? Kind::kMobile
                             : Kind::kUnknown;
  }
  return kind;
}

void Converter::ReadMobility(Benchmark* data) {
  std::vector<Kind> kind;
  std::string source;
  if (const har::HeaderArray* slug = Pick(arrays_.parameters, {"SLUG"})) {
    source = "SLUG";
    kind = KindsFromSlug(*slug);
  } else if (const har::HeaderArray* eflg = Pick(arrays_.parameters, {"EFLG"})) {
    source = "EFLG";
    kind = KindsFromEflg(*eflg);
  } else {
    kind = KindsFromSets();
    const bool listed = std::any_of(kind.begin(), kind.end(),
                                    [](Kind k) { return k != Kind::kUnknown; });
    source = listed ? "sets ENDM/ENDS/ENDF" : "no SLUG, EFLG or ENDS/ENDF";
  }
  static const char* const kKindName[] = {"not listed", "mobile", "sluggish", "fixed"};
  for (std::size_t f = 0; f < factors_.size(); ++f) {
    const bool specific = kind[f] == Kind::kSluggish || kind[f] == Kind::kFixed;
    data->factors[f].mobility = specific ? FactorMobility::kSpecific : FactorMobility::kMobile;
    report_->notes.push_back(fmt::format("factor {}: {} in {} -> {}", factors_[f],
                                         kKindName[static_cast<int>(kind[f])], source,
                                         specific ? "sector-specific" : "mobile"));
  }
}

Benchmark Converter::Run(const GtapImportOptions& options) {
  ReadSets();
  const std::size_t num_r = regions_.size(), num_i = sectors_.size();
  Benchmark data;
  data.name = "GTAP data base";
  data.units = "USD million";
  data.source = fmt::format(
      "GTAP data base (licensed by the Center for Global Trade Analysis, Purdue University), {}, "
      "imported by ohlin import gtap: margins as iceberg costs, trade within regions as domestic "
      "sales, domestic taxes folded into value added, government and investment folded into "
      "final demand",
      report_->generation);
  data.regions = regions_;
  data.sectors = sectors_;
  for (const std::string& name : factors_) data.factors.push_back({name, FactorMobility::kMobile});
  data.ResizeTables();

  const Firms firms = ReadFirms();
  ReadTrade(&data);
  ReadAbsorption(firms, &data);
  // Margin shift of each sector's output relative to GTAP's: margins it now ships, minus VST.
  margin_shift_ = Tensor3(num_i, num_r, 1);
  const View vst = Real({"VST"}, {kComm, kReg});
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      totals_.margin_supply += vst(i, r);
      margin_shift_(i, r, 0) = diagonal_margins_(i, r, 0) - vst(i, r);
      for (std::size_t s = 0; s < num_r; ++s) {
        if (s != r) margin_shift_(i, r, 0) += data.trade(i, r, s) * data.ntb(i, r, s) /
                                               (1.0 + data.ntb(i, r, s));
      }
    }
  }
  SetValueAdded(firms, &data);
  ReportFolds(firms);
  if (!refusals_.empty()) {
    throw InputError(fmt::format("{}: {} sector(s) without positive value added, e.g. {}",
                                 arrays_.basedata_file, refusals_.size(), refusals_.front()));
  }

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
  ReadMobility(&data);
  return Balance(data, options.balance, &report_->balance);
}

// Reads the first file of `names` (any case) in `dir`; `*label` becomes its path.
std::vector<har::HeaderArray> ReadFirst(const std::string& dir,
                                        std::initializer_list<const char*> names, bool required,
                                        GtapImportReport* report, std::string* label) {
  std::error_code error;
  for (const char* name : names) {
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      if (Lower(entry.path().filename().string()) == name) {
        *label = entry.path().string();
        std::vector<har::HeaderArray> arrays = har::ReadHar(*label);
        report->files.push_back(*label);
        return arrays;
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
  arrays.basedata =
      ReadFirst(dir, {"basedata.har", "gsddat.har"}, true, out, &arrays.basedata_file);
  arrays.sets = ReadFirst(dir, {"sets.har", "gsdset.har"}, false, out, &arrays.sets_file);
  arrays.parameters =
      ReadFirst(dir, {"default.prm", "gsdpar.har"}, false, out, &arrays.parameters_file);
  Benchmark data = ConvertGtap(arrays, options, out);
  data.name = "GTAP data base " + std::filesystem::path(dir).filename().string();
  return data;
}

}  // namespace ohlin
