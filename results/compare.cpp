// `ohlin compare`: one scenario solved under several redistribution rules, side by side
// (FORMATS.md "compare.csv"). With lump-sum instruments and fixed factor supplies the national
// EV is the same under every rule; a difference is the efficiency cost of the rule.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "results/results.h"

namespace ohlin {
namespace {

// One row of the table: a measure of a region (household empty) or of one household.
struct Row {
  int region = 0;
  std::string household;
  std::string measure;
  std::vector<std::string> cells;  // one per rule; empty where the rule has no such number
};

std::string Number(double value) {
  // No "-0": a value that rounds to zero prints as 0.
  return std::abs(value) < 1e-12 ? std::string("0") : fmt::format("{:.10g}", value);
}

const HouseholdOutcome* FindHousehold(const Outcome& outcome, int region, const std::string& name) {
  for (const HouseholdOutcome& h : outcome.households) {
    if (h.region == region && h.household == name) return &h;
  }
  return nullptr;
}

const CompensationOutcome* FindCompensation(const Outcome& outcome, int region) {
  for (const CompensationOutcome& c : outcome.compensation) {
    if (c.region == region) return &c;
  }
  return nullptr;
}

std::vector<Row> BuildRows(const Benchmark& data, const std::vector<RuleComparison>& runs) {
  std::vector<Row> rows;
  const std::size_t n = runs.size();
  for (int r = 0; r < static_cast<int>(data.regions.size()); ++r) {
    // Households in the order of the first outcome that has them (the government of rule
    // none comes last).
    std::vector<std::string> names;
    for (const RuleComparison& run : runs) {
      for (const HouseholdOutcome& h : run.outcome->households) {
        if (h.region == r && std::find(names.begin(), names.end(), h.household) == names.end()) {
          names.push_back(h.household);
        }
      }
    }
    for (const std::string& name : names) {
      Row row{r, name, "ev_pct", std::vector<std::string>(n)};
      for (std::size_t k = 0; k < n; ++k) {
        const HouseholdOutcome* h = FindHousehold(*runs[k].outcome, r, name);
        if (h != nullptr && !(h->is_government && h->income_base == 0.0)) {
          row.cells[k] = Number(h->ev_pct);
        }
      }
      rows.push_back(std::move(row));
    }
    auto region_row = [&](const std::string& measure, auto&& cell) {
      Row row{r, "", measure, std::vector<std::string>(n)};
      for (std::size_t k = 0; k < n; ++k) row.cells[k] = cell(*runs[k].outcome);
      rows.push_back(std::move(row));
    };
    region_row("ev", [&](const Outcome& o) { return Number(o.regions[r].ev); });
    region_row("ev_pct", [&](const Outcome& o) { return Number(o.regions[r].ev_pct); });
    region_row("population_losing_pct", [&](const Outcome& o) {
      const DistributionStats stats = MeasureDistribution(o, r);
      return stats.has_households ? Number(stats.population_losing_pct) : std::string();
    });
    region_row("gini_base", [&](const Outcome& o) {
      const DistributionStats stats = MeasureDistribution(o, r);
      return stats.has_households ? Number(stats.gini_base) : std::string();
    });
    region_row("gini_new", [&](const Outcome& o) {
      const DistributionStats stats = MeasureDistribution(o, r);
      return stats.has_households ? Number(stats.gini_new) : std::string();
    });
    region_row("compensation_tax_pct", [&](const Outcome& o) {
      const CompensationOutcome* c = FindCompensation(o, r);
      return c != nullptr ? Number(100.0 * c->tax_rate) : std::string();
    });
  }
  return rows;
}

}  // namespace

std::string CompareCsv(const Benchmark& data, const std::vector<RuleComparison>& runs) {
  std::string csv = "region,household,measure";
  for (const RuleComparison& run : runs) csv += "," + run.rule;
  csv += "\n";
  for (const Row& row : BuildRows(data, runs)) {
    csv += fmt::format("{},{},{}", CsvField(data.regions[row.region]), CsvField(row.household),
                       row.measure);
    for (const std::string& cell : row.cells) csv += "," + cell;
    csv += "\n";
  }
  return csv;
}

std::string FormatCompareTable(const Benchmark& data, const std::string& scenario_name,
                               const std::vector<RuleComparison>& runs) {
  const std::string units = data.units.empty() ? "benchmark currency" : data.units;
  std::size_t label_width = 24;
  std::size_t column = 12;
  for (const RuleComparison& run : runs) column = std::max(column, run.rule.size());
  for (const std::string& region : data.regions)
    label_width = std::max(label_width, region.size() + 2);
  const auto label_of = [&](const Row& row) -> std::string {
    if (!row.household.empty()) return "  " + row.household + " EV %";
    if (row.measure == "ev") return "  national EV (" + units + ")";
    if (row.measure == "ev_pct") return "  national EV %";
    if (row.measure == "population_losing_pct") return "  population losing %";
    if (row.measure == "gini_base") return "  Gini before";
    if (row.measure == "gini_new") return "  Gini after";
    return "  compensation tax %";
  };
  const std::vector<Row> rows = BuildRows(data, runs);
  for (const Row& row : rows) label_width = std::max(label_width, label_of(row).size());
  std::string text = fmt::format("Scenario     {}\nRules        ", scenario_name);
  for (std::size_t k = 0; k < runs.size(); ++k) text += (k ? ", " : "") + runs[k].rule;
  text += "\n\n";
  text += fmt::format("  {:<{}}", "", label_width);
  for (const RuleComparison& run : runs) text += fmt::format(" {:>{}}", run.rule, column);
  text += "\n";
  int region = -1;
  for (const Row& row : rows) {
    if (row.region != region) {
      region = row.region;
      text += fmt::format("  {}\n", data.regions[region]);
    }
    bool any = false;
    for (const std::string& cell : row.cells) any = any || !cell.empty();
    if (!any) continue;  // e.g. the compensation tax when compensate is not compared
    text += fmt::format("  {:<{}}", label_of(row), label_width);
    for (const std::string& cell : row.cells) {
      std::string shown = "-";
      if (!cell.empty()) {
        const double value = std::stod(cell);
        const bool level = row.measure == "ev" && row.household.empty();
        shown = level                               ? fmt::format("{:.6g}", value)
                : row.measure.rfind("gini", 0) == 0 ? fmt::format("{:.4f}", value)
                                                    : fmt::format("{:.3f}", value);
        if (shown.find_first_not_of("-0.") == std::string::npos) shown.erase(0, shown[0] == '-');
      }
      text += fmt::format(" {:>{}}", shown, column);
    }
    text += "\n";
  }
  return text;
}

}  // namespace ohlin
