// Aggregation of a benchmark (`ohlin aggregate`): regions, sectors and factors grouped by a
// mapping file; values summed, rates averaged so that revenue is preserved.
//
// The mapping file (YAML):
//
//   ohlin: 1
//   regions: {NAM: [USA, CAN, MEX], EU: [EU], ASIA: [CHN, JPN, KOR, IND], ROW: [BRA, RUS, ROW]}
//   sectors: {GDS: [AGR, MIN, MAN, HIT], SRV: [BUS, SER]}     # optional: omitted = unchanged
//   factors: {labour: [skilled, unskilled], capital: [capital]}  # optional
//
// Every name of a set that the file maps must appear in exactly one group; a name that is not
// in the data, or one left out, is an error. Groups keep the order of the file.
//
// Rules (documented in docs/FORMATS.md "Aggregation"):
// - values (factor payments, intermediates, trade, final demand) are sums;
// - export taxes are averaged with weights X (export tax revenue preserved), tariffs with weights
//   X(1+tx) (tariff revenue preserved), NTBs with weights X; a group of flows that are all zero
//   takes the unweighted mean of its rates;
// - flows between members of a merged region become domestic sales, where the model has no tax:
//   the tariff and export-tax revenue they carried is removed from the region's final demand of
//   that good (so income, spending and the deficit stay consistent), and reported;
// - elasticities of merged sectors: Armington weighted by world absorption at purchaser prices,
//   value added by world value added, top by world output (the unweighted mean where the
//   weights are zero);
// - households of merged regions must have the same names; populations add, ownership shares
//   are weighted by the members' endowments; merged factors must share their mobility and
//   their ownership shares are weighted by endowment.
#pragma once

#include <string>
#include <vector>

#include "calibration/benchmark.h"

namespace ohlin {

// One set's grouping: group[k] is the group index of element k; names the groups.
struct SetGrouping {
  std::vector<std::string> group_names;
  std::vector<std::size_t> group_of;
};

struct AggregationMap {
  SetGrouping regions;
  SetGrouping sectors;
  SetGrouping factors;
};

// A mapping that leaves every set of `data` unchanged.
AggregationMap IdentityAggregation(const Benchmark& data);

// Reads and validates a mapping file against `data`. Throws InputError naming the file, the
// line and the name at fault.
AggregationMap LoadAggregationMap(const std::string& path, const Benchmark& data);

struct AggregationReport {
  // Tariff plus export-tax revenue on flows that became domestic, removed from final demand,
  // by aggregated region.
  std::vector<double> folded_revenue;
  std::vector<std::string> notes;  // one line per thing a user should know
};

// Aggregates `data`. Throws InputError when the mapping cannot be applied (households that do
// not match, factors of different mobility, final demand too small to absorb folded revenue).
Benchmark Aggregate(const Benchmark& data, const AggregationMap& map,
                    AggregationReport* report = nullptr);

}  // namespace ohlin
