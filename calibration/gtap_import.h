// Importing a GTAP data base (GEMPACK header-array files) as an ohlin benchmark
// (`ohlin import gtap`). The rules, what is folded and why, are in gtap_import.cpp.
#pragma once

#include <string>
#include <vector>

#include "calibration/balance.h"
#include "calibration/benchmark.h"
#include "calibration/har.h"

namespace ohlin {

struct GtapImportOptions {
  // The balance step that follows the conversion (float32 rounding and small inconsistencies of
  // the data base); it refuses adjustments larger than balance.tolerance.
  BalanceOptions balance;
};

// One line of the report: what was folded into what, and how large it is.
struct GtapFold {
  std::string what;     // e.g. "investment demand -> final demand"
  double value = 0.0;   // world total, data units (USD million in GTAP)
  double share = 0.0;   // relative to the reference named in `of`
  std::string of;       // e.g. "world final demand"
};

struct GtapImportReport {
  std::string generation;           // "v10-v11 (VDFB, VXSB, ...)" or "v7-v9 (VDFM, VXMD, ...)"
  std::vector<std::string> files;   // the files read
  std::vector<GtapFold> folds;      // what MODEL.md lacks, folded, with sizes
  std::vector<std::string> notes;   // elasticities, factor mobility, skipped cells
  std::vector<std::string> cells;   // cell-by-cell folds (input subsidies, negative values)
  BalanceReport balance;
};

// The three files of a GTAP data base, as header arrays. `sets` and `parameters` may be empty:
// then the sets come from the labels of the base data and the elasticities are ohlin's defaults.
struct GtapArrays {
  std::vector<har::HeaderArray> basedata;
  std::vector<har::HeaderArray> sets;
  std::vector<har::HeaderArray> parameters;
  // Names of the three sources in messages (the file paths when read from a folder).
  std::string basedata_file = "GTAP base data";
  std::string sets_file = "GTAP sets file";
  std::string parameters_file = "GTAP parameter file";
};

// Converts GTAP arrays (either naming generation) into a balanced benchmark. Throws InputError
// (naming the file and header) when a required header is missing or of the wrong type or shape,
// the sets disagree, activities differ from commodities without a make matrix, a sector's value
// added stays negative after folding its input subsidies, or balancing needs more than the
// tolerance. `report` holds every fold computed before a refusal.
Benchmark ConvertGtap(const GtapArrays& arrays, const GtapImportOptions& options,
                      GtapImportReport* report);

// Reads DIR/basedata.har (or gsddat.har), DIR/sets.har (gsdset.har) and DIR/default.prm
// (gsdpar.har), file names in any case, and converts them. basedata is required; without the
// others the sets come from the arrays' labels and the elasticities are ohlin's defaults.
Benchmark ImportGtap(const std::string& dir, const GtapImportOptions& options,
                     GtapImportReport* report);

}  // namespace ohlin
