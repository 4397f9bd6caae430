// The exact welfare decomposition (model/decomposition.h, docs/MODEL.md "Decomposition").
#include "model/decomposition.h"

#include <algorithm>
#include <cmath>

#include "model/ces.h"
#include "model/equilibrium.h"

namespace ohlin {

namespace {

// Fields of WelfarePoint::flow, per cross-border flow.
enum FlowField {
  kShipped,        // S: shipped quantity (benchmark producer-value units)
  kFobPrice,       // world price per shipped unit: p (1 + export tax + exporter rents)
  kLogIceberg,     // log((1 + ntb') / (1 + ntb))
  kTariffWedge,    // tariff per landed unit
  kImporterWedge,  // importer rents (incl. an importer's quota) per landed unit
  kExportTaxWedge,  // export tax per shipped unit
  kExporterWedge,   // exporter rents (incl. an exporter's quota) per shipped unit
  kLanded,          // q: landed quantity
  kVarietyWeight,   // landed price times q / access / (sigma - 1): the weight of d access
  kAccess,          // market access
  kFobValue,        // fob price times S
  kFlowFields
};

double Average(double a, double b) { return 0.5 * (a + b); }

// Whether a rate tensor is zero at both ends of a path (then it is zero throughout).
bool ZeroAtBothEnds(const Tensor3& from, const Tensor3& to) {
  auto zero = [](const Tensor3& t) {
    for (double v : t.data()) {
      if (v != 0.0) return false;
    }
    return true;
  };
  return zero(from) && zero(to);
}

}  // namespace

const char* WelfareComponentName(WelfareComponent component) {
  switch (component) {
    case WelfareComponent::kTermsOfTrade: return "terms_of_trade";
    case WelfareComponent::kTariffs: return "tariffs";
    case WelfareComponent::kExportTaxes: return "export_taxes";
    case WelfareComponent::kFactorTaxes: return "factor_taxes";
    case WelfareComponent::kNtbRents: return "ntb_rents";
    case WelfareComponent::kIcebergCosts: return "iceberg_costs";
    case WelfareComponent::kExportBans: return "export_bans";
    case WelfareComponent::kEndowments: return "endowments";
    case WelfareComponent::kTechnology: return "technology";
    case WelfareComponent::kDeficit: return "deficit";
    case WelfareComponent::kRedistribution: return "redistribution";
    case WelfareComponent::kCount: break;
  }
  return "?";
}

void WelfareSplit::Add(const WelfareSplit& other, double weight) {
  for (std::size_t r = 0; r < value.size(); ++r) {
    for (std::size_t c = 0; c < value[r].size(); ++c) value[r][c] += weight * other.value[r][c];
  }
}

WelfarePath::WelfarePath(const Model& model, const Policy& from, const Policy& to)
    : model_(model) {
  // A quota's rent is endogenous: with quotas every rent wedge is kept.
  const bool quotas = !model.quotas().empty() || !from.quotas.empty() || !to.quotas.empty();
  tariffs_ = !ZeroAtBothEnds(from.tariffs, to.tariffs);
  export_taxes_ = !ZeroAtBothEnds(from.export_taxes, to.export_taxes);
  importer_rents_ = quotas || !ZeroAtBothEnds(from.importer_rent, to.importer_rent);
  exporter_rents_ = quotas || !ZeroAtBothEnds(from.exporter_rent, to.exporter_rent);
  iceberg_ = from.ntb.data() != to.ntb.data();
  access_ = from.access.data() != to.access.data();
  const bool field_used[kFlowFields] = {
      true,                            // kShipped
      true,                            // kFobPrice
      iceberg_,                        // kLogIceberg
      tariffs_,                        // kTariffWedge
      importer_rents_,                 // kImporterWedge
      export_taxes_,                   // kExportTaxWedge
      exporter_rents_,                 // kExporterWedge
      tariffs_ || importer_rents_,     // kLanded
      access_,                         // kVarietyWeight
      access_,                         // kAccess
      iceberg_,                        // kFobValue
  };
  slot_.assign(kFlowFields, -1);
  for (int field = 0; field < kFlowFields; ++field) {
    if (field_used[field]) slot_[field] = stored_fields_++;
  }
  const Benchmark& d = model.data();
  const int nr = static_cast<int>(d.num_regions()), ns = static_cast<int>(d.num_sectors());
  const int nf = static_cast<int>(d.num_factors());
  for (int i = 0; i < ns; ++i) {
    for (int r = 0; r < nr; ++r) {
      for (int s = 0; s < nr; ++s) {
        if (r != s && d.trade(i, r, s) > 0.0) flows_.push_back({i, r, s});
      }
    }
  }
  for (int r = 0; r < nr; ++r) {
    for (int i = 0; i < ns; ++i) {
      if (model.sector(i, r) == nullptr) continue;
      sectors_.emplace_back(i, r);
      for (int f = 0; f < nf; ++f) {
        if (d.factor_payments(f, i, r) > 0.0) payments_.push_back({f, i, r});
      }
    }
  }
  for (int r = 0; r < nr; ++r) {
    for (int f = 0; f < nf; ++f) {
      if (d.factors[f].mobility == FactorMobility::kMobile) {
        if (model.factor_price_index(f, -1, r) >= 0) markets_.push_back({f, -1, r});
      } else {
        for (int i = 0; i < ns; ++i) {
          if (model.factor_price_index(f, i, r) >= 0) markets_.push_back({f, i, r});
        }
      }
    }
  }
  // Consumers: the households of each region, then its government under rule none (which
  // spends the revenue and has an EV of its own).
  int offset = 0;
  for (int r = 0; r < nr; ++r) {
    const int consumers = model.num_households(r) + (model.government(r) != nullptr ? 1 : 0);
    for (int h = 0; h < consumers; ++h) {
      household_offset_.push_back(offset);
      offset += 2 + ns;
    }
  }
}

WelfarePoint WelfarePath::Point(const Policy& policy, const std::vector<double>& state,
                                int num_threads) const {
  return Point(EquilibriumSystem(model_, policy, std::max(1, num_threads), false), state,
               num_threads);
}

WelfarePoint WelfarePath::Point(const EquilibriumSystem& system, const std::vector<double>& state,
                                int num_threads) const {
  const Benchmark& d = model_.data();
  const Policy& policy = system.policy();
  const double* x = state.data();
  const int nr = static_cast<int>(d.num_regions()), ns = static_cast<int>(d.num_sectors());
  WelfarePoint point;
  point.flow.assign(flows_.size() * stored_fields_, 0.0);
  const std::ptrdiff_t num_flows = static_cast<std::ptrdiff_t>(flows_.size());
#pragma omp parallel for schedule(static) num_threads(std::max(1, num_threads))
  for (std::ptrdiff_t k = 0; k < num_flows; ++k) {
    const auto [i, r, s] = flows_[static_cast<std::size_t>(k)];
    double f[kFlowFields];
    const double p = std::exp(x[model_.producer_price_index(i, r)]);
    const double iceberg = std::exp(system.log_iceberg(i, r, s));
    const double kappa = system.access(i, r, s);
    const EquilibriumSystem::FlowRevenue rates = system.FlowRevenueRates(x, i, r, s);
    const double open_landed = d.trade(i, r, s) * std::exp(system.LogOpenLandedQuantityHat(x, i, r, s));
    const double landed = kappa * open_landed;
    const double all = 1.0 + rates.export_tax + rates.exporter_rent + rates.tariff + rates.importer_rent;
    f[kLanded] = landed;
    f[kShipped] = landed * iceberg;
    f[kFobPrice] = p * (1.0 + rates.export_tax + rates.exporter_rent);
    f[kLogIceberg] = system.log_iceberg(i, r, s);
    f[kTariffWedge] = p * iceberg * rates.tariff;
    f[kImporterWedge] = p * iceberg * rates.importer_rent;
    f[kExportTaxWedge] = p * rates.export_tax;
    f[kExporterWedge] = p * rates.exporter_rent;
    const double sigma = model_.composite(i, s)->sigma;
    f[kVarietyWeight] = sigma != 1.0 ? p * iceberg * all * open_landed / (sigma - 1.0) : 0.0;
    f[kAccess] = kappa;
    f[kFobValue] = f[kFobPrice] * f[kShipped];
    double* stored = &point.flow[static_cast<std::size_t>(k) * stored_fields_];
    for (int field = 0; field < kFlowFields; ++field) {
      if (slot_[field] >= 0) stored[slot_[field]] = f[field];
    }
  }
  for (const auto& [i, r] : sectors_) {
    const Model::Sector& sec = *model_.sector(i, r);
    point.sector.push_back(std::exp(x[model_.producer_price_index(i, r)] + x[model_.output_index(i, r)]) *
                           sec.output);
    point.sector.push_back(std::log(policy.productivity[static_cast<std::size_t>(i) * nr + r]));
  }
  for (const auto& [f, i, r] : payments_) {
    const double w = std::exp(x[model_.factor_price_index(f, i, r)]);
    const double t = policy.factor_tax(f, i, r);
    const double use = d.factor_payments(f, i, r) * std::exp(system.LogFactorDemandAt(x, f, i, r));
    point.factor.push_back(w * t);
    point.factor.push_back(use);
    point.factor.push_back(w * (1.0 + t) * use);
    point.factor.push_back(std::log(policy.factor_productivity(f, i, r)));
  }
  for (const auto& [f, i, r] : markets_) {
    const double base = i < 0 ? model_.factor_endowment(f, r) : d.factor_payments(f, i, r);
    point.supply.push_back(std::exp(x[model_.factor_price_index(f, i, r)]));
    point.supply.push_back(base * std::exp(system.LogFactorSupplyAt(x, f, i, r)));
  }
  point.price.assign(static_cast<std::size_t>(ns) * nr, 0.0);
  for (int r = 0; r < nr; ++r) {
    for (int i = 0; i < ns; ++i) {
      if (model_.composite(i, r) != nullptr) {
        point.price[static_cast<std::size_t>(i) * nr + r] =
            std::exp(x[model_.composite_price_index(i, r)]);
      }
    }
  }
  std::vector<double> shares;
  for (int r = 0; r < nr; ++r) {
    for (int h = 0; h < model_.num_households(r); ++h) {
      const Model::HouseholdParams& hh = model_.household(r, h);
      const double spending = hh.spending * std::exp(x[model_.spending_index(r, h)]);
      shares.assign(hh.good_ids.size(), 0.0);
      const double log_price = LogCesIndex(
          1.0 - hh.sigma_c, hh.good_ids.size(), hh.budget_shares.data(),
          [&](std::size_t g) { return x[model_.composite_price_index(hh.good_ids[g], r)]; },
          shares.data());
      point.household.push_back(spending);
      point.household.push_back(std::exp(-log_price));
      std::vector<double> quantities(static_cast<std::size_t>(ns), 0.0);
      for (std::size_t g = 0; g < hh.good_ids.size(); ++g) {
        const int i = hh.good_ids[g];
        quantities[i] = spending * shares[g] / point.price[static_cast<std::size_t>(i) * nr + r];
      }
      point.household.insert(point.household.end(), quantities.begin(), quantities.end());
    }
    if (const Model::GovernmentParams* gov = model_.government(r)) {
      const double scale = model_.benchmark_spending(r) + gov->spending;
      const double spending = x[model_.government_spending_index(r)] * scale;
      shares.assign(gov->good_ids.size(), 0.0);
      const double log_price = LogCesIndex(
          1.0 - gov->sigma_c, gov->good_ids.size(), gov->budget_shares.data(),
          [&](std::size_t g) { return x[model_.composite_price_index(gov->good_ids[g], r)]; },
          shares.data());
      point.household.push_back(spending);
      point.household.push_back(std::exp(-log_price));
      std::vector<double> quantities(static_cast<std::size_t>(ns), 0.0);
      for (std::size_t g = 0; g < gov->good_ids.size(); ++g) {
        const int i = gov->good_ids[g];
        quantities[i] = spending * shares[g] / point.price[static_cast<std::size_t>(i) * nr + r];
      }
      point.household.insert(point.household.end(), quantities.begin(), quantities.end());
    }
  }
  point.deficit = policy.deficit;
  return point;
}

WelfareSplit WelfarePath::Zero() const {
  WelfareSplit split;
  split.value.assign(model_.data().num_regions(), std::vector<double>(kNumWelfareComponents, 0.0));
  return split;
}

WelfareSplit WelfarePath::Interval(const WelfarePoint& a, const WelfarePoint& b) const {
  const Benchmark& d = model_.data();
  const int nr = static_cast<int>(d.num_regions()), ns = static_cast<int>(d.num_sectors());
  // Nominal components of each region: sum_i P_i dC_i split by source.
  std::vector<std::vector<double>> nominal(nr, std::vector<double>(kNumWelfareComponents, 0.0));
  auto add = [&nominal](int r, WelfareComponent c, double v) {
    nominal[r][static_cast<int>(c)] += v;
  };
  for (std::size_t k = 0; k < flows_.size(); ++k) {
    const int r = flows_[k].r, s = flows_[k].s;  // exporter, importer
    const double* fa = &a.flow[k * stored_fields_];
    const double* fb = &b.flow[k * stored_fields_];
    auto avg = [&](int field) { return Average(fa[slot_[field]], fb[slot_[field]]); };
    auto delta = [&](int field) { return fb[slot_[field]] - fa[slot_[field]]; };
    // World prices: the exporter gains what the importer pays more per shipped unit.
    const double terms = avg(kShipped) * delta(kFobPrice);
    add(r, WelfareComponent::kTermsOfTrade, terms);
    add(s, WelfareComponent::kTermsOfTrade, -terms);
    // The products left out are exact zeros (a sum of finite terms is never -0, so adding
    // one changes no bit).
    if (iceberg_) add(s, WelfareComponent::kIcebergCosts, -avg(kFobValue) * delta(kLogIceberg));
    if (tariffs_) add(s, WelfareComponent::kTariffs, avg(kTariffWedge) * delta(kLanded));
    if (importer_rents_) add(s, WelfareComponent::kNtbRents, avg(kImporterWedge) * delta(kLanded));
    if (export_taxes_) {
      add(r, WelfareComponent::kExportTaxes, avg(kExportTaxWedge) * delta(kShipped));
    }
    if (exporter_rents_) add(r, WelfareComponent::kNtbRents, avg(kExporterWedge) * delta(kShipped));
    if (access_) add(s, WelfareComponent::kExportBans, avg(kVarietyWeight) * delta(kAccess));
  }
  for (std::size_t k = 0; k < sectors_.size(); ++k) {
    const int r = sectors_[k].second;
    add(r, WelfareComponent::kTechnology,
        Average(a.sector[2 * k], b.sector[2 * k]) * (b.sector[2 * k + 1] - a.sector[2 * k + 1]));
  }
  for (std::size_t k = 0; k < payments_.size(); ++k) {
    const int r = payments_[k][2];
    const double* pa = &a.factor[4 * k];
    const double* pb = &b.factor[4 * k];
    add(r, WelfareComponent::kFactorTaxes, Average(pa[0], pb[0]) * (pb[1] - pa[1]));
    add(r, WelfareComponent::kTechnology, Average(pa[2], pb[2]) * (pb[3] - pa[3]));
  }
  for (std::size_t k = 0; k < markets_.size(); ++k) {
    const int r = markets_[k][2];
    add(r, WelfareComponent::kEndowments,
        Average(a.supply[2 * k], b.supply[2 * k]) * (b.supply[2 * k + 1] - a.supply[2 * k + 1]));
  }
  for (int r = 0; r < nr; ++r) {
    add(r, WelfareComponent::kDeficit, b.deficit[r] - a.deficit[r]);
  }

  // Consumers (households, and the government under rule none):
  // dEV_h = (s_h X_r + [dE_h - s_h dE_r - (c_h - s_h C_r).dP]) / P_C,h, where X_r
  // is the region's nominal sum and the bracket, which sums to zero over h, is redistribution.
  WelfareSplit split = Zero();
  int flat = 0;
  for (int r = 0; r < nr; ++r) {
    const int nh = model_.num_households(r) + (model_.government(r) != nullptr ? 1 : 0);
    double spending_a = 0.0, spending_b = 0.0;
    std::vector<double> total_a(ns, 0.0), total_b(ns, 0.0);
    for (int h = 0; h < nh; ++h) {
      const double* ha = &a.household[household_offset_[flat + h]];
      const double* hb = &b.household[household_offset_[flat + h]];
      spending_a += ha[0];
      spending_b += hb[0];
      for (int i = 0; i < ns; ++i) {
        total_a[i] += ha[2 + i];
        total_b[i] += hb[2 + i];
      }
    }
    for (int h = 0; h < nh; ++h) {
      const double* ha = &a.household[household_offset_[flat + h]];
      const double* hb = &b.household[household_offset_[flat + h]];
      const double share_a = ha[0] / spending_a, share_b = hb[0] / spending_b;
      const double weight = Average(share_a * ha[1], share_b * hb[1]);
      for (int c = 0; c < kNumWelfareComponents; ++c) split.value[r][c] += weight * nominal[r][c];
      double moved = (hb[0] - ha[0]) - Average(share_a, share_b) * (spending_b - spending_a);
      for (int i = 0; i < ns; ++i) {
        const std::size_t at = static_cast<std::size_t>(i) * nr + r;
        const double excess = Average(ha[2 + i] - share_a * total_a[i], hb[2 + i] - share_b * total_b[i]);
        moved -= excess * (b.price[at] - a.price[at]);
      }
      split.value[r][static_cast<int>(WelfareComponent::kRedistribution)] +=
          Average(ha[1], hb[1]) * moved;
    }
    flat += nh;
  }
  return split;
}

}  // namespace ohlin
