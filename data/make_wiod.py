#!/usr/bin/env python3
"""Builds the real worlds data/wiod2014/ and data/wiod2000/ from WIOD 2016 (python3, standard
library only; deterministic). The rules are in data/README.md; the labels R1-R9 below are the
ones used there.

    python3 data/make_wiod.py                      # reads ../shared/data next to the repository
    python3 data/make_wiod.py --shared /path/to/shared/data --out /tmp/worlds --years 2014
    python3 data/make_wiod.py --skills none        # one `labour` factor instead of two skills

Sources (never copied into the repository; only the derived worlds are):
  <shared>/wiod16/  trade, tariffs, factor payments, NIOT intermediates and final demand, GDP,
                    elasticity sets (SOURCE.md there);
  <shared>/pwt101/  Penn World Table 10.01 human-capital index hc (the skill split).

Any missing or malformed source file stops the build with `file:line: message` on stderr and
exit status 1, before anything is written. The worlds are written to a temporary folder and
renamed into place only when every year has been built.
"""
import argparse
import csv
import math
import os
import shutil
import sys
import tempfile

# R5: sector skill intensity, the skilled share of a sector's labour income relative to its
# region's (rescaled per region so that the region's skilled share (hc - 1)/hc holds exactly).
# Stated assumptions in the spirit of the old A10: agriculture least, chemicals and electronics
# most skill-intensive.
SKILL_INTENSITY = {
    "AGR": 0.55, "MIN": 1.00, "FOOD": 0.85, "TEX": 0.75, "WOOD": 0.80, "PAPER": 0.95,
    "PETRO": 1.15, "CHEM": 1.20, "PLAST": 0.90, "NMM": 0.85, "METAL": 0.90, "ELEC": 1.20,
    "MACH": 1.15, "TRANS": 1.10, "OTHMAN": 0.80, "SERV": 1.05,
}
# R6: household groups (the old A13): people per 100 and the share of each factor they own.
HOUSEHOLDS = [
    ("unskilled", 60.0, {"unskilled": 0.85, "capital": 0.10}),
    ("skilled", 30.0, {"skilled": 1.0, "unskilled": 0.15, "capital": 0.20}),
    ("owners", 10.0, {"capital": 0.70}),
]
# R4: ROW's tariffs as importer: the import-weighted mean of the rates of these importers.
ROW_TARIFF_PROXIES = ["BRA", "CHN", "IDN", "IND", "MEX", "RUS", "TUR"]
# R8: the elasticity set a world uses unless told otherwise (elasticity_sets.csv has all eight).
DEFAULT_SET = "IS"
SET_NAMES = ["IS", "U4", "CP", "BSY", "GYY", "Shap", "FGO", "LL"]
RAS_TOLERANCE = 1e-14


class SourceError(Exception):
    """A problem with a source file; str() is `file:line: message`."""


def fail(path, line, message):
    where = f"{path}:{line}" if line else path
    raise SourceError(f"{where}: {message}")


def read_rows(path, header):
    """Rows of a CSV file as (line number, dict); checks the header and field counts."""
    try:
        with open(path, newline="", encoding="utf-8") as source:
            lines = list(csv.reader(source))
    except OSError as error:
        fail(path, 0, f"cannot read the source file ({error.strerror})")
    except (UnicodeDecodeError, csv.Error) as error:
        fail(path, 0, f"not a UTF-8 CSV file ({error})")
    if not lines or lines[0] != header:
        got = ",".join(lines[0]) if lines else "an empty file"
        fail(path, 1, f"expected the header {','.join(header)}, got {got}")
    rows = []
    for number, fields in enumerate(lines[1:], start=2):
        if len(fields) != len(header):
            fail(path, number, f"expected {len(header)} fields ({','.join(header)}), "
                               f"got {len(fields)}")
        rows.append((number, dict(zip(header, fields))))
    return rows


def number(path, line, row, column, minimum=None, above=None):
    text = row[column]
    try:
        value = float(text)
    except ValueError:
        fail(path, line, f"column {column}: '{text}' is not a number")
    if not math.isfinite(value):
        fail(path, line, f"column {column}: '{text}' is not finite")
    if minimum is not None and value < minimum:
        fail(path, line, f"column {column}: {text} is below {minimum}")
    if above is not None and value <= above:
        fail(path, line, f"column {column}: {text} must be above {above}")
    return value


def name(path, line, row, column, names):
    value = row[column]
    if value not in names:
        fail(path, line, f"column {column}: unknown code '{value}'")
    return value


class Keyed:
    """Rows keyed by a tuple of codes; a repeated key is an error naming both lines."""

    def __init__(self, path):
        self.path, self.values, self.lines = path, {}, {}

    def add(self, key, line, value):
        if key in self.lines:
            fail(self.path, line, f"repeated row {'/'.join(key)} (first at line "
                                  f"{self.lines[key]})")
        self.lines[key] = line
        self.values[key] = value

    def require_all(self, keys):
        for key in keys:
            if key not in self.values:
                fail(self.path, 0, f"missing row {'/'.join(key)} (every row is required)")


class Sources:
    """Everything read from <shared>, validated."""

    def __init__(self, shared, years):
        self.dir = os.path.join(shared, "wiod16")
        self.read_sets()
        self.elasticities = self.read_elasticities()
        self.gdp = self.read_gdp()
        self.pwt = self.read_pwt(os.path.join(shared, "pwt101", "pwt101_subset.csv"), years)
        self.years = {year: self.read_year(year) for year in years}

    def path(self, file):
        return os.path.join(self.dir, file)

    def read_sets(self):
        path = self.path("regions.csv")
        rows = read_rows(path, ["code", "name", "in_sea", "in_niot", "tariff_data"])
        self.regions = [row["code"] for _, row in rows]
        if len(self.regions) != 44 or self.regions[-1] != "ROW" or len(set(self.regions)) != 44:
            fail(path, 0, "expected 44 distinct regions with ROW last")
        self.countries = self.regions[:-1]
        path = self.path("sectors.csv")
        rows = read_rows(path, ["code", "short", "label", "isic4", "wiod56"])
        self.codes = [row["code"] for _, row in rows]
        self.short = {row["code"]: row["short"] for _, row in rows}
        self.labels = {row["short"]: row["label"] for _, row in rows}
        self.sectors = [self.short[code] for code in self.codes]
        if len(self.sectors) != 16 or sorted(self.sectors) != sorted(SKILL_INTENSITY):
            fail(path, 0, f"expected the 16 sectors {', '.join(SKILL_INTENSITY)}")

    def sector(self, path, line, row, column="sector"):
        return self.short[name(path, line, row, column, self.short)]

    def read_elasticities(self):
        path = self.path("elasticities.csv")
        table = Keyed(path)
        for line, row in read_rows(path, ["sector", "set", "sigma", "epsilon"]):
            sector = self.sector(path, line, row)
            set_name = name(path, line, row, "set", SET_NAMES)
            table.add((set_name, sector), line, number(path, line, row, "sigma", above=0.0))
        table.require_all([(s, i) for s in SET_NAMES for i in self.sectors])
        return table.values

    def read_gdp(self):
        path = self.path("gdp.csv")
        table = Keyed(path)
        for line, row in read_rows(path, ["region", "year", "gdp"]):
            region = name(path, line, row, "region", self.regions)
            table.add((region, row["year"]), line, number(path, line, row, "gdp", above=0.0))
        return table.values

    def read_pwt(self, path, years):
        header = ["countrycode", "country", "year", "pop", "emp", "avh", "hc", "cn", "ck", "rnna",
                  "cgdpo", "rgdpo", "labsh", "delta", "xr"]
        out = {}
        for line, row in read_rows(path, header):
            if row["year"] not in {str(y) for y in years} or not row["hc"]:
                continue
            hc = number(path, line, row, "hc", above=1.0)
            gdp = number(path, line, row, "cgdpo", minimum=0.0) if row["cgdpo"] else 0.0
            out[(row["countrycode"], int(row["year"]))] = (hc, gdp, line)
        return out

    def read_year(self, year):
        return {
            "trade": self.read_flows(f"trade_{year}.csv", "value", minimum=0.0),
            "tariffs": self.read_flows(f"tariffs_{year}.csv", "rate", above=-1.0),
            "factors": self.read_factors(f"factor_payments_{year}.csv"),
            "intermediates": self.read_intermediates(f"intermediates_{year}.csv"),
            "final": self.read_final(f"final_demand_{year}.csv"),
        }

    def read_flows(self, file, column, **limits):
        path = self.path(file)
        table = Keyed(path)
        for line, row in read_rows(path, ["exporter", "importer", "sector", column]):
            exporter = name(path, line, row, "exporter", self.regions)
            importer = name(path, line, row, "importer", self.regions)
            sector = self.sector(path, line, row)
            table.add((exporter, importer, sector), line, number(path, line, row, column,
                                                                 **limits))
        return table.values

    def read_factors(self, file):
        path = self.path(file)
        table = Keyed(path)
        for line, row in read_rows(path, ["region", "sector", "labour", "capital", "va_sea",
                                          "fix"]):
            region = name(path, line, row, "region", self.countries)
            sector = self.sector(path, line, row)
            table.add((region, sector), line, (number(path, line, row, "labour", minimum=0.0),
                                               number(path, line, row, "capital", minimum=0.0)))
        table.require_all([(r, i) for r in self.countries for i in self.sectors])
        return table.values

    def read_intermediates(self, file):
        path = self.path(file)
        table = Keyed(path)
        for line, row in read_rows(path, ["region", "input", "user", "domestic", "imported"]):
            region = name(path, line, row, "region", self.countries)
            table.add((region, self.sector(path, line, row, "input"),
                       self.sector(path, line, row, "user")), line,
                      number(path, line, row, "domestic", minimum=0.0) +
                      number(path, line, row, "imported", minimum=0.0))
        return table.values

    def read_final(self, file):
        path = self.path(file)
        table = Keyed(path)
        header = ["region", "sector", "domestic", "imported", "inventories_domestic",
                  "inventories_imported"]
        for line, row in read_rows(path, header):
            region = name(path, line, row, "region", self.countries)
            sector = self.sector(path, line, row)
            # R3: the seed of final demand is all final use with inventories, negative cells 0
            # (as the trade cube's inventory correction sets negative final use to 0).
            table.add((region, sector), line, sum(max(0.0, number(path, line, row, c))
                                                  for c in header[2:]))
        table.require_all([(r, i) for r in self.countries for i in self.sectors])
        return table.values


def ras(seed, rows, columns):
    """Scales seed (rows x columns, non-negative) to the row and column totals; columns exact."""
    matrix = [list(row) for row in seed]
    n, m = len(rows), len(columns)
    for _ in range(20000):
        for i in range(n):
            total = sum(matrix[i])
            if total > 0.0:
                factor = rows[i] / total
                matrix[i] = [value * factor for value in matrix[i]]
        for j in range(m):
            total = sum(matrix[i][j] for i in range(n))
            if total > 0.0:
                factor = columns[j] / total
                for i in range(n):
                    matrix[i][j] *= factor
        gap = max(abs(sum(matrix[i]) - rows[i]) / max(rows[i], 1e-300) for i in range(n)
                  if rows[i] > 0.0)
        if gap < RAS_TOLERANCE:
            return matrix
    raise SourceError(f"RAS did not converge (largest row gap {gap:.3e})")


class World:
    """One year's benchmark, reconciled."""

    def __init__(self, src, year, skills):
        self.src, self.year, self.skills = src, year, skills
        data = src.years[year]
        self.trade = {k: v for k, v in data["trade"].items() if v > 0.0}
        self.tariffs = dict(data["tariffs"])
        self.notes = []
        self.fill_row_tariffs()
        self.reconcile(data)
        self.split_labour()

    # R4: ROW's tariffs. As importer: the import-weighted mean over ROW_TARIFF_PROXIES of their
    # rates on the same exporter and sector (the exporter itself left out). As exporter: each
    # importer's MFN rate, the most common non-zero rate it applies to its partners (0 if none).
    def fill_row_tariffs(self):
        src, trade, tariffs = self.src, self.trade, self.tariffs
        for i in src.sectors:
            for e in src.countries:
                pairs = [(tariffs.get((e, p, i), 0.0), trade.get((e, p, i), 0.0))
                         for p in ROW_TARIFF_PROXIES if p != e]
                weight = sum(w for _, w in pairs)
                rate = (sum(t * w for t, w in pairs) / weight if weight > 0.0
                        else sum(t for t, _ in pairs) / len(pairs))
                if rate != 0.0:
                    tariffs[(e, "ROW", i)] = rate
            for m in src.countries:
                counts = {}
                for e in src.countries:
                    rate = tariffs.get((e, m, i), 0.0)
                    if e != m and rate != 0.0:
                        counts[rate] = counts.get(rate, 0) + 1
                if counts:
                    tariffs[("ROW", m, i)] = max(counts, key=lambda r: (counts[r], r))

    def reconcile(self, data):
        src, regions, sectors = self.src, self.src.regions, self.src.sectors
        output = {(r, i): 0.0 for r in regions for i in sectors}
        absorption = {(r, i): 0.0 for r in regions for i in sectors}
        for (e, m, i), value in self.trade.items():
            output[(e, i)] += value
            absorption[(m, i)] += value * (1.0 + self.tariffs.get((e, m, i), 0.0))
        self.output, self.absorption = output, absorption
        # R1: factor payments held exactly for the 43 countries.
        self.labour = {(r, i): data["factors"][(r, i)][0] for r in src.countries for i in sectors}
        self.capital = {(r, i): data["factors"][(r, i)][1] for r in src.countries
                        for i in sectors}
        self.fill_row_factors()
        self.vim, self.vfd, self.seed_ii, self.seed_fd = {}, {}, {}, {}
        for r in src.countries:
            ii = [[data["intermediates"].get((r, i, j), 0.0) for j in sectors] for i in sectors]
            fd = [data["final"][(r, i)] for i in sectors]
            self.balance_region(r, ii, fd)
        self.balance_region("ROW", *self.row_seed())

    # R2: ROW's value added: the 43 countries' value added per unit of output by sector, times
    # ROW's output, scaled by one factor so that ROW's value added over its PWT GDP equals the
    # 43 countries' value added over their PWT GDP; labour's share of value added by sector as
    # in the 43 countries together.
    def fill_row_factors(self):
        src, sectors = self.src, self.src.sectors
        va = {i: sum(self.labour[(r, i)] + self.capital[(r, i)] for r in src.countries)
              for i in sectors}
        lab = {i: sum(self.labour[(r, i)] for r in src.countries) for i in sectors}
        out = {i: sum(self.output[(r, i)] for r in src.countries) for i in sectors}
        raw = {i: va[i] / out[i] * self.output[("ROW", i)] for i in sectors}
        gdp43 = sum(self.src.gdp[(r, str(self.year))] for r in src.countries)
        target = self.src.gdp[("ROW", str(self.year))] * sum(va.values()) / gdp43
        scale = target / sum(raw.values())
        for i in sectors:
            self.labour[("ROW", i)] = raw[i] * scale * lab[i] / va[i]
            self.capital[("ROW", i)] = raw[i] * scale * (1.0 - lab[i] / va[i])
        self.notes.append(f"ROW value added {target:.0f} (scale {scale:.4f} on the 43 countries' "
                          f"coefficients; PWT GDP {self.src.gdp[('ROW', str(self.year))]:.0f})")

    def row_seed(self):
        src, sectors = self.src, self.src.sectors
        out = {j: sum(self.output[(r, j)] for r in src.countries) for j in sectors}
        ab = {i: sum(self.absorption[(r, i)] for r in src.countries) for i in sectors}
        ii = [[sum(self.vim[(r, i, j)] for r in src.countries) / out[j] *
               self.output[("ROW", j)] for j in sectors] for i in sectors]
        fd = [sum(self.vfd[(r, i)] for r in src.countries) / ab[i] * self.absorption[("ROW", i)]
              for i in sectors]
        return ii, fd

    # R3: per region, the intermediate and final use of each good (a sectors x (sectors + 1)
    # table) is scaled by RAS from the NIOT seed so that each row adds up to absorption at
    # purchaser prices (trade plus tariffs: the composite market) and each intermediate column
    # to output minus value added (zero profit); final demand takes the rest. Trade and factor
    # payments are untouched.
    def balance_region(self, r, seed_ii, seed_fd):
        sectors = self.src.sectors
        n = len(sectors)
        columns = []
        for j in sectors:
            cost = self.output[(r, j)] - self.labour[(r, j)] - self.capital[(r, j)]
            if cost < -1e-9 * max(self.output[(r, j)], 1.0):
                raise SourceError(f"{r}/{j} {self.year}: value added "
                                  f"{self.labour[(r, j)] + self.capital[(r, j)]:.1f} exceeds "
                                  f"output {self.output[(r, j)]:.1f} in the trade cube")
            columns.append(max(cost, 0.0))
        rows = [self.absorption[(r, i)] for i in sectors]
        columns.append(sum(rows) - sum(columns))
        if columns[-1] <= 0.0:
            raise SourceError(f"{r} {self.year}: no room for final demand")
        seed = [seed_ii[k] + [seed_fd[k]] for k in range(n)]
        total = sum(sum(row) for row in seed)
        tiny = 1e-9 * total / (n * (n + 1))  # every cell may take a little
        seed = [[value + tiny for value in row] for row in seed]
        matrix = ras(seed, rows, columns)
        for a, i in enumerate(sectors):
            used = 0.0
            for b, j in enumerate(sectors):
                self.vim[(r, i, j)] = matrix[a][b]
                self.seed_ii[(r, i, j)] = seed_ii[a][b]
                used += matrix[a][b]
            self.vfd[(r, i)] = rows[a] - used  # the composite market exactly
            self.seed_fd[(r, i)] = seed_fd[a]
            if self.vfd[(r, i)] < 0.0:
                raise SourceError(f"{r}/{i} {self.year}: negative final demand after RAS")

    # R5: the skill split. hc from PWT (ROW: the cgdpo-weighted mean over the PWT countries in
    # the shared subset outside the 43).
    def split_labour(self):
        src, year = self.src, self.year
        outside = [(hc, gdp) for (code, y), (hc, gdp, _) in src.pwt.items()
                   if y == year and code not in src.countries and gdp > 0.0]
        hc = {"ROW": sum(h * g for h, g in outside) / sum(g for _, g in outside)}
        for r in src.countries:
            if (r, year) not in src.pwt:
                raise SourceError(f"pwt101/pwt101_subset.csv: no hc for {r} in {year}")
            hc[r] = src.pwt[(r, year)][0]
        self.skilled_share = {}
        for r in src.regions:
            target = (hc[r] - 1.0) / hc[r]
            labour = sum(self.labour[(r, i)] for i in src.sectors)
            weighted = sum(SKILL_INTENSITY[i] * self.labour[(r, i)] for i in src.sectors)
            for i in src.sectors:
                share = target * SKILL_INTENSITY[i] * labour / weighted
                if share >= 1.0:
                    raise SourceError(f"{r}/{i}: skilled share {share:.3f} >= 1")
                self.skilled_share[(r, i)] = share
            self.skilled_share[r] = target
        self.hc = hc


def fmt(value):
    return repr(float(value))


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def factor_rows(world):
    rows = []
    for r in world.src.regions:
        for i in world.src.sectors:
            labour, capital = world.labour[(r, i)], world.capital[(r, i)]
            if world.skills:
                share = world.skilled_share[(r, i)]
                parts = [("skilled", labour * share), ("unskilled", labour * (1.0 - share))]
            else:
                parts = [("labour", labour)]
            for factor, value in parts + [("capital", capital)]:
                if value > 0.0:
                    rows.append([r, i, factor, fmt(value)])
    return rows


def households(world, r):
    """R6: the three groups; without skills, labour ownership is what aggregating the two skills
    gives (weighted by the region's skilled and unskilled incomes)."""
    if world.skills:
        groups = HOUSEHOLDS
    else:
        s = world.skilled_share[r]
        groups = [(name_, pop, {"labour": owns.get("skilled", 0.0) * s +
                                owns.get("unskilled", 0.0) * (1.0 - s),
                                "capital": owns.get("capital", 0.0)})
                  for name_, pop, owns in HOUSEHOLDS]
    items = []
    for group, population, owns in groups:
        shares = ", ".join(f"{f}: {v:.12g}" for f, v in owns.items() if v > 0.0)
        items.append(f"{{name: {group}, population: {population}, owns: {{{shares}}}}}")
    return f"  {r}: [" + ", ".join(items) + "]"


SOURCE_TEXT = (
    "WIOD 2016 release (Timmer et al. 2015, CC BY 4.0) as aggregated to 16 sectors by "
    "Lashkaripour (2021) / tariffwar: bilateral flows at basic prices (held exactly), NIOT "
    "input-output use and final demand (reconciled by RAS), SEA labour and capital compensation "
    "(held exactly); applied tariffs from Teti's Global Tariff Database v_beta1-2024-12 (Teti "
    "2024; cited as the author asks, no licence stated); PWT 10.01 hc for the skill split and GDP "
    "for ROW (Feenstra, Inklaar and Timmer 2015, CC BY 4.0). Rules R1-R9 in data/README.md.")


def write_world(world, folder):
    src, year = world.src, world.year
    os.makedirs(folder)
    regions, sectors = src.regions, src.sectors
    write_csv(os.path.join(folder, "trade.csv"), ["exporter", "importer", "sector", "value"],
              [[e, m, i, fmt(world.trade[(e, m, i)])] for i in sectors for e in regions
               for m in regions if (e, m, i) in world.trade])
    write_csv(os.path.join(folder, "tariffs.csv"), ["exporter", "importer", "sector", "rate"],
              [[e, m, i, fmt(world.tariffs[(e, m, i)])] for i in sectors for e in regions
               for m in regions if e != m and world.tariffs.get((e, m, i), 0.0) != 0.0])
    write_csv(os.path.join(folder, "factor_payments.csv"),
              ["region", "sector", "factor", "value"], factor_rows(world))
    write_csv(os.path.join(folder, "intermediates.csv"), ["region", "input", "sector", "value"],
              [[r, i, j, fmt(world.vim[(r, i, j)])] for r in regions for i in sectors
               for j in sectors if world.vim[(r, i, j)] > 0.0])
    write_csv(os.path.join(folder, "final_demand.csv"), ["region", "sector", "value"],
              [[r, i, fmt(world.vfd[(r, i)])] for r in regions for i in sectors
               if world.vfd[(r, i)] > 0.0])
    write_csv(os.path.join(folder, "elasticity_sets.csv"), ["set", "sector", "value"],
              [[s, i, fmt(src.elasticities[(s, i)])] for s in SET_NAMES for i in sectors])
    write_csv(os.path.join(folder, "reconciliation.csv"),
              ["region", "account", "source", "written", "ratio"], reconciliation_rows(world))
    factors = (["skilled", "unskilled"] if world.skills else ["labour"]) + ["capital"]
    lines = [
        "ohlin: 1",
        "# Generated by data/make_wiod.py from ../shared/data/wiod16 and ../shared/data/pwt101:",
        "# edit that script and rerun it, do not edit by hand. Rules R1-R9: data/README.md.",
        "# Sectors: " + "; ".join(f"{i}: {src.labels[i]}" for i in sectors),
        f"name: WIOD {year}, 44 regions x 16 sectors",
        "units: USD million",
        f"year: {year}",
        f"source: \"{SOURCE_TEXT}\"",
        "regions: [" + ", ".join(regions) + "]",
        "sectors: [" + ", ".join(sectors) + "]",
        "factors:",
    ] + [f"  - {{name: {f}, mobility: mobile}}" for f in factors] + [
        "# Armington elasticities: one of the eight published sets in elasticity_sets.csv (IS, U4,",
        "# CP, BSY, GYY, Shap, FGO, LL; sigma = trade elasticity + 1); the default IS is",
        "# Lashkaripour (2021), estimated on WIOD 2014 for these 16 sectors.",
        "elasticity_sets: {csv: elasticity_sets.csv}",
        "elasticities:",
        f"  armington: {{set: {DEFAULT_SET}}}",
        "  value_added: {default: 1.0}",
        "  top: {default: 0.0}",
        "  consumption: 1.0",
        "# R6: three household groups per region (data/README.md).",
        "households:",
    ] + [households(world, r) for r in regions] + [
        "factor_payments: {csv: factor_payments.csv}",
        "intermediates: {csv: intermediates.csv}",
        "trade: {csv: trade.csv}",
        "tariffs: {csv: tariffs.csv}",
        "final_demand: {csv: final_demand.csv}",
    ]
    with open(os.path.join(folder, "world.yaml"), "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def reconciliation_rows(world):
    """R7: per region, the NIOT totals and what the reconciled world has."""
    rows = []
    for r in world.src.regions:
        seed_ii = sum(world.seed_ii[(r, i, j)] for i in world.src.sectors
                      for j in world.src.sectors)
        ii = sum(world.vim[(r, i, j)] for i in world.src.sectors for j in world.src.sectors)
        seed_fd = sum(world.seed_fd[(r, i)] for i in world.src.sectors)
        fd = sum(world.vfd[(r, i)] for i in world.src.sectors)
        for account, a, b in [("intermediates", seed_ii, ii), ("final_demand", seed_fd, fd)]:
            rows.append([r, account, fmt(a), fmt(b), fmt(b / a if a > 0.0 else 0.0)])
    return rows


def summary(world):
    src = world.src
    cells = []
    for r in src.countries:
        for i in src.sectors:
            seed = sum(world.seed_ii[(r, j, i)] for j in src.sectors)
            got = sum(world.vim[(r, j, i)] for j in src.sectors)
            if seed > 100.0:
                cells.append((got / seed, r, i, seed, got))
    cells.sort()
    ratios = [c[0] for c in cells]
    median = ratios[len(ratios) // 2]
    print(f"{world.year}: intermediate costs by cell (reconciled / NIOT, cells above 100): "
          f"min {ratios[0]:.3f}, median {median:.3f}, max {ratios[-1]:.3f}")
    for ratio, r, i, seed, got in cells[-3:][::-1] + cells[:2]:
        print(f"  {r}/{i}: NIOT {seed:.0f} -> {got:.0f} ({ratio:.3f})")
    for note in world.notes:
        print(f"  {note}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=os.path.join(here, "..", "..", "shared", "data"))
    parser.add_argument("--out", default=here, help="folder receiving wiod<year>/")
    parser.add_argument("--years", type=int, nargs="+", default=[2014, 2000])
    parser.add_argument("--skills", choices=["split", "none"], default="split")
    args = parser.parse_args()
    try:
        src = Sources(args.shared, args.years)
        worlds = [World(src, year, args.skills == "split") for year in args.years]
    except SourceError as error:
        print(f"make_wiod.py: {error}; nothing written", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".make_wiod.", dir=args.out)
    try:
        for world in worlds:
            write_world(world, os.path.join(staging, f"wiod{world.year}"))
        for world in worlds:
            target = os.path.join(args.out, f"wiod{world.year}")
            if os.path.isdir(target):
                shutil.rmtree(target)
            os.rename(os.path.join(staging, f"wiod{world.year}"), target)
            print(f"wrote {target}/world.yaml")
            summary(world)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
