// What a solved equilibrium means to a user (MODEL.md section 6): welfare, factor returns,
// sectoral results and trade flows, relative to the benchmark. results/ writes it.
#pragma once

#include <string>
#include <vector>

namespace ohlin {

struct IncomeSource {  // one line of income_sources.csv
  std::string source;   // a factor's name, "transfers", "income_tax", "deficit"
  double base = 0.0;    // benchmark currency
  double value_new = 0.0;  // numeraire units
};

struct HouseholdOutcome {
  int region = 0;
  std::string household;
  double population = 0.0;
  double income_base = 0.0;  // benchmark spending E[r,h]
  double income_new = 0.0;   // counterfactual spending, numeraire units
  double utility_hat = 1.0;  // U-hat = E-hat / P_C-hat
  double ev = 0.0;           // E[r,h] (U-hat - 1), benchmark currency
  double ev_pct = 0.0;       // 100 (U-hat - 1)
  double price_index_hat = 1.0;  // P_C-hat of this household
  // Where its income comes from (MODEL.md section 4); the sources sum to income_base and
  // income_new.
  std::vector<IncomeSource> sources;
  // Rule none: the row of the region's government (population 0). With zero benchmark
  // spending its EV is its new spending deflated by its price index and ev_pct is undefined.
  bool is_government = false;
};

struct RegionOutcome {
  double ev = 0.0;
  double ev_pct = 0.0;  // 100 * ev / benchmark spending
  double income_base = 0.0;
  double income_new = 0.0;
  double consumer_price_hat = 1.0;  // region CPI: spending-weighted over households
};

struct FactorOutcome {  // one per (region, factor); specific factors: payment-weighted average
  int region = 0;
  int factor = 0;
  double price_hat = 1.0;       // w-hat
  double real_price_hat = 1.0;  // w-hat / P_C-hat (region CPI)
};

struct SectorOutcome {  // one per (region, sector) with benchmark output or absorption
  int region = 0;
  int sector = 0;
  double price_hat = 1.0;    // producer price p-hat (1 when no output)
  double output_hat = 1.0;   // Y-hat (1 when no output)
  double exports_hat = 1.0;  // value of cross-border shipments at producer prices (1 when none)
  double imports_hat = 1.0;  // value of cross-border imports at purchaser prices (1 when none)
  bool has_output = true;
  bool has_exports = true;
  bool has_imports = true;
};

struct FlowOutcome {  // one per benchmark flow with X > 0
  int exporter = 0;
  int importer = 0;
  int sector = 0;
  double value_base = 0.0;  // X at producer prices
  double value_new = 0.0;   // X' at producer prices, numeraire units
};

struct NtbOutcome {  // one line of ntb.csv: one NTB of one kind on one benchmark flow
  int exporter = 0;
  int importer = 0;
  int sector = 0;
  std::string kind;        // iceberg, importer_rent, exporter_rent, quota, export_ban
  double ave_base = 0.0;   // ad valorem (tariff) equivalent in the benchmark
  double ave_new = 0.0;    // and in the counterfactual (the endogenous rent rate of a quota)
  bool prohibitive = false;  // export_ban: no finite equivalent; ave_new is left empty
  double rent_new = 0.0;   // rent collected, numeraire units (0 for iceberg and bans)
  std::string rent_owner;  // none, importer, exporter
  double quantity_hat = 1.0;  // landed quantity, counterfactual over benchmark
};

struct DecompositionRow {  // one line of decomposition.csv
  int region = 0;
  std::string component;   // model/decomposition.h names, then integration_error and total
  double value = 0.0;      // benchmark currency
  double pct_of_income = 0.0;  // 100 value / benchmark income of the region
};

// Rule compensate, per region (MODEL.md section 6).
struct CompensationOutcome {
  int region = 0;
  double tax_rate = 0.0;      // tau: uniform rate on pre-compensation household income
  double floor = 1.0;         // utility floor (U-hat) that every household reaches
  bool floor_below_one = false;  // the region loses in aggregate: all at the same utility
  double transfers = 0.0;     // sum of T, numeraire units
  // How far the smoothed complementarity is from exact: max_h |min(T_h / E_h, U_h - floor)|.
  double complementarity_gap = 0.0;
};

struct Outcome {
  std::vector<HouseholdOutcome> households;  // region-major
  std::vector<RegionOutcome> regions;
  std::vector<FactorOutcome> factors;        // region-major, then factor
  std::vector<SectorOutcome> sectors;        // region-major, then sector
  std::vector<FlowOutcome> flows;            // sector-major, exporter, importer
  std::string numeraire;                     // description of the numeraire used
  std::vector<NtbOutcome> ntbs;              // flow-major (sector, exporter, importer), kind
  double quota_complementarity_gap = 0.0;    // distance of the quotas from exact
  // The EV decomposition (solver/decomposition.h); empty when not computed.
  std::vector<DecompositionRow> decomposition;  // region-major, components in order
  std::string decomposition_note;            // how exact it is, or why it is missing
  int decomposition_points = 0;
  double decomposition_gap = 0.0;            // largest |EV - sum| / |EV| over regions
  std::vector<CompensationOutcome> compensation;  // rule compensate only, one per region
};

}  // namespace ohlin
