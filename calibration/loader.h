// Reading benchmark files (FORMATS.md "Benchmark data"): YAML with inline rows or CSV tables.
#pragma once

#include <string>

#include "calibration/benchmark.h"
#include "calibration/errors.h"

namespace ohlin {

// The largest table a benchmark may need (entries of one of its tables, e.g. sectors x
// regions^2 for trade): 2^24, about 400 regions x 100 sectors, ten times a full GTAP database.
// Beyond it a hand-made file is more likely a mistake than a world, and memory runs out.
// `ohlin synth` applies the same limit before it generates.
inline constexpr double kMaxBenchmarkTableEntries = 16777216.0;

// Reads and validates a benchmark. Throws InputError with "file:line:column: what" for any
// bad input (see FORMATS.md). Does not check the accounting identities: ComputeAccounts does.
Benchmark LoadBenchmark(const std::string& path);

}  // namespace ohlin
