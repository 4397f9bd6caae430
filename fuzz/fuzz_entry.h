// Entry points shared by the libFuzzer targets (fuzz_*.cpp) and the regression test
// (tests/test_fuzz_regressions.cpp): one input's bytes in, the loaders run on them.
//
// Contract under test: whatever the bytes, a loader either returns or throws
// ohlin::InputError. These functions catch InputError only, so any other exception, a crash,
// a hang or a sanitizer report escapes to the caller as a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ohlin::fuzz {

// A line that splits one input into a YAML file and a CSV file: the bytes before it are the
// YAML, the bytes after it the CSV, written as `table.csv` beside the YAML (a benchmark can
// name it with `{csv: table.csv}`). Without the line the input is YAML only.
inline constexpr const char* kCsvSeparator = "\n#%% table.csv\n";

// Writes the input as `world.yaml` (and `table.csv`) into a scratch folder, then runs
// LoadBenchmark and ComputeAccounts on it. True when the input was accepted, false when it
// was refused with an InputError.
bool RunBenchmarkInput(const std::uint8_t* data, std::size_t size);

// Writes the input as `scenario.yaml` (and `table.csv`) into a scratch folder beside a fixed
// valid benchmark `data.yaml`, then runs LoadScenario and ApplyShocks on it. True when the
// input was accepted, false when it was refused with an InputError.
bool RunScenarioInput(const std::uint8_t* data, std::size_t size);

// Writes the input as `state.csv` and reads it as the start of a solve of the fixed benchmark's
// model (`ohlin solve --start`). True when accepted, false when refused with an InputError.
bool RunStateInput(const std::uint8_t* data, std::size_t size);

// The command line's paths: the input's first line is given as `--out`, its second as
// `--start` and `--har` (relative to a scratch folder holding the fixed benchmark). Runs the
// checks `ohlin solve` makes before solving (which only look, never write) and the default
// folder name, and aborts when SafeFileName or ShortText break their contracts. True when the
// paths were accepted, false when refused with an InputError.
bool RunPathsInput(const std::uint8_t* data, std::size_t size);

// The fixed benchmark that scenario inputs can name as `data: data.yaml`.
const std::string& ScenarioBenchmarkYaml();

}  // namespace ohlin::fuzz
