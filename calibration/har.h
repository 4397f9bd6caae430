// GEMPACK header array (HAR) files: reading and writing the array types that GTAP data bases
// and ViewHAR use. Our own implementation of the public format:
//
// - The file is a sequence of Fortran unformatted records: int32 length, payload, int32 length
//   (little-endian).
// - A header array is a record holding its 4-character name, then a record
//   "    " + type (2 chars) + storage ("FULL" or "SPSE") + long name (70 chars) + int32 rank +
//   int32 extents, then data records, each starting with 4 spaces and (mostly) a count of the
//   records still to come for this array (1 on the last).
// - Types: 1C (strings; extents = count, length), 2R / 2I (real / integer matrices; each data
//   record carries the block bounds it fills), RE (real array of up to 7 dimensions with set and
//   element labels and a coefficient name; stored FULL in blocks or SPSE as index-value pairs),
//   RL (as RE without labels). Reals are 4-byte IEEE floats; arrays are column-major (the first
//   index runs fastest).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ohlin::har {

enum class ArrayType { kStrings, kReal, kRealMatrix, kIntMatrix };
const char* ArrayTypeCode(ArrayType type);  // "1C", "RE", "2R", "2I"

struct Set {
  std::string name;                   // up to 12 characters
  std::vector<std::string> elements;  // each up to 12 characters
};

struct HeaderArray {
  std::string name;       // 1-4 characters
  std::string long_name;  // up to 70 characters
  ArrayType type = ArrayType::kReal;
  std::vector<std::string> strings;  // kStrings
  std::vector<std::size_t> extents;  // kReal: one per dimension; matrices: rows, columns
  std::vector<double> reals;         // kReal, kRealMatrix: column-major; stored as float32
  std::vector<std::int32_t> ints;    // kIntMatrix: column-major
  std::string coefficient;           // kReal: coefficient name (up to 12 characters)
  std::vector<Set> sets;             // kReal: one per dimension (may be empty: written as RL)
  bool sparse = false;               // kReal: stored SPSE (index-value pairs of the nonzeros)

  std::size_t size() const;  // product of extents (strings: count)
  // Column-major offset of a multi-index (kReal, matrices).
  std::size_t Offset(const std::vector<std::size_t>& index) const;
};

// Reads every header array of a HAR file. Throws InputError naming the file, the header and the
// byte offset for a truncated or corrupt file or an unsupported type.
std::vector<HeaderArray> ReadHar(const std::string& path);
// The same, from bytes in memory; `label` names the source in messages.
std::vector<HeaderArray> ParseHar(const std::string& bytes, const std::string& label);

// Writes header arrays (RE as FULL blocks, or SPSE when `sparse`). Throws std::invalid_argument for an array that does
// not fit the format (name longer than 4, label longer than 12, extents that do not match the
// data) and std::runtime_error on I/O failure.
void WriteHar(const std::string& path, const std::vector<HeaderArray>& arrays);
std::string SerializeHar(const std::vector<HeaderArray>& arrays);

// The array named `name` (compared without trailing spaces, case-insensitive), or nullptr.
const HeaderArray* FindArray(const std::vector<HeaderArray>& arrays, const std::string& name);

// Convenience constructors.
HeaderArray MakeStrings(const std::string& name, const std::string& long_name,
                        const std::vector<std::string>& strings);
HeaderArray MakeReal(const std::string& name, const std::string& long_name,
                     const std::string& coefficient, const std::vector<Set>& sets,
                     std::vector<double> values);

}  // namespace ohlin::har
