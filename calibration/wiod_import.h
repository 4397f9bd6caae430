// Importing the WIOD 2016 release (world input-output table and Socio-Economic Accounts) as an
// ohlin benchmark (`ohlin import wiod`). The rules are in wiod_import.cpp.
#pragma once

#include <string>
#include <vector>

#include "calibration/balance.h"
#include "calibration/benchmark.h"

namespace ohlin {

struct WiodImportOptions {
  int year = 2014;        // the SEA column to use (the WIOT file is one year)
  BalanceOptions balance;  // the balance step after the conversion
};

struct WiodImportReport {
  std::vector<std::string> notes;  // what was folded and how large, fallbacks used
  BalanceReport balance;
};

// Reads the WIOT (CSV: IndustryCode, IndustryDescription, Country, RNr[, Year] label columns,
// then one column per country and column number, e.g. AUS1 .. ROW56 for industries and
// AUS57 .. ROW61 for final use, and TOT) and the SEA (CSV: country, variable, description, code,
// then either one column per year or the columns year, value) and returns a balanced benchmark
// with factors LAB and CAP. Throws InputError naming file and line for bad input.
Benchmark ImportWiod(const std::string& wiot_path, const std::string& sea_path,
                     const WiodImportOptions& options, WiodImportReport* report);

}  // namespace ohlin
