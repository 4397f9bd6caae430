// GEMPACK header array files (calibration/har.h): round trips of every array type, a reader test
// on a file built byte by byte from the format's description (not by our writer), and refusal of
// truncated and corrupt files.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "calibration/errors.h"
#include "calibration/har.h"
#include "tests/test_support.h"

namespace ohlin::har {
namespace {

// ---- a file by hand: Fortran records of little-endian fields ----
std::string Int(std::int32_t value) {
  std::string bytes;
  const auto bits = static_cast<std::uint32_t>(value);
  for (int k = 0; k < 4; ++k) bytes += static_cast<char>((bits >> (8 * k)) & 0xFFu);
  return bytes;
}
std::string Real(float value) {
  std::int32_t bits;
  std::memcpy(&bits, &value, 4);
  return Int(bits);
}
std::string Record(const std::string& payload) {
  const auto length = static_cast<std::int32_t>(payload.size());
  return Int(length) + payload + Int(length);
}
std::string Padded(std::string text, std::size_t length) {
  text.resize(length, ' ');
  return text;
}
std::string SecondRecord(const std::string& type, const std::string& storage,
                         const std::string& long_name, const std::vector<std::int32_t>& extents) {
  std::string payload = "    " + type + storage + Padded(long_name, 70);
  payload += Int(static_cast<std::int32_t>(extents.size()));
  for (const std::int32_t extent : extents) payload += Int(extent);
  return Record(payload);
}
std::string StringsRecord(std::int32_t records_left, std::int32_t total,
                          const std::vector<std::string>& strings, std::size_t length) {
  std::string payload = "    " + Int(records_left) + Int(total) +
                        Int(static_cast<std::int32_t>(strings.size()));
  for (const std::string& text : strings) payload += Padded(text, length);
  return Record(payload);
}

std::string HandMadeFile() {
  std::string file;
  // 1C "REG": three region names of 12 characters, split over two records.
  file += Record("REG ");
  file += SecondRecord("1C", "FULL", "Set REG regions", {3, 12});
  file += StringsRecord(2, 3, {"USA", "CHN"}, 12);
  file += StringsRecord(1, 3, {"ROW"}, 12);
  // RE "VXMD": COMM x REG x REG, 2 x 3 x 3, FULL, set labels, two blocks along the last set.
  file += Record("VXMD");
  file += SecondRecord("RE", "FULL", "exports at market prices", {2, 3, 3, 1, 1, 1, 1});
  std::string sets = "    " + Int(2) + Int(1) + Int(3) + Padded("VXMD", 12) + Int(1);
  sets += Padded("COMM", 12) + Padded("REG", 12) + Padded("REG", 12) + "kkk";
  sets += Int(0) + Int(0) + Int(0) + Int(0);
  file += Record(sets);
  file += StringsRecord(1, 2, {"food", "mnfcs"}, 12);
  file += StringsRecord(1, 3, {"USA", "CHN", "ROW"}, 12);
  file += Record("    " + Int(5) + Int(7) + Int(2) + Int(3) + Int(3) + Int(1) + Int(1) + Int(1) +
                 Int(1));
  // Block 1: all COMM, all first REG, destinations 1..2; block 2: destination 3.
  std::string bounds = "    " + Int(4) + Int(1) + Int(2) + Int(1) + Int(3) + Int(1) + Int(2);
  for (int d = 0; d < 4; ++d) bounds += Int(1) + Int(1);
  file += Record(bounds);
  std::string data = "    " + Int(3);
  for (int k = 0; k < 12; ++k) data += Real(static_cast<float>(k + 1));  // value = offset + 1
  file += Record(data);
  bounds = "    " + Int(2) + Int(1) + Int(2) + Int(1) + Int(3) + Int(3) + Int(3);
  for (int d = 0; d < 4; ++d) bounds += Int(1) + Int(1);
  file += Record(bounds);
  data = "    " + Int(1);
  for (int k = 12; k < 18; ++k) data += Real(static_cast<float>(k + 1));
  file += Record(data);
  // RE "TMS" sparse (no labels: RL): 4 values, two nonzero.
  file += Record("TMS ");
  file += SecondRecord("RL", "SPSE", "tariff rates", {4, 1, 1, 1, 1, 1, 1});
  file += Record("    " + Int(2) + Int(4) + Int(4) + std::string(80, ' '));
  file += Record("    " + Int(1) + Int(2) + Int(2) + Int(2) + Int(4) + Real(0.25f) + Real(0.5f));
  // 2I "DIMS": 2 x 2 integers, one block.
  file += Record("DIMS");
  file += SecondRecord("2I", "FULL", "dimensions", {2, 2});
  file += Record("    " + Int(1) + Int(2) + Int(2) + Int(1) + Int(2) + Int(1) + Int(2) + Int(10) +
                 Int(20) + Int(30) + Int(40));
  return file;
}

TEST_CASE("a HAR file built byte by byte is read as documented", "[har]") {
  const std::vector<HeaderArray> arrays = ParseHar(HandMadeFile(), "hand.har");
  REQUIRE(arrays.size() == 4);

  const HeaderArray* regions = FindArray(arrays, "reg");
  REQUIRE(regions != nullptr);
  CHECK(regions->type == ArrayType::kStrings);
  CHECK(regions->long_name == "Set REG regions");
  CHECK(regions->strings == std::vector<std::string>{"USA", "CHN", "ROW"});

  const HeaderArray* exports = FindArray(arrays, "VXMD");
  REQUIRE(exports != nullptr);
  CHECK(exports->type == ArrayType::kReal);
  CHECK(exports->coefficient == "VXMD");
  CHECK(exports->extents == std::vector<std::size_t>{2, 3, 3});
  REQUIRE(exports->sets.size() == 3);
  CHECK(exports->sets[0].name == "COMM");
  CHECK(exports->sets[0].elements == std::vector<std::string>{"food", "mnfcs"});
  CHECK(exports->sets[2].name == "REG");
  CHECK(exports->sets[2].elements == std::vector<std::string>{"USA", "CHN", "ROW"});
  for (std::size_t k = 0; k < 18; ++k) CHECK(exports->reals[k] == static_cast<double>(k + 1));
  // Column-major: (mnfcs, CHN, ROW) is 1 + 1*2 + 2*6 = offset 15.
  CHECK(exports->reals[exports->Offset({1, 1, 2})] == 16.0);

  const HeaderArray* tariffs = FindArray(arrays, "TMS");
  REQUIRE(tariffs != nullptr);
  CHECK(tariffs->sets.empty());
  CHECK(tariffs->reals == std::vector<double>{0.0, 0.25, 0.0, 0.5});

  const HeaderArray* dims = FindArray(arrays, "DIMS");
  REQUIRE(dims != nullptr);
  CHECK(dims->type == ArrayType::kIntMatrix);
  CHECK(dims->ints == std::vector<std::int32_t>{10, 20, 30, 40});
}

Set MakeSet(const std::string& name, std::size_t size) {
  Set set{name, {}};
  for (std::size_t k = 0; k < size; ++k) set.elements.push_back(name.substr(0, 3) + std::to_string(k));
  return set;
}

TEST_CASE("every array type survives a write and a read", "[har]") {
  std::vector<HeaderArray> arrays;
  arrays.push_back(MakeStrings("H1", "Set REG regions", {"USA", "CHN", "a name of 20 chars..."}));
  // A 3-dimensional labelled array with a repeated set, big enough for several blocks.
  const Set comm = MakeSet("COMM", 60), reg = MakeSet("REG", 70);
  std::vector<double> values(60 * 70 * 70);
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = 0.25 * static_cast<double>(k % 4099);
  arrays.push_back(MakeReal("VXMD", "exports", "VXMD", {comm, reg, reg}, values));
  // Unlabelled (RL), rank 2.
  HeaderArray unlabelled;
  unlabelled.name = "RL2";
  unlabelled.type = ArrayType::kReal;
  unlabelled.extents = {3, 2};
  unlabelled.reals = {1.5, -2.0, 0.0, 4.0, 1e6, -0.125};
  arrays.push_back(unlabelled);
  HeaderArray matrix;
  matrix.name = "2RM";
  matrix.type = ArrayType::kRealMatrix;
  matrix.extents = {2, 3};
  matrix.reals = {1.0, 2.0, 3.0, 4.0, 5.0, 6.5};
  arrays.push_back(matrix);
  HeaderArray integers;
  integers.name = "2IM";
  integers.type = ArrayType::kIntMatrix;
  integers.extents = {1, 4};
  integers.ints = {-1, 0, 7, 2147483647};
  arrays.push_back(integers);
  // Sparse (SPSE): 1 value in 3 nonzero, over several records; and one with no nonzero at all.
  std::vector<double> sparse_values(values.size(), 0.0);
  for (std::size_t k = 0; k < values.size(); k += 3) sparse_values[k] = 1.0 + values[k];
  arrays.push_back(MakeReal("VMSB", "sparse imports", "VMSB", {comm, reg, reg}, sparse_values));
  arrays.back().sparse = true;
  arrays.push_back(MakeReal("ZERO", "no nonzero", "ZERO", {comm}, std::vector<double>(60, 0.0)));
  arrays.back().sparse = true;

  const std::string path = testing::MakeTempDir("har") + "/round.har";
  WriteHar(path, arrays);
  const std::vector<HeaderArray> read = ReadHar(path);
  REQUIRE(read.size() == arrays.size());
  for (std::size_t a = 0; a < arrays.size(); ++a) {
    CAPTURE(arrays[a].name);
    CHECK(read[a].name == arrays[a].name);
    CHECK(read[a].long_name == arrays[a].long_name);
    CHECK(read[a].type == arrays[a].type);
    CHECK(read[a].strings == arrays[a].strings);
    CHECK(read[a].extents == arrays[a].extents);
    CHECK(read[a].reals == arrays[a].reals);  // exact: every value is a float
    CHECK(read[a].ints == arrays[a].ints);
    CHECK(read[a].coefficient == arrays[a].coefficient);
    CHECK(read[a].sparse == arrays[a].sparse);
    REQUIRE(read[a].sets.size() == arrays[a].sets.size());
    for (std::size_t d = 0; d < read[a].sets.size(); ++d) {
      CHECK(read[a].sets[d].name == arrays[a].sets[d].name);
      CHECK(read[a].sets[d].elements == arrays[a].sets[d].elements);
    }
  }
  // Writing what was read gives the same bytes.
  CHECK(SerializeHar(read) == SerializeHar(arrays));
}

TEST_CASE("doubles are stored as 4-byte reals", "[har]") {
  const std::vector<HeaderArray> read =
      ParseHar(SerializeHar({MakeReal("X", "", "X", {MakeSet("S", 1)}, {0.1})}), "x");
  CHECK(read[0].reals[0] == static_cast<double>(0.1f));
}

TEST_CASE("truncated or corrupt HAR files are refused with a clear message", "[har]") {
  const std::string file = HandMadeFile();
  for (const std::size_t cut : {std::size_t{2}, std::size_t{10}, std::size_t{40}, file.size() / 2,
                                file.size() - 3}) {
    CAPTURE(cut);
    try {
      ParseHar(file.substr(0, cut), "cut.har");
      FAIL("no error");
    } catch (const InputError& error) {
      CHECK_THAT(error.what(), Catch::Contains("cut.har") && Catch::Contains("truncated"));
    }
  }
  std::string corrupt = file;
  corrupt[4 + 4] ^= 0x01;  // the trailing length of the first record
  CHECK_THROWS_WITH(ParseHar(corrupt, "bad.har"), Catch::Contains("bad.har") &&
                                                     Catch::Contains("trailing length"));
  std::string unknown_type = file;
  const std::size_t type_at = unknown_type.find("1CFULL");
  unknown_type.replace(type_at, 2, "ZZ");
  CHECK_THROWS_WITH(ParseHar(unknown_type, "type.har"),
                    Catch::Contains("unsupported array type 'ZZ'"));
  CHECK_THROWS_AS(ReadHar("/nonexistent/file.har"), InputError);
  HeaderArray too_long = MakeStrings("NAME5", "", {"a"});
  CHECK_THROWS_AS(SerializeHar({too_long}), std::invalid_argument);
}

}  // namespace
}  // namespace ohlin::har
