// WIOD 2016 release -> ohlin benchmark (wiod_import.h).
//
// Layout of the world input-output table (WIOT, "WIOT2014_October16_ROW" as published in R and
// exported to CSV): label columns IndustryCode, IndustryDescription, Country, RNr (and Year),
// then one column per country and column number (AUS1 .. AUS56 the industries of AUS, ...,
// AUS57 .. AUS61 its final uses CONS_h, CONS_np, CONS_g, GFCF, INVEN), and TOT (gross output).
// Rows: one per country and industry (RNr 1..56), then totals whose Country is TOT (II_fob,
// TXSP, EXP_adj, PURR, PURNR, VA, IntTTL, GO); values at basic prices, USD million. The label
// columns and the column names are those used with the R files, e.g. in the scripts that slice
// "IndustryCode, IndustryDescription, Country, RNr, Year, TOT" off the table (seen in public
// course code); the final-use codes and bottom rows are those of the WIOD 2016 release
// (Timmer et al. 2015, "An Illustrated User Guide to the World Input-Output Database").
//
// Socio-Economic Accounts (SEA): columns country, variable, description, code, then one column
// per year (2000 .. 2014), or the long columns year, value. Variables LAB (labour compensation)
// and CAP (capital compensation), in national currency: only their shares are used.
//
// What goes where (MODEL.md section 2):
// - regions: the countries in row order (ROW included); sectors: the industry codes.
// - X[i,r,s]: everything industry i of r sells to s, to intermediate and final use, at basic
//   prices (domestic sales when r = s). WIOD has no bilateral tariffs or export taxes at basic
//   prices: rates are zero (a scenario adds them). A flow made negative by inventory
//   depletion (INVEN) is set to zero and reported.
// - VIM[j,i,s]: intermediate use of j (summed over origins) by industry i of s.
// - VFD[i,s]: every final-use column (households, non-profits, government, gross fixed capital
//   formation, inventories) folded into one household per region; a negative cell is set to zero.
// - Factor payments LAB and CAP: value added = output - intermediates at basic prices (which
//   folds WIOD's TXSP, EXP_adj, PURR and PURNR rows into value added), split by the SEA shares
//   LAB / (LAB + CAP) of that country, industry and year (a share outside [0, 1], from negative
//   capital compensation, is clamped). Where the SEA has no usable row (ROW has none) the share
//   is the output-weighted mean of the other countries for that industry.
// The balance step (calibration/balance.h) then restores the identities within its tolerance.
#include "calibration/wiod_import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "calibration/csv.h"
#include "calibration/errors.h"
#include "calibration/yaml_util.h"

namespace ohlin {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line_numbers;

  std::size_t Column(const std::string& name, bool required) const {
    for (std::size_t k = 0; k < header.size(); ++k) {
      if (Lower(header[k]) == Lower(name)) return k;
    }
    if (required) {
      throw InputError(fmt::format("{}:1: no column '{}' in the header", path, name));
    }
    return header.size();
  }
  double Number(std::size_t row, std::size_t column) const {
    const std::string& text = column < rows[row].size() ? rows[row][column] : std::string();
    if (text.empty() || text == "NA") return 0.0;
    std::string why;
    const std::optional<double> value = input::ParseStrictNumber(text, &why);
    if (!value) {
      throw InputError(fmt::format("{}:{}: column {}: '{}': {}", path, line_numbers[row],
                                   column < header.size() ? header[column] : "?", text, why));
    }
    return *value;
  }
};

CsvTable ReadCsv(const std::string& path) {
  CsvTable table;
  table.path = path;
  std::istringstream in(input::ReadTextFile(path));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r,") == std::string::npos) continue;
    if (table.header.empty()) {
      table.header = SplitCsvFields(line, fmt::format("{}:{}", path, number));
      continue;
    }
    table.rows.push_back(SplitCsvFields(line, fmt::format("{}:{}", path, number)));
    table.line_numbers.push_back(number);
  }
  if (table.header.empty()) throw InputError(fmt::format("{}: empty file", path));
  return table;
}

// "AUS57" -> ("AUS", 57); false when the name is not letters then digits.
bool SplitColumnName(const std::string& name, std::string* country, int* number) {
  std::size_t k = 0;
  while (k < name.size() && std::isalpha(static_cast<unsigned char>(name[k])) != 0) ++k;
  if (k == 0 || k == name.size()) return false;
  for (std::size_t d = k; d < name.size(); ++d) {
    if (std::isdigit(static_cast<unsigned char>(name[d])) == 0) return false;
  }
  *country = name.substr(0, k);
  *number = std::stoi(name.substr(k));
  return true;
}

std::size_t IndexOf(const std::vector<std::string>& names, const std::string& name) {
  const auto found = std::find(names.begin(), names.end(), name);
  return found == names.end() ? names.size() : static_cast<std::size_t>(found - names.begin());
}

}  // namespace

Benchmark ImportWiod(const std::string& wiot_path, const std::string& sea_path,
                     const WiodImportOptions& options, WiodImportReport* report) {
  WiodImportReport local;
  WiodImportReport* out = report != nullptr ? report : &local;
  const CsvTable wiot = ReadCsv(wiot_path);
  const std::size_t code_column = wiot.Column("IndustryCode", true);
  const std::size_t country_column = wiot.Column("Country", true);
  const std::size_t rnr_column = wiot.Column("RNr", true);

  // Industry rows: countries in order, industries of the first country in order.
  std::vector<std::string> regions, sectors;
  struct RowKey {
    std::size_t region, sector;
  };
  std::vector<std::pair<std::size_t, RowKey>> industry_rows;
  for (std::size_t row = 0; row < wiot.rows.size(); ++row) {
    const std::vector<std::string>& fields = wiot.rows[row];
    const std::string country = country_column < fields.size() ? fields[country_column] : "";
    if (country.empty() || country == "TOT") continue;  // totals and value-added rows
    const std::string code = code_column < fields.size() ? fields[code_column] : "";
    if (IndexOf(regions, country) == regions.size()) regions.push_back(country);
    const std::size_t r = IndexOf(regions, country);
    std::size_t i = IndexOf(sectors, code);
    if (i == sectors.size()) {
      if (r != 0) {
        throw InputError(fmt::format("{}:{}: industry '{}' of {} is not an industry of {}",
                                     wiot_path, wiot.line_numbers[row], code, country,
                                     regions.front()));
      }
      sectors.push_back(code);
    }
    i = IndexOf(sectors, code);
    industry_rows.push_back({row, {r, i}});
  }
  if (regions.empty() || sectors.empty()) {
    throw InputError(fmt::format("{}: no industry rows (Country and IndustryCode columns)",
                                 wiot_path));
  }
  const std::size_t num_r = regions.size(), num_i = sectors.size();
  (void)rnr_column;

  // Columns: (country, number); number <= num_i an industry, above it a final use.
  struct ColumnKey {
    std::size_t column, region, sector;  // sector == num_i: final use
  };
  std::vector<ColumnKey> columns;
  for (std::size_t k = 0; k < wiot.header.size(); ++k) {
    if (k == code_column || k == country_column || k == rnr_column) continue;
    std::string country;
    int number = 0;
    if (!SplitColumnName(wiot.header[k], &country, &number)) continue;  // labels, TOT
    const std::size_t s = IndexOf(regions, country);
    if (s == num_r) {
      throw InputError(fmt::format("{}:1: column '{}' names a country without industry rows",
                                   wiot_path, wiot.header[k]));
    }
    if (number < 1) continue;
    const std::size_t n = static_cast<std::size_t>(number);
    columns.push_back({k, s, n <= num_i ? n - 1 : num_i});
  }

  Benchmark data;
  data.name = fmt::format("WIOD 2016 release, {}", options.year);
  data.units = "USD million";
  data.year = options.year;
  data.source = "WIOD 2016 release (Timmer et al. 2015), CC BY 4.0: world input-output table and "
                "Socio-Economic Accounts (LAB, CAP shares), imported by ohlin import wiod; final "
                "uses folded into one household; taxes less subsidies on products folded into "
                "value added";
  data.regions = regions;
  data.sectors = sectors;
  data.factors = {{"LAB", FactorMobility::kMobile}, {"CAP", FactorMobility::kMobile}};
  data.ResizeTables();

  double negative_flows = 0.0, negative_final = 0.0, inventories = 0.0, final_total = 0.0;
  std::vector<double> final_by_cell(num_i * num_r * num_r, 0.0);  // [i][r][s] final use
  for (const auto& [row, key] : industry_rows) {
    for (const ColumnKey& column : columns) {
      const double value = wiot.Number(row, column.column);
      if (value == 0.0) continue;
      if (column.sector < num_i) {
        data.intermediates(key.sector, column.sector, column.region) += value;
      } else {
        final_by_cell[(key.sector * num_r + key.region) * num_r + column.region] += value;
        final_total += value;
        if (Lower(wiot.header[column.column]).ends_with("61")) inventories += value;
      }
      data.trade(key.sector, key.region, column.region) += value;
    }
  }
  for (std::size_t i = 0; i < num_i; ++i) {
    for (std::size_t r = 0; r < num_r; ++r) {
      for (std::size_t s = 0; s < num_r; ++s) {
        double& flow = data.trade(i, r, s);
        if (flow < 0.0) {
          negative_flows += -flow;
          flow = 0.0;
        }
        data.final_demand[s][0][i] += final_by_cell[(i * num_r + r) * num_r + s];
      }
    }
  }
  for (std::size_t s = 0; s < num_r; ++s) {
    for (std::size_t i = 0; i < num_i; ++i) {
      double& value = data.final_demand[s][0][i];
      if (value < 0.0) {
        negative_final += -value;
        value = 0.0;
      }
      for (std::size_t j = 0; j < num_i; ++j) {
        if (data.intermediates(j, i, s) < 0.0) data.intermediates(j, i, s) = 0.0;
      }
    }
  }

  // SEA shares of labour in value added.
  const CsvTable sea = ReadCsv(sea_path);
  const std::size_t sea_country = sea.Column("country", true);
  const std::size_t sea_variable = sea.Column("variable", true);
  const std::size_t sea_code = sea.Column("code", true);
  std::size_t sea_value = sea.Column(std::to_string(options.year), false);
  const bool long_format = sea_value == sea.header.size();  // year, value columns
  std::size_t sea_year = sea.header.size();
  if (long_format) {
    sea_year = sea.Column("year", false);
    if (sea_year == sea.header.size()) {
      throw InputError(fmt::format("{}:1: neither a column '{}' nor the columns year, value",
                                   sea_path, options.year));
    }
    sea_value = sea.Column("value", true);
  }
  std::map<std::pair<std::size_t, std::size_t>, std::pair<double, double>> compensation;
  for (std::size_t row = 0; row < sea.rows.size(); ++row) {
    const std::vector<std::string>& fields = sea.rows[row];
    auto field = [&](std::size_t k) { return k < fields.size() ? fields[k] : std::string(); };
    if (long_format && sea.Number(row, sea_year) != options.year) continue;
    const std::string variable = field(sea_variable);
    if (variable != "LAB" && variable != "CAP") continue;
    const std::size_t r = IndexOf(regions, field(sea_country));
    const std::size_t i = IndexOf(sectors, field(sea_code));
    if (r == num_r || i == num_i) continue;
    auto& entry = compensation[{r, i}];
    (variable == "LAB" ? entry.first : entry.second) += sea.Number(row, sea_value);
  }
  std::vector<double> share(num_r * num_i, -1.0);
  int clamped = 0;
  for (const auto& [key, entry] : compensation) {
    const double total = entry.first + entry.second;
    if (!(total > 0.0)) continue;
    double value = entry.first / total;
    if (value < 0.0 || value > 1.0) {
      value = std::clamp(value, 0.0, 1.0);
      ++clamped;
    }
    share[key.first * num_i + key.second] = value;
  }
  int fallbacks = 0;
  double tax_fold = 0.0, dropped = 0.0;
  for (std::size_t i = 0; i < num_i; ++i) {
    double weighted = 0.0, weight = 0.0;
    for (std::size_t r = 0; r < num_r; ++r) {
      if (share[r * num_i + i] < 0.0) continue;
      double output = 0.0;
      for (std::size_t s = 0; s < num_r; ++s) output += data.trade(i, r, s);
      weighted += output * share[r * num_i + i];
      weight += output;
    }
    const double mean = weight > 0.0 ? weighted / weight : 0.5;
    for (std::size_t r = 0; r < num_r; ++r) {
      double output = 0.0, inputs = 0.0;
      for (std::size_t s = 0; s < num_r; ++s) output += data.trade(i, r, s);
      for (std::size_t j = 0; j < num_i; ++j) inputs += data.intermediates(j, i, r);
      if (!(output > 0.0)) {
        dropped += inputs;
        for (std::size_t j = 0; j < num_i; ++j) data.intermediates(j, i, r) = 0.0;
        continue;
      }
      const double value_added = output - inputs;
      if (!(value_added > 0.0)) {
        throw InputError(fmt::format("{}: industry {} of {}: output {:.6g} does not cover its "
                                     "intermediate inputs {:.6g} at basic prices",
                                     wiot_path, sectors[i], regions[r], output, inputs));
      }
      double labour = share[r * num_i + i];
      if (labour < 0.0) {
        labour = mean;
        ++fallbacks;
      }
      data.factor_payments(0, i, r) = value_added * labour;
      data.factor_payments(1, i, r) = value_added * (1.0 - labour);
      // The published value added at basic prices would be output - inputs - TXSP - ...; the
      // difference (taxes on products and purchase adjustments) is what we fold.
      tax_fold += value_added;
    }
  }
  out->notes.push_back(fmt::format(
      "final uses (CONS_h, CONS_np, CONS_g, GFCF, INVEN) folded into one household: {:.6g} in "
      "all, of which inventories {:.6g}",
      final_total, inventories));
  out->notes.push_back(fmt::format(
      "value added = output - intermediate inputs at basic prices: {:.6g} (includes taxes less "
      "subsidies on products and the purchase adjustments of the bottom rows)",
      tax_fold));
  if (negative_flows > 0.0 || negative_final > 0.0) {
    out->notes.push_back(fmt::format("negative flows set to zero (inventory depletion): {:.6g} "
                                     "in shipments, {:.6g} in final demand",
                                     negative_flows, negative_final));
  }
  if (dropped > 0.0) {
    out->notes.push_back(fmt::format("inputs of industries without output dropped: {:.6g}",
                                     dropped));
  }
  out->notes.push_back(fmt::format(
      "factor shares from the SEA {} for {} of {} industry cells; {} from the industry's mean "
      "across countries; {} clamped to [0, 1]",
      options.year, compensation.size(), num_r * num_i, fallbacks, clamped));
  out->notes.push_back("tariffs, export taxes and NTBs: zero (the table is at basic prices)");
  return Balance(data, options.balance, &out->balance);
}

}  // namespace ohlin
