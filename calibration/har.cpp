// GEMPACK header array files: see har.h for the layout.
#include "calibration/har.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "calibration/errors.h"

namespace ohlin::har {
namespace {

constexpr std::size_t kLongNameLength = 70;
constexpr std::size_t kLabelLength = 12;
constexpr std::size_t kMaxRank = 7;
constexpr std::size_t kValuesPerRecord = 7996;  // as GEMPACK: records stay below 32 KB
constexpr std::size_t kStringBytesPerRecord = 29996;
const std::string kBlank = "    ";

std::string TrimRight(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

std::string Pad(const std::string& text, std::size_t length) {
  std::string padded = text.substr(0, length);
  padded.resize(length, ' ');
  return padded;
}

// ---- reading ----

class RecordReader {
 public:
  RecordReader(const std::string& bytes, std::string label)
      : bytes_(bytes), label_(std::move(label)) {}

  bool AtEnd() const { return position_ >= bytes_.size(); }

  // The payload of the next record; checks the trailing length.
  std::string Next(const std::string& what) {
    const std::size_t start = position_;
    const std::uint32_t length = ReadLength(what, start);
    if (bytes_.size() - position_ < static_cast<std::size_t>(length) + 4) {
      Fail(what, start, fmt::format("truncated: record of {} bytes, {} left", length,
                                    bytes_.size() - position_));
    }
    std::string payload = bytes_.substr(position_, length);
    position_ += length;
    if (ReadLength(what, start) != length) {
      Fail(what, start, "corrupt: the record's trailing length does not match its leading one");
    }
    return payload;
  }

  [[noreturn]] void Fail(const std::string& what, std::size_t offset,
                         const std::string& why) const {
    throw InputError(fmt::format("{}: {} at byte {}: {}", label_, what, offset, why));
  }
  std::size_t position() const { return position_; }

 private:
  std::uint32_t ReadLength(const std::string& what, std::size_t start) {
    if (bytes_.size() - position_ < 4) Fail(what, start, "truncated: record length missing");
    std::uint32_t value = 0;
    for (int k = 3; k >= 0; --k) {
      value = (value << 8) | static_cast<unsigned char>(bytes_[position_ + static_cast<std::size_t>(k)]);
    }
    position_ += 4;
    return value;
  }

  const std::string& bytes_;
  std::string label_;
  std::size_t position_ = 0;
};

// Reads little-endian fields from one record's payload.
class Fields {
 public:
  Fields(std::string payload, const RecordReader& reader, std::string what, std::size_t offset)
      : payload_(std::move(payload)), reader_(reader), what_(std::move(what)), offset_(offset) {}

  std::string Text(std::size_t length) {
    Need(length);
    std::string text = payload_.substr(position_, length);
    position_ += length;
    return text;
  }
  std::int32_t Int() {
    Need(4);
    std::uint32_t value = 0;
    for (int k = 3; k >= 0; --k) {
      value = (value << 8) | static_cast<unsigned char>(payload_[position_ + static_cast<std::size_t>(k)]);
    }
    position_ += 4;
    std::int32_t result;
    std::memcpy(&result, &value, 4);
    return result;
  }
  std::size_t Count(const char* field) {
    const std::int32_t value = Int();
    if (value < 0) Fail(fmt::format("negative {} ({})", field, value));
    return static_cast<std::size_t>(value);
  }
  float Real() {
    const std::int32_t bits = Int();
    float value;
    std::memcpy(&value, &bits, 4);
    return value;
  }
  void Blank() {
    if (Text(4) != kBlank) Fail("expected 4 spaces at the start of a data record");
  }
  std::size_t left() const { return payload_.size() - position_; }
  [[noreturn]] void Fail(const std::string& why) const { reader_.Fail(what_, offset_, why); }

 private:
  void Need(std::size_t length) {
    if (payload_.size() - position_ < length) Fail("corrupt: record shorter than its fields");
  }
  std::string payload_;
  const RecordReader& reader_;
  std::string what_;
  std::size_t offset_;
  std::size_t position_ = 0;
};

Fields NextFields(RecordReader* reader, const std::string& what) {
  const std::size_t offset = reader->position();
  return Fields(reader->Next(what), *reader, what, offset);
}

std::vector<std::string> ReadStrings(RecordReader* reader, const std::string& what,
                                     std::size_t count, std::size_t length) {
  std::vector<std::string> strings;
  std::size_t records_left = 2;
  while (records_left > 1) {
    Fields fields = NextFields(reader, what);
    fields.Blank();
    records_left = fields.Count("record count");
    if (fields.Count("string count") != count) fields.Fail("string count differs from the header");
    const std::size_t here = fields.Count("strings in record");
    if (strings.size() + here > count) fields.Fail("more strings than the header declares");
    for (std::size_t k = 0; k < here; ++k) strings.push_back(TrimRight(fields.Text(length)));
    if (count == 0) break;
  }
  if (strings.size() != count) {
    reader->Fail(what, reader->position(), fmt::format("{} strings of {}", strings.size(), count));
  }
  return strings;
}

// Fills `values` (column-major, `extents`) from a block with 1-based inclusive bounds.
template <typename Value, typename ReadOne>
void ReadBlock(Fields* fields, const std::vector<std::size_t>& extents,
               const std::vector<std::pair<std::size_t, std::size_t>>& bounds,
               std::vector<Value>* values, ReadOne read_one) {
  std::vector<std::size_t> index(bounds.size());
  std::size_t total = 1;
  for (std::size_t d = 0; d < bounds.size(); ++d) {
    const auto [low, high] = bounds[d];
    const std::size_t extent = d < extents.size() ? extents[d] : 1;
    if (low < 1 || high < low || high > extent) fields->Fail("block bounds outside the array");
    index[d] = low;
    total *= high - low + 1;
  }
  for (std::size_t n = 0; n < total; ++n) {
    std::size_t offset = 0, stride = 1;
    for (std::size_t d = 0; d < bounds.size(); ++d) {
      offset += (index[d] - 1) * stride;
      stride *= d < extents.size() ? extents[d] : 1;
    }
    (*values)[offset] = read_one();
    for (std::size_t d = 0; d < bounds.size(); ++d) {
      if (++index[d] <= bounds[d].second) break;
      index[d] = bounds[d].first;
    }
  }
}

void ReadMatrix(RecordReader* reader, const std::string& what, HeaderArray* array) {
  const std::size_t size = array->size();
  if (array->type == ArrayType::kRealMatrix) array->reals.assign(size, 0.0);
  if (array->type == ArrayType::kIntMatrix) array->ints.assign(size, 0);
  std::size_t filled = 0;
  while (true) {
    Fields fields = NextFields(reader, what);
    fields.Blank();
    const std::size_t records_left = fields.Count("record count");
    if (fields.Count("rows") != array->extents[0] || fields.Count("columns") != array->extents[1]) {
      fields.Fail("matrix size differs from the header");
    }
    std::vector<std::pair<std::size_t, std::size_t>> bounds(2);
    for (auto& [low, high] : bounds) {
      low = fields.Count("block bound");
      high = fields.Count("block bound");
    }
    if (bounds[0].second < bounds[0].first || bounds[1].second < bounds[1].first) {
      fields.Fail("block bounds outside the matrix");
    }
    filled += (bounds[0].second - bounds[0].first + 1) * (bounds[1].second - bounds[1].first + 1);
    if (array->type == ArrayType::kRealMatrix) {
      ReadBlock(&fields, array->extents, bounds, &array->reals,
                [&] { return static_cast<double>(fields.Real()); });
    } else {
      ReadBlock(&fields, array->extents, bounds, &array->ints, [&] { return fields.Int(); });
    }
    if (records_left <= 1) break;
  }
  if (filled != size) {
    reader->Fail(what, reader->position(), fmt::format("{} values of {}", filled, size));
  }
}

void ReadSetInfo(RecordReader* reader, const std::string& what, HeaderArray* array) {
  Fields fields = NextFields(reader, what + " (set labels)");
  fields.Blank();
  const std::size_t label_arrays = fields.Count("label arrays");
  fields.Int();
  const std::size_t num_sets = fields.Count("set count");
  array->coefficient = TrimRight(fields.Text(kLabelLength));
  fields.Int();
  // Extents are padded to rank 7 with ones; the sets label the leading ones.
  for (std::size_t d = num_sets; d < array->extents.size(); ++d) {
    if (array->extents[d] != 1) {
      fields.Fail(fmt::format("{} sets for {} dimensions", num_sets, array->extents.size()));
    }
  }
  if (num_sets > array->extents.size()) {
    fields.Fail(fmt::format("{} sets for {} dimensions", num_sets, array->extents.size()));
  }
  array->extents.resize(num_sets);
  std::vector<std::string> names(num_sets);
  for (std::string& name : names) name = TrimRight(fields.Text(kLabelLength));
  const std::string status = fields.Text(num_sets);
  for (std::size_t d = 0; d < num_sets; ++d) fields.Int();
  const std::size_t explicit_elements = fields.Count("element count");
  std::vector<std::string> elements;
  for (std::size_t k = 0; k < explicit_elements; ++k) {
    elements.push_back(TrimRight(fields.Text(kLabelLength)));
  }
  std::vector<Set> known;  // element lists, one per distinct set with status 'k'
  std::size_t read_lists = 0;
  array->sets.assign(num_sets, Set{});
  for (std::size_t d = 0; d < num_sets; ++d) {
    array->sets[d].name = names[d];
    if (status[d] == 'k') {
      const auto found = std::find_if(known.begin(), known.end(),
                                      [&](const Set& set) { return set.name == names[d]; });
      if (found != known.end()) {
        array->sets[d].elements = found->elements;
      } else {
        if (read_lists++ >= label_arrays) fields.Fail("more labelled sets than label arrays");
        array->sets[d].elements = ReadStrings(reader, what + " (set " + names[d] + ")",
                                              array->extents[d], kLabelLength);
        known.push_back(array->sets[d]);
      }
    } else if (status[d] == 'e' && !elements.empty()) {
      array->sets[d].elements = {elements.front()};
      elements.erase(elements.begin());
    }
  }
}

void ReadReal(RecordReader* reader, const std::string& what, const std::string& storage,
              bool labelled, HeaderArray* array) {
  if (labelled) ReadSetInfo(reader, what, array);
  const std::size_t size = array->size();
  array->reals.assign(size, 0.0);
  if (storage == "FULL") {
    Fields first = NextFields(reader, what);
    first.Blank();
    std::size_t records_left = first.Count("record count");
    if (first.Count("rank") != kMaxRank) first.Fail("expected rank 7 in the data record");
    for (std::size_t d = 0; d < kMaxRank; ++d) {
      const std::size_t extent = first.Count("extent");
      if (extent != (d < array->extents.size() ? array->extents[d] : 1)) {
        first.Fail("extents differ from the header");
      }
    }
    while (records_left > 1) {
      Fields bounds_record = NextFields(reader, what);
      bounds_record.Blank();
      bounds_record.Count("record count");
      std::vector<std::pair<std::size_t, std::size_t>> bounds(kMaxRank);
      for (auto& [low, high] : bounds) {
        low = bounds_record.Count("block bound");
        high = bounds_record.Count("block bound");
      }
      Fields data = NextFields(reader, what);
      data.Blank();
      records_left = data.Count("record count");
      std::size_t count = 1;
      for (const auto& [low, high] : bounds) count *= high >= low ? high - low + 1 : 0;
      if (data.left() != 4 * count) data.Fail("record length differs from its block");
      std::vector<std::size_t> extents7(kMaxRank, 1);
      std::copy(array->extents.begin(), array->extents.end(), extents7.begin());
      ReadBlock(&data, extents7, bounds, &array->reals,
                [&] { return static_cast<double>(data.Real()); });
    }
  } else {
    array->sparse = true;
    Fields first = NextFields(reader, what);
    first.Blank();
    const std::size_t nonzeros = first.Count("nonzero count");
    if (first.Int() != 4 || first.Int() != 4) first.Fail("only 4-byte integers and reals");
    std::size_t read = 0;
    while (true) {
      Fields data = NextFields(reader, what);
      data.Blank();
      const std::size_t records_left = data.Count("record count");
      if (nonzeros == 0) break;  // an empty sparse array has one empty data record
      data.Count("nonzero count");
      const std::size_t here = data.Count("values in record");
      std::vector<std::size_t> indices(here);
      for (std::size_t& index : indices) {
        index = data.Count("index");
        if (index < 1 || index > size) data.Fail("sparse index outside the array");
      }
      for (const std::size_t index : indices) array->reals[index - 1] = static_cast<double>(data.Real());
      read += here;
      if (records_left <= 1 || read >= nonzeros) break;
    }
    if (read != nonzeros) {
      reader->Fail(what, reader->position(), fmt::format("{} of {} nonzeros", read, nonzeros));
    }
  }
}

// ---- writing ----

class RecordWriter {
 public:
  void Record(const std::string& payload) {
    Length(payload.size());
    out_ += payload;
    Length(payload.size());
  }
  const std::string& bytes() const { return out_; }

 private:
  void Length(std::size_t length) {
    const auto value = static_cast<std::uint32_t>(length);
    for (int k = 0; k < 4; ++k) out_ += static_cast<char>((value >> (8 * k)) & 0xFFu);
  }
  std::string out_;
};

void PutInt(std::string* out, std::int64_t value) {
  const auto bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(value));
  for (int k = 0; k < 4; ++k) *out += static_cast<char>((bits >> (8 * k)) & 0xFFu);
}

void PutReal(std::string* out, double value) {
  const auto single = static_cast<float>(value);
  std::int32_t bits;
  std::memcpy(&bits, &single, 4);
  PutInt(out, bits);
}

void WriteStrings(RecordWriter* writer, const std::vector<std::string>& strings,
                  std::size_t length) {
  const std::size_t per_record = std::max<std::size_t>(1, kStringBytesPerRecord / length);
  const std::size_t count = strings.size();
  std::size_t records = count == 0 ? 1 : (count + per_record - 1) / per_record;
  std::size_t done = 0;
  do {
    const std::size_t here = std::min(per_record, count - done);
    std::string payload = kBlank;
    PutInt(&payload, static_cast<std::int64_t>(records));
    PutInt(&payload, static_cast<std::int64_t>(count));
    PutInt(&payload, static_cast<std::int64_t>(here));
    for (std::size_t k = done; k < done + here; ++k) payload += Pad(strings[k], length);
    writer->Record(payload);
    done += here;
    --records;
  } while (records > 0);
}

void WriteSecondRecord(RecordWriter* writer, const HeaderArray& array, const char* type,
                       const std::vector<std::size_t>& extents, const char* storage = "FULL") {
  std::string payload = kBlank + type + storage + Pad(array.long_name, kLongNameLength);
  PutInt(&payload, static_cast<std::int64_t>(extents.size()));
  for (const std::size_t extent : extents) PutInt(&payload, static_cast<std::int64_t>(extent));
  writer->Record(payload);
}

void Validate(const HeaderArray& array) {
  const auto bad = [&](const std::string& why) {
    throw std::invalid_argument(fmt::format("HAR header '{}': {}", array.name, why));
  };
  if (array.name.empty() || array.name.size() > 4) bad("a name has 1 to 4 characters");
  if (array.long_name.size() > kLongNameLength) bad("a long name has at most 70 characters");
  switch (array.type) {
    case ArrayType::kStrings:
      return;
    case ArrayType::kRealMatrix:
    case ArrayType::kIntMatrix: {
      if (array.extents.size() != 2) bad("a matrix has 2 extents");
      const std::size_t size = array.extents[0] * array.extents[1];
      if ((array.type == ArrayType::kRealMatrix ? array.reals.size() : array.ints.size()) != size) {
        bad("values do not match the extents");
      }
      return;
    }
    case ArrayType::kReal:
      if (array.extents.empty() || array.extents.size() > kMaxRank) bad("rank 1 to 7");
      if (array.reals.size() != array.size()) bad("values do not match the extents");
      if (array.coefficient.size() > kLabelLength) bad("a coefficient name has at most 12 characters");
      if (!array.sets.empty()) {
        if (array.sets.size() != array.extents.size()) bad("one set per dimension");
        for (std::size_t d = 0; d < array.sets.size(); ++d) {
          const Set& set = array.sets[d];
          if (set.name.empty() || set.name.size() > kLabelLength) bad("set names have 1-12 characters");
          if (set.elements.size() != array.extents[d]) bad("set " + set.name + " has the wrong size");
          for (const std::string& element : set.elements) {
            if (element.size() > kLabelLength) bad("element '" + element + "' is over 12 characters");
          }
        }
      }
      return;
  }
}

// SPSE data: a record with the nonzero count and the sizes of indices and reals (4, 4), then
// records of 1-based column-major indices followed by their values.
void WriteSparse(RecordWriter* writer, const HeaderArray& array) {
  std::vector<std::size_t> nonzeros;
  for (std::size_t k = 0; k < array.reals.size(); ++k) {
    if (array.reals[k] != 0.0) nonzeros.push_back(k);
  }
  std::string first = kBlank;
  PutInt(&first, static_cast<std::int64_t>(nonzeros.size()));
  PutInt(&first, 4);
  PutInt(&first, 4);
  first += std::string(80, ' ');
  writer->Record(first);
  const std::size_t per_record = kValuesPerRecord / 2;
  std::size_t records = std::max<std::size_t>(1, (nonzeros.size() + per_record - 1) / per_record);
  std::size_t done = 0;
  do {
    const std::size_t here = std::min(per_record, nonzeros.size() - done);
    std::string data = kBlank;
    PutInt(&data, static_cast<std::int64_t>(records));
    PutInt(&data, static_cast<std::int64_t>(nonzeros.size()));
    PutInt(&data, static_cast<std::int64_t>(here));
    for (std::size_t k = done; k < done + here; ++k) {
      PutInt(&data, static_cast<std::int64_t>(nonzeros[k] + 1));
    }
    for (std::size_t k = done; k < done + here; ++k) PutReal(&data, array.reals[nonzeros[k]]);
    writer->Record(data);
    done += here;
    --records;
  } while (records > 0);
}

void WriteReal(RecordWriter* writer, const HeaderArray& array) {
  const bool labelled = !array.sets.empty();
  std::vector<std::size_t> extents7(kMaxRank, 1);
  std::copy(array.extents.begin(), array.extents.end(), extents7.begin());
  WriteSecondRecord(writer, array, labelled ? "RE" : "RL", extents7,
                    array.sparse ? "SPSE" : "FULL");
  if (labelled) {
    std::vector<const Set*> distinct;
    for (const Set& set : array.sets) {
      const bool seen = std::any_of(distinct.begin(), distinct.end(),
                                    [&](const Set* other) { return other->name == set.name; });
      if (!seen) distinct.push_back(&set);
    }
    std::string payload = kBlank;
    PutInt(&payload, static_cast<std::int64_t>(distinct.size()));
    PutInt(&payload, 1);
    PutInt(&payload, static_cast<std::int64_t>(array.sets.size()));
    payload += Pad(array.coefficient, kLabelLength);
    PutInt(&payload, 1);
    for (const Set& set : array.sets) payload += Pad(set.name, kLabelLength);
    payload += std::string(array.sets.size(), 'k');
    for (std::size_t d = 0; d < array.sets.size(); ++d) PutInt(&payload, 0);
    PutInt(&payload, 0);  // no single-element dimensions
    writer->Record(payload);
    for (const Set* set : distinct) WriteStrings(writer, set->elements, kLabelLength);
  }
  if (array.sparse) {
    WriteSparse(writer, array);
    return;
  }
  // Blocks: whole slices along the last dimension with more than one element.
  std::size_t split = 0;
  for (std::size_t d = 0; d < kMaxRank; ++d) {
    if (extents7[d] > 1) split = d;
  }
  std::size_t slice = 1;
  for (std::size_t d = 0; d < split; ++d) slice *= extents7[d];
  const std::size_t per_block = std::max<std::size_t>(1, kValuesPerRecord / slice);
  const std::size_t blocks = (extents7[split] + per_block - 1) / per_block;
  std::size_t records = 2 * blocks + 1;
  std::string first = kBlank;
  PutInt(&first, static_cast<std::int64_t>(records));
  PutInt(&first, static_cast<std::int64_t>(kMaxRank));
  for (const std::size_t extent : extents7) PutInt(&first, static_cast<std::int64_t>(extent));
  writer->Record(first);
  for (std::size_t block = 0; block < blocks; ++block) {
    const std::size_t low = block * per_block;
    const std::size_t high = std::min(extents7[split], low + per_block);
    std::string bounds = kBlank;
    PutInt(&bounds, static_cast<std::int64_t>(--records));
    for (std::size_t d = 0; d < kMaxRank; ++d) {
      PutInt(&bounds, static_cast<std::int64_t>(d == split ? low + 1 : 1));
      PutInt(&bounds, static_cast<std::int64_t>(d == split ? high : (d < split ? extents7[d] : 1)));
    }
    writer->Record(bounds);
    std::string data = kBlank;
    PutInt(&data, static_cast<std::int64_t>(--records));
    for (std::size_t k = low * slice; k < high * slice; ++k) PutReal(&data, array.reals[k]);
    writer->Record(data);
  }
}

void WriteMatrix(RecordWriter* writer, const HeaderArray& array) {
  const bool real = array.type == ArrayType::kRealMatrix;
  WriteSecondRecord(writer, array, real ? "2R" : "2I", array.extents);
  const std::size_t rows = array.extents[0], columns = array.extents[1];
  const std::size_t per_block = std::max<std::size_t>(1, kValuesPerRecord / std::max<std::size_t>(1, rows));
  const std::size_t blocks = std::max<std::size_t>(1, (columns + per_block - 1) / per_block);
  std::size_t records = blocks;
  for (std::size_t block = 0; block < blocks; ++block) {
    const std::size_t low = block * per_block;
    const std::size_t high = std::min(columns, low + per_block);
    std::string payload = kBlank;
    for (const std::size_t value : {records--, rows, columns, std::size_t{1}, rows, low + 1, high}) {
      PutInt(&payload, static_cast<std::int64_t>(value));
    }
    for (std::size_t k = low * rows; k < high * rows; ++k) {
      if (real) {
        PutReal(&payload, array.reals[k]);
      } else {
        PutInt(&payload, array.ints[k]);
      }
    }
    writer->Record(payload);
  }
}

}  // namespace

const char* ArrayTypeCode(ArrayType type) {
  switch (type) {
    case ArrayType::kStrings: return "1C";
    case ArrayType::kReal: return "RE";
    case ArrayType::kRealMatrix: return "2R";
    case ArrayType::kIntMatrix: return "2I";
  }
  return "??";
}

std::size_t HeaderArray::size() const {
  if (type == ArrayType::kStrings) return strings.size();
  std::size_t total = 1;
  for (const std::size_t extent : extents) total *= extent;
  return total;
}

std::size_t HeaderArray::Offset(const std::vector<std::size_t>& index) const {
  std::size_t offset = 0, stride = 1;
  for (std::size_t d = 0; d < index.size() && d < extents.size(); ++d) {
    offset += index[d] * stride;
    stride *= extents[d];
  }
  return offset;
}

std::vector<HeaderArray> ParseHar(const std::string& bytes, const std::string& label) {
  RecordReader reader(bytes, label);
  std::vector<HeaderArray> arrays;
  while (!reader.AtEnd()) {
    const std::size_t start = reader.position();
    const std::string name_record = reader.Next("header name");
    if (TrimRight(name_record).empty()) continue;  // GEMPACK may write blank records
    if (name_record.size() != 4) {
      reader.Fail("header name", start, fmt::format("expected a 4-byte name record, got {} bytes",
                                                    name_record.size()));
    }
    HeaderArray array;
    array.name = TrimRight(name_record);
    const std::string what = "header '" + array.name + "'";
    Fields second = NextFields(&reader, what);
    second.Blank();
    const std::string type = second.Text(2);
    const std::string storage = second.Text(4);
    array.long_name = TrimRight(second.Text(kLongNameLength));
    const std::size_t rank = second.Count("rank");
    if (rank > kMaxRank) second.Fail(fmt::format("rank {} above 7", rank));
    for (std::size_t d = 0; d < rank; ++d) array.extents.push_back(second.Count("extent"));
    if (storage != "FULL" && storage != "SPSE") {
      second.Fail(fmt::format("unknown storage '{}' (expected FULL or SPSE)", storage));
    }
    if (type == "1C") {
      if (rank != 2) second.Fail("a 1C array has 2 extents (count, length)");
      array.type = ArrayType::kStrings;
      array.strings = ReadStrings(&reader, what, array.extents[0], array.extents[1]);
      array.extents.clear();
    } else if (type == "2R" || type == "2I") {
      if (rank != 2) second.Fail("a matrix has 2 extents");
      array.type = type == "2R" ? ArrayType::kRealMatrix : ArrayType::kIntMatrix;
      ReadMatrix(&reader, what, &array);
    } else if (type == "RE" || type == "RL") {
      array.type = ArrayType::kReal;
      ReadReal(&reader, what, storage, type == "RE", &array);
      // Trailing dimensions of extent 1 without a set are padding to rank 7.
      while (array.extents.size() > (array.sets.empty() ? 1 : array.sets.size()) &&
             array.extents.back() == 1) {
        array.extents.pop_back();
      }
    } else {
      second.Fail(fmt::format("unsupported array type '{}' (supported: 1C, 2R, 2I, RE, RL)", type));
    }
    arrays.push_back(std::move(array));
  }
  return arrays;
}

std::vector<HeaderArray> ReadHar(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot read file", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return ParseHar(bytes.str(), path);
}

std::string SerializeHar(const std::vector<HeaderArray>& arrays) {
  RecordWriter writer;
  for (const HeaderArray& array : arrays) {
    Validate(array);
    writer.Record(Pad(array.name, 4));
    switch (array.type) {
      case ArrayType::kStrings: {
        std::size_t length = 1;
        for (const std::string& text : array.strings) length = std::max(length, text.size());
        WriteSecondRecord(&writer, array, "1C", {array.strings.size(), length});
        WriteStrings(&writer, array.strings, length);
        break;
      }
      case ArrayType::kReal:
        WriteReal(&writer, array);
        break;
      case ArrayType::kRealMatrix:
      case ArrayType::kIntMatrix:
        WriteMatrix(&writer, array);
        break;
    }
  }
  return writer.bytes();
}

void WriteHar(const std::string& path, const std::vector<HeaderArray>& arrays) {
  const std::string bytes = SerializeHar(arrays);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error(fmt::format("{}: cannot write", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw std::runtime_error(fmt::format("{}: cannot rename to {}", temporary, path));
  }
}

const HeaderArray* FindArray(const std::vector<HeaderArray>& arrays, const std::string& name) {
  const auto upper = [](std::string text) {
    text = TrimRight(text);
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  };
  for (const HeaderArray& array : arrays) {
    if (upper(array.name) == upper(name)) return &array;
  }
  return nullptr;
}

HeaderArray MakeStrings(const std::string& name, const std::string& long_name,
                        const std::vector<std::string>& strings) {
  HeaderArray array;
  array.name = name;
  array.long_name = long_name;
  array.type = ArrayType::kStrings;
  array.strings = strings;
  return array;
}

HeaderArray MakeReal(const std::string& name, const std::string& long_name,
                     const std::string& coefficient, const std::vector<Set>& sets,
                     std::vector<double> values) {
  HeaderArray array;
  array.name = name;
  array.long_name = long_name;
  array.type = ArrayType::kReal;
  array.coefficient = coefficient;
  array.sets = sets;
  for (const Set& set : sets) array.extents.push_back(set.elements.size());
  array.reals = std::move(values);
  return array;
}

}  // namespace ohlin::har
