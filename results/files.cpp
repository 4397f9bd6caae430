// Atomic file writing, result folders replaced whole, and safe file names.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>

#include "calibration/errors.h"
#include "results/files.h"

namespace ohlin {
namespace {

namespace fs = std::filesystem;

// Writes `contents` to a new file `path` with POSIX calls, so that a failure says why.
void WriteNewFile(const fs::path& path, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  }
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t wrote = ::write(fd, contents.data() + done, contents.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      const int code = errno;
      ::close(fd);
      throw std::runtime_error(
          fmt::format("error while writing {}: {}", path.string(), std::strerror(code)));
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (::close(fd) != 0) {
    throw std::runtime_error(
        fmt::format("error while writing {}: {}", path.string(), std::strerror(errno)));
  }
}

// While alive, SIGINT, SIGTERM, SIGHUP and SIGQUIT wait: a result folder is never left half
// written by Ctrl-C. A signal that arrived meanwhile is delivered when this ends.
class DeferSignals {
 public:
  DeferSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, signal);
    sigprocmask(SIG_BLOCK, &set, &previous_);
  }
  ~DeferSignals() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }
  DeferSignals(const DeferSignals&) = delete;
  DeferSignals& operator=(const DeferSignals&) = delete;

 private:
  sigset_t previous_;
};

// True when `inner` is `outer` or lies inside it (both absolute and normal).
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

fs::path Absolute(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path.empty() ? "." : path, error);
  if (error) return fs::path(path).lexically_normal();
  const fs::path canonical = fs::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : canonical;
}

// The files an earlier ohlin run left in `folder` and may replace: the `files` list of its
// summary.json (the manifest), or for folders written before the manifest existed the
// result file names of FORMATS.md when a summary.json or compare.csv is there.
std::set<std::string> ReplaceableResults(const fs::path& folder) {
  std::set<std::string> names;
  const fs::path summary = folder / "summary.json";
  std::error_code error;
  if (fs::is_regular_file(summary, error) && fs::file_size(summary, error) < (1u << 24)) {
    std::ifstream in(summary);
    const auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (json.is_object() && json.contains("ohlin") && json.contains("files") &&
        json["files"].is_array()) {
      for (const auto& name : json["files"]) {
        if (name.is_string()) names.insert(name.get<std::string>());
      }
      names.insert("summary.json");
      names.insert("report.html");  // `ohlin report` writes it into the folder
      return names;
    }
    if (!json.is_object() || !json.contains("ohlin")) return names;
  } else if (!fs::is_regular_file(folder / "compare.csv", error)) {
    return names;
  }
  for (const std::string& name : ResultFileNames()) names.insert(name);
  names.insert("state.csv");
  names.insert("compare.csv");
  names.insert("report.html");
  return names;
}

// Whether `path` is the journal of `ohlin sweep` or `ohlin sensitivity` (sweeps/runner.h): its
// first line is the header {"fingerprint":...,"ohlin_journal":1}.
bool IsSweepJournal(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  std::ifstream in(path);
  std::string line(4096, '\0');  // the header is short: a long first line is no header
  in.read(line.data(), static_cast<std::streamsize>(line.size()));
  line.resize(static_cast<std::size_t>(in.gcount()));
  const std::size_t end = line.find('\n');
  if (end == std::string::npos) return false;
  line.resize(end);
  const auto header = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return header.is_object() && header.size() == 2 && header.contains("ohlin_journal") &&
         header.contains("fingerprint");
}

// ReplaceableResults, and a sweep's journal: a folder a killed sweep left holds only that.
std::set<std::string> ReplaceableFiles(const fs::path& folder) {
  std::set<std::string> names = ReplaceableResults(folder);
  if (IsSweepJournal(folder / "journal.jsonl")) names.insert("journal.jsonl");
  return names;
}

}  // namespace

const std::vector<std::string>& ResultFileNames() {
  static const std::vector<std::string> names = {
      "summary.json", "welfare.csv",      "factors.csv",       "sectors.csv",
      "trade.csv",    "distribution.csv", "income_sources.csv", "ntb.csv",
      "decomposition.csv"};
  return names;
}

void WriteFileAtomically(const std::string& path, const std::string& contents) {
  const fs::path final_path(path);
  const fs::path temporary_path =
      final_path.parent_path() / fmt::format("{}.tmp.{}", final_path.filename().string(), getpid());
  std::error_code status_error;
  const fs::file_type type = fs::status(final_path, status_error).type();
  if (type != fs::file_type::not_found && type != fs::file_type::regular) {
    // A rename would replace a folder's entry, a device (/dev/full) or a pipe with a file.
    throw std::runtime_error(
        fmt::format("cannot write {}: it exists and is not a regular file", path));
  }
  const DeferSignals defer;
  try {
    WriteNewFile(temporary_path, contents);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary_path, ignored);
    throw;
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

void CheckOutputFolder(const std::string& dir, const std::vector<std::string>& inputs,
                       const std::string& option) {
  const fs::path folder = Absolute(dir.empty() ? "." : dir);
  const fs::path here = Absolute(".");
  if (IsWithin(here, folder)) {
    throw InputError(fmt::format(
        "{} {}: the current folder or one above it cannot be a result folder (results replace "
        "the folder whole); name a folder of its own",
        option, dir));
  }
  for (const std::string& input : inputs) {
    if (!input.empty() && IsWithin(Absolute(input), folder)) {
      throw InputError(fmt::format(
          "{} {}: the folder holds {}, which this run reads; results go into a folder of their "
          "own (e.g. --out {})",
          option, dir, input, (folder.parent_path() / "out").string()));
    }
  }
  std::error_code error;
  const fs::file_status status = fs::status(folder, error);
  if (status.type() == fs::file_type::not_found) {
    // The nearest folder that exists must take a new folder.
    fs::path parent = folder.parent_path();
    while (!parent.empty() && !fs::exists(parent, error) && parent != parent.root_path()) {
      parent = parent.parent_path();
    }
    if (!fs::is_directory(parent, error)) {
      throw InputError(
          fmt::format("{} {}: {} is not a folder", option, dir, parent.string()));
    }
    if (::access(parent.c_str(), W_OK | X_OK) != 0) {
      throw InputError(fmt::format("{} {}: cannot create a folder in {}: {}", option,
                                              dir, parent.string(), std::strerror(errno)));
    }
    return;
  }
  if (status.type() != fs::file_type::directory) {
    throw InputError(
        fmt::format("{} {}: exists and is not a folder; name a folder for the results", option, dir));
  }
  if (::access(folder.parent_path().c_str(), W_OK | X_OK) != 0) {
    throw InputError(fmt::format("{} {}: cannot replace a folder in {}: {}", option, dir,
                                            folder.parent_path().string(), std::strerror(errno)));
  }
  const std::set<std::string> replaceable = ReplaceableFiles(folder);
  std::vector<std::string> foreign;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (replaceable.count(name) == 0) foreign.push_back(name);
  }
  if (error) {
    throw InputError(fmt::format("{} {}: cannot list the folder: {}", option, dir,
                                            error.message()));
  }
  if (!foreign.empty()) {
    std::sort(foreign.begin(), foreign.end());
    const std::size_t shown = std::min<std::size_t>(foreign.size(), 5);
    throw InputError(fmt::format(
        "{} {}: the folder holds files ohlin did not write ({}{}); results replace their folder "
        "whole, so give a new or empty folder, or one holding earlier results",
        option, dir, fmt::join(foreign.begin(), foreign.begin() + static_cast<long>(shown), ", "),
        foreign.size() > shown ? fmt::format(" and {} more", foreign.size() - shown) : ""));
  }
}

std::vector<std::string> ReplaceFolder(const std::string& dir,
                                       const std::vector<std::pair<std::string, std::string>>& files,
                                       const std::vector<std::string>& keep) {
  const fs::path folder = Absolute(dir.empty() ? "." : dir);
  std::error_code error;
  fs::create_directories(folder.parent_path(), error);
  if (error) {
    throw std::runtime_error(fmt::format("cannot create folder {}: {}",
                                         folder.parent_path().string(), error.message()));
  }
  const fs::path temporary =
      folder.parent_path() / fmt::format(".{}.tmp.{}", folder.filename().string(), getpid());
  const DeferSignals defer;  // Ctrl-C waits until the folder is whole
  const auto cleanup = [&temporary] {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
  };
  cleanup();
  std::vector<std::string> replaced;
  try {
    if (!fs::create_directory(temporary, error) || error) {
      throw std::runtime_error(fmt::format("cannot create folder {}: {}", temporary.string(),
                                           error ? error.message() : "it exists"));
    }
    for (const auto& [name, contents] : files) WriteNewFile(temporary / name, contents);
    for (const std::string& name : keep) {
      if (fs::exists(folder / name, error)) fs::copy_file(folder / name, temporary / name);
    }
    if (fs::is_directory(folder, error)) {
      for (const auto& entry : fs::directory_iterator(folder)) {
        replaced.push_back(entry.path().filename().string());
      }
      std::sort(replaced.begin(), replaced.end());
      // Swap the folders in one step; where the file system cannot, two renames.
      if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, folder.c_str(), RENAME_EXCHANGE) != 0) {
        const fs::path old =
            folder.parent_path() / fmt::format(".{}.old.{}", folder.filename().string(), getpid());
        fs::rename(folder, old);
        fs::rename(temporary, folder);
        fs::remove_all(old, error);
      }
    } else {
      fs::rename(temporary, folder);
    }
  } catch (const fs::filesystem_error& failure) {
    cleanup();
    throw std::runtime_error(fmt::format("cannot write result folder {}: {}", folder.string(),
                                         failure.code().message()));
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();  // after a swap: the earlier folder
  return replaced;
}

std::string ShortText(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}... ({} more bytes)", text.substr(0, cut), text.size() - cut);
}

std::string SafeFileName(const std::string& name) {
  std::string safe;
  bool pending_separator = false;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 128 && std::isalnum(byte)) {
      const bool separate = pending_separator && !safe.empty();
      if (safe.size() + (separate ? 2 : 1) > kMaxSafeFileName) break;
      if (separate) safe.push_back('_');
      pending_separator = false;
      safe.push_back(static_cast<char>(std::tolower(byte)));
    } else {
      pending_separator = true;
    }
  }
  return safe.empty() ? "scenario" : safe;
}

}  // namespace ohlin
