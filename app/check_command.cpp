// `ohlin check DATA.yaml` (or SCENARIO.yaml, a dry run; --list: the names): dimensions, totals, deficits, failing identities and the
// benchmark replication residual of a benchmark.
#include <fmt/format.h>

#include <cmath>
#include <fmt/ranges.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "calibration/loader.h"
#include "calibration/yaml_util.h"
#include "results/results.h"
#include "model/equilibrium.h"

namespace ohlin::app {
namespace {

// Relative tolerance of the benchmark identities (MODEL.md section 8: tolerances are relative).
constexpr double kIdentityTolerance = 1e-6;
// The model must reproduce the benchmark to this (MODEL.md section 7).
constexpr double kReplicationTolerance = 1e-10;

struct WorldTotals {
  double output = 0.0;  // sum of sales X(i, r, s) over every destination, home included
  double trade = 0.0;   // cross-border sales only
  double intermediates = 0.0;
  std::vector<double> factor_income;  // by factor
};

WorldTotals ComputeWorldTotals(const Benchmark& data) {
  WorldTotals totals;
  totals.factor_income.assign(data.num_factors(), 0.0);
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    for (std::size_t r = 0; r < data.num_regions(); ++r) {
      for (std::size_t s = 0; s < data.num_regions(); ++s) {
        totals.output += data.trade(i, r, s);
        if (r != s) totals.trade += data.trade(i, r, s);
      }
    }
  }
  for (std::size_t f = 0; f < data.num_factors(); ++f) {
    for (std::size_t i = 0; i < data.num_sectors(); ++i) {
      for (std::size_t r = 0; r < data.num_regions(); ++r) {
        totals.factor_income[f] += data.factor_payments(f, i, r);
      }
    }
  }
  for (const double value : data.intermediates.data()) totals.intermediates += value;
  return totals;
}

std::size_t NumHouseholds(const Benchmark& data) {
  std::size_t count = 0;
  for (const auto& households : data.households) count += households.size();
  return count;
}

using Json = nlohmann::ordered_json;

// A scenario names its benchmark with `data:`; a benchmark has none. The file gets every
// input guard when it is loaded again as one or the other.
bool IsScenarioFile(const std::string& path) {
  const input::YamlDocument document = input::YamlDocument::Load(path, "benchmark or scenario");
  return document.Find(document.root(), "data").has_value() ||
         document.Find(document.root(), "shocks").has_value();
}

std::vector<double> Deficits(const Benchmark& data) {
  const Accounts accounts = ComputeAccounts(data, kIdentityTolerance);
  std::vector<double> deficits;
  for (const RegionAccounts& region : accounts.regions) deficits.push_back(region.deficit);
  return deficits;
}

// The names of a world (`ohlin check --list`), for scenarios to refer to.
Json NamesJson(const Benchmark& data) {
  Json json;
  json["file"] = data.path;
  json["name"] = data.name;
  json["regions"] = data.regions;
  json["sectors"] = data.sectors;
  Json factors = Json::array();
  for (const Factor& factor : data.factors) {
    factors.push_back({{"name", factor.name},
                       {"mobility", FactorMobilityToString(factor.mobility)},
                       {"supply_elasticity", factor.supply_elasticity}});
  }
  json["factors"] = factors;
  Json households = Json::object();
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    Json list = Json::array();
    for (const Household& household : data.households[r]) {
      list.push_back({{"name", household.name}, {"population", household.population}});
    }
    households[data.regions[r]] = list;
  }
  json["households"] = households;
  Json elasticities = Json::object();
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    elasticities[data.sectors[i]] = {{"armington", data.elasticities.armington[i]},
                                     {"value_added", data.elasticities.value_added[i]},
                                     {"top", data.elasticities.top[i]}};
  }
  json["elasticities"] = {{"consumption", data.elasticities.consumption},
                          {"by_sector", elasticities}};
  const std::vector<double> deficits = Deficits(data);
  Json deficit_map = Json::object();
  for (std::size_t r = 0; r < deficits.size() && r < data.num_regions(); ++r) {
    deficit_map[data.regions[r]] = deficits[r];
  }
  json["deficits"] = deficit_map;
  return json;
}

std::string NamesText(const Benchmark& data) {
  std::string text = fmt::format("regions    {}\nsectors    {}\nfactors   ",
                                 fmt::join(data.regions, " "), fmt::join(data.sectors, " "));
  for (const Factor& factor : data.factors) {
    text += fmt::format(" {} ({})", factor.name, FactorMobilityToString(factor.mobility));
  }
  text += "\nhouseholds\n";
  for (std::size_t r = 0; r < data.num_regions(); ++r) {
    text += fmt::format("  {:<8}", data.regions[r]);
    for (const Household& household : data.households[r]) {
      text += fmt::format(" {} (population {:g})", household.name, household.population);
    }
    text += "\n";
  }
  text += fmt::format("elasticities (consumption {:g})\n  {:<8} {:>10} {:>12} {:>8}\n",
                      data.elasticities.consumption, "sector", "armington", "value_added",
                      "top");
  for (std::size_t i = 0; i < data.num_sectors(); ++i) {
    text += fmt::format("  {:<8} {:>10g} {:>12g} {:>8g}\n", data.sectors[i],
                        data.elasticities.armington[i], data.elasticities.value_added[i],
                        data.elasticities.top[i]);
  }
  text += "deficits (spending - income)\n";
  const std::vector<double> deficits = Deficits(data);
  for (std::size_t r = 0; r < deficits.size() && r < data.num_regions(); ++r) {
    text += fmt::format("  {:<8} {:g}\n", data.regions[r], deficits[r] == 0.0 ? 0.0 : deficits[r]);
  }
  return text;
}

void Print(const CheckArguments& arguments, const std::string& text, const Json& json) {
  if (arguments.json) {
    std::cout << json.dump(2) << "\n";
  } else if (!arguments.quiet) {
    std::cout << text;
  }
}

}  // namespace

namespace {

// Checks a benchmark (the text report, or JSON); returns the exit status.
int CheckBenchmark(const CheckArguments& arguments) {
  const Benchmark data = LoadBenchmark(arguments.data_path);
  std::ostringstream out;
  Json json = NamesJson(data);
  const Accounts accounts = ComputeAccounts(data, kIdentityTolerance);
  const WorldTotals totals = ComputeWorldTotals(data);
  const std::string units = data.units.empty() ? "" : " " + data.units;

  out << fmt::format("Benchmark   {} ({})\n", data.name, arguments.data_path);
  if (data.year != 0) out << fmt::format("Year        {}\n", data.year);
  if (!data.source.empty()) out << fmt::format("Source      {}\n", data.source);
  out << fmt::format("Dimensions  {} regions, {} sectors, {} factors, {} households\n",
                           data.num_regions(), data.num_sectors(), data.num_factors(),
                           NumHouseholds(data));

  double tariff_revenue = 0.0, export_tax_revenue = 0.0, spending = 0.0, income = 0.0;
  for (const RegionAccounts& region : accounts.regions) {
    tariff_revenue += region.tariff_revenue;
    export_tax_revenue += region.export_tax_revenue;
    spending += region.spending;
    income += region.income();
  }
  out << fmt::format("\nWorld totals{}\n", units.empty() ? "" : " (" + data.units + ")");
  out << fmt::format("  {:<28} {:>16.6g}\n", "output (sales, home included)", totals.output);
  out << fmt::format("  {:<28} {:>16.6g}\n", "cross-border trade", totals.trade);
  out << fmt::format("  {:<28} {:>16.6g}\n", "intermediate use", totals.intermediates);
  for (std::size_t f = 0; f < data.num_factors(); ++f) {
    out << fmt::format("  {:<28} {:>16.6g}\n", "factor income: " + data.factors[f].name,
                             totals.factor_income[f]);
  }
  out << fmt::format("  {:<28} {:>16.6g}\n", "tariff revenue", tariff_revenue);
  out << fmt::format("  {:<28} {:>16.6g}\n", "export tax revenue", export_tax_revenue);
  out << fmt::format("  {:<28} {:>16.6g}\n", "income", income);
  out << fmt::format("  {:<28} {:>16.6g}\n", "final spending", spending);

  out << "\nDeficits (spending - income)\n";
  out << fmt::format("  {:<12} {:>16} {:>16} {:>10}\n", "region", "income", "deficit",
                           "% income");
  for (std::size_t r = 0; r < accounts.regions.size() && r < data.num_regions(); ++r) {
    const RegionAccounts& region = accounts.regions[r];
    const double share = region.income() != 0.0 ? 100.0 * region.deficit / region.income() : 0.0;
    out << fmt::format("  {:<12} {:>16.6g} {:>16.6g} {:>10.3f}\n", data.regions[r],
                             region.income(), region.deficit, share);
  }

  out << fmt::format("\nIdentities (relative tolerance {:g}): largest relative gap {:.3e}\n",
                           kIdentityTolerance, accounts.largest_relative_gap);
  if (accounts.failures.empty()) {
    out << "  all hold\n";
  } else {
    out << fmt::format("  {} FAIL:\n", accounts.failures.size());
    for (const IdentityFailure& failure : accounts.failures) {
      out << fmt::format("  {:<40} lhs {:.10g}  rhs {:.10g}  gap {:.3e} (relative {:.3e})\n",
                               failure.account, failure.lhs, failure.rhs,
                               std::abs(failure.lhs - failure.rhs), failure.relative);
    }
  }

  out << "\nBenchmark replication\n";
  try {
    const Model model = Model::Calibrate(data);
    const double residual = BenchmarkReplicationResidual(model);
    out << fmt::format("  {} unknowns; max scaled residual at the benchmark {:.3e} ({})\n",
                             model.num_variables(), residual,
                             residual <= kReplicationTolerance ? "ok" : "ABOVE 1e-10");
    json["unknowns"] = model.num_variables();
    json["replication_residual"] = residual;
  } catch (const InputError& error) {
    out << fmt::format("  cannot calibrate a model: {}\n", error.what());
    json["calibration_error"] = error.what();
    Print(arguments, out.str(), json);
    return kBadInput;
  }
  json["identity_failures"] = accounts.failures.size();
  json["largest_relative_gap"] = accounts.largest_relative_gap;
  json["status"] = accounts.failures.empty() ? "ok" : "identities fail";
  Print(arguments, out.str(), json);
  return accounts.failures.empty() ? kSuccess : kBadInput;
}

// `ohlin check SCENARIO.yaml`: everything `ohlin solve` checks before it solves, and where
// the results would go; nothing is solved or written.
int CheckScenario(const CheckArguments& arguments) {
  const PreparedScenario prepared = PrepareScenario(arguments.data_path, 1, false);
  const std::string out_dir = DefaultOutDir(prepared.scenario, "");
  std::string folder_note = "can take the results";
  try {
    CheckOutputFolder(out_dir, {arguments.data_path, prepared.scenario.data_path});
  } catch (const InputError& error) {
    folder_note = fmt::format("cannot take the results ({}); give --out", error.what());
  }
  Json json = NamesJson(prepared.data);
  json["scenario"] = prepared.scenario.name;
  json["scenario_file"] = arguments.data_path;
  json["data"] = prepared.scenario.data_path;
  json["shocks"] = prepared.scenario.shocks.size();
  json["redistribution"] = RedistributionRuleToString(prepared.scenario.redistribution);
  json["numeraire"] = prepared.scenario.numeraire.Describe(prepared.data);
  json["unknowns"] = prepared.model.num_variables();
  json["tolerance"] = prepared.options.tolerance;
  json["max_iterations"] = prepared.options.max_iterations;
  json["default_out"] = out_dir;
  json["default_out_note"] = folder_note;
  json["status"] = "ok";
  std::ostringstream out;
  out << fmt::format("Scenario    {} ({})\n", ShortText(prepared.scenario.name), arguments.data_path)
      << fmt::format("Data        {}\n", prepared.scenario.data_path)
      << fmt::format("Shocks      {}\n", prepared.scenario.shocks.size())
      << fmt::format("Rule        {}\n", json["redistribution"].get<std::string>())
      << fmt::format("Numeraire   {}\n", json["numeraire"].get<std::string>())
      << fmt::format("Unknowns    {}\n", prepared.model.num_variables())
      << fmt::format("Solver      tolerance {:g}, max_iterations {} (per stage)\n",
                     prepared.options.tolerance, prepared.options.max_iterations)
      << fmt::format("Results     {}/ {}\n", out_dir, folder_note)
      << "ok: the scenario is good input (dry run: nothing solved or written)\n";
  Print(arguments, out.str(), json);
  return kSuccess;
}

}  // namespace

int RunCheck(const CheckArguments& arguments) {
  if (IsScenarioFile(arguments.data_path)) return CheckScenario(arguments);
  if (arguments.list) {
    const Benchmark data = LoadBenchmark(arguments.data_path);
    Print(arguments, NamesText(data), NamesJson(data));
    return kSuccess;
  }
  return CheckBenchmark(arguments);
}

}  // namespace ohlin::app
