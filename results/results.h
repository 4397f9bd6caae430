// Result files of a solve (FORMATS.md "Results") and the terminal summary of `ohlin solve`.
//
// Files are written atomically (temporary name in the same folder, then rename), and every
// CSV is a pure function of its inputs, so the same solve gives byte-identical files.
// summary.json carries the one non-deterministic field, `seconds`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "calibration/benchmark.h"
#include "model/outcome.h"
#include "scenarios/scenario.h"
#include "solver/solver.h"

namespace ohlin {

// Everything the writers read. Nothing is owned; the pointers must outlive the call.
// `outcome` may be null for WriteFailure; every other pointer is required.
struct ResultContext {
  const Benchmark* data = nullptr;
  const Scenario* scenario = nullptr;
  const Outcome* outcome = nullptr;
  const SolverSummary* summary = nullptr;
  // The solved unknowns by name (Model::VariableName), written to state.csv so that a later
  // solve can start from them (`ohlin solve --start DIR`). May be null: no state.csv.
  const std::vector<std::pair<std::string, double>>* state = nullptr;
};

// The names of the result files of FORMATS.md, summary.json first (state.csv, written when
// the context has a state, is not among them).
const std::vector<std::string>& ResultFileNames();

// Writes every result file of FORMATS.md as the folder `dir`, replacing an earlier one whole
// (ReplaceFolder), so a summary.json with status "converged" always sits next to a complete
// set of files from the same run; its `files` list names them (the manifest). Every table is
// built first: throws std::invalid_argument when a pointer is missing or any number of any
// table is not finite (nothing written), and std::runtime_error on I/O failure.
void WriteResults(const std::string& dir, const ResultContext& context);

// Writes summary.json with status "failed" and the reason (FailureReason) as the folder
// `dir`. Result files of an earlier run in `dir` are removed, since next to this summary they
// would look like an answer; the reason says which were removed. Throws std::runtime_error on
// I/O failure.
// Files named in `keep` (e.g. the state.csv this run started from) stay.
void WriteFailure(const std::string& dir, const ResultContext& context,
                  const std::string& extra_reason = "", const std::vector<std::string>& keep = {});

// The solver's message followed by its largest residuals by equation name.
std::string FailureReason(const SolverSummary& summary);

// True when every number of the outcome is finite; otherwise says where in `why`.
bool OutcomeIsFinite(const Outcome& outcome, std::string* why);

// The start file of `ohlin solve --start`: the path itself, or PATH/state.csv when it is a
// folder.
std::string StartFile(const std::string& given);
// Reads a start written by an earlier solve (state.csv): values matched by variable name
// (quoted names as in every table); unknowns it does not name start at the benchmark. The
// file gets the guards of every input (a regular file, at most 1 GiB, text). Throws
// InputError naming file and line, and when the file matches none of the model's unknowns (a
// state of another model); `note` says how many it matched and which rows it ignored.
State ReadStartState(const std::string& given, const Model& model, std::string* note);

// A readable summary for the terminal: header, welfare by region (and household), real
// factor returns, and the `max_sectors` largest output changes.
std::string FormatTerminalSummary(const ResultContext& context, int max_sectors = 8);

// Distribution statistics of one region (MODEL.md section 6), as in distribution.csv:
// population-weighted Gini and Theil of per-capita real income across household groups
// (governments and other rows of population 0 left out), and the population share that loses.
struct DistributionStats {
  double gini_base = 0.0, gini_new = 0.0, theil_base = 0.0, theil_new = 0.0;
  double population_losing_pct = 0.0;
  bool has_households = false;
};
DistributionStats MeasureDistribution(const Outcome& outcome, int region);

// `ohlin compare` (results/compare.cpp): one solved outcome per redistribution rule.
struct RuleComparison {
  std::string rule;  // a rule name, e.g. "lump_sum"
  const Outcome* outcome = nullptr;
};
// compare.csv: region,household,measure, then one column per rule (FORMATS.md).
std::string CompareCsv(const Benchmark& data, const std::vector<RuleComparison>& runs);
// The same table for the terminal.
std::string FormatCompareTable(const Benchmark& data, const std::string& scenario_name,
                               const std::vector<RuleComparison>& runs);

// A CSV field: RFC 4180 quoting, only where the text needs it (a comma, quote or line break).
std::string CsvField(const std::string& text);

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

}  // namespace ohlin
