// Reading benchmark files (FORMATS.md "Benchmark data"): YAML with inline rows or CSV tables.
#pragma once

#include <string>

#include "calibration/benchmark.h"
#include "calibration/errors.h"

namespace ohlin {

// Reads and validates a benchmark. Throws InputError with "file:line:column: what" for any
// bad input (see FORMATS.md). Does not check the accounting identities: ComputeAccounts does.
Benchmark LoadBenchmark(const std::string& path);

}  // namespace ohlin
