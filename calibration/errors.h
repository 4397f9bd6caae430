// Errors in user input: every message names the file, and the line and column where known.
#pragma once

#include <stdexcept>
#include <string>

namespace ohlin {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace ohlin
