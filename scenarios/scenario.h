// Scenario files (FORMATS.md "Scenarios"): shocks applied to a benchmark, the numeraire and
// solver settings.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "calibration/benchmark.h"
#include "model/policy.h"

namespace ohlin {

enum class ShockType {
  kTariff, kExportTax, kNtb, kProductivity, kFactorProductivity, kEndowment, kDeficit, kFactorTax,
  kIncomeTax, kQuota, kExportBan
};
const char* ShockTypeToString(ShockType type);
bool StringToShockType(const std::string& name, ShockType* type);

enum class ChangeMode { kSet, kAdd, kScale };

struct Shock {
  ShockType type = ShockType::kTariff;
  ChangeMode mode = ChangeMode::kSet;  // not for quota, export_ban
  double value = 0.0;
  // ntb: which rate the shock changes (kNone: iceberg `ntb`, kImporter: `importer_rent`,
  // kExporter: `exporter_rent`); quota: who collects its rent (kImporter or kExporter).
  RentOwner rents = RentOwner::kNone;
  double level = 1.0;  // quota only: the cap as a share of the flow's benchmark quantity, > 0
  // Resolved selectors: indices into the benchmark's sets (all of them when omitted or "*").
  std::vector<int> importers, exporters, regions, sectors, factors;
  std::string where;  // "file:line:column" of the shock, for messages
};

enum class RedistributionRule { kLumpSum, kProportional, kNone, kCompensate, kShares };
const char* RedistributionRuleToString(RedistributionRule rule);
bool StringToRedistributionRule(const std::string& name, RedistributionRule* rule);

struct NumeraireChoice {
  enum class Kind { kWorldFactorIncome, kFactorPrice };
  Kind kind = Kind::kWorldFactorIncome;
  int region = -1;  // kFactorPrice only
  int factor = -1;
  std::string Describe(const Benchmark& data) const;  // e.g. "world_factor_income", "USA/capital"
};

struct SolverSettings {
  double tolerance = 1e-10;
  int max_iterations = 200;
  std::string method = "auto";  // auto | newton | levenberg_marquardt (solver/solver.h)
};

struct Scenario {
  std::string name;
  std::string path;       // the scenario file
  std::string data_path;  // the benchmark file, resolved relative to the scenario
  std::vector<Shock> shocks;
  RedistributionRule redistribution = RedistributionRule::kLumpSum;
  // Rule `shares` only: fixed shares of government revenue by household name, in file order.
  std::vector<std::pair<std::string, double>> redistribution_shares;
  NumeraireChoice numeraire;
  SolverSettings solver;
  // `compare: [RULE, ...]`: the rules `ohlin compare` uses when --rules is not given, and
  // where the list is ("file:line:column"), for messages.
  std::vector<RedistributionRule> compare_rules;
  std::string compare_where;
};

// Reads a scenario file and the benchmark it names. Throws InputError (calibration/errors.h)
// naming file, line and column for any bad input. `data_override` (resolved beside the
// scenario, like `data:`), when not empty, replaces the file's `data:` (a sweep over data
// files). The keys `sweep:` and `sensitivity:` are left to sweeps/ (`ohlin solve` ignores them).
Scenario LoadScenario(const std::string& path, Benchmark* data,
                      const std::string& data_override = "");

// Applies the shocks in order to the benchmark policy. Rates on domestic flows are never
// touched (a selector that includes exporter == importer skips that pair).
// A quota shock adds one Quota per selected cross-border flow with benchmark trade (a later
// quota on the same flow replaces the earlier one; policy.quotas ends sorted by sector,
// exporter, importer); an export_ban sets policy.access to 0 on the selected cross-border flows.
// Throws InputError naming the shock when a result is invalid (1 + rate <= 0, level <= 0,
// deficits that no longer sum to zero across regions, a quota that selects no traded flow, a
// ban on a sector with an Armington elasticity <= 1, a good or sector left with no open origin
// or destination, a quota and a ban on the same flow).
Policy ApplyShocks(const Benchmark& data, const std::vector<Shock>& shocks);

}  // namespace ohlin
