// Writing a benchmark as FORMATS.md files: DIR/NAME.yaml plus CSV tables beside it.
#pragma once

#include <string>

#include "calibration/benchmark.h"

namespace ohlin {

// Writes `dir/yaml_name` and its CSV tables (creating dir). Values are written with 17
// significant digits so that LoadBenchmark gives back the same numbers. Returns the YAML path.
// Throws std::runtime_error on I/O failure.
std::string WriteBenchmark(const Benchmark& data, const std::string& dir,
                           const std::string& yaml_name = "data.yaml");

}  // namespace ohlin
