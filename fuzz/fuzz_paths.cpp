// libFuzzer target: the command line's paths (--out, --start, --har) (see fuzz_entry.h).
// Built with -DOHLIN_FUZZ=ON (clang).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)ohlin::fuzz::RunPathsInput(data, size);
  return 0;
}
