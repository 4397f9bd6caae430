#include "calibration/yaml_util.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include "calibration/yaml_fast_path.h"

namespace ohlin::input {
namespace {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool IsValidUtf8(const std::string& text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    // Eight bytes of ASCII at a time: the common case, a hundred MB of CSV at GTAP size.
    std::uint64_t word = 0;
    if (i + sizeof(word) <= n) {
      std::memcpy(&word, text.data() + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) == 0) {
        i += sizeof(word);
        continue;
      }
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned int code = 0;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1Fu;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0Fu;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07u;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    const unsigned int smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string Lowercase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

std::string ReadTextFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) {
    throw InputError(fmt::format("{}: cannot read file: no such file", path));
  }
  if (status.type() == fs::file_type::directory) {
    throw InputError(fmt::format("{}: cannot read file: it is a folder", path));
  }
  if (!error && status.type() != fs::file_type::regular) {
    // A device (/dev/zero), pipe or socket could block or never end.
    throw InputError(fmt::format("{}: cannot read file: not a regular file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(fmt::format("{}: cannot read file: permission denied or unreadable", path));
  }
  // Read straight into the string, up to the limit (a file's reported size can be wrong, as in
  // /proc: the string grows until the end is found).
  const std::uintmax_t reported = fs::file_size(path, error);
  std::string text(!error && reported < kMaxInputFileBytes ? reported + 1 : 1 << 20, '\0');
  std::size_t size = 0;
  while (in) {
    if (size == text.size()) {
      if (size > kMaxInputFileBytes) {
        throw InputError(fmt::format("{}: cannot read file: larger than {} bytes", path,
                                     kMaxInputFileBytes));
      }
      text.resize(std::min<std::size_t>(2 * size, kMaxInputFileBytes + 1));
    }
    in.read(text.data() + size, static_cast<std::streamsize>(text.size() - size));
    size += static_cast<std::size_t>(in.gcount());
  }
  if (size > kMaxInputFileBytes) {
    throw InputError(fmt::format("{}: cannot read file: larger than {} bytes", path,
                                 kMaxInputFileBytes));
  }
  text.resize(size);
  if (in.bad()) throw InputError(fmt::format("{}: cannot read file: I/O error", path));
  if (text.find('\0') != std::string::npos) {
    throw InputError(fmt::format("{}: not a text file (contains NUL bytes)", path));
  }
  if (!IsValidUtf8(text)) {
    throw InputError(fmt::format("{}: not a text file (invalid UTF-8)", path));
  }
  return text;
}

std::optional<double> ParseStrictNumber(std::string_view text, std::string* why) {
  // The common case first (a GTAP-size benchmark has millions of numbers): a plain finite
  // number that std::from_chars reads whole. Everything else takes the careful path below.
  if (!text.empty() && text[0] != '+') {
    double value = 0.0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
    if (error == std::errc() && end == text.data() + text.size() && std::isfinite(value)) {
      return value;
    }
  }
  const std::string lower = Lowercase(std::string(text));
  for (const char* special : {"nan", ".nan", "inf", ".inf", "infinity"}) {
    const std::string name = special;
    if (lower == name || lower == "+" + name || lower == "-" + name) {
      *why = fmt::format("must be a finite number, got '{}'", text);
      return std::nullopt;
    }
  }
  // std::from_chars refuses a leading '+', which YAML and CSV writers may emit.
  std::size_t start = (!text.empty() && text[0] == '+') ? 1 : 0;
  if (start == 1 && text.size() > 1 && text[1] == '-') start = text.size();  // "+-1"
  const char* first = text.data() + start;
  const char* last = text.data() + text.size();
  double value = 0.0;
  const auto [end, error] = std::from_chars(first, last, value, std::chars_format::general);
  if (first == last || end != last ||
      (error != std::errc() && error != std::errc::result_out_of_range)) {
    *why = fmt::format("expected a number, got '{}'", text);
    return std::nullopt;
  }
  if (error == std::errc::result_out_of_range) {
    // Overflow is an error; underflow (1e-400) is a value indistinguishable from zero.
    const double approximate = std::strtod(std::string(first, last).c_str(), nullptr);
    if (std::isinf(approximate)) {
      *why = fmt::format("must be a finite number, got '{}' (out of range)", text);
      return std::nullopt;
    }
    value = approximate;
  }
  if (!std::isfinite(value)) {
    *why = fmt::format("must be a finite number, got '{}'", text);
    return std::nullopt;
  }
  return value;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

std::string ResolveBeside(const std::string& base_file, const std::string& relative) {
  const std::filesystem::path target(relative);
  if (target.is_absolute()) return target.string();
  return (std::filesystem::path(base_file).parent_path() / target).lexically_normal().string();
}

std::string FileStem(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

namespace {

// True for a line that holds nothing for the parser: blank, a comment or a directive.
bool IsEmptyYamlLine(std::string_view line) {
  const std::size_t start = line.find_first_not_of(" \t\r");
  return start == std::string_view::npos || line[start] == '#' || line[start] == '%';
}

// The 1-based line where a second document's content starts (after a '---' or '...' marker
// that follows the first document's content); 0 when the text holds one document.
int SecondDocumentLine(const std::string& text) {
  bool content = false;
  int marker = 0;
  int number = 0;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + begin, end - begin);
    ++number;
    const bool is_marker = (line.rfind("---", 0) == 0 || line.rfind("...", 0) == 0) &&
                           (line.size() == 3 || line[3] == ' ' || line[3] == '\t' ||
                            line[3] == '\r');
    if (is_marker) {
      if (content && marker == 0) marker = number;
      const std::string_view rest = line.substr(3);
      if (marker != 0 && !IsEmptyYamlLine(rest)) return number;
    } else if (!IsEmptyYamlLine(line)) {
      if (marker != 0) return number;
      content = true;
    }
    begin = end + 1;
  }
  return 0;
}

// YAML::Load, with lists of one-line flow maps read by the fast path (yaml_fast_path.h) and
// their nodes' positions in *marks. Anything the fast path cannot vouch for, yaml-cpp reads.
YAML::Node ParseWithFastPath(const std::string& text,
                             std::vector<std::pair<YAML::Node, YAML::Mark>>* marks) {
  std::string cut = text;
  const std::vector<FlowList> lists = CutFlowLists(&cut);
  if (!lists.empty()) {
    try {
      YAML::Node root = YAML::Load(cut);
      if (PutFlowLists(lists, &root, marks)) return root;
    } catch (const YAML::Exception&) {
      // yaml-cpp reading the whole text below names the error.
    }
    marks->clear();
  }
  return YAML::Load(text);
}

}  // namespace

YamlDocument YamlDocument::Load(const std::string& path, const std::string& kind) {
  const std::string text = ReadTextFile(path);
  YAML::Node root;
  std::vector<std::pair<YAML::Node, YAML::Mark>> marks;
  try {
    // YAML::Load reads the first document only (yaml-cpp's LoadAll can loop on damaged input):
    // a second one is found in the text.
    root = ParseWithFastPath(text, &marks);
    if (const int line = SecondDocumentLine(text); line > 0) {
      throw InputError(fmt::format(
          "{}:{}: a second YAML document (after '---'): a {} file holds one; split it into "
          "files",
          path, line, kind));
    }
  } catch (const YAML::DeepRecursion& error) {
    throw InputError(fmt::format("{}:{}:{}: nested more than {} levels deep, deeper than a YAML file is "
                                 "read (an ohlin file needs at most a few levels)",
                                 path, error.mark.line + 1, error.mark.column + 1, error.depth()));
  } catch (const YAML::Exception& error) {
    if (error.mark.is_null()) {
      throw InputError(fmt::format("{}: YAML syntax error: {}", path, error.msg));
    }
    throw InputError(fmt::format("{}:{}:{}: YAML syntax error: {}", path, error.mark.line + 1,
                                 error.mark.column + 1, error.msg));
  }
  if (!root.IsDefined() || root.IsNull()) {
    throw InputError(fmt::format("{}: empty file: expected a {} (a YAML map starting with "
                                 "'ohlin: 1')",
                                 path, kind));
  }
  YamlDocument document(path, root);
  document.marks_ = std::move(marks);
  if (!root.IsMap()) {
    document.Fail(root, fmt::format("the top level of a {} file must be a map of keys "
                                    "(starting with 'ohlin: 1')",
                                    kind));
  }
  const std::optional<YAML::Node> version = document.Find(root, "ohlin");
  if (!version) {
    document.Fail(root, fmt::format("missing format version: a {} file must start with "
                                    "'ohlin: 1'",
                                    kind));
  }
  if (!version->IsScalar() || version->Scalar() != "1") {
    const std::string given = version->IsScalar() ? version->Scalar() : "a non-number";
    document.Fail(*version, fmt::format("unsupported format version '{}': this ohlin reads "
                                        "'ohlin: 1'",
                                        given));
  }
  return document;
}

std::string YamlDocument::Where(const YAML::Node& node) const {
  if (!node.IsDefined()) return path_;
  YAML::Mark mark = node.Mark();
  for (std::size_t k = 0; mark.is_null() && k < marks_.size(); ++k) {
    const std::size_t at = (last_mark_ + k) % marks_.size();
    if (marks_[at].first.is(node)) {
      mark = marks_[at].second;
      last_mark_ = at;
    }
  }
  if (mark.is_null()) return path_;
  return fmt::format("{}:{}:{}", path_, mark.line + 1, mark.column + 1);
}

void YamlDocument::Fail(const YAML::Node& node, const std::string& what) const {
  throw InputError(fmt::format("{}: {}", Where(node), what));
}

const YamlDocument::MapEntries& YamlDocument::EntriesOf(const YAML::Node& map) const {
  if (last_map_.map.IsDefined() && last_map_.map.is(map)) return last_map_;
  last_map_.map.reset();  // never assign to a node: that writes through to the document
  last_map_.entries.clear();
  for (const auto& entry : map) {
    // A key that is not a scalar gets an empty text (no valid key is empty).
    std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
    last_map_.entries.emplace_back(std::move(key), std::make_pair(entry.first, entry.second));
  }
  last_map_.map.reset(map);
  return last_map_;
}

std::optional<YAML::Node> YamlDocument::Find(const YAML::Node& map,
                                             const std::string& key) const {
  if (!map.IsMap()) return std::nullopt;
  std::optional<YAML::Node> found;
  for (const auto& [text, entry] : EntriesOf(map).entries) {
    if (text == key && entry.first.IsScalar()) {
      if (found) Fail(entry.first, fmt::format("key '{}' is given twice", key));
      found = entry.second;
    }
  }
  return found;
}

YAML::Node YamlDocument::Require(const YAML::Node& map, const std::string& key,
                                 const std::string& context) const {
  std::optional<YAML::Node> found = Find(map, key);
  if (!found) Fail(map, fmt::format("{}: missing required key '{}'", context, key));
  return *found;
}

void YamlDocument::CheckMap(const YAML::Node& node, const std::vector<std::string>& allowed,
                            const std::string& context) const {
  if (!node.IsMap()) Fail(node, fmt::format("{}: expected a map", context));
  std::set<std::string> seen;
  for (const auto& [key, entry] : EntriesOf(node).entries) {
    const YAML::Node& name = entry.first;
    if (!name.IsScalar()) Fail(name, fmt::format("{}: keys must be names", context));
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      Fail(name, fmt::format("{}: unknown key '{}' (valid keys: {})", context, key,
                             JoinNames(allowed)));
    }
    if (!seen.insert(key).second) {
      Fail(name, fmt::format("{}: key '{}' is given twice", context, key));
    }
  }
}

std::string YamlDocument::ReadString(const YAML::Node& node, const std::string& context) const {
  if (!node.IsScalar()) Fail(node, fmt::format("{}: expected a single value", context));
  return node.Scalar();
}

double YamlDocument::ReadNumber(const YAML::Node& node, const std::string& context) const {
  if (!node.IsScalar()) Fail(node, fmt::format("{}: expected a number", context));
  std::string why;
  const std::optional<double> value = ParseStrictNumber(node.Scalar(), &why);
  if (!value) Fail(node, fmt::format("{}: {}", context, why));
  return *value;
}

long long YamlDocument::ReadInteger(const YAML::Node& node, const std::string& context) const {
  if (!node.IsScalar()) Fail(node, fmt::format("{}: expected a whole number", context));
  const std::string& text = node.Scalar();
  long long value = 0;
  const char* first = text.data() + ((!text.empty() && text[0] == '+') ? 1 : 0);
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(first, last, value);
  if (first == last || end != last || error != std::errc()) {
    Fail(node, fmt::format("{}: expected a whole number, got '{}'", context, text));
  }
  return value;
}

void YamlDocument::CheckName(const YAML::Node& node, const std::string& name,
                              const std::string& context,
                              const std::vector<std::string>& reserved) const {
  if (name == "*") {
    Fail(node, fmt::format("{}: '*' is not a name: it selects every name in scenarios", context));
  }
  for (const std::string& keyword : reserved) {
    if (name == keyword) {
      Fail(node, fmt::format("{}: '{}' is reserved (the results name a region's government so)",
                             context, name));
    }
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      Fail(node, fmt::format("{}: a name cannot hold a control character (line break, tab)",
                             context));
    }
  }
}

std::vector<std::string> YamlDocument::ReadNameList(const YAML::Node& node,
                                                    const std::string& context) const {
  if (!node.IsSequence()) Fail(node, fmt::format("{}: expected a list of names", context));
  std::vector<std::string> names;
  for (std::size_t k = 0; k < node.size(); ++k) {
    const YAML::Node item = node[k];
    const std::string name = ReadString(item, fmt::format("{}[{}]", context, k + 1));
    if (name.empty()) Fail(item, fmt::format("{}[{}]: a name cannot be empty", context, k + 1));
    CheckName(item, name, fmt::format("{}[{}]", context, k + 1));
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      Fail(item, fmt::format("{}: duplicate name '{}'", context, name));
    }
    names.push_back(name);
  }
  return names;
}

}  // namespace ohlin::input
