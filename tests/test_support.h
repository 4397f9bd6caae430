// Helpers shared by the test files: small benchmarks built in memory and scratch folders.
#pragma once

#include <string>

#include "calibration/benchmark.h"

namespace ohlin::testing {

// A fresh empty folder under the system temp dir, unique per call.
std::string MakeTempDir(const std::string& tag);

// A balanced 2-region (HOME, FOREIGN), 2-sector (LAB labour-intensive, CAP capital-intensive),
// 2-factor (labour, capital) world without intermediates, deficits or taxes. HOME is capital
// abundant: it exports CAP and imports LAB. Armington elasticity `armington` in both sectors.
Benchmark MakeTwoByTwo(double armington = 8.0);

}  // namespace ohlin::testing
