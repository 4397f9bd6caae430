// Synthetic GTAP data base (gtap_synth.h).
#include "calibration/gtap_synth.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "calibration/tensor.h"

namespace ohlin {
namespace {

har::HeaderArray Array(const char* name, const char* long_name, std::vector<har::Set> sets,
                       std::vector<double> values, bool sparse = false) {
  har::HeaderArray array = har::MakeReal(name, long_name, name, sets, std::move(values));
  array.sparse = sparse;
  return array;
}

std::vector<std::string> Names(const char* prefix, int count) {
  std::vector<std::string> names;
  for (int k = 0; k < count; ++k) names.push_back(fmt::format("{}{}", prefix, k + 1));
  return names;
}

// Column-major values of a (n0, n1, n2) tensor (first index fastest).
std::vector<double> ColumnMajor(const Tensor3& t) {
  std::vector<double> values;
  values.reserve(t.data().size());
  for (std::size_t c = 0; c < t.dim2(); ++c)
    for (std::size_t b = 0; b < t.dim1(); ++b)
      for (std::size_t a = 0; a < t.dim0(); ++a) values.push_back(t(a, b, c));
  return values;
}

}  // namespace

GtapArrays SynthesizeGtap(const GtapSynthSize& size) {
  const auto num_r = static_cast<std::size_t>(size.regions);
  const auto num_c = static_cast<std::size_t>(size.commodities);
  const auto num_e = static_cast<std::size_t>(size.endowments);
  std::mt19937_64 random(size.seed);
  std::uniform_real_distribution<double> unit(0.5, 1.5);
  auto uniform = [&](double low, double high) {
    return low + (high - low) * (unit(random) - 0.5);
  };
  const har::Set reg{"REG", Names("r", size.regions)}, comm{"COMM", Names("c", size.commodities)},
      acts{"ACTS", comm.elements}, endw{"ENDW", Names("e", size.endowments)},
      marg{"MARG", {comm.elements.back()}};
  std::vector<double> region_size(num_r);
  for (double& value : region_size) value = 1000.0 * unit(random) * unit(random);

  Tensor3 vxsb(num_c, num_r, num_r), vfob(num_c, num_r, num_r), vcif(num_c, num_r, num_r),
      vmsb(num_c, num_r, num_r), imports(num_c, num_r, 1);
  double margins = 0.0;
  for (std::size_t i = 0; i < num_c; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t s = 0; s < num_r; ++s) {
        if (r == s && r % 5 != 0) continue;
        const double tm = r == s ? 0.0 : uniform(0.0, 0.15);
        vxsb(i, r, s) = 0.05 * region_size[r] * region_size[s] / 1000.0 * unit(random) /
                        static_cast<double>(num_r);
        vfob(i, r, s) = vxsb(i, r, s) * (1.0 + uniform(-0.02, 0.05));
        vcif(i, r, s) = vfob(i, r, s) * (1.0 + uniform(0.02, 0.10));
        vmsb(i, r, s) = vcif(i, r, s) * (1.0 + tm);
        margins += vcif(i, r, s) - vfob(i, r, s);
        imports(i, s, 0) += vmsb(i, r, s);
      }
    }
  }
  Tensor3 vst(1, num_r, 1);
  double total_size = 0.0;
  for (const double value : region_size) total_size += value;
  for (std::size_t r = 0; r < num_r; ++r) vst(0, r, 0) = margins * region_size[r] / total_size;

  // Purchases: firms get half the imports, households 30%, government 5%, investment 15%.
  Tensor3 vdfb(num_c, num_c, num_r), vmfb(num_c, num_c, num_r), vdfp(num_c, num_c, num_r),
      vmfp(num_c, num_c, num_r);
  Tensor3 final_d(num_c, num_r, 3), final_m(num_c, num_r, 3);  // private, government, investment
  const double import_shares[3] = {0.30, 0.05, 0.15};
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t j = 0; j < num_c; ++j) {
      std::vector<double> weight(num_c);
      double total = 0.0;
      for (double& w : weight) total += (w = unit(random));
      for (std::size_t a = 0; a < num_c; ++a) {
        vdfb(j, a, r) = 0.2 * region_size[r] * unit(random) / static_cast<double>(num_c);
        vmfb(j, a, r) = 0.5 * imports(j, r, 0) * weight[a] / total;
        const double tax = uniform(-0.02, 0.08);
        vdfp(j, a, r) = vdfb(j, a, r) * (1.0 + tax);
        vmfp(j, a, r) = vmfb(j, a, r) * (1.0 + tax);
      }
      for (std::size_t h = 0; h < 3; ++h) {
        final_d(j, r, h) = (h == 0 ? 1.0 : 0.25) * region_size[r] * unit(random) /
                           static_cast<double>(num_c);
        final_m(j, r, h) = import_shares[h] * imports(j, r, 0);
      }
    }
  }
  // Output and value added; private demand tops up any sector below 30% value added.
  Tensor3 evfb(num_e, num_c, num_r);
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t i = 0; i < num_c; ++i) {
      double output = final_d(i, r, 0) + final_d(i, r, 1) + final_d(i, r, 2);
      double inputs = 0.0;
      for (std::size_t a = 0; a < num_c; ++a) output += vdfb(i, a, r);
      for (std::size_t s = 0; s < num_r; ++s) output += vxsb(i, r, s);
      if (i + 1 == num_c) output += vst(0, r, 0);
      for (std::size_t j = 0; j < num_c; ++j) inputs += vdfb(j, i, r) + vmfb(j, i, r);
      const double top_up = std::max(0.0, (0.3 * output - (output - inputs)) / 0.7);
      final_d(i, r, 0) += top_up;
      const double value_added = output + top_up - inputs;
      std::vector<double> share(num_e);
      double total = 0.0;
      for (double& w : share) total += (w = unit(random));
      for (std::size_t e = 0; e < num_e; ++e) evfb(e, i, r) = 0.9 * value_added * share[e] / total;
    }
  }
  GtapArrays arrays;
  auto& base = arrays.basedata;
  base.push_back(Array("VXSB", "non-margin exports, at basic prices", {comm, reg, reg},
                       ColumnMajor(vxsb), true));
  base.push_back(Array("VFOB", "non-margin exports, at FOB prices", {comm, reg, reg},
                       ColumnMajor(vfob), true));
  base.push_back(Array("VCIF", "imports, at CIF prices", {comm, reg, reg}, ColumnMajor(vcif), true));
  base.push_back(
      Array("VMSB", "imports, at basic prices", {comm, reg, reg}, ColumnMajor(vmsb), true));
  base.push_back(Array("VDFB", "domestic purchases, by firms, at basic prices", {comm, acts, reg},
                       ColumnMajor(vdfb), true));
  base.push_back(Array("VMFB", "imported purchases, by firms, at basic prices", {comm, acts, reg},
                       ColumnMajor(vmfb), true));
  base.push_back(Array("VDFP", "domestic purchases, by firms, at purchasers' prices",
                       {comm, acts, reg}, ColumnMajor(vdfp), true));
  base.push_back(Array("VMFP", "imported purchases, by firms, at purchasers' prices",
                       {comm, acts, reg}, ColumnMajor(vmfp), true));
  const char* const final_names[3][2] = {{"VDPB", "VMPB"}, {"VDGB", "VMGB"}, {"VDIB", "VMIB"}};
  for (std::size_t h = 0; h < 3; ++h) {
    std::vector<double> d, m;
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t j = 0; j < num_c; ++j) {
        d.push_back(final_d(j, r, h));
        m.push_back(final_m(j, r, h));
      }
    }
    base.push_back(Array(final_names[h][0], "domestic final purchases", {comm, reg}, d));
    base.push_back(Array(final_names[h][1], "imported final purchases", {comm, reg}, m));
  }
  base.push_back(Array("VST", "margin exports", {marg, reg}, ColumnMajor(vst)));
  base.push_back(Array("EVFB", "primary factor purchases, by firms, at basic prices",
                       {endw, acts, reg}, ColumnMajor(evfb)));
  arrays.sets = {har::MakeStrings("REG", "regions", reg.elements),
                 har::MakeStrings("COMM", "commodities", comm.elements),
                 har::MakeStrings("ACTS", "activities", acts.elements),
                 har::MakeStrings("ENDW", "endowments", endw.elements)};
  std::vector<double> esbd, esbv, eflg(num_e * 3, 0.0);
  for (std::size_t r = 0; r < num_r; ++r) {
    for (std::size_t i = 0; i < num_c; ++i) {
      esbd.push_back(2.0 + static_cast<double>(i % 5));
      esbv.push_back(0.5 + 0.1 * static_cast<double>(i % 7));
    }
  }
  for (std::size_t e = 0; e < num_e; ++e) eflg[(e == 0 ? 1 : 0) * num_e + e] = 1.0;  // e1 sluggish
  arrays.parameters = {
      Array("ESBD", "Armington domestic/imported", {comm, reg}, esbd),
      Array("ESBV", "primary factors", {acts, reg}, esbv),
      Array("EFLG", "endowment mobility flags",
            {endw, har::Set{"ENDWT", {"mobile", "sluggish", "fixed"}}}, eflg)};
  return arrays;
}

}  // namespace ohlin
