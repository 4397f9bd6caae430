// A fast path for YamlDocument::Load: lists of one-line flow maps (a scenario's shocks, a
// benchmark's inline rows) read without yaml-cpp, whose scanner takes about half a
// microsecond a character (572 shocks: 17 ms). Anything but the plain form below is left to
// yaml-cpp, and so are all errors.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace ohlin::input {

// The value of a top-level key given as a block list of one-line flow maps, e.g.
//   shocks:
//     - {type: tariff, exporter: CHN, sectors: [MAN, "HIT"], add: 0.1}
// Keys are names; values are plain words (letters, digits, _ . + -; not a YAML null) or
// double-quoted text without backslashes, or flow lists of those.
struct FlowList {
  std::string key;
  int key_line = 0;  // 0-based, as YAML::Mark
  YAML::Node list;
  // yaml-cpp's positions of the list (its first '-'), then of each item's '{', each key, each
  // value and each value's list items, in the order a walk of `list` meets them.
  std::vector<YAML::Mark> marks;
};

// Finds such lists in `text` and empties their item lines (the lines stay, so yaml-cpp's
// lines and columns for the rest hold; not the byte offsets, which ohlin never shows): the key
// is then null in what yaml-cpp reads. A list with any line outside the plain form stays.
std::vector<FlowList> CutFlowLists(std::string* text);

// Puts the lists into `root` (parsed from the cut text) and appends each node with its
// position to *marks, in walk order. False, changing nothing, unless each key is a top-level
// key of `root` on its line with a null value.
bool PutFlowLists(const std::vector<FlowList>& lists, YAML::Node* root,
                  std::vector<std::pair<YAML::Node, YAML::Mark>>* marks);

}  // namespace ohlin::input
