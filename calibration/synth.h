// Synthetic benchmarks of any size (`ohlin synth`): balanced, with realistic structure
// (home bias and gravity-like trade, some zero flows, input-output use, factor intensities
// that differ by sector, tariffs, NTBs, deficits), deterministic for a seed.
#pragma once

#include <cstdint>

#include "calibration/benchmark.h"

namespace ohlin {

struct SynthOptions {
  int regions = 3;
  int sectors = 3;
  int factors = 3;
  int households = 1;          // per region
  std::uint64_t seed = 1;
  bool deficits = true;        // nonzero trade deficits summing to zero
  bool tariffs = true;
  bool ntb = true;
  bool export_taxes = false;
  bool intermediates = true;
  double zero_flow_share = 0.1;  // share of cross-border flows that are exactly zero
  bool IsValid(std::string* why) const;
};

// Every accounting identity of MODEL.md section 2 holds to rounding (relative 1e-12).
Benchmark Synthesize(const SynthOptions& options);

}  // namespace ohlin
