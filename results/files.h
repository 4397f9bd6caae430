// Files and folders of a run (results/files.cpp, results/start_state.cpp): atomic writes,
// result folders replaced whole, output options checked before a run, the start of
// `ohlin solve --start`, and safe names. A small library of its own (ohlin_files), without
// the model, so that the fuzz targets can link it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace ohlin {

// The names of the result files of FORMATS.md, summary.json first (state.csv, written when
// the context has a state, is not among them).
const std::vector<std::string>& ResultFileNames();

// Writes `contents` to `path` through a temporary file in the same folder and a rename.
// SIGINT and SIGTERM wait while it writes. Errors say why (e.g. "No space left on device").
void WriteFileAtomically(const std::string& path, const std::string& contents);

// Before a run: can `dir` (an `option` such as "--out") take a result folder? Throws
// InputError when it is a file, the current folder or above it, cannot be created,
// holds one of `inputs` (files the run reads), or holds any file that ohlin did not write
// there (not in the `files` manifest of its summary.json). A result folder is replaced whole,
// so nothing else may live in it.
void CheckOutputFolder(const std::string& dir, const std::vector<std::string>& inputs,
                       const std::string& option = "--out");

// Replaces the folder `dir` by one holding exactly `files` (name, contents) and the files
// named in `keep` copied from the folder it replaces: written into a temporary sibling folder
// and swapped into place in one rename, with SIGINT and SIGTERM waiting meanwhile, so the
// folder is always either the earlier one or the new one, whole. Returns the names the
// earlier folder held. Throws std::runtime_error saying why on I/O failure.
std::vector<std::string> ReplaceFolder(const std::string& dir,
                                       const std::vector<std::pair<std::string, std::string>>& files,
                                       const std::vector<std::string>& keep = {});

// `text` cut to about `limit` bytes (at a UTF-8 boundary) with the count of what was cut:
// echoes of user input in messages stay readable whatever the input.
std::string ShortText(const std::string& text, std::size_t limit = 200);

// The longest name SafeFileName returns.
inline constexpr std::size_t kMaxSafeFileName = 60;

// A filesystem-safe version of a scenario name: lowercase ASCII letters and digits, every
// other run of characters becomes a single '_', no leading or trailing '_', at most
// kMaxSafeFileName characters. "scenario" when nothing is left.
std::string SafeFileName(const std::string& name);

// The start file of `ohlin solve --start`: the path itself, or PATH/state.csv when it is a
// folder.
std::string StartFile(const std::string& given);
// Reads a start written by an earlier solve (state.csv): values matched by variable name
// (`names`, the model's unknowns; quoted names as in every table); unknowns it does not name
// keep their value in `start` (the benchmark). The file gets the guards of every input (a
// regular file, at most 1 GiB, text). Throws InputError naming file and line, and when the
// file matches none of the model's unknowns (a state of another model); `note` says how many
// it matched and which rows it ignored.
std::vector<double> ReadStartState(const std::string& given, const std::vector<std::string>& names,
                                   std::vector<double> start, std::string* note);

}  // namespace ohlin
