#include "fuzz/fuzz_entry.h"

#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "calibration/accounts.h"
#include "calibration/errors.h"
#include "calibration/loader.h"
#include "results/files.h"
#include "scenarios/scenario.h"

namespace ohlin::fuzz {
namespace {

namespace fs = std::filesystem;

// A scratch folder for this process, made on first use, reused by every input and removed
// at exit.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "ohlin-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a scratch folder under " +
                               fs::temp_directory_path().string());
    }
    dir_ = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

const fs::path& ScratchDir() {
  static const Scratch scratch;
  return scratch.dir();
}

void WriteBytes(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Writes the YAML part as `yaml_name` and the CSV part (if any) as table.csv; returns the
// YAML path. A table.csv of an earlier input is removed when this one has none.
fs::path WriteInput(const std::uint8_t* data, std::size_t size, const char* yaml_name) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::size_t at = bytes.find(kCsvSeparator);
  const fs::path dir = ScratchDir();
  const fs::path yaml_path = dir / yaml_name;
  const fs::path csv_path = dir / "table.csv";
  std::error_code ignored;
  if (at == std::string_view::npos) {
    WriteBytes(yaml_path, bytes);
    fs::remove(csv_path, ignored);
  } else {
    WriteBytes(yaml_path, bytes.substr(0, at));
    WriteBytes(csv_path, bytes.substr(at + std::string_view(kCsvSeparator).size()));
  }
  return yaml_path;
}

}  // namespace

const std::string& ScenarioBenchmarkYaml() {
  // Balanced: each sector's output 20 = labour 12 + capital 8; final demand 10 domestic plus
  // 10 imported at a 10% tariff in each region and sector; income 40 + 2 = spending 42.
  static const std::string yaml =
      "ohlin: 1\n"
      "name: fuzz world\n"
      "regions: [HOME, AWAY]\n"
      "sectors: [AGR, MAN]\n"
      "factors: [{name: labour}, {name: capital, mobility: specific}]\n"
      "households:\n"
      "  HOME:\n"
      "    - {name: workers, population: 3, owns: {labour: 1, capital: 0.25}}\n"
      "    - {name: owners, population: 1, owns: {capital: 0.75}}\n"
      "factor_payments:\n"
      "  - {region: HOME, sector: AGR, factor: labour, value: 12}\n"
      "  - {region: HOME, sector: AGR, factor: capital, value: 8}\n"
      "  - {region: HOME, sector: MAN, factor: labour, value: 12}\n"
      "  - {region: HOME, sector: MAN, factor: capital, value: 8}\n"
      "  - {region: AWAY, sector: AGR, factor: labour, value: 12}\n"
      "  - {region: AWAY, sector: AGR, factor: capital, value: 8}\n"
      "  - {region: AWAY, sector: MAN, factor: labour, value: 12}\n"
      "  - {region: AWAY, sector: MAN, factor: capital, value: 8}\n"
      "trade:\n"
      "  - {exporter: HOME, importer: HOME, sector: AGR, value: 10}\n"
      "  - {exporter: HOME, importer: AWAY, sector: AGR, value: 10}\n"
      "  - {exporter: AWAY, importer: HOME, sector: AGR, value: 10}\n"
      "  - {exporter: AWAY, importer: AWAY, sector: AGR, value: 10}\n"
      "  - {exporter: HOME, importer: HOME, sector: MAN, value: 10}\n"
      "  - {exporter: HOME, importer: AWAY, sector: MAN, value: 10}\n"
      "  - {exporter: AWAY, importer: HOME, sector: MAN, value: 10}\n"
      "  - {exporter: AWAY, importer: AWAY, sector: MAN, value: 10}\n"
      "tariffs:\n"
      "  - {exporter: HOME, importer: AWAY, sector: AGR, rate: 0.1}\n"
      "  - {exporter: AWAY, importer: HOME, sector: AGR, rate: 0.1}\n"
      "  - {exporter: HOME, importer: AWAY, sector: MAN, rate: 0.1}\n"
      "  - {exporter: AWAY, importer: HOME, sector: MAN, rate: 0.1}\n"
      "final_demand:\n"
      "  - {region: HOME, sector: AGR, value: 21}\n"
      "  - {region: HOME, sector: MAN, value: 21}\n"
      "  - {region: AWAY, sector: AGR, value: 21}\n"
      "  - {region: AWAY, sector: MAN, value: 21}\n";
  return yaml;
}

bool RunBenchmarkInput(const std::uint8_t* data, std::size_t size) {
  const fs::path path = WriteInput(data, size, "world.yaml");
  try {
    const Benchmark benchmark = LoadBenchmark(path.string());
    (void)ComputeAccounts(benchmark);
  } catch (const InputError&) {
    return false;  // refused with a message: the expected outcome for bad input
  }
  return true;
}

bool RunScenarioInput(const std::uint8_t* data, std::size_t size) {
  static const bool benchmark_written = [] {
    WriteBytes(ScratchDir() / "data.yaml", ScenarioBenchmarkYaml());
    return true;
  }();
  (void)benchmark_written;
  const fs::path path = WriteInput(data, size, "scenario.yaml");
  try {
    Benchmark benchmark;
    const Scenario scenario = LoadScenario(path.string(), &benchmark);
    (void)ApplyShocks(benchmark, scenario.shocks);
  } catch (const InputError&) {
    return false;  // refused with a message: the expected outcome for bad input
  }
  return true;
}

namespace {

const fs::path& BenchmarkPath() {
  static const fs::path path = [] {
    const fs::path data = ScratchDir() / "data.yaml";
    WriteBytes(data, ScenarioBenchmarkYaml());
    return data;
  }();
  return path;
}

[[noreturn]] void Broken(const char* contract) {
  std::fprintf(stderr, "contract broken: %s\n", contract);
  std::abort();
}

}  // namespace

bool RunStateInput(const std::uint8_t* data, std::size_t size) {
  // Unknowns of the fixed benchmark's model, as Model::VariableName names them.
  static const std::vector<std::string> names = {
      "factor_price HOME/labour", "factor_price HOME/capital/AGR",
      "factor_price HOME/capital/MAN", "factor_price AWAY/labour", "output HOME/AGR"};
  const fs::path path = ScratchDir() / "state.csv";
  WriteBytes(path, std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    std::string note;
    const std::vector<double> state =
        ReadStartState(path.string(), names, std::vector<double>(names.size(), 0.0), &note);
    if (state.size() != names.size()) Broken("start size");
    if (note.empty()) Broken("a start without a note");
  } catch (const InputError&) {
    return false;
  }
  return true;
}

bool RunPathsInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), std::min<std::size_t>(size, 8192));
  const std::size_t newline = bytes.find('\n');
  const std::string out = bytes.substr(0, newline);
  const std::string other = newline == std::string::npos ? "" : bytes.substr(newline + 1);
  const std::string safe = SafeFileName(bytes);
  if (safe.empty() || safe.size() > kMaxSafeFileName ||
      safe.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos ||
      safe.front() == '_' || safe.back() == '_') {
    Broken("SafeFileName");
  }
  if (ShortText(bytes, 100).size() > 100 + 40) Broken("ShortText");
  if (out.find('\0') != std::string::npos || other.find('\0') != std::string::npos) return false;
  // Relative paths resolve against the scratch folder, as a user's would against theirs.
  const auto in_scratch = [](const std::string& path) {
    return path.empty() || path[0] == '/' ? path : (ScratchDir() / path).string();
  };
  try {
    CheckOutputFolder(in_scratch(out), {BenchmarkPath().string()});
    (void)StartFile(in_scratch(other));
  } catch (const InputError&) {
    return false;
  }
  return true;
}

}  // namespace ohlin::fuzz
