// The summary `ohlin solve` prints: a header, then welfare, real factor returns and the
// largest sectoral output changes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "results/results.h"

namespace ohlin {
namespace {

// `value` for a format with `decimals` decimals: a value that rounds to zero prints "0.000",
// never "-0.000".
double Shown(double value, int decimals) {
  return std::abs(value) < 0.5 * std::pow(10.0, -decimals) ? 0.0 : value;
}

double Percent(double hat) { return 100.0 * (hat - 1.0); }

std::string Header(const ResultContext& context) {
  const SolverSummary& summary = *context.summary;
  const std::string numeraire = context.outcome != nullptr && !context.outcome->numeraire.empty()
                                    ? context.outcome->numeraire
                                    : context.scenario->numeraire.Describe(*context.data);
  const std::string data_path =
      context.scenario->data_path.empty() ? context.data->path : context.scenario->data_path;
  std::string text;
  text += fmt::format("Scenario     {}\n", ShortText(context.scenario->name));
  text += fmt::format("Data         {} ({})\n", data_path, context.data->name);
  text += fmt::format("Status       {}\n", summary.IsConverged() ? "converged" : "failed");
  text += fmt::format("Iterations   {}\n", summary.iterations);
  text += fmt::format("Max residual {:.3e}\n", summary.final_max_residual);
  text +=
      fmt::format("Walras       {:.3e} ({})\n", summary.walras_residual,
                  summary.walras_equation.empty() ? "dropped equation" : summary.walras_equation);
  text += fmt::format("Seconds      {:.3f}\n", summary.total_seconds);
  text += fmt::format("Numeraire    {}\n", numeraire);
  return text;
}

std::size_t LongestName(const std::vector<std::string>& names, std::size_t at_least) {
  std::size_t width = at_least;
  for (const std::string& name : names) width = std::max(width, name.size());
  return width;
}

std::string WelfareTable(const Benchmark& data, const Outcome& outcome) {
  const std::string units = data.units.empty() ? "benchmark currency" : data.units;
  std::vector<std::string> labels = data.regions;
  for (const HouseholdOutcome& household : outcome.households) {
    labels.push_back("  " + household.household);
  }
  const std::size_t width = LongestName(labels, 6);
  std::string text = fmt::format("\nWelfare (equivalent variation, {})\n", units);
  text += fmt::format("  {:<{}} {:>14} {:>9}\n", "region", width, "EV", "EV %");
  for (std::size_t r = 0; r < data.regions.size() && r < outcome.regions.size(); ++r) {
    const RegionOutcome& region = outcome.regions[r];
    text += fmt::format("  {:<{}} {:>14.6g} {:>9.3f}\n", data.regions[r], width, region.ev,
                        Shown(region.ev_pct, 3));
    std::vector<const HouseholdOutcome*> members;
    for (const HouseholdOutcome& household : outcome.households) {
      if (household.region == static_cast<int>(r)) members.push_back(&household);
    }
    if (members.size() < 2) continue;  // one household: the region line says it all
    for (const HouseholdOutcome* household : members) {
      const bool no_base = household->is_government && household->income_base == 0.0;
      text += fmt::format("  {:<{}} {:>14.6g} {:>9}\n", "  " + household->household, width,
                          household->ev,
                          no_base ? std::string("-") : fmt::format("{:.3f}", Shown(household->ev_pct, 3)));
    }
  }
  return text;
}

std::string FactorTable(const Benchmark& data, const Outcome& outcome) {
  if (data.factors.empty() || outcome.factors.empty()) return "";
  const std::size_t width = LongestName(data.regions, 6);
  std::size_t column = 9;
  for (const Factor& factor : data.factors) column = std::max(column, factor.name.size());
  std::string text = "\nReal factor returns (% change, deflated by the region's CPI)\n";
  text += fmt::format("  {:<{}}", "region", width);
  for (const Factor& factor : data.factors) text += fmt::format(" {:>{}}", factor.name, column);
  text += "\n";
  for (std::size_t r = 0; r < data.regions.size(); ++r) {
    text += fmt::format("  {:<{}}", data.regions[r], width);
    for (std::size_t f = 0; f < data.factors.size(); ++f) {
      std::string cell = "-";
      for (const FactorOutcome& factor : outcome.factors) {
        if (factor.region == static_cast<int>(r) && factor.factor == static_cast<int>(f)) {
          cell = fmt::format("{:.3f}", Shown(Percent(factor.real_price_hat), 3));
        }
      }
      text += fmt::format(" {:>{}}", cell, column);
    }
    text += "\n";
  }
  return text;
}

std::string SectorTable(const Benchmark& data, const Outcome& outcome, int max_sectors) {
  std::vector<const SectorOutcome*> ranked;
  for (const SectorOutcome& sector : outcome.sectors) {
    if (sector.has_output) ranked.push_back(&sector);
  }
  if (ranked.empty() || max_sectors <= 0) return "";
  // Largest |change| first; ties in file order so that the table is deterministic.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const SectorOutcome* a, const SectorOutcome* b) {
                     return std::abs(a->output_hat - 1.0) > std::abs(b->output_hat - 1.0);
                   });
  const std::size_t shown = std::min(ranked.size(), static_cast<std::size_t>(max_sectors));
  const std::size_t region_width = LongestName(data.regions, 6);
  const std::size_t sector_width = LongestName(data.sectors, 6);
  std::string text = fmt::format("\nLargest output changes (top {} of {})\n", shown, ranked.size());
  text += fmt::format("  {:<{}} {:<{}} {:>9} {:>9} {:>9} {:>9}\n", "region", region_width, "sector",
                      sector_width, "output %", "price %", "exports %", "imports %");
  const auto cell = [](bool present, double hat) {
    return present ? fmt::format("{:.3f}", Shown(Percent(hat), 3)) : std::string("-");
  };
  for (std::size_t k = 0; k < shown; ++k) {
    const SectorOutcome& sector = *ranked[k];
    const auto r = static_cast<std::size_t>(sector.region);
    const auto i = static_cast<std::size_t>(sector.sector);
    text += fmt::format("  {:<{}} {:<{}} {:>9} {:>9} {:>9} {:>9}\n",
                        r < data.regions.size() ? data.regions[r] : "?", region_width,
                        i < data.sectors.size() ? data.sectors[i] : "?", sector_width,
                        cell(true, sector.output_hat), cell(true, sector.price_hat),
                        cell(sector.has_exports, sector.exports_hat),
                        cell(sector.has_imports, sector.imports_hat));
  }
  return text;
}

// Where each region's EV comes from (decomposition.csv), grouped, in % of income.
std::string DecompositionTable(const Benchmark& data, const Outcome& outcome) {
  if (outcome.decomposition.empty()) {
    return outcome.decomposition_note.empty()
               ? ""
               : fmt::format("\nEV decomposition: {}\n", outcome.decomposition_note);
  }
  struct Group {
    const char* title;
    std::vector<std::string> components;
  };
  const std::vector<Group> groups = {
      {"ToT", {"terms_of_trade"}},
      {"efficiency", {"tariffs", "export_taxes", "factor_taxes", "ntb_rents"}},
      {"iceberg", {"iceberg_costs"}},
      {"bans", {"export_bans"}},
      {"endow+tech", {"endowments", "technology"}},
      {"deficit", {"deficit"}},
      {"redistrib.", {"redistribution"}},
      {"EV", {"total"}}};
  const std::size_t width = LongestName(data.regions, 6);
  std::string text = "\nWhere the EV comes from (% of income; decomposition.csv has every part)\n";
  text += fmt::format("  {:<{}}", "region", width);
  for (const Group& group : groups) text += fmt::format(" {:>10}", group.title);
  text += "\n";
  for (std::size_t r = 0; r < data.regions.size(); ++r) {
    text += fmt::format("  {:<{}}", data.regions[r], width);
    for (const Group& group : groups) {
      double sum = 0.0;
      for (const DecompositionRow& row : outcome.decomposition) {
        if (row.region != static_cast<int>(r)) continue;
        for (const std::string& name : group.components) {
          if (row.component == name) sum += row.pct_of_income;
        }
      }
      text += fmt::format(" {:>10.3f}", Shown(sum, 3));
    }
    text += "\n";
  }
  text += fmt::format("  {}\n", outcome.decomposition_note);
  return text;
}

// Rule compensate: the tax each region needed, its floor, and the complementarity gap.
std::string CompensationTable(const Benchmark& data, const Outcome& outcome) {
  if (outcome.compensation.empty()) return "";
  const std::size_t width = LongestName(data.regions, 6);
  std::string text = "\nCompensation (rule compensate: losers lifted to the utility floor)\n";
  text += fmt::format("  {:<{}} {:>10} {:>10} {:>14}  {}\n", "region", width, "tax %", "floor %",
                      "transfers", "");
  double gap = 0.0;
  for (const CompensationOutcome& c : outcome.compensation) {
    gap = std::max(gap, c.complementarity_gap);
    const auto r = static_cast<std::size_t>(c.region);
    text += fmt::format("  {:<{}} {:>10.4f} {:>10.4f} {:>14.6g}  {}\n",
                        r < data.regions.size() ? data.regions[r] : "?", width,
                        Shown(100.0 * c.tax_rate, 4), Shown(100.0 * (c.floor - 1.0), 4), c.transfers,
                        c.floor_below_one
                            ? "loses in aggregate: every household has the same utility change"
                            : "");
  }
  text += fmt::format("  complementarity gap (max |min(T/E, U - floor)|): {:.2e}\n", gap);
  return text;
}

}  // namespace

std::string FormatTerminalSummary(const ResultContext& context, int max_sectors) {
  if (context.data == nullptr || context.scenario == nullptr || context.summary == nullptr) {
    return "no results\n";
  }
  std::string text = Header(context);
  if (context.outcome == nullptr) return text;
  text += WelfareTable(*context.data, *context.outcome);
  text += CompensationTable(*context.data, *context.outcome);
  text += FactorTable(*context.data, *context.outcome);
  text += SectorTable(*context.data, *context.outcome, max_sectors);
  text += DecompositionTable(*context.data, *context.outcome);
  return text;
}

}  // namespace ohlin
