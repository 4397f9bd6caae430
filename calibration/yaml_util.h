// Location-aware helpers for reading ohlin input files (FORMATS.md): every error is an
// InputError whose message begins with "FILE:LINE:COLUMN: " (1-based) where the position is
// known. Shared by the benchmark loader and the scenario loader.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "calibration/errors.h"

namespace ohlin::input {

// The name of a region's government in the result tables: no household may take it.
inline constexpr const char* kGovernmentName = "government";

// The largest input file read (YAML or CSV), in bytes.
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{1} << 30;

// Reads a whole regular file of at most kMaxInputFileBytes and checks that it is text (no NUL
// bytes, valid UTF-8). `path` is used in messages as given. Throws InputError "PATH: cannot
// read file ..." (missing, a folder, a device or pipe, unreadable, too large) or "PATH: not a
// text file ...".
std::string ReadTextFile(const std::string& path);

// Parses a number strictly: the whole text must be a finite decimal number ("12abc", "nan",
// "inf", ".inf" and overflowing values such as 1e400 are refused). On failure returns nullopt
// and sets *why to what is wrong.
std::optional<double> ParseStrictNumber(std::string_view text, std::string* why);

// "a, b, c".
std::string JoinNames(const std::vector<std::string>& names);

// `relative` resolved against the folder of `base_file` (absolute paths are kept).
std::string ResolveBeside(const std::string& base_file, const std::string& relative);

// The file name without folder and extension: "data/world.yaml" -> "world".
std::string FileStem(const std::string& path);

// A parsed YAML input file that knows its path, to prefix errors with "path:line:column: ".
// One thread at a time (as yaml-cpp's nodes; lookups keep a cache).
class YamlDocument {
 public:
  // Loads `path` and checks the classes of bad input common to all ohlin files: unreadable,
  // binary, syntax error, empty, top level not a map, missing or wrong `ohlin: 1` version.
  // `kind` names the file type in messages ("benchmark", "scenario").
  static YamlDocument Load(const std::string& path, const std::string& kind);

  const std::string& path() const { return path_; }
  const YAML::Node& root() const { return root_; }

  // "path:line:column" of the node, or "path" when the node carries no position.
  std::string Where(const YAML::Node& node) const;
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& what) const;

  // The value of `key` in `map`, or nullopt. A key given twice is an error.
  std::optional<YAML::Node> Find(const YAML::Node& map, const std::string& key) const;
  // Like Find, but a missing key is an error "CONTEXT: missing required key 'KEY'".
  YAML::Node Require(const YAML::Node& map, const std::string& key,
                     const std::string& context) const;
  // Errors unless `node` is a map whose keys are all in `allowed` (and none repeated).
  void CheckMap(const YAML::Node& node, const std::vector<std::string>& allowed,
                const std::string& context) const;

  // Scalar readers; `context` names what is being read, e.g. "factors[2].name".
  std::string ReadString(const YAML::Node& node, const std::string& context) const;
  double ReadNumber(const YAML::Node& node, const std::string& context) const;
  long long ReadInteger(const YAML::Node& node, const std::string& context) const;
  // Refuses a name that collides with a keyword: "*" (every name, in selectors), one of
  // `reserved` (e.g. "government", the row of a region's government in the results), or one
  // with a control character (a line break would split a row of every table and message).
  void CheckName(const YAML::Node& node, const std::string& name, const std::string& context,
                 const std::vector<std::string>& reserved = {}) const;
  // A list of distinct non-empty names (FORMATS.md: duplicate names in a set are an error),
  // each passing CheckName.
  std::vector<std::string> ReadNameList(const YAML::Node& node, const std::string& context) const;

 private:
  YamlDocument(std::string path, YAML::Node root) : path_(std::move(path)), root_(std::move(root)) {}

  std::string path_;
  YAML::Node root_;
  // Positions of the nodes read by the fast path (yaml_fast_path.h), which yaml-cpp cannot
  // hold, in reading order; Where looks from where it last found one.
  std::vector<std::pair<YAML::Node, YAML::Mark>> marks_ = {};
  mutable std::size_t last_mark_ = 0;
  // The entries of the map last searched by Find or CheckMap, read once: each walk of a
  // yaml-cpp map makes node handles anew, and a scenario's shock is searched a dozen times.
  struct MapEntries {
    YAML::Node map;
    std::vector<std::pair<std::string, std::pair<YAML::Node, YAML::Node>>> entries;
  };
  const MapEntries& EntriesOf(const YAML::Node& map) const;
  mutable MapEntries last_map_ = {};
};

}  // namespace ohlin::input
