// Atomic file writing and safe file names.
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "results/results.h"

namespace ohlin {

void WriteFileAtomically(const std::string& path, const std::string& contents) {
  namespace fs = std::filesystem;
  const fs::path final_path(path);
  const fs::path temporary_path =
      final_path.parent_path() / fmt::format("{}.tmp.{}", final_path.filename().string(), getpid());
  {
    std::ofstream out(temporary_path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", temporary_path.string()));
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      out.close();
      std::error_code ignored;
      fs::remove(temporary_path, ignored);
      throw std::runtime_error(fmt::format("error while writing {}", temporary_path.string()));
    }
  }
  std::error_code error;
  fs::rename(temporary_path, final_path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary_path, ignored);
    throw std::runtime_error(
        fmt::format("cannot rename {} to {}: {}", temporary_path.string(), path, error.message()));
  }
}

std::string SafeFileName(const std::string& name) {
  std::string safe;
  bool pending_separator = false;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 128 && std::isalnum(byte)) {
      if (pending_separator && !safe.empty()) safe.push_back('_');
      pending_separator = false;
      safe.push_back(static_cast<char>(std::tolower(byte)));
    } else {
      pending_separator = true;
    }
  }
  return safe.empty() ? "scenario" : safe;
}

}  // namespace ohlin
