// The benchmark data set of MODEL.md section 2, as plain data. calibration/ reads and checks
// it; model/ calibrates parameters from it. All values are in one currency unit at benchmark
// prices of 1, so a value is also a quantity.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calibration/tensor.h"

namespace ohlin {

enum class FactorMobility { kMobile, kSpecific };
const char* FactorMobilityToString(FactorMobility mobility);
// Returns false when `name` is not a mobility ("mobile", "specific").
bool StringToFactorMobility(const std::string& name, FactorMobility* mobility);

struct Factor {
  std::string name;
  FactorMobility mobility = FactorMobility::kMobile;
  // eta >= 0: supply moves with the real after-tax return as (w (1 - income tax) / P_C)^eta,
  // labour–leisure style; 0 is a fixed supply.
  double supply_elasticity = 0.0;
};

struct Household {
  std::string name;
  double population = 1.0;              // pop[r,h] > 0
  std::vector<double> owns;             // own[f,r,h], one entry per factor; sums to 1 over h
  std::optional<double> consumption_elasticity;  // sigma_C for this household, if its own
};

// Elasticities of substitution; per-sector vectors have one entry per sector.
struct Elasticities {
  std::vector<double> armington;    // sigma_A[i], across origins
  std::vector<double> value_added;  // sigma_VA[i], across factors
  std::vector<double> top;          // sigma_T[i], value added vs intermediates
  double consumption = 1.0;         // sigma_C, default for every household
};

// A named set of per-sector elasticities (`elasticity_sets` in FORMATS.md), e.g. the trade
// elasticities of one paper. values[i] is NaN where the set has no row for sector i.
struct ElasticitySet {
  std::string name;
  std::vector<double> values;
};

struct Benchmark {
  // Descriptive fields, echoed in reports.
  std::string name;
  std::string units;
  std::string source;
  int year = 0;
  std::string path;  // file it was read from (empty when built in memory)

  std::vector<std::string> regions;  // R, N of them
  std::vector<std::string> sectors;  // I, S of them
  std::vector<Factor> factors;       // F
  // households[r]: at least one per region. When the file declares none, one household named
  // "all" with population 1 owning every factor.
  std::vector<std::vector<Household>> households;
  Elasticities elasticities;
  std::vector<ElasticitySet> elasticity_sets;  // in file order; empty when the file has none

  Tensor3 factor_payments;  // VFM(f, i, r)
  Tensor3 intermediates;    // VIM(j, i, r): input j bought by sector i of r
  Tensor3 trade;            // X(i, r, s): exporter r, importer s, producer prices
  Tensor3 tariffs;          // tm(i, r, s), zero on the diagonal
  Tensor3 ntb;              // ntb(i, r, s), iceberg AVE, zero on the diagonal
  Tensor3 export_taxes;     // tx(i, r, s), zero on the diagonal
  // final_demand[r][h][i] = VFD(i, r, h). When the file gives region rows only, each
  // household gets the region's budget shares scaled to its benchmark income.
  std::vector<std::vector<std::vector<double>>> final_demand;

  std::size_t num_regions() const { return regions.size(); }
  std::size_t num_sectors() const { return sectors.size(); }
  std::size_t num_factors() const { return factors.size(); }

  // Resizes every table to the current set sizes and fills it with zeros; sets default
  // elasticities (armington 5, value_added 1, top 0, consumption 1) and one household per region.
  void ResizeTables();
};

// The values of the set `name` for every sector, or nullopt with *why saying what is wrong
// (no such set, listing the sets; a sector without a row; a value out of range: > 0, or >= 0
// when zero_allowed).
std::optional<std::vector<double>> PickElasticitySet(const Benchmark& data,
                                                     const std::string& name, bool zero_allowed,
                                                     std::string* why);

}  // namespace ohlin
