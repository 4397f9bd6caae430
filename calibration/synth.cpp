// Synthetic benchmarks (synth.h). The accounting identities of MODEL.md section 2 are not
// imposed by rebalancing random numbers: the world is built from shares (budget shares, cost
// shares, sourcing shares, tax rates) and its values follow from one linear fixed point, the
// multi-region input-output system with income closure. A last pass then defines every table
// from the shipments so that each identity holds to rounding whatever the fixed point's
// convergence error (which only moves the deficits slightly away from their targets).
#include "calibration/synth.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "calibration/loader.h"
#include "calibration/tensor.h"

namespace ohlin {

bool SynthOptions::IsValid(std::string* why) const {
  std::string problem;
  if (regions < 1) {
    problem = fmt::format("regions must be at least 1 (got {})", regions);
  } else if (sectors < 1) {
    problem = fmt::format("sectors must be at least 1 (got {})", sectors);
  } else if (factors < 1) {
    problem = fmt::format("factors must be at least 1 (got {})", factors);
  } else if (households < 1) {
    problem = fmt::format("households must be at least 1 (got {})", households);
  } else if (!(zero_flow_share >= 0.0 && zero_flow_share < 1.0)) {  // also rejects NaN
    problem = fmt::format("zero_flow_share must be in [0, 1) (got {})", zero_flow_share);
  } else {
    // The loader's table limit, before anything is generated.
    const double r = regions, i = sectors, f = factors, h = households;
    const struct {
      const char* table;
      double entries;
    } sizes[] = {{"trade (sectors x regions x regions)", i * r * r},
                 {"intermediates (sectors x sectors x regions)", i * i * r},
                 {"factor_payments (factors x sectors x regions)", f * i * r},
                 {"final_demand (households x sectors x regions)", h * i * r}};
    for (const auto& size : sizes) {
      if (size.entries > kMaxBenchmarkTableEntries) {
        problem = fmt::format("{} regions, {} sectors, {} factors and {} households give {} with "
                              "{:.0f} entries; the limit of a benchmark is {:.0f}",
                              regions, sectors, factors, households, size.table, size.entries,
                              kMaxBenchmarkTableEntries);
        break;
      }
    }
  }
  if (why != nullptr) *why = problem;
  return problem.empty();
}

namespace {

// Random numbers that are the same on every platform for a seed: std::mt19937_64 is fully
// specified by the standard, its distributions are not.
class PortableRandom {
 public:
  explicit PortableRandom(std::uint64_t seed) : engine_(seed) {}

  // Uniform on [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }
  bool Bernoulli(double probability) { return Uniform() < probability; }
  // Standard normal by Box-Muller (one of the pair is dropped: simplicity over speed).
  double Normal() {
    const double radius_draw = 1.0 - Uniform();  // in (0, 1], so the log is finite
    const double angle = 2.0 * kPi * Uniform();
    return std::sqrt(-2.0 * std::log(radius_draw)) * std::cos(angle);
  }
  double LogNormal(double sigma) { return std::exp(sigma * Normal()); }

 private:
  static constexpr double kPi = 3.14159265358979323846;
  std::mt19937_64 engine_;
};

std::string NumberedName(const char* prefix, int number, int min_width) {
  return fmt::format("{}{:0{}d}", prefix, number, min_width);
}

// A rounded draw, so that elasticities read well in the written file.
// `value` rounded to a multiple of `step` (1/n): 7.6, not 7.6000000000000005.
double RoundTo(double value, double step) {
  return std::round(value / step) / std::round(1.0 / step);
}

// Everything about the world except the value levels: shares and rates, drawn once.
struct Design {
  std::size_t num_regions = 0, num_sectors = 0, num_factors = 0;
  std::vector<double> deficit_ratio;      // target D[r] / income[r] before re-centring
  std::vector<double> value_added_share;  // [i * N + r], of output value
  Tensor3 input_share;                    // (j, i, r): VIM / output
  Tensor3 factor_share;                   // (f, i, r): VFM / value added
  std::vector<double> budget_share;       // [i * N + s], of final demand of s
  Tensor3 sourcing_share;                 // (i, r, s): V / absorption, purchaser prices
  Tensor3 tariffs, ntb, export_taxes;     // (i, r, s), zero on the diagonal
};

// Size of every region relative to the world, log-normal like real GDPs.
std::vector<double> DrawRegionSizes(std::size_t num_regions, PortableRandom& random) {
  std::vector<double> sizes(num_regions);
  for (double& size : sizes) size = random.LogNormal(1.2);
  return sizes;
}

// Heckscher-Ohlin structure: a factor's cost share is higher in sectors intensive in it and in
// regions abundant in it, so regions differ in abundance and sectors in intensity.
void DrawFactorShares(PortableRandom& random, Design* design) {
  const std::size_t num_factors = design->num_factors;
  const std::size_t num_sectors = design->num_sectors;
  const std::size_t num_regions = design->num_regions;
  Tensor3 intensity(num_factors, num_sectors, 1);
  for (std::size_t f = 0; f < num_factors; ++f) {
    for (std::size_t i = 0; i < num_sectors; ++i) intensity(f, i, 0) = random.LogNormal(0.6);
  }
  Tensor3 abundance(num_factors, num_regions, 1);
  for (std::size_t f = 0; f < num_factors; ++f) {
    for (std::size_t r = 0; r < num_regions; ++r) abundance(f, r, 0) = random.LogNormal(0.5);
  }
  design->factor_share = Tensor3(num_factors, num_sectors, num_regions);
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      double total = 0.0;
      for (std::size_t f = 0; f < num_factors; ++f) {
        total += intensity(f, i, 0) * abundance(f, r, 0);
      }
      for (std::size_t f = 0; f < num_factors; ++f) {
        design->factor_share(f, i, r) = intensity(f, i, 0) * abundance(f, r, 0) / total;
      }
    }
  }
}

// Value-added shares of 0.3-0.7 and intermediate inputs sharing the rest, own-sector inputs
// weighted up as in real input-output tables. Without intermediates output is value added.
void DrawCostShares(const SynthOptions& options, PortableRandom& random, Design* design) {
  const std::size_t num_sectors = design->num_sectors;
  const std::size_t num_regions = design->num_regions;
  design->value_added_share.assign(num_sectors * num_regions, 1.0);
  design->input_share = Tensor3(num_sectors, num_sectors, num_regions);
  if (!options.intermediates) return;
  std::vector<double> weights(num_sectors);
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      const double value_added = random.Uniform(0.3, 0.7);
      design->value_added_share[i * num_regions + r] = value_added;
      for (std::size_t j = 0; j < num_sectors; ++j) {
        weights[j] = random.Uniform(0.2, 1.0) * (j == i ? 3.0 : 1.0);
      }
      const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
      for (std::size_t j = 0; j < num_sectors; ++j) {
        design->input_share(j, i, r) = (1.0 - value_added) * weights[j] / total;
      }
    }
  }
}

// Gravity-like sourcing with home bias. Larger regions buy more at home (domestic share
// 0.5-0.9 rising with size). A foreign origin's weight is its size times its openness over
// distance, so that, in the fixed point, regions end up roughly as large as drawn.
void DrawSourcingShares(const SynthOptions& options, const std::vector<double>& sizes,
                        PortableRandom& random, Design* design) {
  const std::size_t num_sectors = design->num_sectors;
  const std::size_t num_regions = design->num_regions;
  std::vector<double> log_sizes(num_regions);
  std::transform(sizes.begin(), sizes.end(), log_sizes.begin(),
                 [](double size) { return std::log(size); });
  const auto [smallest, largest] = std::minmax_element(log_sizes.begin(), log_sizes.end());
  const double log_range = *largest - *smallest;
  std::vector<double> home_bias(num_regions);  // region's typical domestic share
  for (std::size_t r = 0; r < num_regions; ++r) {
    const double size_rank = log_range > 0.0 ? (log_sizes[r] - *smallest) / log_range : 0.5;
    home_bias[r] = 0.55 + 0.3 * size_rank;
  }
  // Random positions on a unit square: distances obey the triangle inequality like real ones.
  std::vector<double> x(num_regions);
  std::vector<double> y(num_regions);
  for (std::size_t r = 0; r < num_regions; ++r) {
    x[r] = random.Uniform();
    y[r] = random.Uniform();
  }
  design->sourcing_share = Tensor3(num_sectors, num_regions, num_regions);
  std::vector<double> foreign_weight(num_regions);
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t s = 0; s < num_regions; ++s) {
      double foreign_total = 0.0;
      for (std::size_t r = 0; r < num_regions; ++r) {
        foreign_weight[r] = 0.0;
        if (r == s) continue;
        const bool zero_flow = random.Bernoulli(options.zero_flow_share);
        const double distance = 0.1 + std::hypot(x[r] - x[s], y[r] - y[s]);
        const double weight = sizes[r] * (1.0 - home_bias[r]) / distance * random.LogNormal(0.5);
        if (!zero_flow) foreign_weight[r] = weight;
        foreign_total += foreign_weight[r];
      }
      // With no foreign supplier left the good is bought at home only.
      const double domestic_share =
          foreign_total > 0.0 ? std::clamp(home_bias[s] + random.Uniform(-0.05, 0.05), 0.5, 0.9)
                              : 1.0;
      for (std::size_t r = 0; r < num_regions; ++r) {
        if (r == s) {
          design->sourcing_share(i, r, s) = domestic_share;
        } else if (foreign_total > 0.0) {
          design->sourcing_share(i, r, s) =
              (1.0 - domestic_share) * foreign_weight[r] / foreign_total;
        }
      }
    }
  }
}

// Tariffs of 0-15% (none inside a few free-trade areas), NTBs of 0-20%, small export taxes.
void DrawRates(const SynthOptions& options, PortableRandom& random, Design* design) {
  const std::size_t num_sectors = design->num_sectors;
  const std::size_t num_regions = design->num_regions;
  design->tariffs = Tensor3(num_sectors, num_regions, num_regions);
  design->ntb = Tensor3(num_sectors, num_regions, num_regions);
  design->export_taxes = Tensor3(num_sectors, num_regions, num_regions);
  std::vector<bool> free_trade(num_regions * num_regions, false);
  for (std::size_t r = 0; r < num_regions; ++r) {
    for (std::size_t s = r + 1; s < num_regions; ++s) {
      free_trade[r * num_regions + s] = free_trade[s * num_regions + r] = random.Bernoulli(0.2);
    }
  }
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      for (std::size_t s = 0; s < num_regions; ++s) {
        if (r == s) continue;
        if (options.tariffs && !free_trade[r * num_regions + s]) {
          design->tariffs(i, r, s) = random.Uniform(0.0, 0.15);
        }
        if (options.ntb) design->ntb(i, r, s) = random.Uniform(0.0, 0.2);
        if (options.export_taxes) design->export_taxes(i, r, s) = random.Uniform(-0.01, 0.03);
      }
    }
  }
}

Design DrawDesign(const SynthOptions& options, const std::vector<double>& sizes,
                  PortableRandom& random) {
  Design design;
  design.num_regions = static_cast<std::size_t>(options.regions);
  design.num_sectors = static_cast<std::size_t>(options.sectors);
  design.num_factors = static_cast<std::size_t>(options.factors);
  const std::size_t num_regions = design.num_regions;
  const std::size_t num_sectors = design.num_sectors;

  design.deficit_ratio.assign(num_regions, 0.0);
  if (options.deficits) {
    for (double& ratio : design.deficit_ratio) ratio = random.Uniform(-0.05, 0.05);
  }
  DrawFactorShares(random, &design);
  DrawCostShares(options, random, &design);
  design.budget_share.resize(num_sectors * num_regions);
  for (std::size_t s = 0; s < num_regions; ++s) {
    double total = 0.0;
    for (std::size_t i = 0; i < num_sectors; ++i) {
      total += design.budget_share[i * num_regions + s] = random.LogNormal(0.5);
    }
    for (std::size_t i = 0; i < num_sectors; ++i) design.budget_share[i * num_regions + s] /= total;
  }
  DrawSourcingShares(options, sizes, random, &design);
  DrawRates(options, random, &design);
  return design;
}

// The value levels of the world: outputs Y[i,r] and spending E[r].
struct Levels {
  std::vector<double> output;    // [i * N + r]
  std::vector<double> spending;  // [r]
};

// Solves the linear system that ties values to the design:
//   absorption[i,s] = budget_share[i,s] E[s] + sum_j input_share[i,j,s] Y[j,s]
//   Y[i,r] = sum_s sourcing_share[i,r,s] absorption[i,s] / ((1+tx)(1+tm))
//   E[r] = income[r] (1 + deficit ratio re-centred so that the deficits sum to zero)
// by Gauss-Seidel fixed-point iteration: a dense solve would need (N S)^2 numbers (83 million
// for GTAP size). Every dollar spent ends up as someone's income, so the map has spectral radius
// 1 with the sum of E and intermediate costs conserved; the other modes decay at the rate at
// which income leaks abroad or through intermediates, a few hundred sweeps at most.
// Purchaser-price absorption of each composite (i, s) at these levels: final demand plus
// intermediate use, at [i * N + s].
void Absorption(const Design& design, const Levels& levels, std::vector<double>* absorption) {
  const std::size_t num_regions = levels.spending.size();
  const std::size_t num_sectors = absorption->size() / num_regions;
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t s = 0; s < num_regions; ++s) {
      double intermediate_use = 0.0;
      for (std::size_t j = 0; j < num_sectors; ++j) {
        intermediate_use += design.input_share(i, j, s) * levels.output[j * num_regions + s];
      }
      (*absorption)[i * num_regions + s] =
          design.budget_share[i * num_regions + s] * levels.spending[s] + intermediate_use;
    }
  }
}

Levels SolveLevels(const Design& design, const std::vector<double>& initial_spending) {
  const std::size_t num_regions = design.num_regions;
  const std::size_t num_sectors = design.num_sectors;
  // Producer value shipped per unit of purchaser-price absorption, and taxes per unit.
  Tensor3 shipped(num_sectors, num_regions, num_regions);
  std::vector<double> tariff_per_absorbed(num_sectors * num_regions, 0.0);  // [i * N + s]
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      for (std::size_t s = 0; s < num_regions; ++s) {
        const double export_wedge = 1.0 + design.export_taxes(i, r, s);
        const double import_wedge = 1.0 + design.tariffs(i, r, s);
        shipped(i, r, s) = design.sourcing_share(i, r, s) / (export_wedge * import_wedge);
        tariff_per_absorbed[i * num_regions + s] +=
            design.sourcing_share(i, r, s) * design.tariffs(i, r, s) / import_wedge;
      }
    }
  }

  Levels levels;
  levels.spending = initial_spending;
  levels.output.assign(num_sectors * num_regions, 0.0);
  std::vector<double> absorption(num_sectors * num_regions);
  std::vector<double> new_output(num_sectors * num_regions);
  std::vector<double> income(num_regions);
  constexpr int kMaxSweeps = 100000;
  constexpr double kTolerance = 1e-14;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    Absorption(design, levels, &absorption);
    std::fill(income.begin(), income.end(), 0.0);
    for (std::size_t i = 0; i < num_sectors; ++i) {
      const double* absorbed = &absorption[i * num_regions];
      for (std::size_t r = 0; r < num_regions; ++r) {
        double sales = 0.0;
        double export_tax_revenue = 0.0;
        for (std::size_t s = 0; s < num_regions; ++s) {
          const double shipment = shipped(i, r, s) * absorbed[s];
          sales += shipment;
          export_tax_revenue += design.export_taxes(i, r, s) * shipment;
        }
        new_output[i * num_regions + r] = sales;
        income[r] += design.value_added_share[i * num_regions + r] * sales + export_tax_revenue +
                     tariff_per_absorbed[i * num_regions + r] * absorbed[r];
      }
    }
    const double world_income = std::accumulate(income.begin(), income.end(), 0.0);
    double mean_deficit_ratio = 0.0;
    for (std::size_t r = 0; r < num_regions; ++r) {
      mean_deficit_ratio += design.deficit_ratio[r] * income[r] / world_income;
    }
    double largest_change = 0.0;
    for (std::size_t r = 0; r < num_regions; ++r) {
      const double spending = income[r] * (1.0 + design.deficit_ratio[r] - mean_deficit_ratio);
      largest_change = std::max(largest_change, std::abs(spending - levels.spending[r]) / spending);
      levels.spending[r] = spending;
    }
    for (std::size_t k = 0; k < new_output.size(); ++k) {
      largest_change =
          std::max(largest_change, std::abs(new_output[k] - levels.output[k]) / new_output[k]);
    }
    levels.output.swap(new_output);
    if (largest_change < kTolerance) return levels;
  }
  // Unreachable for valid designs (every mode but the conserved one decays); the tables built
  // from an unconverged point would still balance, only the deficits would be off target.
  throw std::logic_error("Synthesize: the input-output fixed point did not converge");
}

// Households of a region: populations and factor ownership that differ across groups.
std::vector<Household> DrawHouseholds(const SynthOptions& options, std::size_t num_factors,
                                      PortableRandom& random) {
  const std::size_t count = static_cast<std::size_t>(options.households);
  std::vector<Household> households(count);
  if (count == 1) {  // the loader's default: one household owning everything
    households[0].name = "all";
    households[0].population = 1.0;
    households[0].owns.assign(num_factors, 1.0);
    return households;
  }
  const double region_population = 10.0 * random.LogNormal(1.0);
  std::vector<double> weights(count);
  for (double& weight : weights) weight = random.Uniform(0.5, 1.5);
  const double weight_total = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (std::size_t h = 0; h < count; ++h) {
    households[h].name = NumberedName("H", static_cast<int>(h + 1), 1);
    households[h].population = region_population * weights[h] / weight_total;
    households[h].owns.assign(num_factors, 0.0);
  }
  for (std::size_t f = 0; f < num_factors; ++f) {
    double total = 0.0;
    for (double& weight : weights) total += weight = random.LogNormal(1.0);
    for (std::size_t h = 0; h < count; ++h) households[h].owns[f] = weights[h] / total;
  }
  return households;
}

void DrawElasticities(std::size_t num_sectors, PortableRandom& random, Elasticities* elasticities) {
  elasticities->armington.resize(num_sectors);
  elasticities->value_added.resize(num_sectors);
  elasticities->top.resize(num_sectors);
  for (std::size_t i = 0; i < num_sectors; ++i) {
    elasticities->armington[i] = RoundTo(random.Uniform(3.0, 8.0), 0.1);
    elasticities->value_added[i] = RoundTo(random.Uniform(0.5, 1.5), 0.1);
    // Leontief (GTAP) for about half the sectors, some substitution for the others.
    const bool leontief = random.Bernoulli(0.5);
    const double substitution = RoundTo(random.Uniform(0.2, 1.2), 0.1);
    elasticities->top[i] = leontief ? 0.0 : substitution;
  }
  elasticities->consumption = 1.0;
}

}  // namespace

Benchmark Synthesize(const SynthOptions& options) {
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument("SynthOptions: " + why);
  PortableRandom random(options.seed);
  const std::size_t num_regions = static_cast<std::size_t>(options.regions);
  const std::size_t num_sectors = static_cast<std::size_t>(options.sectors);
  const std::size_t num_factors = static_cast<std::size_t>(options.factors);

  Benchmark data;
  data.name = fmt::format("synthetic {}x{}x{} world, seed {}", options.regions, options.sectors,
                          options.factors, options.seed);
  data.units = "currency units (synthetic)";
  data.year = 2014;
  data.source = fmt::format(
      "ohlin synth, seed {}: random numbers with realistic structure, not observed data",
      options.seed);
  const int region_width = std::max(3, static_cast<int>(std::to_string(options.regions).size()));
  const int sector_width = std::max(3, static_cast<int>(std::to_string(options.sectors).size()));
  for (int r = 1; r <= options.regions; ++r) {
    data.regions.push_back(NumberedName("R", r, region_width));
  }
  for (int i = 1; i <= options.sectors; ++i) {
    data.sectors.push_back(NumberedName("S", i, sector_width));
  }
  for (int f = 1; f <= options.factors; ++f) {
    data.factors.push_back({NumberedName("F", f, 1), FactorMobility::kMobile});
  }

  const std::vector<double> sizes = DrawRegionSizes(num_regions, random);
  const Design design = DrawDesign(options, sizes, random);
  DrawElasticities(num_sectors, random, &data.elasticities);
  for (std::size_t r = 0; r < num_regions; ++r) {
    data.households.push_back(DrawHouseholds(options, num_factors, random));
  }
  // Scale the world so that its spending is about 1000 per region: readable numbers.
  std::vector<double> initial_spending = sizes;
  const double size_total = std::accumulate(sizes.begin(), sizes.end(), 0.0);
  for (double& spending : initial_spending) {
    spending *= 1000.0 * static_cast<double>(num_regions) / size_total;
  }
  const Levels levels = SolveLevels(design, initial_spending);

  // Final pass: every table from the shipments, so that each identity holds to rounding.
  data.tariffs = design.tariffs;
  data.ntb = design.ntb;
  data.export_taxes = design.export_taxes;
  std::vector<double> absorption(num_sectors * num_regions);
  Absorption(design, levels, &absorption);
  data.trade = Tensor3(num_sectors, num_regions, num_regions);
  std::vector<double> output(num_sectors * num_regions, 0.0);  // Y := sum_s X, exactly
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      for (std::size_t s = 0; s < num_regions; ++s) {
        const double wedge = (1.0 + design.export_taxes(i, r, s)) * (1.0 + design.tariffs(i, r, s));
        data.trade(i, r, s) =
            design.sourcing_share(i, r, s) * absorption[i * num_regions + s] / wedge;
        output[i * num_regions + r] += data.trade(i, r, s);
      }
    }
  }
  data.intermediates = Tensor3(num_sectors, num_sectors, num_regions);
  data.factor_payments = Tensor3(num_factors, num_sectors, num_regions);
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      const double value = output[i * num_regions + r];
      for (std::size_t j = 0; j < num_sectors; ++j) {
        data.intermediates(j, i, r) = design.input_share(j, i, r) * value;
      }
      const double value_added = design.value_added_share[i * num_regions + r] * value;
      for (std::size_t f = 0; f < num_factors; ++f) {
        data.factor_payments(f, i, r) = design.factor_share(f, i, r) * value_added;
      }
    }
  }
  // Final demand is what the composite market leaves after intermediate use.
  std::vector<double> final_demand(num_sectors * num_regions);
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t s = 0; s < num_regions; ++s) {
      double purchaser_value = 0.0;
      for (std::size_t r = 0; r < num_regions; ++r) {
        purchaser_value += data.trade(i, r, s) * (1.0 + data.export_taxes(i, r, s)) *
                           (1.0 + data.tariffs(i, r, s));
      }
      double intermediate_use = 0.0;
      for (std::size_t j = 0; j < num_sectors; ++j) intermediate_use += data.intermediates(i, j, s);
      final_demand[i * num_regions + s] = purchaser_value - intermediate_use;
      // Close to budget_share * E > 0 at the fixed point; a failure here is a bug.
      if (!(final_demand[i * num_regions + s] > 0.0)) {
        throw std::logic_error("Synthesize: final demand is not positive");
      }
    }
  }
  // Households share final demand in proportion to benchmark income (factor income by
  // ownership, tax revenue per capita), so each one's share of the deficit is its income share.
  std::vector<double> tax_revenue(num_regions, 0.0);
  for (std::size_t i = 0; i < num_sectors; ++i) {
    for (std::size_t r = 0; r < num_regions; ++r) {
      for (std::size_t s = 0; s < num_regions; ++s) {
        const double shipment = data.trade(i, r, s);
        tax_revenue[r] += data.export_taxes(i, r, s) * shipment;
        tax_revenue[s] += data.tariffs(i, r, s) * shipment * (1.0 + data.export_taxes(i, r, s));
      }
    }
  }
  data.final_demand.resize(num_regions);
  for (std::size_t r = 0; r < num_regions; ++r) {
    const std::vector<Household>& households = data.households[r];
    double population = 0.0;
    for (const Household& household : households) population += household.population;
    std::vector<double> household_income(households.size(), 0.0);
    for (std::size_t h = 0; h < households.size(); ++h) {
      for (std::size_t f = 0; f < num_factors; ++f) {
        double factor_income = 0.0;
        for (std::size_t i = 0; i < num_sectors; ++i) {
          factor_income += data.factor_payments(f, i, r);
        }
        household_income[h] += households[h].owns[f] * factor_income;
      }
      household_income[h] += households[h].population / population * tax_revenue[r];
    }
    const double region_income =
        std::accumulate(household_income.begin(), household_income.end(), 0.0);
    data.final_demand[r].assign(households.size(), std::vector<double>(num_sectors));
    for (std::size_t h = 0; h < households.size(); ++h) {
      for (std::size_t i = 0; i < num_sectors; ++i) {
        data.final_demand[r][h][i] =
            final_demand[i * num_regions + r] * household_income[h] / region_income;
      }
    }
  }
  return data;
}

}  // namespace ohlin
