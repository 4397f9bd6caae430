// The files of `ohlin sweep` and `ohlin sensitivity` (FORMATS.md "Sweeps", "Sensitivity
// analysis"), built from the points' result tables. Every file but timings.csv is a pure
// function of the points, so any thread count, any number of ranks and a resumed run write
// the same bytes.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sweeps/runner.h"

namespace ohlin::sweeps {

using Tables = std::vector<std::pair<std::string, std::string>>;

// The point's coordinates as leading columns: "point,NAME...," then each converged point's
// rows of each table (in point order). labels[p] holds point p's coordinate labels.
Tables LongTables(const std::vector<std::string>& names,
                  const std::vector<std::vector<std::string>>& labels,
                  const std::vector<PointOutcome>& outcomes);

// points.csv: point, coordinates, status (converged|failed), iterations, start (the point it
// was warm-started from, empty for the benchmark), reason. `weights` (may be empty) adds a
// weight column after the point.
std::string PointsCsv(const std::vector<std::string>& names,
                      const std::vector<std::vector<std::string>>& labels,
                      const std::vector<double>& weights,
                      const std::vector<PointOutcome>& outcomes);

// timings.csv: point,seconds (the one file that differs between runs).
std::string TimingsCsv(const std::vector<PointOutcome>& outcomes);

enum class BoundKind { kChebyshev, kQuantile };

// Local derivatives by cell (sweeps/derivatives.h CellId), one per parameter.
using CellDerivatives = std::map<std::string, std::vector<double>>;

// For every table: its key columns, then column,mean,sd,low,high,points for every numeric
// cell, over the converged points with their weights (renormalized). low/high: Chebyshev
// bounds mean -/+ sqrt(10) sd (at least 90% of the mass lies between them, whatever the
// distribution), or the empirical 5% and 95% quantiles. Also importance.csv: for each cell of
// welfare, factors and sectors with a positive sd, each parameter's share of the variance, the
// squared weighted correlation of the cell with the parameter (for a linear response to
// independent parameters the shares add up to 1), and with `derivatives` the cell's local
// derivative with respect to the parameter times its sd (empty when not known). Rows are described over `threads` OpenMP
// threads, the same bytes for any number.
Tables StatisticsTables(const std::vector<PointOutcome>& outcomes,
                        const std::vector<double>& weights,
                        const std::vector<std::vector<double>>& parameters,
                        const std::vector<std::string>& parameter_names, BoundKind bounds,
                        int threads = 1, const CellDerivatives* derivatives = nullptr);

// A CSV line split into fields (RFC 4180 quotes).
std::vector<std::string> SplitCsvLine(const std::string& line);

}  // namespace ohlin::sweeps
