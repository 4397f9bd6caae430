// The `sweep:` and `sensitivity:` sections of a scenario file (FORMATS.md "Sweeps" and
// "Sensitivity analysis"): what each point of a sweep or draw of an analysis changes in the
// scenario, read and checked before anything is solved or written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "calibration/benchmark.h"
#include "scenarios/scenario.h"

namespace ohlin::sweeps {

enum class ElasticityKind { kArmington, kValueAdded, kTop, kConsumption };
const char* ElasticityKindToString(ElasticityKind kind);

// What a parameter changes.
enum class TargetKind { kShock, kElasticity, kRedistribution, kData, kElasticitySet };

// One elasticity set to a value: per sector (sectors empty for `consumption`).
struct ElasticityAssignment {
  ElasticityKind kind = ElasticityKind::kArmington;
  std::vector<int> sectors;
  double value = 0.0;
};

struct Target {
  TargetKind kind = TargetKind::kShock;
  int shock = -1;  // kShock: index into Scenario::shocks (its set/add/scale value)
  ElasticityKind elasticity = ElasticityKind::kArmington;  // kElasticity
  std::vector<int> sectors;                                // kElasticity: the sectors set
  // kElasticity: the value replaces each sector's (kSet), or is a common change of every
  // selected sector's own value: times (1 + value) (kRelative) or plus value (kAbsolute).
  enum class Change { kSet, kRelative, kAbsolute };
  Change change = Change::kSet;
};

// One value of a parameter: a number (kShock, kElasticity), a rule, a data file or a set of
// elasticities; `label` is how it is written in the coordinate columns.
struct Alternative {
  std::string label;
  double number = 0.0;
  RedistributionRule rule = RedistributionRule::kLumpSum;
  std::string data_path;  // as written (resolved beside the scenario by LoadScenario)
  std::vector<ElasticityAssignment> elasticities;
};

struct SweepParameter {
  std::string name;  // its coordinate column
  Target target;
  std::vector<Alternative> values;
  std::string where;  // "file:line:column"
};

// A sweep: points[p][k] indexes parameters[k].values.
struct Sweep {
  std::vector<SweepParameter> parameters;
  std::vector<std::vector<int>> points;
};

// Reads the `sweep:` section of the scenario at `path` (already loaded as `base` on `data`).
// Throws InputError naming file, line and key: no section, an empty grid or list, an unknown
// parameter, shock, sector or rule, an elasticity outside its range, and so on.
Sweep LoadSweep(const std::string& path, const Scenario& base, const Benchmark& data);

// Sensitivity analysis (FORMATS.md "Sensitivity analysis").
enum class Distribution { kUniform, kTriangular, kNormal };
enum class SensitivityMethod { kQuadrature, kMonteCarlo };

// One scalar uncertain quantity: base + scale * z (for several sectors together, base 0 and
// the common change of Target::Change), z standardized (mean 0, variance 1) with
// the distribution's shape; correlated components are mixed by the Cholesky factor of their
// correlation matrix (sweeps/sampling.h).
struct UncertainComponent {
  std::string name;  // e.g. "sigma_A" or "sigma_A/MAN"
  Target target;     // kShock or kElasticity (one sector, or every selected one together)
  Distribution distribution = Distribution::kUniform;
  double base = 0.0;
  double scale = 0.0;  // standard deviation
  int group = -1;      // the parameter entry it comes from
};

struct Sensitivity {
  SensitivityMethod method = SensitivityMethod::kQuadrature;
  long long draws = 0;  // Monte Carlo only
  std::uint64_t seed = 1;
  std::vector<UncertainComponent> components;
  std::vector<std::vector<double>> correlation;  // components x components, unit diagonal
};

// Reads the `sensitivity:` section. Throws InputError naming file, line and key, including a
// distribution whose support crosses an elasticity's bound (sigma <= 0; <= 1 for a sector
// under an export ban; < 0 for value_added, top and consumption), draws = 0, an unknown
// parameter, a correlation matrix that is not positive definite.
Sensitivity LoadSensitivity(const std::string& path, const Scenario& base,
                            const Benchmark& data);

// Applies one value of a target to a copy of the scenario and its benchmark. kData is not
// applied here (the caller loads that file); kRedistribution sets the rule.
void ApplyAlternative(const Target& target, const Alternative& value, Scenario* scenario,
                      Benchmark* data);

// The smallest value an elasticity may take, exclusive (`strict`) or not: armington > 0 (> 1
// for a sector under an export ban in `scenario`), the others >= 0.
double ElasticityLowerBound(ElasticityKind kind, int sector, const Scenario& scenario,
                            bool* strict);

}  // namespace ohlin::sweeps
