#!/usr/bin/env python3
"""Builds data/default.yaml and its tables in data/default/: the default world of ohlin, from
open data (WIOD 2016, Penn World Table 10.01, the WTO/UNCTAD AGTPA manufacturing trade data).

What is observed and what is assumed is listed one by one in data/README.md; the numbered
assumptions there (A1, A2, ...) are the constants of this script, marked with the same labels.

  1. Bilateral totals. WIOD 2014 flows (all sectors, domestic sales included, USD million) are
     summed over the members of each region: these totals hold exactly in the output.
  2. Sector split of every flow. The manufacturing share of a flow comes from AGTPA manufacturing
     trade over WIOD total trade, both for 2000 (the last year the two sources share); the rest
     of each flow is split by fixed shares (A1-A3).
  3. Costs. Value added is a fixed share of each sector's output (A4); the rest is intermediate
     input, split over inputs by fixed column shares (A5) adjusted by RAS so that every region
     keeps a positive final demand of each good (A6).
  4. Factors. Labour's share of each region's value added is PWT's labsh (exact); labour is split
     into skilled and unskilled by the human-capital rule (A8); sectors differ in labour and
     skill intensity (A9, A10), scaled so the regional totals hold exactly.
  5. Final demand is what remains of each region's absorption at purchaser prices, so every
     identity of docs/MODEL.md section 2 holds to rounding.

Run:  python3 data/make_default.py [SHARED_DATA_DIR]   (default: ../shared/data from the repo)
Uses only the Python standard library. Output is deterministic.
"""

import csv
import os
import shutil
import sys

YEAR = 2014
SHARE_YEAR = 2000  # the year that WIOD and AGTPA both cover

# Regions and their WIOD 2016 members (WIOD's own rest of the world, "ROW", goes to ROW).
EU28 = ["AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
        "GRC", "HRV", "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT",
        "ROU", "SVK", "SVN", "SWE"]
MEMBERS = {
    "USA": ["USA"], "CHN": ["CHN"], "EU": EU28, "JPN": ["JPN"], "KOR": ["KOR"],
    "IND": ["IND"], "MEX": ["MEX"], "CAN": ["CAN"], "BRA": ["BRA"], "RUS": ["RUS"],
    "ROW": ["AUS", "CHE", "IDN", "NOR", "TUR", "TWN", "ROW"],
}
REGIONS = list(MEMBERS)

SECTORS = ["AGR", "MIN", "MAN", "HIT", "BUS", "SER"]
SECTOR_NAMES = {
    "AGR": "agriculture, forestry and fishing",
    "MIN": "mining, energy and utilities",
    "MAN": "low- and medium-tech manufacturing (food, textiles, wood, paper, metals, ...)",
    "HIT": "high-tech manufacturing (chemicals, machinery, electronics, vehicles)",
    "BUS": "trade, transport, finance and business services",
    "SER": "construction, real estate, public and personal services",
}
GOODS = ["AGR", "MIN", "MAN", "HIT"]
FACTORS = ["skilled", "unskilled", "capital"]

# A1: share of high-tech in manufacturing flows (cross-border, domestic).
HIT_SHARE = {"cross": 0.50, "domestic": 0.40}
# A2: split of the non-manufacturing part of a flow over the other sectors.
NON_MANUFACTURING_SPLIT = {
    "cross": {"AGR": 0.15, "MIN": 0.30, "BUS": 0.40, "SER": 0.15},
    "domestic": {"AGR": 0.04, "MIN": 0.08, "BUS": 0.38, "SER": 0.50},
}
# A3: bounds on the manufacturing share of a flow, and the share where AGTPA has no data.
MANUFACTURING_BOUNDS = {"cross": (0.05, 0.90), "domestic": (0.05, 0.60)}
MANUFACTURING_FALLBACK = {"cross": 0.70, "domestic": 0.25}
# A4: value added as a share of output, by sector (same in every region).
VALUE_ADDED_SHARE = {"AGR": 0.55, "MIN": 0.50, "MAN": 0.28, "HIT": 0.30, "BUS": 0.58,
                     "SER": 0.55}
# A5: intermediate cost shares, INPUT_MIX[using sector][input] (same in every region).
INPUT_MIX = {
    "AGR": {"AGR": 0.30, "MIN": 0.10, "MAN": 0.30, "HIT": 0.05, "BUS": 0.20, "SER": 0.05},
    "MIN": {"AGR": 0.02, "MIN": 0.35, "MAN": 0.13, "HIT": 0.15, "BUS": 0.25, "SER": 0.10},
    "MAN": {"AGR": 0.18, "MIN": 0.12, "MAN": 0.35, "HIT": 0.08, "BUS": 0.22, "SER": 0.05},
    "HIT": {"AGR": 0.01, "MIN": 0.06, "MAN": 0.20, "HIT": 0.45, "BUS": 0.23, "SER": 0.05},
    "BUS": {"AGR": 0.01, "MIN": 0.06, "MAN": 0.08, "HIT": 0.10, "BUS": 0.55, "SER": 0.20},
    "SER": {"AGR": 0.03, "MIN": 0.07, "MAN": 0.15, "HIT": 0.10, "BUS": 0.40, "SER": 0.25},
}
# A6: target share of each good's absorption that goes to final use (the RAS row targets).
FINAL_USE_SHARE = {"AGR": 0.35, "MIN": 0.20, "MAN": 0.45, "HIT": 0.45, "BUS": 0.35, "SER": 0.80}
# A7: import tariffs (ad valorem), goods only; zero inside NAFTA (USA, CAN, MEX); importers
# with higher applied tariffs pay twice the base rate.
BASE_TARIFF = {"AGR": 0.10, "MIN": 0.02, "MAN": 0.05, "HIT": 0.03, "BUS": 0.0, "SER": 0.0}
HIGH_TARIFF_IMPORTERS = {"CHN", "IND", "BRA", "RUS", "KOR", "ROW"}
FREE_TRADE_AREAS = [{"USA", "CAN", "MEX"}]
# A9: labour intensity: a sector's labour share of value added relative to the region's.
LABOUR_INTENSITY = {"AGR": 0.80, "MIN": 0.45, "MAN": 1.00, "HIT": 1.00, "BUS": 1.05, "SER": 1.15}
# A10: skill intensity: a sector's skilled share of labour income relative to the region's.
SKILL_INTENSITY = {"AGR": 0.55, "MIN": 1.00, "MAN": 0.85, "HIT": 1.20, "BUS": 1.20, "SER": 1.05}
# A13: household groups, the same in every region: people per 100 of the region's population
# and the share of each factor they own (each factor's shares sum to 1 over the groups).
# Unskilled workers own most raw labour; skilled workers all skill and the rest of raw labour
# (by the rule A8 a skilled worker supplies raw labour too); capital owners most capital, with
# some held by workers (pensions, housing).
HOUSEHOLDS = [
    ("unskilled", 60.0, {"unskilled": 0.85, "capital": 0.10}),
    ("skilled", 30.0, {"skilled": 1.0, "unskilled": 0.15, "capital": 0.20}),
    ("owners", 10.0, {"capital": 0.70}),
]
# A11: elasticities. Armington 5 (trade elasticity 4, the WIOD example's theta) except for
# manufactures, 7 (the sigma of AGTPA chapter 2); Cobb-Douglas value added; Leontief top nest.
ELASTICITIES = {
    "armington": {"default": 5.0, "MAN": 7.0, "HIT": 7.0},
    "value_added": {"default": 1.0},
    "top": {"default": 0.0},
    "consumption": 1.0,
}


def read_csv(path):
    with open(path, newline="") as source:
        return list(csv.DictReader(source))


def read_wiod(shared, year):
    rows = read_csv(os.path.join(shared, "wiod44", f"trade_{year}.csv"))
    return {(row["exporter"], row["importer"]): float(row["value"]) for row in rows}


def region_of(country):
    for region, members in MEMBERS.items():
        if country in members:
            return region
    raise ValueError(f"WIOD country {country} is in no region")


def kind(exporter, importer):
    return "domestic" if exporter == importer else "cross"


def manufacturing_shares(shared):
    """Manufacturing share of each region pair's flow: AGTPA over WIOD in SHARE_YEAR, summed over
    the member pairs that both sources report with a positive value (A3 bounds and fallback)."""
    wiod = read_wiod(shared, SHARE_YEAR)
    agtpa = {}
    for row in read_csv(os.path.join(shared, "agtpa69", "manufacturing_trade_1986_2006.csv")):
        if int(row["year"]) == SHARE_YEAR and float(row["trade"]) > 0.0:
            agtpa[row["exporter"], row["importer"]] = float(row["trade"])
    sums = {}
    for (exporter, importer), total in wiod.items():
        manufacturing = agtpa.get((exporter, importer), 0.0)
        if total <= 0.0 or manufacturing <= 0.0:
            continue
        key = (region_of(exporter), region_of(importer))
        covered = sums.setdefault(key, [0.0, 0.0])
        covered[0] += manufacturing
        covered[1] += total
    shares = {}
    for r in REGIONS:
        for s in REGIONS:
            low, high = MANUFACTURING_BOUNDS[kind(r, s)]
            if (r, s) in sums:
                shares[r, s] = min(high, max(low, sums[r, s][0] / sums[r, s][1]))
            else:
                shares[r, s] = MANUFACTURING_FALLBACK[kind(r, s)]
    return shares


def factor_aggregates(shared, wiod):
    """Labour share of value added and skilled share of labour income by region (A8, A12)."""
    pwt = {row["countrycode"]: row for row in read_csv(os.path.join(shared, "pwt101",
                                                                    "pwt101_subset.csv"))
           if int(row["year"]) == YEAR}
    output = {}
    for (exporter, _), value in wiod.items():
        output[exporter] = output.get(exporter, 0.0) + value

    def skilled_share(hc):  # A8: a worker supplies 1 unit of raw labour and hc - 1 of skill
        return (hc - 1.0) / hc

    # A12: WIOD's own rest of the world takes the PPP-GDP-weighted means of the PWT countries
    # outside WIOD's 43 that report labsh and hc for the year.
    wiod_countries = {exporter for exporter, _ in wiod}
    outside = [row for code, row in pwt.items()
               if code not in wiod_countries and row["labsh"] and row["hc"] and row["cgdpo"]]
    gdp = sum(float(row["cgdpo"]) for row in outside)
    rest_labsh = sum(float(row["labsh"]) * float(row["cgdpo"]) for row in outside) / gdp
    rest_hc = sum(float(row["hc"]) * float(row["cgdpo"]) for row in outside) / gdp

    labour_share, skill_share = {}, {}
    for region, members in MEMBERS.items():
        weight = labour = skilled = 0.0
        for country in members:
            if country in pwt:
                labsh, hc = float(pwt[country]["labsh"]), float(pwt[country]["hc"])
            else:
                assert country == "ROW", country
                labsh, hc = rest_labsh, rest_hc
            weight += output[country]
            labour += labsh * output[country]
            skilled += skilled_share(hc) * labsh * output[country]
        labour_share[region] = labour / weight
        skill_share[region] = skilled / labour
    return labour_share, skill_share, {"labsh": rest_labsh, "hc": rest_hc, "countries": len(outside)}


def ras(matrix, row_targets, column_targets, rows, columns, iterations=500):
    for _ in range(iterations):
        for j in rows:
            total = sum(matrix[j, i] for i in columns)
            for i in columns:
                matrix[j, i] *= row_targets[j] / total
        for i in columns:
            total = sum(matrix[j, i] for j in rows)
            for j in rows:
                matrix[j, i] *= column_targets[i] / total
    return matrix  # columns exact; rows to the convergence error


def build(shared):
    wiod = read_wiod(shared, YEAR)
    totals = {(r, s): 0.0 for r in REGIONS for s in REGIONS}
    for (exporter, importer), value in wiod.items():
        totals[region_of(exporter), region_of(importer)] += value
    manufacturing = manufacturing_shares(shared)

    trade = {}
    for r in REGIONS:
        for s in REGIONS:
            k = kind(r, s)
            m = manufacturing[r, s]
            shares = {"MAN": m * (1.0 - HIT_SHARE[k]), "HIT": m * HIT_SHARE[k]}
            for sector, split in NON_MANUFACTURING_SPLIT[k].items():
                shares[sector] = (1.0 - m) * split
            for i in SECTORS:
                trade[i, r, s] = totals[r, s] * shares[i]
            # The last sector takes the remainder, so the bilateral total holds exactly.
            trade["SER", r, s] = totals[r, s] - sum(trade[i, r, s] for i in SECTORS[:-1])

    tariff = {}
    for i in SECTORS:
        for r in REGIONS:
            for s in REGIONS:
                rate = BASE_TARIFF[i] * (2.0 if s in HIGH_TARIFF_IMPORTERS else 1.0)
                if r == s or any(r in area and s in area for area in FREE_TRADE_AREAS):
                    rate = 0.0
                tariff[i, r, s] = rate

    output = {(i, r): sum(trade[i, r, s] for s in REGIONS) for i in SECTORS for r in REGIONS}
    absorption = {(i, s): sum(trade[i, r, s] * (1.0 + tariff[i, r, s]) for r in REGIONS)
                  for i in SECTORS for s in REGIONS}
    value_added = {(i, r): VALUE_ADDED_SHARE[i] * output[i, r] for i in SECTORS for r in REGIONS}

    intermediates = {}
    for r in REGIONS:
        cost = {i: output[i, r] - value_added[i, r] for i in SECTORS}
        use = {j: (1.0 - FINAL_USE_SHARE[j]) * absorption[j, r] for j in SECTORS}
        scale = sum(cost.values()) / sum(use.values())
        use = {j: scale * use[j] for j in SECTORS}
        start = {(j, i): INPUT_MIX[i][j] * cost[i] for j in SECTORS for i in SECTORS}
        balanced = ras(start, use, cost, SECTORS, SECTORS)
        for j in SECTORS:
            for i in SECTORS:
                intermediates[j, i, r] = balanced[j, i]
        # Zero profit exactly: the last input takes the rounding remainder of each column.
        for i in SECTORS:
            intermediates["SER", i, r] = cost[i] - sum(intermediates[j, i, r]
                                                       for j in SECTORS[:-1])

    labour_share, skill_share, rest = factor_aggregates(shared, wiod)
    factor_payments = {}
    for r in REGIONS:
        region_value_added = sum(value_added[i, r] for i in SECTORS)
        labour = labour_share[r] * region_value_added
        weighted = sum(LABOUR_INTENSITY[i] * value_added[i, r] for i in SECTORS)
        sector_labour = {i: labour * LABOUR_INTENSITY[i] * value_added[i, r] / weighted
                         for i in SECTORS}
        skilled = skill_share[r] * labour
        weighted = sum(SKILL_INTENSITY[i] * sector_labour[i] for i in SECTORS)
        for i in SECTORS:
            skilled_i = skilled * SKILL_INTENSITY[i] * sector_labour[i] / weighted
            factor_payments["skilled", i, r] = skilled_i
            factor_payments["unskilled", i, r] = sector_labour[i] - skilled_i
            factor_payments["capital", i, r] = value_added[i, r] - sector_labour[i]
            assert sector_labour[i] < 0.95 * value_added[i, r], (r, i)
            assert skilled_i < 0.95 * sector_labour[i], (r, i)

    final = {}
    for i in SECTORS:
        for s in REGIONS:
            final[i, s] = absorption[i, s] - sum(intermediates[i, j, s] for j in SECTORS)
            assert final[i, s] > 0.05 * absorption[i, s], (i, s, final[i, s] / absorption[i, s])
    return {
        "totals": totals, "trade": trade, "tariff": tariff, "intermediates": intermediates,
        "factor_payments": factor_payments, "final": final, "labour_share": labour_share,
        "skill_share": skill_share, "manufacturing": manufacturing, "rest": rest,
        "value_added": value_added,
    }


def number(value):
    return repr(float(value))  # shortest text that reads back as the same double


def write_csv(path, header, rows):
    with open(path, "w", newline="\n") as out:
        out.write(",".join(header) + "\n")
        for *keys, value in rows:
            if value != 0.0:
                out.write(",".join(keys) + "," + number(value) + "\n")


def elasticity_map(values):
    return "{" + ", ".join(f"{k}: {number(v)}" for k, v in values.items()) + "}"


SOURCE = (
    "Open data, 2014, USD million at basic prices. OBSERVED: every bilateral total (all sectors, "
    "domestic sales included) from WIOD 2016 (Timmer et al. 2015, CC BY 4.0) summed over each "
    "region's members; each region's labour share of value added from Penn World Table 10.01 "
    "labsh (Feenstra, Inklaar and Timmer 2015, CC BY 4.0), output-weighted over members; the "
    "skilled share of labour income from PWT's human-capital index hc by the rule (hc-1)/hc. "
    "PARTLY OBSERVED: the manufacturing share of each flow, from AGTPA manufacturing trade "
    "(Yotov et al. 2016, WTO/UNCTAD, CC BY 4.0) over WIOD totals in 2000. ASSUMED (data/README.md "
    "A1-A13): the split of flows over the other sectors, value-added shares of output, input "
    "mixes, tariffs, sector labour and skill intensities, elasticities, household groups. Built by "
    "data/make_default.py; sources and licences in data/sources/.")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data")
    world = build(shared)
    tables = os.path.join(here, "default")
    os.makedirs(tables, exist_ok=True)
    for stale in ("ntb.csv",):  # the illustrative world had benchmark NTBs; this one has none
        if os.path.exists(os.path.join(tables, stale)):
            os.remove(os.path.join(tables, stale))
    trade, tariff = world["trade"], world["tariff"]
    flows = [(r, s, i) for r in REGIONS for s in REGIONS for i in SECTORS]
    write_csv(os.path.join(tables, "factor_payments.csv"), ["region", "sector", "factor", "value"],
              [(r, i, f, world["factor_payments"][f, i, r])
               for r in REGIONS for i in SECTORS for f in FACTORS])
    write_csv(os.path.join(tables, "intermediates.csv"), ["region", "input", "sector", "value"],
              [(r, j, i, world["intermediates"][j, i, r])
               for r in REGIONS for j in SECTORS for i in SECTORS])
    write_csv(os.path.join(tables, "trade.csv"), ["exporter", "importer", "sector", "value"],
              [(r, s, i, trade[i, r, s]) for r, s, i in flows])
    write_csv(os.path.join(tables, "tariffs.csv"), ["exporter", "importer", "sector", "rate"],
              [(r, s, i, tariff[i, r, s]) for r, s, i in flows])
    write_csv(os.path.join(tables, "final_demand.csv"), ["region", "sector", "value"],
              [(r, i, world["final"][i, r]) for r in REGIONS for i in SECTORS])
    # Region aggregates, for data/README.md and for checking the output against the sources.
    write_csv(os.path.join(tables, "region_aggregates.csv"),
              ["region", "measure", "value"],
              [(r, measure, value) for r in REGIONS for measure, value in (
                  ("labour_share", world["labour_share"][r]),
                  ("skilled_share_of_labour", world["skill_share"][r]),
                  ("value_added", sum(world["value_added"][i, r] for i in SECTORS)),
                  ("output", sum(world["totals"][r, s] for s in REGIONS)))])

    sources = os.path.join(here, "sources")
    for name in ("wiod44", "pwt101", "agtpa69"):
        os.makedirs(os.path.join(sources, name), exist_ok=True)
        shutil.copyfile(os.path.join(shared, name, "SOURCE.md"),
                        os.path.join(sources, name, "SOURCE.md"))
    shutil.copyfile(os.path.join(shared, "agtpa69", "LICENSE_CC-BY-4.0.md"),
                    os.path.join(sources, "LICENSE_CC-BY-4.0.md"))

    members = "; ".join(f"{r}: {' '.join(m)}" for r, m in MEMBERS.items() if m != [r])
    sectors = "; ".join(f"{i}: {name}" for i, name in SECTOR_NAMES.items())
    for f in FACTORS:
        assert abs(sum(owns.get(f, 0.0) for _, _, owns in HOUSEHOLDS) - 1.0) < 1e-12, f
    groups = ", ".join(
        f"{{name: {name}, population: {number(population)}, owns: {{"
        + ", ".join(f"{f}: {number(owns[f])}" for f in FACTORS if f in owns) + "}}"
        for name, population, owns in HOUSEHOLDS)
    households = "\n".join(f"  {r}: [{groups}]" for r in REGIONS)
    yaml = f"""ohlin: 1
# Generated by data/make_default.py from ../shared/data: edit that script and rerun it, do not
# edit by hand. Assumptions A1-A13 are listed in data/README.md.
# Regions built from WIOD members: {members}
# Sectors: {sectors}
name: default world from open data (WIOD 2016, PWT 10.01, AGTPA)
units: USD million
year: {YEAR}
source: "{SOURCE}"
regions: [{", ".join(REGIONS)}]
sectors: [{", ".join(SECTORS)}]
factors:
{chr(10).join(f"  - {{name: {f}, mobility: mobile}}" for f in FACTORS)}
elasticities:
  armington: {elasticity_map(ELASTICITIES["armington"])}
  value_added: {elasticity_map(ELASTICITIES["value_added"])}
  top: {elasticity_map(ELASTICITIES["top"])}
  consumption: {number(ELASTICITIES["consumption"])}
households:
{households}
factor_payments: {{csv: default/factor_payments.csv}}
intermediates: {{csv: default/intermediates.csv}}
trade: {{csv: default/trade.csv}}
tariffs: {{csv: default/tariffs.csv}}
final_demand: {{csv: default/final_demand.csv}}
"""
    with open(os.path.join(here, "default.yaml"), "w", newline="\n") as out:
        out.write(yaml)
    rest = world["rest"]
    print(f"WIOD ROW: labsh {rest['labsh']:.4f}, hc {rest['hc']:.4f} "
          f"(from {rest['countries']} PWT countries outside WIOD)")
    for r in REGIONS:
        print(f"{r:4} labour share {world['labour_share'][r]:.4f}  skilled share of labour "
              f"{world['skill_share'][r]:.4f}  manufacturing share domestic "
              f"{world['manufacturing'][r, r]:.3f}")


if __name__ == "__main__":
    main()
