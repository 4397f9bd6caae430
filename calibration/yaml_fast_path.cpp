#include "calibration/yaml_fast_path.h"

#include <optional>
#include <string_view>

namespace ohlin::input {
namespace {

// The parser of one item line; every method returns false at anything outside the plain form.
class FlowLine {
 public:
  // The line's text, its index and offset in the file, and where the map starts.
  FlowLine(std::string_view line, int line_index, std::size_t line_start, std::size_t pos)
      : line_(line), line_index_(line_index), line_start_(line_start), pos_(pos) {}

  // "{key: value, ...}" at the current position, then only spaces.
  bool Map(YAML::Node* map, std::vector<YAML::Mark>* marks) {
    if (!At('{')) return false;
    marks->push_back(MarkHere());
    ++pos_;
    *map = YAML::Node(YAML::NodeType::Map);
    std::vector<std::string> keys;
    while (true) {
      SkipSpaces();
      const YAML::Mark key_mark = MarkHere();
      std::string key;
      if (!Name(&key) || !At(':') || pos_ + 1 >= line_.size() || line_[pos_ + 1] != ' ') {
        return false;
      }
      for (const std::string& earlier : keys) {
        if (earlier == key) return false;  // a repeat: yaml-cpp's reading names it
      }
      keys.push_back(key);
      pos_ += 2;
      SkipSpaces();
      marks->push_back(key_mark);
      YAML::Node value;
      if (!Value(&value, marks)) return false;
      map->force_insert(YAML::Node(key), value);
      SkipSpaces();
      if (At(',')) {
        ++pos_;
        continue;
      }
      if (!At('}')) return false;
      ++pos_;
      SkipSpaces();
      return pos_ == line_.size();
    }
  }

 private:
  bool At(char c) const { return pos_ < line_.size() && line_[pos_] == c; }
  void SkipSpaces() {
    while (At(' ')) ++pos_;
  }
  YAML::Mark MarkHere() const {
    YAML::Mark mark;
    mark.pos = static_cast<int>(line_start_ + pos_);
    mark.line = line_index_;
    mark.column = static_cast<int>(pos_);
    return mark;
  }
  static bool IsWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '+' || c == '-';
  }
  bool Name(std::string* name) {
    const std::size_t first = pos_;
    while (pos_ < line_.size() &&
           ((line_[pos_] >= 'a' && line_[pos_] <= 'z') || line_[pos_] == '_')) {
      ++pos_;
    }
    *name = std::string(line_.substr(first, pos_ - first));
    return !name->empty();
  }
  // A plain word (not a YAML null, not "-" alone) or "text" without backslashes.
  bool Scalar(std::string* text) {
    if (At('"')) {
      const std::size_t close = line_.find('"', pos_ + 1);
      if (close == std::string_view::npos) return false;
      const std::string_view inside = line_.substr(pos_ + 1, close - pos_ - 1);
      if (inside.find('\\') != std::string_view::npos) return false;
      *text = std::string(inside);
      pos_ = close + 1;
      return true;
    }
    const std::size_t first = pos_;
    while (pos_ < line_.size() && IsWordChar(line_[pos_])) ++pos_;
    *text = std::string(line_.substr(first, pos_ - first));
    return !text->empty() && *text != "-" && *text != "null" && *text != "Null" &&
           *text != "NULL";
  }
  bool Value(YAML::Node* value, std::vector<YAML::Mark>* marks) {
    marks->push_back(MarkHere());
    std::string text;
    if (!At('[')) {
      if (!Scalar(&text)) return false;
      *value = YAML::Node(text);
      return true;
    }
    ++pos_;
    *value = YAML::Node(YAML::NodeType::Sequence);
    SkipSpaces();
    if (At(']')) {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpaces();
      marks->push_back(MarkHere());
      if (!Scalar(&text)) return false;
      value->push_back(YAML::Node(text));
      SkipSpaces();
      if (At(']')) {
        ++pos_;
        return true;
      }
      if (!At(',')) return false;
      ++pos_;
    }
  }

  std::string_view line_;
  int line_index_;
  std::size_t line_start_;
  std::size_t pos_;
};

struct Line {
  std::size_t start = 0;
  std::string_view text;
};

std::vector<Line> SplitLines(const std::string& text) {
  std::vector<Line> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back({start, std::string_view(text).substr(start, end - start)});
    start = end + 1;
  }
  return lines;
}

// "key:" alone on its line at column 0 (a top-level key whose value follows).
bool IsBareKeyLine(std::string_view line, std::string* key) {
  std::size_t end = line.size();
  while (end > 0 && line[end - 1] == ' ') --end;
  if (end < 2 || line[end - 1] != ':') return false;
  for (std::size_t k = 0; k + 1 < end; ++k) {
    const char c = line[k];
    if (!((c >= 'a' && c <= 'z') || c == '_' || (k > 0 && c >= '0' && c <= '9'))) return false;
  }
  *key = std::string(line.substr(0, end - 1));
  return true;
}

bool IsBlankLine(std::string_view line) {
  return line.find_first_not_of(' ') == std::string_view::npos;
}

// The list under the key on line `first - 1`: its items on lines [first, *end). False unless
// every non-blank line is an item at one indentation and the list ends at a top-level key or
// the end of the text.
bool ReadList(const std::vector<Line>& lines, std::size_t first, FlowList* list,
              std::size_t* end) {
  std::size_t indent = std::string_view::npos;
  list->list = YAML::Node(YAML::NodeType::Sequence);
  std::size_t k = first;
  for (; k < lines.size(); ++k) {
    const std::string_view line = lines[k].text;
    if (IsBlankLine(line)) continue;
    if (line[0] != ' ') break;
    const std::size_t dash = line.find_first_not_of(' ');
    if (indent == std::string_view::npos) indent = dash;
    if (dash != indent || line.compare(dash, 2, "- ") != 0) return false;
    std::size_t brace = dash + 2;
    while (brace < line.size() && line[brace] == ' ') ++brace;
    if (list->marks.empty()) {
      YAML::Mark mark;
      mark.pos = static_cast<int>(lines[k].start + dash);
      mark.line = static_cast<int>(k);
      mark.column = static_cast<int>(dash);
      list->marks.push_back(mark);
    }
    FlowLine parser(line, static_cast<int>(k), lines[k].start, brace);
    YAML::Node item;
    if (!parser.Map(&item, &list->marks)) return false;
    list->list.push_back(item);
  }
  if (list->marks.empty()) return false;
  if (k < lines.size()) {
    const char c = lines[k].text[0];
    if (c == '-' || c == '#' || c == '.' || c == ' ') return false;
  }
  *end = k;
  return true;
}

}  // namespace

std::vector<FlowList> CutFlowLists(std::string* text) {
  std::vector<FlowList> lists;
  const std::vector<Line> lines = SplitLines(*text);
  std::vector<std::size_t> cut;  // lines to blank
  for (std::size_t k = 0; k + 1 < lines.size(); ++k) {
    FlowList list;
    std::size_t end = 0;
    if (!IsBareKeyLine(lines[k].text, &list.key) || !ReadList(lines, k + 1, &list, &end)) {
      continue;
    }
    list.key_line = static_cast<int>(k);
    for (std::size_t j = k + 1; j < end; ++j) cut.push_back(j);
    lists.push_back(std::move(list));
    k = end - 1;
  }
  if (cut.empty()) return lists;
  // Emptied, not blanked: yaml-cpp's scanner is slow on spaces too.
  std::string kept;
  kept.reserve(text->size());
  std::size_t next_cut = 0;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (next_cut < cut.size() && cut[next_cut] == k) {
      ++next_cut;
    } else {
      kept += lines[k].text;
    }
    if (k + 1 < lines.size()) kept += '\n';
  }
  *text = std::move(kept);
  return lists;
}

bool PutFlowLists(const std::vector<FlowList>& lists, YAML::Node* root,
                  std::vector<std::pair<YAML::Node, YAML::Mark>>* marks) {
  if (!root->IsMap()) return false;
  std::vector<YAML::Node> values;
  for (const FlowList& list : lists) {
    std::optional<YAML::Node> value;
    for (const auto& entry : *root) {
      if (entry.first.IsScalar() && entry.first.Scalar() == list.key &&
          entry.first.Mark().line == list.key_line && entry.second.IsNull()) {
        value = entry.second;
      }
    }
    if (!value) return false;
    values.push_back(*value);
  }
  for (std::size_t l = 0; l < lists.size(); ++l) {
    YAML::Node value = values[l];
    value = lists[l].list;  // writes through: the key's value in `root` is now the list
    // The walk in the order of FlowList::marks.
    std::size_t next = 0;
    const auto add = [&](const YAML::Node& node) {
      marks->emplace_back(node, lists[l].marks[next++]);
    };
    add(value);
    for (const YAML::Node& item : value) {
      add(item);
      for (const auto& entry : item) {
        add(entry.first);
        add(entry.second);
        if (entry.second.IsSequence()) {
          for (const YAML::Node& element : entry.second) add(element);
        }
      }
    }
  }
  return true;
}

}  // namespace ohlin::input
