#!/usr/bin/env python3
"""Builds data/default.yaml and its tables in data/default/: the small illustrative world that
`make demo` and the shipped scenarios use.

The numbers are ILLUSTRATIVE, chosen to look like 2014 (USD billion): they are not observed
data. The world is built from shares (budget shares, cost shares, sourcing shares, tax rates)
and region incomes and deficits chosen by hand; every value then follows from the same
construction as calibration/synth.cpp, so every identity of MODEL.md section 2 holds to
rounding:

  1. Spending E[r] = target income[r] + deficit[r] is fixed; final demand is budget_share * E.
  2. For given sourcing shares, outputs solve the multi-region input-output system
       absorption[i,s] = final demand[i,s] + sum_j input_share[i,j,s] Y[j,s]
       Y[i,r] = sum_s sourcing_share[i,r,s] absorption[i,s] / (1 + tariff[i,r,s])
     (a contraction: intermediate cost shares are below 1).
  3. Each region's export competitiveness (a multiplier on its foreign sourcing weights) is
     adjusted until its income (value added plus tariff revenue) equals its target, like the
     multilateral resistance terms of gravity models. Deficits sum to zero, so the targets are
     consistent and the adjustment converges.
  4. Every table is then defined from the shipments (Y = sum of shipments, costs from Y, final
     demand = purchaser-price supply minus intermediate use), so the identities are exact up to
     rounding, whatever the convergence error.

Run:  python3 data/make_default.py        (from anywhere; writes next to this script)
Uses only the Python standard library. Output is deterministic.
"""

import os

REGIONS = ["USA", "CHN", "EU", "ROW"]
SECTORS = ["AGR", "MAN", "HIT", "SER"]  # agriculture, low-tech and high-tech manufacturing, services
FACTORS = ["skilled", "unskilled", "capital"]

# Income (value added plus tariff revenue) and trade deficit (spending minus income), USD billion.
TARGET_INCOME = {"USA": 17500.0, "CHN": 10500.0, "EU": 18600.0, "ROW": 31200.0}
DEFICIT = {"USA": 510.0, "CHN": -360.0, "EU": -230.0, "ROW": 80.0}  # sums to zero

# Budget shares of final demand (consumption, investment and government together).
BUDGET_SHARE = {
    "USA": {"AGR": 0.01, "MAN": 0.09, "HIT": 0.08, "SER": 0.82},
    "CHN": {"AGR": 0.08, "MAN": 0.22, "HIT": 0.15, "SER": 0.55},
    "EU":  {"AGR": 0.02, "MAN": 0.11, "HIT": 0.08, "SER": 0.79},
    "ROW": {"AGR": 0.06, "MAN": 0.16, "HIT": 0.10, "SER": 0.68},
}

# Value added as a share of output, by sector and region.
VALUE_ADDED_SHARE = {
    "AGR": {"USA": 0.45, "CHN": 0.55, "EU": 0.45, "ROW": 0.55},
    "MAN": {"USA": 0.32, "CHN": 0.24, "EU": 0.30, "ROW": 0.30},
    "HIT": {"USA": 0.38, "CHN": 0.22, "EU": 0.35, "ROW": 0.30},
    "SER": {"USA": 0.65, "CHN": 0.50, "EU": 0.60, "ROW": 0.58},
}

# How each sector's intermediate costs split over inputs (same in every region).
INPUT_MIX = {  # INPUT_MIX[using sector][input]
    "AGR": {"AGR": 0.35, "MAN": 0.35, "HIT": 0.05, "SER": 0.25},
    "MAN": {"AGR": 0.15, "MAN": 0.45, "HIT": 0.10, "SER": 0.30},
    "HIT": {"AGR": 0.02, "MAN": 0.28, "HIT": 0.40, "SER": 0.30},
    "SER": {"AGR": 0.03, "MAN": 0.17, "HIT": 0.15, "SER": 0.65},
}

# Heckscher-Ohlin structure: a factor's share of value added is its sector intensity times its
# regional abundance, normalised. CHN is abundant in unskilled labour; USA and EU in skilled
# labour and capital.
FACTOR_INTENSITY = {
    "AGR": {"skilled": 0.08, "unskilled": 0.52, "capital": 0.40},
    "MAN": {"skilled": 0.15, "unskilled": 0.45, "capital": 0.40},
    "HIT": {"skilled": 0.35, "unskilled": 0.20, "capital": 0.45},
    "SER": {"skilled": 0.35, "unskilled": 0.30, "capital": 0.35},
}
ABUNDANCE = {
    "USA": {"skilled": 1.5, "unskilled": 0.7, "capital": 1.2},
    "CHN": {"skilled": 0.5, "unskilled": 1.6, "capital": 1.0},
    "EU":  {"skilled": 1.4, "unskilled": 0.8, "capital": 1.1},
    "ROW": {"skilled": 0.7, "unskilled": 1.3, "capital": 0.9},
}

# Home bias: domestic share of purchaser-price absorption, by sector and region.
DOMESTIC_SHARE = {
    "AGR": {"USA": 0.90, "CHN": 0.88, "EU": 0.84, "ROW": 0.93},
    "MAN": {"USA": 0.72, "CHN": 0.90, "EU": 0.74, "ROW": 0.82},
    "HIT": {"USA": 0.70, "CHN": 0.80, "EU": 0.72, "ROW": 0.75},
    "SER": {"USA": 0.97, "CHN": 0.97, "EU": 0.95, "ROW": 0.97},
}

# Foreign sourcing weights: export capability of the origin times proximity of the pair.
CAPABILITY = {
    "AGR": {"USA": 1.2, "CHN": 0.6, "EU": 1.0, "ROW": 1.6},
    "MAN": {"USA": 0.7, "CHN": 2.5, "EU": 1.0, "ROW": 1.0},
    "HIT": {"USA": 1.2, "CHN": 1.5, "EU": 1.2, "ROW": 0.8},
    "SER": {"USA": 1.4, "CHN": 0.4, "EU": 1.4, "ROW": 0.8},
}
PROXIMITY = {  # ROW stands for many countries, some far away: lower proximity per unit of size
    frozenset(("USA", "CHN")): 2.5, frozenset(("USA", "EU")): 1.6, frozenset(("USA", "ROW")): 0.6,
    frozenset(("CHN", "EU")): 1.5, frozenset(("CHN", "ROW")): 0.6, frozenset(("EU", "ROW")): 0.6,
}

# Applied tariffs of the importer (MFN-like, the same for every exporter), before 2018.
TARIFF = {
    "AGR": {"USA": 0.05, "CHN": 0.15, "EU": 0.11, "ROW": 0.14},
    "MAN": {"USA": 0.03, "CHN": 0.08, "EU": 0.04, "ROW": 0.09},
    "HIT": {"USA": 0.015, "CHN": 0.05, "EU": 0.02, "ROW": 0.06},
    "SER": {"USA": 0.0, "CHN": 0.0, "EU": 0.0, "ROW": 0.0},
}
# Non-tariff barriers (iceberg ad valorem equivalents) on every cross-border flow, by sector;
# the importer's own barriers scale them.
NTB = {"AGR": 0.15, "MAN": 0.08, "HIT": 0.06, "SER": 0.20}
NTB_IMPORTER_SCALE = {"USA": 0.9, "CHN": 1.3, "EU": 1.0, "ROW": 1.2}

ELASTICITIES = {
    "armington": {"default": 5.0, "AGR": 4.5, "HIT": 7.0, "SER": 3.8},
    "value_added": {"default": 1.2, "AGR": 0.5, "SER": 1.4},
    "top": {"default": 0.0},
    "consumption": 1.0,
}


def solve_outputs(final_demand, input_share, shipped):
    """Y = shipped * (final demand + input_share Y), by fixed-point iteration."""
    output = {(i, r): 0.0 for i in SECTORS for r in REGIONS}
    for _ in range(10000):
        absorption = absorb(final_demand, input_share, output)
        new_output = {(i, r): sum(shipped[i, r, s] * absorption[i, s] for s in REGIONS)
                      for i in SECTORS for r in REGIONS}
        change = max(abs(new_output[k] - output[k]) / new_output[k] for k in output)
        output = new_output
        if change < 1e-15:
            return output
    raise RuntimeError("input-output fixed point did not converge")


def absorb(final_demand, input_share, output):
    return {(i, s): final_demand[i, s] + sum(input_share[i, j, s] * output[j, s] for j in SECTORS)
            for i in SECTORS for s in REGIONS}


def sourcing_shares(competitiveness):
    share = {}
    for i in SECTORS:
        for s in REGIONS:
            weights = {r: CAPABILITY[i][r] * PROXIMITY[frozenset((r, s))] * competitiveness[r]
                       for r in REGIONS if r != s}
            total = sum(weights.values())
            domestic = DOMESTIC_SHARE[i][s]
            for r in REGIONS:
                share[i, r, s] = domestic if r == s else (1.0 - domestic) * weights[r] / total
    return share


def build():
    tariff = {(i, r, s): (TARIFF[i][s] if r != s else 0.0)
              for i in SECTORS for r in REGIONS for s in REGIONS}
    ntb = {(i, r, s): (NTB[i] * NTB_IMPORTER_SCALE[s] if r != s else 0.0)
           for i in SECTORS for r in REGIONS for s in REGIONS}
    spending = {r: TARGET_INCOME[r] + DEFICIT[r] for r in REGIONS}
    final_demand = {(i, s): BUDGET_SHARE[s][i] * spending[s] for i in SECTORS for s in REGIONS}
    input_share = {(j, i, r): (1.0 - VALUE_ADDED_SHARE[i][r]) * INPUT_MIX[i][j]
                   for j in SECTORS for i in SECTORS for r in REGIONS}

    competitiveness = {r: 1.0 for r in REGIONS}
    for _ in range(2000):
        share = sourcing_shares(competitiveness)
        shipped = {k: share[k] / (1.0 + tariff[k]) for k in share}
        output = solve_outputs(final_demand, input_share, shipped)
        absorption = absorb(final_demand, input_share, output)
        income = {r: sum(VALUE_ADDED_SHARE[i][r] * output[i, r] for i in SECTORS) for r in REGIONS}
        for (i, r, s), rate in tariff.items():
            income[s] += rate * shipped[i, r, s] * absorption[i, s]
        gap = max(abs(income[r] / TARGET_INCOME[r] - 1.0) for r in REGIONS)
        if gap < 1e-13:
            break
        for r in REGIONS:
            competitiveness[r] *= TARGET_INCOME[r] / income[r]
    else:
        raise RuntimeError("competitiveness adjustment did not converge")

    # Every table from the shipments: identities exact up to rounding.
    trade = {(i, r, s): shipped[i, r, s] * absorption[i, s]
             for i in SECTORS for r in REGIONS for s in REGIONS}
    output = {(i, r): sum(trade[i, r, s] for s in REGIONS) for i in SECTORS for r in REGIONS}
    intermediates = {(j, i, r): input_share[j, i, r] * output[i, r]
                     for j in SECTORS for i in SECTORS for r in REGIONS}
    factor_payments = {}
    for i in SECTORS:
        for r in REGIONS:
            weights = {f: FACTOR_INTENSITY[i][f] * ABUNDANCE[r][f] for f in FACTORS}
            total = sum(weights.values())
            value_added = VALUE_ADDED_SHARE[i][r] * output[i, r]
            for f in FACTORS:
                factor_payments[f, i, r] = weights[f] / total * value_added
    final = {}
    for i in SECTORS:
        for s in REGIONS:
            supply = sum(trade[i, r, s] * (1.0 + tariff[i, r, s]) for r in REGIONS)
            final[i, s] = supply - sum(intermediates[i, j, s] for j in SECTORS)
            assert final[i, s] > 0.0
    return trade, tariff, ntb, intermediates, factor_payments, final


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


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    tables = os.path.join(here, "default")
    os.makedirs(tables, exist_ok=True)
    trade, tariff, ntb, intermediates, factor_payments, final = build()
    flows = [(r, s, i) for r in REGIONS for s in REGIONS for i in SECTORS]
    write_csv(os.path.join(tables, "factor_payments.csv"), ["region", "sector", "factor", "value"],
              [(r, i, f, factor_payments[f, i, r]) for r in REGIONS for i in SECTORS for f in FACTORS])
    write_csv(os.path.join(tables, "intermediates.csv"), ["region", "input", "sector", "value"],
              [(r, j, i, intermediates[j, i, r]) for r in REGIONS for j in SECTORS for i in SECTORS])
    write_csv(os.path.join(tables, "trade.csv"), ["exporter", "importer", "sector", "value"],
              [(r, s, i, trade[i, r, s]) for r, s, i in flows])
    write_csv(os.path.join(tables, "tariffs.csv"), ["exporter", "importer", "sector", "rate"],
              [(r, s, i, tariff[i, r, s]) for r, s, i in flows])
    write_csv(os.path.join(tables, "ntb.csv"), ["exporter", "importer", "sector", "rate"],
              [(r, s, i, ntb[i, r, s]) for r, s, i in flows])
    write_csv(os.path.join(tables, "final_demand.csv"), ["region", "sector", "value"],
              [(r, i, final[i, r]) for r in REGIONS for i in SECTORS])

    yaml = f"""ohlin: 1
# Generated by data/make_default.py: edit that script and rerun it, do not edit by hand.
name: default four-region world
units: USD billion
year: 2014
source: "illustrative numbers, not observed data; replaced by the open-data world of a later issue. Built by data/make_default.py to look like 2014 (incomes, deficits, tariffs roughly of that year's size); exactly balanced."
regions: [{", ".join(REGIONS)}]
sectors: [{", ".join(SECTORS)}]   # agriculture, low-tech manufacturing, high-tech manufacturing, services
factors:
{chr(10).join(f"  - {{name: {f}, mobility: mobile}}" for f in FACTORS)}
elasticities:
  armington: {elasticity_map(ELASTICITIES["armington"])}
  value_added: {elasticity_map(ELASTICITIES["value_added"])}
  top: {elasticity_map(ELASTICITIES["top"])}
  consumption: {number(ELASTICITIES["consumption"])}
factor_payments: {{csv: default/factor_payments.csv}}
intermediates: {{csv: default/intermediates.csv}}
trade: {{csv: default/trade.csv}}
tariffs: {{csv: default/tariffs.csv}}
ntb: {{csv: default/ntb.csv}}
final_demand: {{csv: default/final_demand.csv}}
"""
    with open(os.path.join(here, "default.yaml"), "w", newline="\n") as out:
        out.write(yaml)


if __name__ == "__main__":
    main()
