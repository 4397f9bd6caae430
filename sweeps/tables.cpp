#include "sweeps/tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "calibration/yaml_util.h"
#include "results/results.h"
#include "sweeps/derivatives.h"

namespace ohlin::sweeps {
namespace {

std::vector<std::string> Lines(const std::string& csv) {
  std::vector<std::string> lines;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// ",FIELD" appended (GCC 12 misreads `"," + std::string` as an overlapping copy).
void AppendField(std::string* out, const std::string& text) {
  out->push_back(',');
  out->append(CsvField(text));
}

std::string Prefix(int point, const std::vector<std::string>& labels) {
  std::string prefix = fmt::format("{}", point);
  for (const std::string& label : labels) AppendField(&prefix, label);
  prefix.push_back(',');
  return prefix;
}

std::string Number(double value) { return fmt::format("{:.12g}", value); }

// One table of every converged point, parsed: rows[p][r][c].
struct Parsed {
  std::vector<std::string> header;
  std::vector<bool> is_key;
  std::vector<std::vector<std::vector<std::string>>> rows;  // per converged point
  std::vector<std::size_t> points;                          // their indices in outcomes
  // Every numeric cell of every point, [row][column][point] (contiguous over the points, as
  // the statistics read them); NaN where a cell is empty or text.
  std::vector<double> numbers;
  double Number(std::size_t r, std::size_t c, std::size_t k) const {
    return numbers[(r * header.size() + c) * rows.size() + k];
  }
};

std::optional<double> AsNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::string why;
  return input::ParseStrictNumber(text, &why);
}

Parsed Parse(const std::string& name, const std::vector<PointOutcome>& outcomes, int threads) {
  Parsed parsed;
  std::vector<const std::string*> csvs;
  for (std::size_t p = 0; p < outcomes.size(); ++p) {
    if (!outcomes[p].converged) continue;
    for (const auto& [table, csv] : outcomes[p].tables) {
      if (table != name) continue;
      csvs.push_back(&csv);
      parsed.points.push_back(p);
    }
  }
  // Split in parallel: each point's rows land in their own slot.
  parsed.rows.resize(csvs.size());
  std::vector<std::string> headers(csvs.size());
  const auto count = static_cast<long long>(csvs.size());
#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
  for (long long k = 0; k < count; ++k) {
    const std::vector<std::string> lines = Lines(*csvs[static_cast<std::size_t>(k)]);
    auto& rows = parsed.rows[static_cast<std::size_t>(k)];
    for (std::size_t l = 1; l < lines.size(); ++l) rows.push_back(SplitCsvLine(lines[l]));
    if (!lines.empty()) headers[static_cast<std::size_t>(k)] = lines[0];
  }
  if (!csvs.empty()) {
    parsed.header = SplitCsvLine(headers.front());
    parsed.is_key.assign(parsed.header.size(), false);
  }
  if (parsed.rows.empty()) return parsed;
  // A column is a key when a cell is text, not a number; keys must agree across points.
  for (const auto& row : parsed.rows.front()) {
    for (std::size_t c = 0; c < row.size() && c < parsed.is_key.size(); ++c) {
      if (!row[c].empty() && !AsNumber(row[c])) parsed.is_key[c] = true;
    }
  }
  // Each point against the first, in parallel (no throw inside the parallel region).
  std::vector<char> bad(parsed.rows.size(), 0);
  const auto points = static_cast<long long>(parsed.rows.size());
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads)
  for (long long k = 0; k < points; ++k) {
    const auto& rows = parsed.rows[static_cast<std::size_t>(k)];
    const auto& first = parsed.rows.front();
    bool same = rows.size() == first.size();
    for (std::size_t r = 0; same && r < rows.size(); ++r) {
      same = rows[r].size() == parsed.header.size();
      for (std::size_t c = 0; same && c < parsed.header.size(); ++c) {
        same = !parsed.is_key[c] || rows[r][c] == first[r][c];
      }
    }
    bad[static_cast<std::size_t>(k)] = same ? 0 : 1;
  }
  if (std::find(bad.begin(), bad.end(), 1) != bad.end()) {
    throw std::runtime_error(fmt::format("{}: the points have different rows or columns", name));
  }
  const std::size_t num_rows = parsed.rows.front().size(), num_columns = parsed.header.size();
  parsed.numbers.assign(num_rows * num_columns * parsed.rows.size(),
                        std::numeric_limits<double>::quiet_NaN());
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads)
  for (long long k = 0; k < points; ++k) {
    const auto p = static_cast<std::size_t>(k);
    for (std::size_t r = 0; r < num_rows; ++r) {
      for (std::size_t c = 0; c < num_columns; ++c) {
        if (parsed.is_key[c]) continue;
        const std::optional<double> x = AsNumber(parsed.rows[p][r][c]);
        if (x) parsed.numbers[(r * num_columns + c) * parsed.rows.size() + p] = *x;
      }
    }
  }
  return parsed;
}

// Weighted values of one cell over the points where it is a number.
struct Cell {
  std::vector<double> x, w;
  std::vector<std::size_t> points;
};

// The q-quantile of sorted values (linear between order statistics).
double Quantile(const std::vector<double>& values, double q) {
  const double h = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

struct Moments {
  double mean = 0.0, sd = 0.0, low = 0.0, high = 0.0;
};

Moments Describe(const Cell& cell, BoundKind bounds) {
  double total = 0.0, mean = 0.0, square = 0.0;
  for (std::size_t k = 0; k < cell.x.size(); ++k) total += cell.w[k];
  for (std::size_t k = 0; k < cell.x.size(); ++k) mean += cell.w[k] * cell.x[k] / total;
  for (std::size_t k = 0; k < cell.x.size(); ++k) {
    square += cell.w[k] * (cell.x[k] - mean) * (cell.x[k] - mean) / total;
  }
  const auto n = static_cast<double>(cell.x.size());
  // Monte Carlo: the unbiased sample variance; quadrature: the rule's variance.
  if (bounds == BoundKind::kQuantile && n > 1.0) square *= n / (n - 1.0);
  Moments m;
  m.mean = mean;
  m.sd = std::sqrt(square);
  // A constant cell has sd 0 exactly, not the rounding of its weighted mean.
  const auto [lowest, highest] = std::minmax_element(cell.x.begin(), cell.x.end());
  if (*lowest == *highest) {
    m.mean = *lowest;
    m.sd = 0.0;
  }
  if (bounds == BoundKind::kChebyshev) {
    m.low = mean - std::sqrt(10.0) * m.sd;
    m.high = mean + std::sqrt(10.0) * m.sd;
  } else {
    std::vector<double> sorted = cell.x;
    std::sort(sorted.begin(), sorted.end());
    m.low = Quantile(sorted, 0.05);
    m.high = Quantile(sorted, 0.95);
  }
  return m;
}

// Squared weighted correlation of the cell with parameter k.
double Share(const Cell& cell, const std::vector<std::vector<double>>& parameters,
             std::size_t k) {
  double total = 0.0, mx = 0.0, my = 0.0;
  for (std::size_t j = 0; j < cell.x.size(); ++j) {
    total += cell.w[j];
    mx += cell.w[j] * parameters[cell.points[j]][k];
    my += cell.w[j] * cell.x[j];
  }
  mx /= total;
  my /= total;
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t j = 0; j < cell.x.size(); ++j) {
    const double dx = parameters[cell.points[j]][k] - mx, dy = cell.x[j] - my;
    sxy += cell.w[j] * dx * dy;
    sxx += cell.w[j] * dx * dx;
    syy += cell.w[j] * dy * dy;
  }
  return sxx > 0.0 && syy > 0.0 ? sxy * sxy / (sxx * syy) : 0.0;
}

// One row of a table: its statistics lines and (for `ranked` tables) its importance lines.
void DescribeRow(const Parsed& parsed, std::size_t r, const std::string& name,
                 const std::vector<double>& weights,
                 const std::vector<std::vector<double>>& parameters,
                 const std::vector<std::string>& parameter_names, BoundKind bounds, bool ranked,
                 const CellDerivatives* derivatives, std::string* csv, std::string* importance) {
  std::string keys, key_path;
  for (std::size_t c = 0; c < parsed.header.size(); ++c) {
    if (!parsed.is_key[c]) continue;
    keys += CsvField(parsed.rows.front()[r][c]) + ",";
    if (!key_path.empty()) key_path.push_back('/');
    key_path.append(parsed.rows.front()[r][c]);
  }
  for (std::size_t c = 0; c < parsed.header.size(); ++c) {
    if (parsed.is_key[c]) continue;
    Cell cell;
    for (std::size_t k = 0; k < parsed.rows.size(); ++k) {
      const double x = parsed.Number(r, c, k);
      if (std::isnan(x)) continue;
      cell.x.push_back(x);
      cell.w.push_back(weights[parsed.points[k]]);
      cell.points.push_back(parsed.points[k]);
    }
    if (cell.x.empty()) continue;
    const Moments m = Describe(cell, bounds);
    *csv += fmt::format("{}{},{},{},{},{},{}\n", keys, CsvField(parsed.header[c]),
                        Number(m.mean), Number(m.sd), Number(m.low), Number(m.high),
                        cell.x.size());
    if (!ranked || !(m.sd > 1e-12 * std::max(1.0, std::abs(m.mean)))) continue;
    const std::vector<double>* local = nullptr;
    if (derivatives != nullptr) {
      const auto found = derivatives->find(CellId(name, key_path, parsed.header[c]));
      if (found != derivatives->end()) local = &found->second;
    }
    for (std::size_t k = 0; k < parameter_names.size(); ++k) {
      *importance += fmt::format(
          "{},{},{},{},{},{}\n", name, CsvField(key_path), CsvField(parsed.header[c]),
          CsvField(parameter_names[k]), Number(Share(cell, parameters, k)),
          local != nullptr && k < local->size() ? Number((*local)[k]) : std::string());
    }
  }
}

}  // namespace

std::vector<std::string> SplitCsvLine(const std::string& line) {
  if (line.find('"') == std::string::npos) {  // the common case: no quotes, cut at commas
    std::vector<std::string> fields;
    std::size_t begin = 0;
    for (;;) {
      const std::size_t comma = line.find(',', begin);
      if (comma == std::string::npos) {
        fields.emplace_back(line, begin);
        return fields;
      }
      fields.emplace_back(line, begin, comma - begin);
      begin = comma + 1;
    }
  }
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t k = 0; k < line.size(); ++k) {
    const char c = line[k];
    if (quoted) {
      if (c == '"' && k + 1 < line.size() && line[k + 1] == '"') {
        fields.back() += '"';
        ++k;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

Tables LongTables(const std::vector<std::string>& names,
                  const std::vector<std::vector<std::string>>& labels,
                  const std::vector<PointOutcome>& outcomes) {
  Tables tables;
  std::map<std::string, std::size_t> slot;
  std::string head = "point";
  for (const std::string& name : names) AppendField(&head, name);
  for (std::size_t p = 0; p < outcomes.size(); ++p) {
    if (!outcomes[p].converged) continue;
    for (const auto& [name, csv] : outcomes[p].tables) {
      const std::vector<std::string> lines = Lines(csv);
      if (lines.empty()) continue;
      auto found = slot.find(name);
      if (found == slot.end()) {
        found = slot.emplace(name, tables.size()).first;
        std::string first = head;
        first.push_back(',');
        first.append(lines[0]);
        first.push_back('\n');
        tables.emplace_back(name, first);
      }
      std::string& out = tables[found->second].second;
      const std::string prefix = Prefix(static_cast<int>(p), labels[p]);
      for (std::size_t l = 1; l < lines.size(); ++l) out += prefix + lines[l] + "\n";
    }
  }
  return tables;
}

std::string PointsCsv(const std::vector<std::string>& names,
                      const std::vector<std::vector<std::string>>& labels,
                      const std::vector<double>& weights,
                      const std::vector<PointOutcome>& outcomes) {
  std::string csv = weights.empty() ? "point" : "point,weight";
  for (const std::string& name : names) AppendField(&csv, name);
  csv += ",status,iterations,start,reason\n";
  for (std::size_t p = 0; p < outcomes.size(); ++p) {
    const PointOutcome& o = outcomes[p];
    csv += fmt::format("{}", p);
    if (!weights.empty()) AppendField(&csv, Number(weights[p]));
    for (const std::string& label : labels[p]) AppendField(&csv, label);
    csv += fmt::format(",{},{},{},{}\n", o.converged ? "converged" : "failed", o.iterations,
                       o.start < 0 ? std::string() : fmt::format("{}", o.start),
                       CsvField(o.reason));
  }
  return csv;
}

std::string TimingsCsv(const std::vector<PointOutcome>& outcomes) {
  std::string csv = "point,seconds\n";
  for (std::size_t p = 0; p < outcomes.size(); ++p) {
    csv += fmt::format("{},{:.6f}\n", p, outcomes[p].seconds);
  }
  return csv;
}

Tables StatisticsTables(const std::vector<PointOutcome>& outcomes,
                        const std::vector<double>& weights,
                        const std::vector<std::vector<double>>& parameters,
                        const std::vector<std::string>& parameter_names, BoundKind bounds,
                        int threads, const CellDerivatives* derivatives) {
  Tables tables;
  std::string importance = "table,key,column,parameter,share,derivative\n";
  std::vector<std::string> names;
  for (const PointOutcome& o : outcomes) {
    if (!o.converged) continue;
    for (const auto& table : o.tables) names.push_back(table.first);
    break;
  }
  for (const std::string& name : names) {
    const Parsed parsed = Parse(name, outcomes, threads);
    std::string csv;
    for (std::size_t c = 0; c < parsed.header.size(); ++c) {
      if (parsed.is_key[c]) csv += CsvField(parsed.header[c]) + ",";
    }
    csv += "column,mean,sd,low,high,points\n";
    const bool ranked = name == "welfare.csv" || name == "factors.csv" || name == "sectors.csv";
    const std::size_t num_rows = parsed.rows.empty() ? 0 : parsed.rows.front().size();
    // Rows in parallel, each into its own slot, joined in order: the same bytes for any threads.
    std::vector<std::string> row_csv(num_rows), row_importance(num_rows);
    const auto count = static_cast<long long>(num_rows);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long long row = 0; row < count; ++row) {
      const auto r = static_cast<std::size_t>(row);
      DescribeRow(parsed, r, name, weights, parameters, parameter_names, bounds, ranked,
                  derivatives, &row_csv[r], &row_importance[r]);
    }
    for (std::size_t r = 0; r < num_rows; ++r) {
      csv += row_csv[r];
      importance += row_importance[r];
    }
    tables.emplace_back(name, csv);
  }
  tables.emplace_back("importance.csv", importance);
  return tables;
}

}  // namespace ohlin::sweeps
