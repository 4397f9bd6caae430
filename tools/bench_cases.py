#!/usr/bin/env python3
"""Writes the peer-comparison cases of `ohlin bench` (docs/MODEL.md "Speed") into a folder,
from the data in ../shared/data (never copied into the repository):

  eu/enlargement.yaml   WIOD 2014, 44 economies, one sector: the 2004-2013 EU enlargements as
                        the partial trade effect 0.22424901 log points of ge_gravity's example
                        (theta = 4), i.e. iceberg costs down by exp(-0.22424901 / 4) on each new
                        EU pair (572 shocks).
  cp/purge.yaml         Caliendo-Parro (2015), 31 x 40 with input-output links: deficits purged.
  cp/nafta.yaml         the same plus NAFTA's tariff cuts (1993 -> 2005 rates, 115 lines).

Usage: tools/bench_cases.py OUT_DIR [SHARED_DATA_DIR]   (default ../shared/data)
Then e.g.  /usr/bin/time -v ohlin solve OUT_DIR/eu/enlargement.yaml --out /tmp/eu
"""
import csv
import math
import os
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def eu_case(shared, out):
    folder = os.path.join(out, "eu")
    os.makedirs(folder, exist_ok=True)
    trade = rows(os.path.join(shared, "wiod44", "trade_2014.csv"))
    regions = sorted({r["exporter"] for r in trade})
    output = {r: 0.0 for r in regions}
    absorption = {r: 0.0 for r in regions}
    with open(os.path.join(folder, "trade.csv"), "w") as f:
        f.write("exporter,importer,sector,value\n")
        for r in trade:
            value = float(r["value"])
            output[r["exporter"]] += value
            absorption[r["importer"]] += value
            f.write(f"{r['exporter']},{r['importer']},ALL,{r['value']}\n")
    with open(os.path.join(folder, "factor_payments.csv"), "w") as f:
        f.write("region,sector,factor,value\n")
        for r in regions:
            f.write(f"{r},ALL,labour,{output[r]!r}\n")
    with open(os.path.join(folder, "final_demand.csv"), "w") as f:
        f.write("region,sector,value\n")
        for r in regions:
            f.write(f"{r},ALL,{absorption[r]!r}\n")
    with open(os.path.join(folder, "data.yaml"), "w") as f:
        f.write("ohlin: 1\nname: WIOD 2014, 44 economies, one sector\nunits: USD million\n"
                "year: 2014\nsource: WIOD 2016 release as aggregated for ge_gravity, see "
                "../shared/data/wiod44/SOURCE.md\n")
        f.write("regions: [" + ", ".join(regions) + "]\nsectors: [ALL]\n")
        f.write("factors: [{name: labour}]\nelasticities:\n  armington: {default: 5.0}\n")
        for table in ("factor_payments", "trade", "final_demand"):
            f.write(f"{table}: {{csv: {table}.csv}}\n")
    cut = math.exp(-0.22424901 / 4.0) - 1.0
    with open(os.path.join(folder, "enlargement.yaml"), "w") as f:
        f.write("ohlin: 1\nname: EU enlargements 2004-2013 (ge_gravity example)\n"
                "data: data.yaml\nshocks:\n")
        for pair in rows(os.path.join(shared, "wiod44", "new_eu_pairs.csv")):
            f.write(f"  - {{type: ntb, exporter: {pair['exporter']}, importer: {pair['importer']}, "
                    f"set: {cut!r}}}\n")


def cp_case(shared, out):
    folder = os.path.join(out, "cp")
    os.makedirs(folder, exist_ok=True)
    data = os.path.abspath(os.path.join(shared, "cp2015"))
    regions = [r["code"] for r in rows(os.path.join(data, "regions.csv"))]
    # Code first, theta last (a sector's name has unquoted commas).
    with open(os.path.join(data, "sectors.csv")) as f:
        sectors = [{"code": line.split(",")[0], "theta": line.strip().split(",")[-1]}
                   for line in f.readlines()[1:] if line.strip()]
    armington = ", ".join(f"{s['code']}: {1.0 + float(s['theta'])!r}" for s in sectors)
    with open(os.path.join(folder, "data.yaml"), "w") as f:
        f.write("ohlin: 1\nname: Caliendo-Parro 1993\nunits: USD million\nyear: 1993\n"
                "source: Caliendo and Parro (2015) replication data, see ../shared/data/cp2015\n")
        f.write("regions: [" + ", ".join(regions) + "]\n")
        f.write("sectors: [" + ", ".join(s["code"] for s in sectors) + "]\n")
        f.write("factors: [{name: labour}]\nelasticities:\n"
                f"  armington: {{default: 9.22, {armington}}}\n"
                "  value_added: {default: 1.0}\n  top: {default: 1.0}\n  consumption: 1.0\n")
        for table in ("factor_payments", "intermediates", "trade", "tariffs", "final_demand"):
            f.write(f"{table}: {{csv: {os.path.join(data, table + '.csv')}}}\n")
    purge = "  - {type: deficit, region: \"*\", set: 0}\n"
    with open(os.path.join(folder, "purge.yaml"), "w") as f:
        f.write("ohlin: 1\nname: Caliendo-Parro deficits purged\ndata: data.yaml\nshocks:\n" + purge)
    with open(os.path.join(folder, "nafta.yaml"), "w") as f:
        f.write("ohlin: 1\nname: Caliendo-Parro NAFTA at zero deficits\ndata: data.yaml\n"
                "shocks:\n" + purge)
        for line in rows(os.path.join(data, "nafta_tariffs.csv")):
            f.write(f"  - {{type: tariff, exporter: {line['exporter']}, importer: "
                    f"{line['importer']}, sectors: [{line['sector']}], set: {line['rate_2005']}}}\n")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    shared = sys.argv[2] if len(sys.argv) == 3 else os.path.join(here, "..", "..", "shared", "data")
    eu_case(shared, out)
    cp_case(shared, out)


if __name__ == "__main__":
    main()
