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
#include "results/files.h"
#include "scenarios/scenario.h"
#include "solver/solver.h"

namespace ohlin {

// Wall seconds of the phases of `ohlin solve` (summary.json "phase_seconds"); `write` is
// measured by WriteResults itself.
struct PhaseSeconds {
  double load = 0.0;       // benchmark and scenario files read and checked
  double calibrate = 0.0;  // shocks applied, model calibrated
  double solve = 0.0;
  double decompose = 0.0;  // the EV decomposition's path
  double write = 0.0;      // the result tables formatted and written
};

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
  // Phase timings for summary.json; may be null (no "phase_seconds").
  const PhaseSeconds* phases = nullptr;
  // false: trade.csv and ntb.csv (a row per bilateral flow, the largest tables) are left out,
  // and summary.json lists them under "left_out" (`ohlin solve --no-flow-tables`).
  bool flow_tables = true;
};

// The tables --no-flow-tables leaves out.
const std::vector<std::string>& FlowTableNames();

// The CSV result tables of an outcome (every file of ResultFileNames but summary.json, and
// decomposition.csv only when the outcome has one; trade.csv and ntb.csv only with
// flow_tables), name and contents, in that order. Throws std::invalid_argument when any
// number of any table is not finite.
std::vector<std::pair<std::string, std::string>> ResultTables(const Benchmark& data,
                                                              const Outcome& outcome,
                                                              bool flow_tables = true);

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



}  // namespace ohlin
