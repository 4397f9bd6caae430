// `ohlin synth`: a generated, balanced benchmark written as FORMATS.md files.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/commands.h"
#include "calibration/errors.h"
#include "calibration/synth.h"
#include "calibration/writer.h"

namespace ohlin::app {

int RunSynth(const SynthArguments& arguments) {
  SynthOptions options;
  options.regions = arguments.regions;
  options.sectors = arguments.sectors;
  options.factors = arguments.factors;
  options.households = arguments.households;
  options.seed = arguments.seed;
  std::string why;
  if (!options.IsValid(&why)) throw InputError(fmt::format("ohlin synth: {}", why));
  const Benchmark data = Synthesize(options);
  const std::string path = WriteBenchmark(data, arguments.out_dir);
  if (arguments.json) {
    const nlohmann::ordered_json json = {{"data", path},
                                         {"regions", arguments.regions},
                                         {"sectors", arguments.sectors},
                                         {"factors", arguments.factors},
                                         {"households", arguments.households}};
    std::cout << json.dump(2) << "\n";
  } else if (!arguments.quiet) {
    std::cout << path << "\n";
  }
  return kSuccess;
}

}  // namespace ohlin::app
