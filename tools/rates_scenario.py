#!/usr/bin/env python3
"""Writes a scenario that imposes the rates a game chose (its tariffs.csv) on a world, with the
deficits purged first as in the shipped tariff war: so that the rates of one model can be
solved in another (docs/MODEL.md 12.6). Python 3, standard library only.

    python3 tools/rates_scenario.py OUT/tariffs.csv path/to/world.yaml > rates.yaml
    ohlin solve rates.yaml --out DIR

One tariff shock per row (`set` to rate_chosen). `data:` is written as given: relative paths
are read relative to the scenario file, so give an absolute path or write the scenario next
to the world.
"""
import csv
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: rates_scenario.py TARIFFS_CSV WORLD_YAML")
    tariffs, world = sys.argv[1], sys.argv[2]
    out = sys.stdout
    out.write("ohlin: 1\n")
    out.write(f'name: "the rates of {tariffs}, imposed"\n')
    out.write(f'data: "{world}"\n')
    out.write("shocks:\n")
    out.write('  - {type: deficit, region: "*", set: 0}\n')
    with open(tariffs, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                rate = float(row["rate_chosen"])
            except (KeyError, TypeError, ValueError):
                sys.exit(f"{tariffs}:{line}: expected player,partner,sector,rate_before,rate_chosen")
            out.write(f'  - {{type: tariff, importer: {row["player"]}, exporter: {row["partner"]}, '
                      f'sectors: [{row["sector"]}], set: {rate!r}}}\n')


if __name__ == "__main__":
    main()
