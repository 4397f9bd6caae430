// Result tables as a GEMPACK header-array file (`ohlin solve --har FILE`), for users of ViewHAR
// and other GEMPACK tools. The same numbers as the CSV files of FORMATS.md, as real arrays
// labelled by the sets REG (regions), COMM (sectors) and ENDW (factors):
//   DESC  1C  scenario, data, status, numeraire
//   EV    REG                 equivalent variation by region (data currency)
//   EVP   REG                 EV in percent of benchmark spending
//   PF    ENDW x REG          factor price, % change (numeraire units)
//   RPF   ENDW x REG          real factor price, % change (deflated by the region's CPI)
//   PS    COMM x REG          producer price, % change
//   QO    COMM x REG          output, % change
//   QXS   COMM x REG          exports at producer prices, % change
//   QIM   COMM x REG         imports at purchaser prices, % change
//   VXB   COMM x REG x REG    shipments at producer prices, benchmark (exporter, importer)
//   VXN   COMM x REG x REG    the same, counterfactual (numeraire units)
//   VXP   COMM x REG x REG    the same, % change
//   EVDC  EVCOMP x REG        EV decomposition by component (decomposition.csv), when computed
// A HAR array has no empty cells: where the CSV leaves a field empty (no benchmark value), the
// array holds 0. Labels longer than GEMPACK's 12 characters are cut (and numbered if that
// makes two equal).
#pragma once

#include <string>
#include <vector>

#include "calibration/har.h"
#include "results/results.h"

namespace ohlin {

// The arrays above. Throws std::invalid_argument when a context pointer is missing.
std::vector<har::HeaderArray> ResultHarArrays(const ResultContext& context);

// Writes them to `path` atomically (temporary name, then rename).
void WriteResultsHar(const std::string& path, const ResultContext& context);

}  // namespace ohlin
