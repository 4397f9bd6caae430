// The result files of FORMATS.md "Results": summary.json and the CSV tables.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <cmath>
#include <exception>
#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "results/results.h"

#ifndef OHLIN_VERSION
#define OHLIN_VERSION "unknown"
#endif

namespace ohlin {
namespace {

using Json = nlohmann::ordered_json;

// A household counts as losing when its utility falls by more than this fraction: well above
// solver noise, well below any change worth reporting.
constexpr double kLosingUtilityThreshold = 1e-10;

// Thrown by the number formatters below for NaN or infinity: no table may hold one.
struct NonFiniteNumber : std::invalid_argument {
  NonFiniteNumber() : std::invalid_argument("a number that is not finite") {}
};

double Finite(double value) {
  if (!std::isfinite(value)) throw NonFiniteNumber();
  return value == 0.0 ? 0.0 : value;  // never "-0"
}

// 10 and 12 significant digits.
std::string G10(double value) { return fmt::format("{:.10g}", Finite(value)); }
std::string Value(double value) { return fmt::format("{:.12g}", Finite(value)); }

// Percent change of a hat, 100 (hat - 1); full precision.
std::string PercentOfHat(double hat) { return G10(100.0 * (hat - 1.0)); }



const std::string& NameAt(const std::vector<std::string>& names, int index, const char* what) {
  if (index < 0 || static_cast<std::size_t>(index) >= names.size()) {
    throw std::invalid_argument(
        fmt::format("outcome names {} {} of {}", what, index, names.size()));
  }
  return names[static_cast<std::size_t>(index)];
}

std::vector<std::string> FactorNames(const Benchmark& data) {
  std::vector<std::string> names;
  for (const Factor& factor : data.factors) names.push_back(factor.name);
  return names;
}

void RequireContext(const ResultContext& context, bool need_outcome) {
  if (context.data == nullptr || context.scenario == nullptr || context.summary == nullptr ||
      (need_outcome && context.outcome == nullptr)) {
    throw std::invalid_argument("result context is missing data, scenario, outcome or summary");
  }
}

std::string WelfareCsv(const Benchmark& data, const Outcome& outcome) {
  std::string csv = "region,household,population,income_base,income_new,ev,ev_pct\n";
  for (const HouseholdOutcome& household : outcome.households) {
    // A government without benchmark spending (rule none) has no percent change.
    const bool no_base = household.is_government && household.income_base == 0.0;
    csv += fmt::format(
        "{},{},{},{},{},{},{}\n", CsvField(NameAt(data.regions, household.region, "region")),
        CsvField(household.household), Value(household.population), Value(household.income_base),
        Value(household.income_new), Value(household.ev),
        no_base ? std::string() : G10(household.ev_pct));
  }
  return csv;
}

std::string FactorsCsv(const Benchmark& data, const Outcome& outcome) {
  const std::vector<std::string> factor_names = FactorNames(data);
  std::string csv = "region,factor,price_pct,real_price_pct\n";
  for (const FactorOutcome& factor : outcome.factors) {
    csv += fmt::format("{},{},{},{}\n", CsvField(NameAt(data.regions, factor.region, "region")),
                       CsvField(NameAt(factor_names, factor.factor, "factor")),
                       PercentOfHat(factor.price_hat), PercentOfHat(factor.real_price_hat));
  }
  return csv;
}

std::string SectorsCsv(const Benchmark& data, const Outcome& outcome) {
  std::string csv = "region,sector,price_pct,output_pct,exports_pct,imports_pct\n";
  for (const SectorOutcome& sector : outcome.sectors) {
    // A sector without benchmark output has no producer price or output to change.
    csv +=
        fmt::format("{},{},{},{},{},{}\n", CsvField(NameAt(data.regions, sector.region, "region")),
                    CsvField(NameAt(data.sectors, sector.sector, "sector")),
                    sector.has_output ? PercentOfHat(sector.price_hat) : "",
                    sector.has_output ? PercentOfHat(sector.output_hat) : "",
                    sector.has_exports ? PercentOfHat(sector.exports_hat) : "",
                    sector.has_imports ? PercentOfHat(sector.imports_hat) : "");
  }
  return csv;
}

// Throws std::invalid_argument (as NameAt) when a region or sector index is out of range.
void CheckNames(const std::vector<std::string>& regions, std::initializer_list<int> region_ids,
                const std::vector<std::string>& sectors, int sector) {
  for (const int r : region_ids) NameAt(regions, r, "region");
  NameAt(sectors, sector, "sector");
}

// The names of a set as CSV fields, quoted once rather than per row.
std::vector<std::string> CsvFields(const std::vector<std::string>& names) {
  std::vector<std::string> fields;
  fields.reserve(names.size());
  for (const std::string& name : names) fields.push_back(CsvField(name));
  return fields;
}

// Appends `value` as {:.Pg} (printf's %.Pg) would, P = `precision`: std::to_chars gives the
// same characters several times faster than formatting through a format string, which counts
// at millions of numbers.
void AppendG(std::string* out, double value, int precision) {
  char text[40];
  const std::to_chars_result result = std::to_chars(
      text, text + sizeof(text), value, std::chars_format::general, precision);
  out->append(text, result.ptr);
}

// The rows of a large table, appended by `format_row(row, out)` in chunks in parallel and
// joined in order: the same bytes whatever the threads.
template <class Row, class Format>
std::string FormatRows(std::string header, const std::vector<Row>& rows, Format format_row) {
  constexpr std::size_t kChunkRows = 1 << 15;
  const std::size_t chunks = (rows.size() + kChunkRows - 1) / kChunkRows;
  std::vector<std::string> parts(chunks);
#pragma omp parallel for schedule(dynamic) if (chunks > 1)
  for (std::size_t c = 0; c < chunks; ++c) {
    std::string& part = parts[c];
    part.reserve(100 * kChunkRows);
    const std::size_t last = std::min(rows.size(), (c + 1) * kChunkRows);
    for (std::size_t k = c * kChunkRows; k < last; ++k) format_row(rows[k], &part);
  }
  std::size_t size = header.size();
  for (const std::string& part : parts) size += part.size();
  header.reserve(size);
  for (const std::string& part : parts) header += part;
  return header;
}

// Appends "a,b,c," for the names of a flow's exporter, importer and sector.
void AppendFlowKey(std::string* out, const std::string& exporter, const std::string& importer,
                   const std::string& sector) {
  for (const std::string* name : {&exporter, &importer, &sector}) {
    out->append(*name);
    out->push_back(',');
  }
}

// trade.csv and ntb.csv have a row per flow (1.27 million at GTAP size): the same bytes as
// Value ({:.12g}) and PercentOfHat ({:.10g}) would give, without a string per field.
std::string TradeCsv(const Benchmark& data, const Outcome& outcome) {
  const std::vector<std::string> regions = CsvFields(data.regions);
  const std::vector<std::string> sectors = CsvFields(data.sectors);
  for (const FlowOutcome& flow : outcome.flows) {  // throws here, not in the parallel part
    CheckNames(regions, {flow.exporter, flow.importer}, sectors, flow.sector);
  }
  return FormatRows(
      "exporter,importer,sector,value_base,value_new,pct\n", outcome.flows,
      [&](const FlowOutcome& flow, std::string* out) {
        AppendFlowKey(out, regions[flow.exporter], regions[flow.importer], sectors[flow.sector]);
        AppendG(out, flow.value_base, 12);
        out->push_back(',');
        AppendG(out, flow.value_new, 12);
        out->push_back(',');
        if (flow.value_base != 0.0) {
          AppendG(out, 100.0 * (flow.value_new / flow.value_base - 1.0), 10);
        }
        out->push_back('\n');
      });
}

// One row per NTB kind on each benchmark flow (FORMATS.md ntb.csv); an export ban has no
// finite tariff equivalent, so its ave_new is empty.
std::string NtbCsv(const Benchmark& data, const Outcome& outcome) {
  const std::vector<std::string> regions = CsvFields(data.regions);
  const std::vector<std::string> sectors = CsvFields(data.sectors);
  for (const NtbOutcome& ntb : outcome.ntbs) {  // throws here, not in the parallel part
    CheckNames(regions, {ntb.exporter, ntb.importer}, sectors, ntb.sector);
  }
  return FormatRows(
      "exporter,importer,sector,kind,ave_base,ave_new,rent_new,rent_owner,landed_quantity_pct\n",
      outcome.ntbs, [&](const NtbOutcome& ntb, std::string* out) {
        AppendFlowKey(out, regions[ntb.exporter], regions[ntb.importer], sectors[ntb.sector]);
        out->append(ntb.kind);
        out->push_back(',');
        AppendG(out, ntb.ave_base, 12);
        out->push_back(',');
        if (!ntb.prohibitive) AppendG(out, ntb.ave_new, 12);
        out->push_back(',');
        AppendG(out, ntb.rent_new, 12);
        out->push_back(',');
        out->append(ntb.rent_owner);
        out->push_back(',');
        AppendG(out, 100.0 * (ntb.quantity_hat - 1.0), 10);
        out->push_back('\n');
      });
}

std::string DecompositionCsv(const Benchmark& data, const Outcome& outcome) {
  std::string csv = "region,component,value,pct_of_income\n";
  for (const DecompositionRow& row : outcome.decomposition) {
    csv += fmt::format("{},{},{},{}\n", CsvField(NameAt(data.regions, row.region, "region")),
                       row.component, Value(row.value), Value(row.pct_of_income));
  }
  return csv;
}

struct Inequality {
  double gini = 0.0;
  double theil = 0.0;
};

// Population-weighted Gini and Theil indices of per-capita income across household groups
// (MODEL.md section 6).
Inequality MeasureInequality(const std::vector<double>& population,
                             const std::vector<double>& per_capita) {
  // Population shares, not populations: 1e160 people must not overflow a product.
  const double total_population = std::accumulate(population.begin(), population.end(), 0.0);
  Inequality inequality;
  if (!(total_population > 0.0)) return inequality;
  std::vector<double> share(population.size());
  double mean = 0.0;
  for (std::size_t h = 0; h < population.size(); ++h) {
    share[h] = population[h] / total_population;
    mean += share[h] * per_capita[h];
  }
  if (!(mean > 0.0)) return inequality;
  double absolute_gaps = 0.0;
  for (std::size_t h = 0; h < population.size(); ++h) {
    for (std::size_t k = 0; k < population.size(); ++k) {
      absolute_gaps += share[h] * share[k] * std::abs(per_capita[h] - per_capita[k]);
    }
    const double relative = per_capita[h] / mean;
    if (relative > 0.0) inequality.theil += share[h] * relative * std::log(relative);
  }
  inequality.gini = absolute_gaps / (2.0 * mean);
  return inequality;
}

// Per region: inequality of per-capita real income (benchmark vs counterfactual, both at
// benchmark prices, so the numeraire does not matter) and the population share that loses.
std::string DistributionCsv(const Benchmark& data, const Outcome& outcome) {
  std::string csv = "region,gini_base,gini_new,theil_base,theil_new,population_losing_pct\n";
  for (std::size_t r = 0; r < data.regions.size(); ++r) {
    std::vector<double> population, income_base, income_new;
    double losing_population = 0.0;
    for (const HouseholdOutcome& household : outcome.households) {
      if (household.region != static_cast<int>(r) || household.population <= 0.0) continue;
      population.push_back(household.population);
      income_base.push_back(household.income_base / household.population);
      income_new.push_back(household.income_base * household.utility_hat / household.population);
      if (household.utility_hat < 1.0 - kLosingUtilityThreshold) {
        losing_population += household.population;
      }
    }
    if (population.empty()) continue;
    const double total_population = std::accumulate(population.begin(), population.end(), 0.0);
    const Inequality base = MeasureInequality(population, income_base);
    const Inequality now = MeasureInequality(population, income_new);
    csv += fmt::format("{},{},{},{},{},{}\n", CsvField(data.regions[r]), G10(base.gini),
                       G10(now.gini), G10(base.theil), G10(now.theil),
                       G10(100.0 * losing_population / total_population));
  }
  return csv;
}

std::string DataPath(const ResultContext& context) {
  return context.scenario->data_path.empty() ? context.data->path : context.scenario->data_path;
}

std::string NumeraireDescription(const ResultContext& context) {
  if (context.outcome != nullptr && !context.outcome->numeraire.empty()) {
    return context.outcome->numeraire;
  }
  return context.scenario->numeraire.Describe(*context.data);
}

// Rule compensate (MODEL.md section 6): per region the tax rate, the floor, whether the
// region loses in aggregate (every household then at the floor), and how far the smoothed
// complementarity is from exact.
Json CompensationJson(const Benchmark& data, const Outcome& outcome) {
  Json regions = Json::array();
  double gap = 0.0;
  for (const CompensationOutcome& c : outcome.compensation) {
    gap = std::max(gap, c.complementarity_gap);
    regions.push_back({{"region", NameAt(data.regions, c.region, "region")},
                       {"tax_rate", c.tax_rate},
                       {"utility_floor", c.floor},
                       {"loses_in_aggregate", c.floor_below_one},
                       {"transfers", c.transfers},
                       {"complementarity_gap", c.complementarity_gap}});
  }
  Json json;
  json["complementarity_gap"] = gap;
  json["note"] =
      "every household is lifted to the utility floor; where a region loses in aggregate the "
      "floor is below 1 and every household of the region has the same utility change";
  json["regions"] = regions;
  return json;
}

Json SummaryJson(const ResultContext& context, const std::string& status) {
  const SolverSummary& summary = *context.summary;
  Json json;
  json["ohlin"] = 1;
  json["scenario"] = context.scenario->name;
  json["scenario_file"] = context.scenario->path;
  json["data"] = DataPath(context);
  json["status"] = status;
  json["iterations"] = summary.iterations;
  json["max_residual"] = summary.final_max_residual;
  json["walras_residual"] = summary.walras_residual;
  json["seconds"] = summary.total_seconds;
  if (context.phases != nullptr) {
    const PhaseSeconds& phases = *context.phases;
    json["phase_seconds"] = {{"load", phases.load},           {"calibrate", phases.calibrate},
                             {"solve", phases.solve},         {"decompose", phases.decompose},
                             {"write", phases.write}};
  }
  if (!context.flow_tables) json["left_out"] = FlowTableNames();
  json["ohlin_version"] = OHLIN_VERSION;
  json["numeraire"] = NumeraireDescription(context);
  json["walras_equation"] = summary.walras_equation;
  json["unknowns"] = summary.num_unknowns;
  json["jacobian_nonzeros"] = summary.jacobian_nonzeros;
  json["method"] = summary.method;
  if (!summary.hint.empty()) json["hint"] = summary.hint;
  json["last_step_length"] = summary.last_step_length;
  json["factorisations"] = summary.factorisations;
  json["krylov_products"] = summary.krylov_iterations;
  json["continuation_stages"] = summary.continuation_path.size();
  json["continuation_path"] = summary.continuation_path;
  json["termination"] = TerminationTypeToString(summary.termination_type);
  json["message"] = summary.message;
  json["initial_max_residual"] = summary.initial_max_residual;
  json["redistribution"] = RedistributionRuleToString(context.scenario->redistribution);
  if (context.outcome != nullptr && !context.outcome->compensation.empty()) {
    json["compensation"] = CompensationJson(*context.data, *context.outcome);
  }
  json["units"] = context.data->units;
  Json residuals = Json::array();
  for (const ResidualReport& residual : summary.largest_residuals) {
    residuals.push_back({{"equation", residual.equation}, {"value", residual.value}});
  }
  json["largest_residuals"] = residuals;
  if (context.outcome != nullptr) {
    const Outcome& outcome = *context.outcome;
    if (!outcome.decomposition_note.empty()) {
      json["decomposition"] = outcome.decomposition_note;
      if (!outcome.decomposition.empty()) {
        json["decomposition_points"] = outcome.decomposition_points;
        json["decomposition_gap_pct"] = 100.0 * outcome.decomposition_gap;
      }
    }
    bool has_quota = false;
    for (const NtbOutcome& ntb : outcome.ntbs) has_quota = has_quota || ntb.kind == "quota";
    if (has_quota) json["quota_complementarity_gap"] = outcome.quota_complementarity_gap;
  }
  return json;
}

}  // namespace

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

const std::vector<std::string>& FlowTableNames() {
  static const std::vector<std::string> names = {"trade.csv", "ntb.csv"};
  return names;
}

bool OutcomeIsFinite(const Outcome& outcome, std::string* why) {
  const auto fail = [why](const std::string& where) {
    if (why != nullptr)
      *why = fmt::format("the outcome has a number that is not finite ({})", where);
    return false;
  };
  for (const HouseholdOutcome& h : outcome.households) {
    for (const double v : {h.income_new, h.utility_hat, h.ev, h.ev_pct, h.price_index_hat}) {
      if (!std::isfinite(v)) return fail("household " + h.household);
    }
  }
  for (const RegionOutcome& r : outcome.regions) {
    for (const double v : {r.ev, r.ev_pct, r.income_new, r.consumer_price_hat}) {
      if (!std::isfinite(v)) return fail("region");
    }
  }
  for (const FactorOutcome& f : outcome.factors) {
    if (!std::isfinite(f.price_hat) || !std::isfinite(f.real_price_hat)) return fail("factor");
  }
  for (const SectorOutcome& s : outcome.sectors) {
    for (const double v : {s.price_hat, s.output_hat, s.exports_hat, s.imports_hat}) {
      if (!std::isfinite(v)) return fail("sector");
    }
  }
  for (const FlowOutcome& flow : outcome.flows) {
    if (!std::isfinite(flow.value_new)) return fail("trade flow");
  }
  return true;
}

std::string FailureReason(const SolverSummary& summary) {
  std::string reason = summary.message;
  if (!summary.largest_residuals.empty()) {
    reason += "; largest residuals:";
    for (std::size_t k = 0; k < summary.largest_residuals.size(); ++k) {
      const ResidualReport& residual = summary.largest_residuals[k];
      reason += fmt::format("{} {} = {:.3g}", k == 0 ? "" : ",", residual.equation, residual.value);
    }
  }
  return reason;
}

namespace {

using Tables = std::vector<std::pair<std::string, std::string>>;
using TableBuilders = std::vector<std::pair<std::string, std::function<std::string()>>>;

// Builds the tables in parallel, each by its own function alone (so the same bytes whatever
// the threads), and appends them in order. The first that fails in that order is reported,
// as if they had been built one after another; a NaN or infinity is named with its table.
void BuildTables(const TableBuilders& builders, Tables* tables) {
  std::vector<std::string> texts(builders.size());
  std::vector<std::exception_ptr> errors(builders.size());
#pragma omp parallel for schedule(dynamic)
  for (std::size_t k = 0; k < builders.size(); ++k) {
    try {
      texts[k] = builders[k].second();
    } catch (...) {
      errors[k] = std::current_exception();
    }
  }
  for (std::size_t k = 0; k < builders.size(); ++k) {
    if (errors[k] != nullptr) {
      try {
        std::rethrow_exception(errors[k]);
      } catch (const NonFiniteNumber&) {
        throw std::invalid_argument(fmt::format(
            "the outcome has a number that is not finite (in {})", builders[k].first));
      }
    }
    tables->emplace_back(builders[k].first, std::move(texts[k]));
  }
}

// income_sources.csv: where each household's income comes from (MODEL.md section 4).
std::string IncomeSourcesCsv(const Benchmark& data, const Outcome& outcome) {
  std::string csv = "region,household,source,base,new\n";
  for (const HouseholdOutcome& h : outcome.households) {
    for (const IncomeSource& source : h.sources) {
      csv += fmt::format("{},{},{},{},{}\n", CsvField(NameAt(data.regions, h.region, "region")),
                         CsvField(h.household), source.source, Value(source.base),
                         Value(source.value_new));
    }
  }
  return csv;
}

std::string StateCsv(const std::vector<std::pair<std::string, double>>& state) {
  std::string csv = "variable,value\n";
  for (const auto& [name, value] : state) {
    csv += fmt::format("{},{:.17g}\n", CsvField(name), Finite(value));  // exact: a start
  }
  return csv;
}

// The result tables' builders, in the order of the files; state.csv last when `state` is set.
TableBuilders ResultTableBuilders(const Benchmark& data, const Outcome& outcome,
                                  bool flow_tables,
                                  const std::vector<std::pair<std::string, double>>* state) {
  TableBuilders builders;
  builders.emplace_back("welfare.csv", [&] { return WelfareCsv(data, outcome); });
  builders.emplace_back("factors.csv", [&] { return FactorsCsv(data, outcome); });
  builders.emplace_back("sectors.csv", [&] { return SectorsCsv(data, outcome); });
  builders.emplace_back("distribution.csv", [&] { return DistributionCsv(data, outcome); });
  if (flow_tables) {
    builders.emplace_back("trade.csv", [&] { return TradeCsv(data, outcome); });
    builders.emplace_back("ntb.csv", [&] { return NtbCsv(data, outcome); });
  }
  if (!outcome.decomposition.empty()) {
    builders.emplace_back("decomposition.csv", [&] { return DecompositionCsv(data, outcome); });
  }
  builders.emplace_back("income_sources.csv", [&] { return IncomeSourcesCsv(data, outcome); });
  if (state != nullptr) builders.emplace_back("state.csv", [state] { return StateCsv(*state); });
  return builders;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ResultTables(const Benchmark& data,
                                                              const Outcome& outcome,
                                                              bool flow_tables) {
  Tables tables;
  BuildTables(ResultTableBuilders(data, outcome, flow_tables, nullptr), &tables);
  return tables;
}

void WriteResults(const std::string& dir, const ResultContext& context) {
  RequireContext(context, /*need_outcome=*/true);
  std::string why;
  if (!OutcomeIsFinite(*context.outcome, &why)) throw std::invalid_argument(why);
  const auto start = std::chrono::steady_clock::now();
  // Build every file before touching the folder, so a bad outcome writes nothing.
  Tables tables;
  BuildTables(ResultTableBuilders(*context.data, *context.outcome, context.flow_tables,
                                  context.state),
              &tables);
  // The write phase in summary.json is the tables' formatting, nearly all of the writing.
  ResultContext timed = context;
  PhaseSeconds phases = context.phases != nullptr ? *context.phases : PhaseSeconds();
  if (context.phases != nullptr) timed.phases = &phases;
  phases.write = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Json summary = SummaryJson(timed, "converged");
  Json files = Json::array();
  files.push_back("summary.json");
  for (const auto& table : tables) files.push_back(table.first);
  summary["files"] = files;  // the manifest: what a later run may replace
  tables.emplace_back("summary.json", summary.dump(2) + "\n");
  // The folder is replaced whole, in one rename: never a mix of two runs.
  ReplaceFolder(dir, tables);
}

DistributionStats MeasureDistribution(const Outcome& outcome, int region) {
  std::vector<double> population, income_base, income_new;
  double losing_population = 0.0, total_population = 0.0;
  for (const HouseholdOutcome& household : outcome.households) {
    if (household.region != region || household.population <= 0.0) continue;
    population.push_back(household.population);
    income_base.push_back(household.income_base / household.population);
    income_new.push_back(household.income_base * household.utility_hat / household.population);
    total_population += household.population;
    if (household.utility_hat < 1.0 - kLosingUtilityThreshold) {
      losing_population += household.population;
    }
  }
  DistributionStats stats;
  if (population.empty()) return stats;
  stats.has_households = true;
  const Inequality base = MeasureInequality(population, income_base);
  const Inequality now = MeasureInequality(population, income_new);
  stats.gini_base = base.gini;
  stats.gini_new = now.gini;
  stats.theil_base = base.theil;
  stats.theil_new = now.theil;
  stats.population_losing_pct = 100.0 * losing_population / total_population;
  return stats;
}

void WriteFailure(const std::string& dir, const ResultContext& context,
                  const std::string& extra_reason, const std::vector<std::string>& keep) {
  RequireContext(context, /*need_outcome=*/false);
  Json json = SummaryJson(context, "failed");
  std::string reason = FailureReason(*context.summary);
  if (!extra_reason.empty()) reason = extra_reason + "; " + reason;

  // Result tables of an earlier run must not sit next to this summary: they would look like
  // its answer. Files this run read (`keep`, its start) stay.
  std::vector<std::string> removed;
  std::error_code error;
  const std::filesystem::path folder(dir.empty() ? "." : dir);
  if (std::filesystem::is_directory(folder, error)) {
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      const std::string name = entry.path().filename().string();
      if (name != "summary.json" && std::find(keep.begin(), keep.end(), name) == keep.end()) {
        removed.push_back(name);
      }
    }
  }
  std::sort(removed.begin(), removed.end());
  if (!removed.empty()) {
    reason += fmt::format("; removed result files of an earlier run from this folder: {}",
                          fmt::join(removed, ", "));
  }
  std::vector<std::string> kept;
  for (const std::string& name : keep) {
    if (std::filesystem::exists(folder / name, error)) kept.push_back(name);
  }
  if (!kept.empty()) reason += fmt::format("; kept {}, which this run read", fmt::join(kept, ", "));
  json["reason"] = reason;
  Json files = Json::array();
  files.push_back("summary.json");
  for (const std::string& name : kept) files.push_back(name);
  json["files"] = files;
  ReplaceFolder(dir, {{"summary.json", json.dump(2) + "\n"}}, kept);
}

}  // namespace ohlin
