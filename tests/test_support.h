// Helpers shared by the test files: small benchmarks built in memory and scratch folders.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "calibration/benchmark.h"
#include "model/model.h"
#include "model/policy.h"

namespace ohlin::testing {

// A fresh empty folder under the system temp dir, unique per call.
std::string MakeTempDir(const std::string& tag);

// Runs `ohlin ARGUMENTS` (the binary under test) in `dir`, its output appended to dir/cli.log;
// returns the exit status (the test fails if the command did not exit normally).
int RunOhlin(const std::string& arguments, const std::filesystem::path& dir);

// The whole file as bytes (empty when it cannot be read).
std::string ReadFile(const std::filesystem::path& path);

// Writes `text` to `path`, replacing it.
void WriteText(const std::filesystem::path& path, const std::string& text);

// A balanced 2-region (HOME, FOREIGN), 2-sector (LAB labour-intensive, CAP capital-intensive),
// 2-factor (labour, capital) world without intermediates, deficits or taxes. HOME is capital
// abundant: it exports CAP and imports LAB. Armington elasticity `armington` in both sectors.
Benchmark MakeTwoByTwo(double armington = 8.0);

// The message of the InputError that `action` throws (the test fails if none is thrown).
std::string ErrorOf(const std::function<void()>& action);

// Checks every entry of the analytic Jacobian of model(policy) at x against central finite
// differences (step 1e-6; relative 1e-6 or absolute 1e-7), with Catch CHECKs that name the
// equation and the variable.
void CheckJacobianAgainstFiniteDifferences(const Model& model, const Policy& policy,
                                           const State& x);

}  // namespace ohlin::testing
