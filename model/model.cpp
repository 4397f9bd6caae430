// Calibration of the model from a benchmark (MODEL.md sections 2-3) and the user-facing
// outcome of a solved state (section 6).
#include "model/model.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "model/equilibrium.h"

namespace ohlin {

class ModelBuilder {
 public:
  static void Build(Model* m);
  // Rules none and compensate (MODEL.md section 6): the government, or the transfers, tax
  // rates and floors, with their variables.
  static void BuildRedistribution(Model* m, const std::vector<double>& revenue);
};

namespace {

double Sum(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}

void Normalize(std::vector<double>* shares) {
  const double total = Sum(*shares);
  for (double& s : *shares) s /= total;
}

}  // namespace

void ModelBuilder::Build(Model* m) {
  const Benchmark& d = m->data_;
  const int nr = m->nr_, ns = m->ns_, nf = m->nf_;
  auto where = [&](int i, int r) { return fmt::format("{}/{}", d.regions[r], d.sectors[i]); };

  // Factor endowments (sum over sectors) and the factor-price variables.
  m->endowment_.assign(static_cast<std::size_t>(nf) * nr, 0.0);
  for (int f = 0; f < nf; ++f) {
    for (int r = 0; r < nr; ++r) {
      for (int i = 0; i < ns; ++i) m->endowment_[f * nr + r] += d.factor_payments(f, i, r);
    }
  }
  m->factor_price_.assign(static_cast<std::size_t>(nf) * ns * nr, -1);
  for (int r = 0; r < nr; ++r) {
    for (int f = 0; f < nf; ++f) {
      if (d.factors[f].mobility == FactorMobility::kMobile) {
        if (m->endowment_[f * nr + r] <= 0.0) continue;
        m->factor_price_[(f * ns + 0) * nr + r] = m->num_variables();
        m->variables_.push_back({VariableKind::kFactorPrice, f, -1, r});
      } else {
        for (int i = 0; i < ns; ++i) {
          if (d.factor_payments(f, i, r) <= 0.0) continue;
          m->factor_price_[(f * ns + i) * nr + r] = m->num_variables();
          m->variables_.push_back({VariableKind::kFactorPrice, f, i, r});
        }
      }
    }
  }

  // Production: sectors with output.
  m->sector_slot_.assign(static_cast<std::size_t>(ns) * nr, -1);
  m->producer_price_.assign(static_cast<std::size_t>(ns) * nr, -1);
  m->output_.assign(static_cast<std::size_t>(ns) * nr, -1);
  for (int r = 0; r < nr; ++r) {
    for (int i = 0; i < ns; ++i) {
      Model::Sector sec;
      for (int s = 0; s < nr; ++s) sec.output += d.trade(i, r, s);
      double value_added = 0.0, inputs = 0.0;
      for (int f = 0; f < nf; ++f) value_added += d.factor_payments(f, i, r);
      for (int j = 0; j < ns; ++j) inputs += d.intermediates(j, i, r);
      if (sec.output <= 0.0) {
        if (value_added + inputs > 0.0) {
          throw InputError(fmt::format(
              "{}: sector {} pays for factors or inputs ({:.6g}) but ships nothing", d.path,
              where(i, r), value_added + inputs));
        }
        continue;
      }
      if (value_added + inputs <= 0.0) {
        throw InputError(fmt::format("{}: sector {} ships {:.6g} but has no costs", d.path,
                                     where(i, r), sec.output));
      }
      sec.sigma_va = d.elasticities.value_added[i];
      sec.sigma_top = d.elasticities.top[i];
      const double cost = value_added + inputs;
      sec.value_added_share = value_added / cost;
      for (int f = 0; f < nf; ++f) {
        if (d.factor_payments(f, i, r) > 0.0) {
          sec.factor_ids.push_back(f);
          sec.factor_shares.push_back(d.factor_payments(f, i, r) / value_added);
        }
      }
      for (int j = 0; j < ns; ++j) {
        if (d.intermediates(j, i, r) > 0.0) {
          sec.input_ids.push_back(j);
          sec.input_shares.push_back(d.intermediates(j, i, r) / cost);
        }
      }
      for (int s = 0; s < nr; ++s) {
        if (d.trade(i, r, s) > 0.0) {
          sec.dest_ids.push_back(s);
          sec.dest_shares.push_back(d.trade(i, r, s) / sec.output);
        }
      }
      if (!sec.factor_shares.empty()) Normalize(&sec.factor_shares);
      Normalize(&sec.dest_shares);
      m->sector_slot_[i * nr + r] = static_cast<int>(m->sectors_.size());
      m->sectors_.push_back(std::move(sec));
      m->producer_price_[i * nr + r] = m->num_variables();
      m->variables_.push_back({VariableKind::kProducerPrice, i, r});
      m->output_[i * nr + r] = m->num_variables();
      m->variables_.push_back({VariableKind::kOutput, i, r});
    }
  }
  // Top-nest shares: value added and inputs together sum to one.
  for (Model::Sector& sec : m->sectors_) {
    const double total = sec.value_added_share + Sum(sec.input_shares);
    sec.value_added_share /= total;
    for (double& s : sec.input_shares) s /= total;
  }

  // Composites: goods with absorption.
  m->composite_slot_.assign(static_cast<std::size_t>(ns) * nr, -1);
  m->composite_price_.assign(static_cast<std::size_t>(ns) * nr, -1);
  m->composite_quantity_.assign(static_cast<std::size_t>(ns) * nr, -1);
  for (int s = 0; s < nr; ++s) {
    for (int i = 0; i < ns; ++i) {
      Model::Composite comp;
      comp.sigma = d.elasticities.armington[i];
      std::vector<double> purchases;
      for (int r = 0; r < nr; ++r) {
        const double value =
            d.trade(i, r, s) * (1.0 + d.export_taxes(i, r, s)) * (1.0 + d.tariffs(i, r, s));
        if (value > 0.0) {
          comp.origin_ids.push_back(r);
          purchases.push_back(value);
        }
      }
      comp.absorption = Sum(purchases);
      double demand = 0.0;
      for (int j = 0; j < ns; ++j) demand += d.intermediates(i, j, s);
      for (const auto& household_demand : d.final_demand[s]) demand += household_demand[i];
      if (comp.absorption <= 0.0) {
        if (demand > 0.0) {
          throw InputError(fmt::format("{}: good {} is used ({:.6g}) but nobody supplies it",
                                       d.path, where(i, s), demand));
        }
        continue;
      }
      comp.origin_shares = purchases;
      Normalize(&comp.origin_shares);
      // Demand-side shares are relative to supply-side absorption so that an unbalanced
      // benchmark shows up as a replication residual instead of being hidden.
      for (int j = 0; j < ns; ++j) {
        if (d.intermediates(i, j, s) > 0.0) {
          comp.user_ids.push_back(j);
          comp.user_shares.push_back(d.intermediates(i, j, s) / comp.absorption);
        }
      }
      for (const auto& household_demand : d.final_demand[s]) {
        comp.household_shares.push_back(household_demand[i] / comp.absorption);
      }
      m->composite_slot_[i * nr + s] = static_cast<int>(m->composites_.size());
      m->composites_.push_back(std::move(comp));
      m->composite_price_[i * nr + s] = m->num_variables();
      m->variables_.push_back({VariableKind::kCompositePrice, i, s});
      m->composite_quantity_[i * nr + s] = m->num_variables();
      m->variables_.push_back({VariableKind::kCompositeQuantity, i, s});
    }
  }

  // Households, incomes and deficits (MODEL.md section 4).
  const Accounts accounts = ComputeAccounts(d);
  m->households_.assign(nr, {});
  m->spending_.assign(nr, {});
  m->deficit_.assign(nr, 0.0);
  for (int r = 0; r < nr; ++r) {
    const auto& groups = d.households[r];
    double population = 0.0, region_spending = 0.0;
    for (const Household& h : groups) population += h.population;
    for (const auto& demand : d.final_demand[r]) region_spending += Sum(demand);
    if (region_spending <= 0.0) {
      throw InputError(fmt::format("{}: region {} has no final demand", d.path, d.regions[r]));
    }
    const double revenue =
        accounts.regions[r].tariff_revenue + accounts.regions[r].export_tax_revenue;
    m->deficit_[r] = accounts.regions[r].deficit;
    for (std::size_t h = 0; h < groups.size(); ++h) {
      Model::HouseholdParams hh;
      const std::vector<double>& demand = d.final_demand[r][h];
      hh.spending = Sum(demand);
      if (hh.spending <= 0.0) {
        throw InputError(fmt::format("{}: household {} of {} has no final demand", d.path,
                                     groups[h].name, d.regions[r]));
      }
      hh.sigma_c = groups[h].consumption_elasticity.value_or(d.elasticities.consumption);
      for (int i = 0; i < ns; ++i) {
        if (demand[i] > 0.0) {
          hh.good_ids.push_back(i);
          hh.budget_shares.push_back(demand[i] / hh.spending);
        }
      }
      hh.owns = groups[h].owns;
      double own_factor_income = 0.0, region_factor_income = 0.0;
      for (int f = 0; f < nf; ++f) {
        own_factor_income += hh.owns[f] * m->endowment_[f * nr + r];
        region_factor_income += m->endowment_[f * nr + r];
      }
      switch (m->redistribution_.rule) {
        case Redistribution::Rule::kLumpSum:
          hh.revenue_share = groups[h].population / population;
          break;
        case Redistribution::Rule::kProportional:
          hh.revenue_share =
              region_factor_income > 0.0 ? own_factor_income / region_factor_income : 0.0;
          break;
        case Redistribution::Rule::kShares:
          hh.revenue_share = m->redistribution_.shares[r][h];
          break;
        case Redistribution::Rule::kCompensate:  // other revenue: lump sum
          hh.revenue_share = groups[h].population / population;
          break;
        case Redistribution::Rule::kNone:
          // The government spends the revenue: each household spends its benchmark spending
          // less its lump-sum share of the revenue, so the benchmark still replicates.
          hh.revenue_share = 0.0;
          hh.spending -= groups[h].population / population * revenue;
          if (hh.spending <= 0.0) {
            throw InputError(fmt::format(
                "{}: redistribution none: household {} of {} spends {:.6g}, less than its "
                "per-capita share of government revenue ({:.6g})",
                d.path, groups[h].name, d.regions[r], Sum(demand),
                groups[h].population / population * revenue));
          }
          break;
      }
      hh.deficit_share = hh.spending / region_spending;
      double income = hh.revenue_share * revenue;
      for (int f = 0; f < nf; ++f) income += hh.owns[f] * m->endowment_[f * nr + r];
      hh.deficit = hh.spending - income;
      m->spending_[r].push_back(m->num_variables());
      m->variables_.push_back({VariableKind::kSpending, r, static_cast<int>(h)});
      m->households_[r].push_back(std::move(hh));
    }
  }
  m->walras_row_ = m->spending_[nr - 1].back();
  std::vector<double> region_revenue(static_cast<std::size_t>(nr), 0.0);
  for (int r = 0; r < nr; ++r) {
    region_revenue[r] = accounts.regions[r].tariff_revenue + accounts.regions[r].export_tax_revenue;
  }

  // Revenue variables: one per composite with a foreign origin, one per sector with a foreign
  // destination (any of them may be taxed by a scenario).
  m->tariff_revenue_.assign(static_cast<std::size_t>(ns) * nr, -1);
  m->export_tax_revenue_.assign(static_cast<std::size_t>(ns) * nr, -1);
  for (int r = 0; r < nr; ++r) {
    for (int i = 0; i < ns; ++i) {
      if (const Model::Composite* comp = m->composite(i, r)) {
        for (int o : comp->origin_ids) {
          if (o == r) continue;
          m->tariff_revenue_[i * nr + r] = m->num_variables();
          m->variables_.push_back({VariableKind::kTariffRevenue, i, r});
          break;
        }
      }
      if (const Model::Sector* sec = m->sector(i, r)) {
        for (int s : sec->dest_ids) {
          if (s == r) continue;
          m->export_tax_revenue_[i * nr + r] = m->num_variables();
          m->variables_.push_back({VariableKind::kExportTaxRevenue, i, r});
          break;
        }
      }
    }
  }

  // Quota rents: one per quota flow, which must be a cross-border flow with benchmark trade.
  for (const Quota& q : m->quotas_) {
    const bool valid = q.sector >= 0 && q.sector < ns && q.exporter >= 0 && q.exporter < nr &&
                       q.importer >= 0 && q.importer < nr && q.exporter != q.importer;
    if (!valid || d.trade(q.sector, q.exporter, q.importer) <= 0.0) {
      throw InputError(fmt::format("quota on {}: not a cross-border flow with benchmark trade",
                                   valid ? d.regions[q.exporter] + "->" + where(q.sector, q.importer)
                                         : std::string("an unknown flow")));
    }
    if (q.owner == RentOwner::kNone) {
      throw InputError("a quota's rent goes to the importer or the exporter");
    }
    m->quota_rent_.push_back(m->num_variables());
    m->variables_.push_back({VariableKind::kQuotaRent, q.sector, q.exporter, q.importer});
  }
  BuildRedistribution(m, region_revenue);
}

void ModelBuilder::BuildRedistribution(Model* m, const std::vector<double>& revenue) {
  const Benchmark& d = m->data_;
  const int nr = m->nr_, ns = m->ns_;
  const Redistribution::Rule rule = m->redistribution_.rule;
  if (rule == Redistribution::Rule::kNone) {
    m->governments_.assign(nr, {});
    m->government_spending_.assign(nr, -1);
    for (int r = 0; r < nr; ++r) {
      Model::GovernmentParams& gov = m->governments_[r];
      gov.spending = revenue[r];
      gov.sigma_c = d.elasticities.consumption;
      // Budget shares: the households' shares weighted by their per-capita share of revenue,
      // i.e. what the households would have bought with it (the region's aggregate shares
      // when tastes are common). Defined even when the revenue is zero.
      double population = 0.0, net_spending = 0.0;
      for (const Household& h : d.households[r]) population += h.population;
      std::vector<double> shares(static_cast<std::size_t>(ns), 0.0);
      for (int h = 0; h < m->num_households(r); ++h) {
        const Model::HouseholdParams& hh = m->households_[r][h];
        const double weight = d.households[r][h].population / population;
        for (std::size_t g = 0; g < hh.good_ids.size(); ++g) {
          shares[hh.good_ids[g]] += weight * hh.budget_shares[g];
        }
        net_spending += hh.spending;
      }
      const double region_spending = net_spending + revenue[r];
      gov.composite_shares.assign(static_cast<std::size_t>(ns), 0.0);
      for (int i = 0; i < ns; ++i) {
        if (shares[i] <= 0.0) continue;
        gov.good_ids.push_back(i);
        gov.budget_shares.push_back(shares[i]);
        gov.composite_shares[i] = region_spending * shares[i] / m->composite(i, r)->absorption;
      }
      Normalize(&gov.budget_shares);
      // Households now spend less in the benchmark: their composite-demand shares shrink by
      // the same factor, and their shares of a change in the deficit are renormalised.
      for (int h = 0; h < m->num_households(r); ++h) {
        Model::HouseholdParams& hh = m->households_[r][h];
        const double full = hh.spending + d.households[r][h].population / population * revenue[r];
        for (int i = 0; i < ns; ++i) {
          if (Model::Composite* comp = m->composite_slot_[i * nr + r] < 0
                                           ? nullptr
                                           : &m->composites_[m->composite_slot_[i * nr + r]]) {
            comp->household_shares[h] *= hh.spending / full;
          }
        }
        hh.deficit_share = hh.spending / net_spending;
      }
      m->government_spending_[r] = m->num_variables();
      m->variables_.push_back({VariableKind::kGovernmentSpending, -1, r});
    }
  }
  if (rule == Redistribution::Rule::kCompensate) {
    m->transfer_.assign(nr, {});
    m->compensation_tax_.assign(nr, -1);
    m->floor_.assign(nr, -1);
    for (int r = 0; r < nr; ++r) {
      for (int h = 0; h < m->num_households(r); ++h) {
        m->transfer_[r].push_back(m->num_variables());
        m->variables_.push_back({VariableKind::kTransfer, h, r});
      }
      m->compensation_tax_[r] = m->num_variables();
      m->variables_.push_back({VariableKind::kCompensationTax, -1, r});
      m->floor_[r] = m->num_variables();
      m->variables_.push_back({VariableKind::kFloor, -1, r});
    }
  }
}

Model Model::Calibrate(const Benchmark& data, const Numeraire& numeraire,
                       const Redistribution& redistribution, const std::vector<Quota>& quotas) {
  Model m;
  m.quotas_ = quotas;
  m.data_ = data;
  m.numeraire_ = numeraire;
  m.redistribution_ = redistribution;
  if (redistribution.rule == Redistribution::Rule::kShares) {
    bool fits = redistribution.shares.size() == data.num_regions();
    for (std::size_t r = 0; fits && r < data.num_regions(); ++r) {
      fits = redistribution.shares[r].size() == data.households[r].size();
    }
    if (!fits) {
      throw InputError("redistribution: shares: one share per household of every region needed");
    }
  }
  m.nr_ = static_cast<int>(data.num_regions());
  m.ns_ = static_cast<int>(data.num_sectors());
  m.nf_ = static_cast<int>(data.num_factors());
  if (m.nr_ == 0 || m.ns_ == 0 || m.nf_ == 0) {
    throw InputError(data.path + ": a model needs at least one region, sector and factor");
  }
  ModelBuilder::Build(&m);
  if (numeraire.kind == Numeraire::Kind::kFactorPrice) {
    const int f = numeraire.factor, r = numeraire.region;
    bool exists = f >= 0 && f < m.nf_ && r >= 0 && r < m.nr_ && m.endowment_[f * m.nr_ + r] > 0.0;
    if (!exists) {
      throw InputError(fmt::format("numeraire: factor {} has no payments in region {}",
                                   f >= 0 && f < m.nf_ ? data.factors[f].name : "?",
                                   r >= 0 && r < m.nr_ ? data.regions[r] : "?"));
    }
  }
  return m;
}

int Model::factor_price_index(int f, int i, int r) const {
  if (data_.factors[f].mobility == FactorMobility::kMobile) i = 0;
  if (i < 0) return -1;
  return factor_price_[(f * ns_ + i) * nr_ + r];
}

State Model::BenchmarkState() const {
  State x(variables_.size(), 0.0);
  const Benchmark& d = data_;
  for (int r = 0; r < nr_; ++r) {
    for (int i = 0; i < ns_; ++i) {
      if (const int t = tariff_revenue_index(i, r); t >= 0) {
        for (int o = 0; o < nr_; ++o) {
          x[t] += d.tariffs(i, o, r) * (1.0 + d.export_taxes(i, o, r)) * d.trade(i, o, r);
        }
        x[t] /= composite(i, r)->absorption;
      }
      if (const int e = export_tax_revenue_index(i, r); e >= 0) {
        for (int s = 0; s < nr_; ++s) x[e] += d.export_taxes(i, r, s) * d.trade(i, r, s);
        x[e] /= sector(i, r)->output;
      }
    }
  }
  for (int r = 0; r < nr_; ++r) {
    // Government spending relative to the region's benchmark spending; the floor is 1.
    if (const int g = government_spending_index(r); g >= 0) {
      x[g] = governments_[r].spending / (benchmark_spending(r) + governments_[r].spending);
    }
    if (const int f = floor_index(r); f >= 0) x[f] = 1.0;
  }
  return x;
}

double Model::benchmark_spending(int r) const {
  double total = 0.0;
  for (const HouseholdParams& hh : households_[r]) total += hh.spending;
  return total;
}

std::string Model::EquationName(int row) const {
  const Variable& v = variables_[row];
  const auto& d = data_;
  switch (v.kind) {
    case VariableKind::kFactorPrice:
      return v.b < 0 ? fmt::format("factor market {}/{}", d.regions[v.c], d.factors[v.a].name)
                     : fmt::format("factor market {}/{}/{}", d.regions[v.c],
                                   d.factors[v.a].name, d.sectors[v.b]);
    case VariableKind::kProducerPrice:
      return fmt::format("goods market {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kOutput:
      return fmt::format("zero profit {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kCompositePrice:
      return fmt::format("composite market {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kCompositeQuantity:
      return fmt::format("composite price {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kSpending:
      if (row == walras_row_) return "numeraire " + numeraire_.description;
      return fmt::format("income balance {}/{}", d.regions[v.a], d.households[v.a][v.b].name);
    case VariableKind::kTariffRevenue:
      return fmt::format("tariff revenue {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kExportTaxRevenue:
      return fmt::format("export tax revenue {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kQuotaRent:
      return fmt::format("quota {}->{}/{}", d.regions[v.b], d.regions[v.c], d.sectors[v.a]);
    case VariableKind::kGovernmentSpending:
      return fmt::format("government budget {}", d.regions[v.b]);
    case VariableKind::kTransfer:
      return fmt::format("compensation {}/{}", d.regions[v.b], d.households[v.b][v.a].name);
    case VariableKind::kCompensationTax:
      return fmt::format("compensation budget {}", d.regions[v.b]);
    case VariableKind::kFloor:
      return fmt::format("utility floor {}", d.regions[v.b]);
  }
  return "?";
}

std::string Model::VariableName(int k) const {
  const Variable& v = variables_[k];
  const auto& d = data_;
  switch (v.kind) {
    case VariableKind::kFactorPrice:
      return v.b < 0 ? fmt::format("factor_price {}/{}", d.regions[v.c], d.factors[v.a].name)
                     : fmt::format("factor_price {}/{}/{}", d.regions[v.c], d.factors[v.a].name,
                                   d.sectors[v.b]);
    case VariableKind::kProducerPrice:
      return fmt::format("producer_price {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kOutput:
      return fmt::format("output {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kCompositePrice:
      return fmt::format("composite_price {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kCompositeQuantity:
      return fmt::format("composite_quantity {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kSpending:
      return fmt::format("spending {}/{}", d.regions[v.a], d.households[v.a][v.b].name);
    case VariableKind::kTariffRevenue:
      return fmt::format("tariff_revenue {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kExportTaxRevenue:
      return fmt::format("export_tax_revenue {}/{}", d.regions[v.b], d.sectors[v.a]);
    case VariableKind::kQuotaRent:
      return fmt::format("quota_rent {}->{}/{}", d.regions[v.b], d.regions[v.c], d.sectors[v.a]);
    case VariableKind::kGovernmentSpending:
      return fmt::format("government_spending {}", d.regions[v.b]);
    case VariableKind::kTransfer:
      return fmt::format("transfer {}/{}", d.regions[v.b], d.households[v.b][v.a].name);
    case VariableKind::kCompensationTax:
      return fmt::format("compensation_tax {}", d.regions[v.b]);
    case VariableKind::kFloor:
      return fmt::format("utility_floor {}", d.regions[v.b]);
  }
  return "?";
}

Outcome Model::ComputeOutcome(const Policy& policy, const State& state) const {
  // Residuals and incomes only: no Jacobian pattern to build.
  const EquilibriumSystem system(*this, policy, 1, false);
  const EquilibriumSystem benchmark(*this, Policy::Benchmark(data_), 1, false);
  const State benchmark_state = BenchmarkState();
  const double* x = state.data();
  const Benchmark& d = data_;
  Outcome out;
  out.numeraire = numeraire_.description;
  out.regions.resize(nr_);
  for (int r = 0; r < nr_; ++r) {
    RegionOutcome& region = out.regions[r];
    double weighted_price = 0.0;
    for (int h = 0; h < num_households(r); ++h) {
      const HouseholdParams& hh = households_[r][h];
      HouseholdOutcome o;
      o.region = r;
      o.household = d.households[r][h].name;
      o.population = d.households[r][h].population;
      o.income_base = hh.spending;
      o.income_new = hh.spending * std::exp(x[spending_[r][h]]);
      o.price_index_hat = std::exp(system.LogConsumerPrice(x, r, h));
      o.utility_hat = std::exp(x[spending_[r][h]]) / o.price_index_hat;
      o.ev = hh.spending * (o.utility_hat - 1.0);
      o.ev_pct = 100.0 * (o.utility_hat - 1.0);
      const EquilibriumSystem::IncomeParts base = benchmark.HouseholdIncome(benchmark_state.data(), r, h);
      const EquilibriumSystem::IncomeParts now = system.HouseholdIncome(x, r, h);
      for (int f = 0; f < nf_; ++f) {
        o.sources.push_back({d.factors[f].name, base.factors[f], now.factors[f]});
      }
      o.sources.push_back({"transfers", base.transfers, now.transfers});
      o.sources.push_back({"income_tax", base.income_tax, now.income_tax});
      o.sources.push_back({"deficit", base.deficit, now.deficit});
      if (redistribution_.rule == Redistribution::Rule::kCompensate) {
        o.sources.push_back({"compensation", base.compensation, now.compensation});
        o.sources.push_back({"compensation_tax", base.compensation_tax, now.compensation_tax});
      }
      region.ev += o.ev;
      region.income_base += o.income_base;
      region.income_new += o.income_new;
      weighted_price += hh.spending * o.price_index_hat;
      out.households.push_back(std::move(o));
    }
    if (government(r) != nullptr) {
      HouseholdOutcome o = GovernmentOutcome(system, x, r);
      region.ev += o.ev;
      region.income_base += o.income_base;
      region.income_new += o.income_new;
      weighted_price += o.income_base * o.price_index_hat;
      out.households.push_back(std::move(o));
    }
    region.ev_pct = 100.0 * region.ev / region.income_base;
    region.consumer_price_hat = weighted_price / region.income_base;
  }
  if (redistribution_.rule == Redistribution::Rule::kCompensate) {
    for (int r = 0; r < nr_; ++r) out.compensation.push_back(CompensationSummary(system, x, r));
  }
  for (int r = 0; r < nr_; ++r) {
    for (int f = 0; f < nf_; ++f) {
      FactorOutcome o;
      o.region = r;
      o.factor = f;
      double payments = 0.0, weighted = 0.0;
      for (int i = 0; i < ns_; ++i) {
        const int w = factor_price_index(f, i, r);
        const double payment = d.factor_payments(f, i, r);
        if (w < 0 || payment <= 0.0) continue;
        payments += payment;
        weighted += payment * std::exp(x[w]);
      }
      if (payments <= 0.0) continue;  // factor absent from this region
      o.price_hat = weighted / payments;
      o.real_price_hat = o.price_hat / out.regions[r].consumer_price_hat;
      out.factors.push_back(o);
    }
  }
  auto shipment = [&](int i, int r, int s) {
    return d.trade(i, r, s) > 0.0 ? d.trade(i, r, s) * std::exp(system.LogShipmentHat(x, i, r, s))
                                  : 0.0;
  };
  for (int r = 0; r < nr_; ++r) {
    for (int i = 0; i < ns_; ++i) {
      SectorOutcome o;
      o.region = r;
      o.sector = i;
      const Sector* sec = sector(i, r);
      o.has_output = sec != nullptr;
      if (sec != nullptr) {
        o.price_hat = std::exp(x[producer_price_index(i, r)]);
        o.output_hat = std::exp(x[output_index(i, r)]);
      }
      double exports_base = 0.0, exports_new = 0.0, imports_base = 0.0, imports_new = 0.0;
      for (int s = 0; s < nr_; ++s) {
        if (s == r) continue;
        exports_base += d.trade(i, r, s);
        exports_new += shipment(i, r, s);
        imports_base += d.trade(i, s, r) * (1.0 + d.export_taxes(i, s, r)) *
                        (1.0 + d.tariffs(i, s, r));
        if (d.trade(i, s, r) > 0.0) {
          // At purchaser prices: every wedge but iceberg costs (already in the shipment).
          const EquilibriumSystem::FlowRevenue rates = system.FlowRevenueRates(x, i, s, r);
          imports_new += shipment(i, s, r) * (1.0 + rates.export_tax + rates.exporter_rent +
                                              rates.tariff + rates.importer_rent);
        }
      }
      o.has_exports = exports_base > 0.0;
      o.has_imports = imports_base > 0.0;
      if (o.has_exports) o.exports_hat = exports_new / exports_base;
      if (o.has_imports) o.imports_hat = imports_new / imports_base;
      if (o.has_output || o.has_imports) out.sectors.push_back(o);
    }
  }
  for (int i = 0; i < ns_; ++i) {
    for (int r = 0; r < nr_; ++r) {
      for (int s = 0; s < nr_; ++s) {
        if (d.trade(i, r, s) <= 0.0) continue;
        out.flows.push_back({r, s, i, d.trade(i, r, s), shipment(i, r, s)});
      }
    }
  }
  // NTBs by flow and kind (ntb.csv): tariff equivalents and rents.
  for (int i = 0; i < ns_; ++i) {
    for (int r = 0; r < nr_; ++r) {
      for (int s = 0; s < nr_; ++s) {
        if (r == s || d.trade(i, r, s) <= 0.0) continue;
        const double kappa = system.access(i, r, s);
        const double value = shipment(i, r, s);
        const double quantity =
            kappa * std::exp(system.LogOpenLandedQuantityHat(x, i, r, s));
        const EquilibriumSystem::FlowRevenue rates = system.FlowRevenueRates(x, i, r, s);
        const Quota* quota = policy.quota_on(i, r, s);
        auto row = [&](const char* kind, double base, double now, double rent, RentOwner owner) {
          NtbOutcome o;
          o.exporter = r;
          o.importer = s;
          o.sector = i;
          o.kind = kind;
          o.ave_base = base;
          o.ave_new = now;
          o.rent_new = rent;
          o.rent_owner = RentOwnerToString(owner);
          o.quantity_hat = quantity;
          out.ntbs.push_back(o);
          return &out.ntbs.back();
        };
        if (d.ntb(i, r, s) != 0.0 || policy.ntb(i, r, s) != 0.0) {
          row("iceberg", d.ntb(i, r, s), policy.ntb(i, r, s), 0.0, RentOwner::kNone);
        }
        const bool importer_quota = quota != nullptr && quota->owner == RentOwner::kImporter;
        const bool exporter_quota = quota != nullptr && quota->owner == RentOwner::kExporter;
        if (!policy.importer_rent.data().empty() && policy.importer_rent(i, r, s) != 0.0) {
          const double rate = rates.importer_rent - (importer_quota ? rates.quota_rent : 0.0);
          row("importer_rent", 0.0, policy.importer_rent(i, r, s), rate * value,
              RentOwner::kImporter);
        }
        if (!policy.exporter_rent.data().empty() && policy.exporter_rent(i, r, s) != 0.0) {
          const double rate = rates.exporter_rent - (exporter_quota ? rates.quota_rent : 0.0);
          row("exporter_rent", 0.0, policy.exporter_rent(i, r, s), rate * value,
              RentOwner::kExporter);
        }
        if (quota != nullptr && kappa > 0.0) {
          for (std::size_t k = 0; k < quotas_.size(); ++k) {
            if (quotas_[k].sector == i && quotas_[k].exporter == r && quotas_[k].importer == s) {
              row("quota", 0.0, std::expm1(x[quota_rent_[k]]), rates.quota_rent * value,
                  quota->owner);
            }
          }
        }
        if (kappa <= 0.0) {
          row("export_ban", 0.0, 0.0, 0.0, RentOwner::kNone)->prohibitive = true;
        }
      }
    }
  }
  out.quota_complementarity_gap = system.QuotaComplementarityGap(x);
  return out;
}

// Rule none: the government of r as a row of welfare.csv (MODEL.md section 6).
HouseholdOutcome Model::GovernmentOutcome(const EquilibriumSystem& system, const double* x,
                                          int r) const {
  const GovernmentParams& gov = governments_[r];
  const double scale = benchmark_spending(r) + gov.spending;
  HouseholdOutcome o;
  o.region = r;
  o.household = "government";
  o.population = 0.0;
  o.is_government = true;
  o.income_base = gov.spending;
  o.income_new = x[government_spending_[r]] * scale;
  o.price_index_hat = std::exp(system.LogGovernmentPrice(x, r));
  if (gov.spending > 0.0) {
    o.utility_hat = o.income_new / gov.spending / o.price_index_hat;
    o.ev = gov.spending * (o.utility_hat - 1.0);
    o.ev_pct = 100.0 * (o.utility_hat - 1.0);
  } else {
    // No benchmark spending: U-hat is undefined; the EV is the new spending at benchmark
    // prices (deflated by the government's price index), ev_pct is left empty in the files.
    o.ev = o.income_new / o.price_index_hat;
  }
  o.sources.push_back({"revenue", gov.spending, o.income_new});
  return o;
}

CompensationOutcome Model::CompensationSummary(const EquilibriumSystem& system, const double* x,
                                               int r) const {
  CompensationOutcome c;
  c.region = r;
  c.tax_rate = x[compensation_tax_[r]];
  c.floor = x[floor_[r]];
  c.floor_below_one = c.floor < 1.0 - 1e-9;
  for (int h = 0; h < num_households(r); ++h) {
    const double transfer = x[transfer_[r][h]];
    const double utility = std::exp(system.LogUtility(r, h, x, nullptr));
    c.transfers += transfer * households_[r][h].spending;
    c.complementarity_gap =
        std::max(c.complementarity_gap, std::abs(std::min(transfer, utility - c.floor)));
  }
  return c;
}

}  // namespace ohlin
