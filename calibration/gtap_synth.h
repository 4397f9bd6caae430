// A synthetic GTAP data base in the v10-v11 layout (`ohlin bench` times `ohlin import gtap` on
// one of GTAP's full size, 141 regions x 65 commodities x 8 endowments, made with the HAR
// writer; real data bases are licensed and never ship with ohlin).
#pragma once

#include <cstdint>

#include "calibration/gtap_import.h"

namespace ohlin {

struct GtapSynthSize {
  int regions = 141;
  int commodities = 65;
  int endowments = 8;
  std::uint64_t seed = 1;
};

// Arrays consistent in GTAP's own accounting: margins VCIF - VFOB sum to VST over the world,
// every fifth region trades with itself (an aggregate of countries), trade and firms' arrays
// are stored SPSE, mobility in EFLG. Every sector has value added of at least 30% of output.
GtapArrays SynthesizeGtap(const GtapSynthSize& size);

}  // namespace ohlin
