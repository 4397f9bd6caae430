// Replays every fuzzing input kept in the repository (fuzz/corpus/<target>/: the seed corpus;
// fuzz/regressions/<target>/: every input that once crashed, hung or escaped with another
// exception) through the fuzz targets' own entry points, built with the normal compiler.
// Each must return or be refused with an InputError, which the entry points catch.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_entry.h"

namespace ohlin {
namespace {

namespace fs = std::filesystem;

using Entry = std::function<bool(const std::uint8_t*, std::size_t)>;

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Runs every file of fuzz/corpus/TARGET and fuzz/regressions/TARGET; returns how many. Seeds
// named valid_* must be accepted (so the corpus keeps reaching past the first checks); the
// others may be accepted or refused.
std::size_t Replay(const std::string& target, const Entry& entry) {
  std::size_t count = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    for (const fs::path& file : FilesUnder(fs::path(OHLIN_FUZZ_DIR) / kind / target)) {
      INFO(file.string());
      const std::string bytes = ReadBytes(file);
      // Anything but an InputError (caught inside) escaping here is a bug.
      bool accepted = false;
      CHECK_NOTHROW(accepted = entry(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size()));
      if (file.filename().string().rfind("valid_", 0) == 0) CHECK(accepted);
      ++count;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("every benchmark fuzz corpus and regression input is handled", "[fuzz]") {
  CHECK(Replay("benchmark", fuzz::RunBenchmarkInput) >= 10);
}

TEST_CASE("every scenario fuzz corpus and regression input is handled", "[fuzz]") {
  CHECK(Replay("scenario", fuzz::RunScenarioInput) >= 10);
}

TEST_CASE("every state.csv fuzz corpus and regression input is handled", "[fuzz]") {
  CHECK(Replay("state", fuzz::RunStateInput) >= 5);
}

TEST_CASE("every command-line path fuzz corpus and regression input is handled", "[fuzz]") {
  CHECK(Replay("paths", fuzz::RunPathsInput) >= 5);
}

TEST_CASE("the fuzz entry points accept the empty input and valid seeds", "[fuzz]") {
  CHECK_FALSE(fuzz::RunBenchmarkInput(nullptr, 0));
  CHECK_FALSE(fuzz::RunScenarioInput(nullptr, 0));
  const std::string& benchmark = fuzz::ScenarioBenchmarkYaml();
  CHECK(fuzz::RunBenchmarkInput(reinterpret_cast<const std::uint8_t*>(benchmark.data()),
                                benchmark.size()));
  const std::string scenario = "ohlin: 1\ndata: data.yaml\n";
  CHECK(fuzz::RunScenarioInput(reinterpret_cast<const std::uint8_t*>(scenario.data()),
                               scenario.size()));
}

}  // namespace ohlin
