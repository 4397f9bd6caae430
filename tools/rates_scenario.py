#!/usr/bin/env python3
"""Writes a scenario that imposes the rates a game chose (its tariffs.csv) on a world, with the
deficits purged first as in the shipped tariff war: so that the rates of one model can be
solved in another (docs/MODEL.md 12.6). Python 3, standard library only.

    python3 tools/rates_scenario.py OUT/tariffs.csv path/to/world.yaml > rates.yaml
    python3 tools/rates_scenario.py --keep-deficits OUT/tariffs.csv world.yaml > rates.yaml
    ohlin solve rates.yaml --out DIR

One tariff shock per row (`set` to rate_chosen); `--keep-deficits` leaves the deficits alone
(for a game whose scenario did not purge them: its result files are then this solve's). `data:` is written as given: relative paths
are read relative to the scenario file, so give an absolute path or write the scenario next
to the world.
"""
import argparse
import csv
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep-deficits", action="store_true")
    parser.add_argument("tariffs")
    parser.add_argument("world")
    args = parser.parse_args()
    tariffs, world = args.tariffs, args.world
    out = sys.stdout
    out.write("ohlin: 1\n")
    out.write(f'name: "the rates of {tariffs}, imposed"\n')
    out.write(f'data: "{world}"\n')
    out.write("shocks:\n")
    if not args.keep_deficits:
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
