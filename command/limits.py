"""The ranges every number at the boundary must lie in, and the budgets of work.

One table, :data:`RANGES`, gives each number a person may type into a file or onto the
command line (a truck's capacity, a wind speed, a number of replications ...) its
lowest and highest accepted value, its unit and the reason for the bounds. The schemas
(:mod:`command._schema` and the situation, scenario and drill files), the consequence
models and the command line all check through :func:`check`, so the same field is
refused in the same words everywhere: the value, the allowed range with its unit, and
why. A bound is physical (no BLEVE holds more fuel than the largest sphere) or
operational (no truck carries a milligram); it is never a guess about what the solver
can do - that is a budget.

:data:`BUDGETS` bound the work an input asks for, estimated from the inputs before the
work starts (stops of a routing problem, cells of a distance matrix, simulated calls,
YAML nodes). Above a budget the command line refuses and names ``--allow-large``; a few
budgets (YAML depth, aliases, file size) are hard limits with no way round, because no
legitimate file comes near them.

``docs/limits.md`` prints both tables (:func:`markdown_ranges`, :func:`markdown_budgets`;
a test keeps it equal to this module).

Owns: the tables and the checks. Must not: import anything of the product (it sits in
the lowest layer beside :mod:`command.settings` and :mod:`command.yamlfile`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Range", "Budget", "RANGES", "BUDGETS", "check", "range_of", "budget",
           "over_budget", "markdown_ranges", "markdown_budgets"]


@dataclass(frozen=True)
class Range:
    """The accepted interval of one number: ``low`` to ``high`` in ``unit``; an open end
    (``low_open``) excludes the bound itself (a capacity of 0 is not a capacity)."""

    name: str
    low: float
    high: float
    unit: str
    reason: str
    low_open: bool = False
    integer: bool = False

    @property
    def interval(self) -> str:
        """``"more than 0 and at most 50,000 kg"`` or ``"between 1 and 200 trucks"``."""
        unit = f" {self.unit}" if self.unit else ""
        if self.low_open:
            return f"more than {_fmt(self.low)} and at most {_fmt(self.high)}{unit}"
        return f"between {_fmt(self.low)} and {_fmt(self.high)}{unit}"

    def rule(self) -> str:
        what = "a whole number" if self.integer else "a finite number"
        return f"must be {what} {self.interval} ({self.reason})"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        try:
            v = float(value)
        except (TypeError, ValueError, OverflowError):
            return False
        if not math.isfinite(v):
            return False
        if self.integer and v != int(v):
            return False
        above = v > self.low if self.low_open else v >= self.low
        return above and v <= self.high


def _fmt(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:g}"


def _r(name, low, high, unit, reason, *, low_open=False, integer=False) -> Range:
    return Range(name, float(low), float(high), unit, reason, low_open, integer)


_WEEK_MIN = 7 * 24 * 60

#: Every bounded number, by name. Schemas and commands name the range they check.
RANGES: dict[str, Range] = {r.name: r for r in (
    # -- places --------------------------------------------------------------------------
    _r("lat_deg", -90, 90, "degrees", "a WGS84 latitude"),
    _r("lon_deg", -180, 180, "degrees", "a WGS84 longitude"),
    # -- situation files: fleets, loads and times --------------------------------------
    _r("truck_capacity_kg", 50, 50_000, "kg", "a van carries at least 50 kg; a lorry on "
       "Chinese roads weighs at most 49 t with its load (GB 1589-2016)", low_open=False),
    _r("trucks_per_depot", 0, 200, "trucks", "a reserve depot's own fleet is tens of "
       "trucks; every truck is a vehicle of the routing model", integer=True),
    _r("vehicle_count", 1, 200, "trucks", "a reserve depot's own fleet is tens of trucks; "
       "every truck is a vehicle of the routing model", integer=True),
    _r("loading_min", 0, 240, "min", "loading a truck takes minutes to a few hours; a "
       "delivery that waits longer than 4 h to leave is not an emergency delivery"),
    _r("unloading_min", 0, 240, "min", "unloading at a point takes minutes to a few hours"),
    _r("deadline_min", 0, _WEEK_MIN, "min", "an emergency deadline is minutes to days; a "
       "week is the longest the plans of this product look ahead", low_open=True),
    _r("demand_units", 0, 200, "units", "one incident's demand of one capability is at most "
       "tens of units (the largest Chinese responses send hundreds in all, over days)",
       integer=True),
    _r("material_quantity", 0, 1e7, "item units", "ten million of an item's unit exceeds "
       "any city's reserve of it"),
    _r("shelter_persons", 0, 1_000_000, "persons", "a shelter for more than a million "
       "people is a city (Ezhou has 1.08 million)", integer=True),
    _r("max_moves", 0, 500, "moves", "move-up moves a few units; more than the city's fleet "
       "is meaningless", integer=True),
    _r("max_move_min", 0, 240, "min", "a move-up drive longer than 4 h leaves the area "
       "uncovered longer than it helps", low_open=True),
    # -- the data set's CSV files -------------------------------------------------------
    _r("crew", 0, 100, "persons", "a vehicle's crew is a handful; a team of a hundred is "
       "the largest unit a data set row holds", integer=True),
    _r("beds", 0, 20_000, "beds", "the largest Chinese hospitals have about 10,000 beds",
       integer=True),
    _r("people", 0, 100_000_000, "persons", "more people than live in any city (Chongqing "
       "has about 32 million)", integer=True),
    _r("per_year", 0, 1_000_000, "incidents/year", "a district's incidents of one type a "
       "year; the busiest Chinese cities see tens of thousands of all types"),
    _r("kg_per_unit", 0, 100_000, "kg", "one unit of an item weighs at most a truck's load",
       low_open=True),
    _r("quantity_t", 0, 10_000_000, "t", "the largest storage sites hold millions of tonnes"),
    _r("per_100_persons", 0, 100_000, "item units", "a ration per 100 persons", low_open=True),
    # -- scenario files and the consequence models -------------------------------------
    _r("wind_m_s", 0.5, 50, "m/s", "below 0.5 m/s the air is calm and the Gaussian models "
       "do not apply (US EPA treats such hours as calms); 50 m/s is beyond a super typhoon"),
    _r("rate_g_s", 0, 1e7, "g/s", "the largest catastrophic releases (full-bore rupture of "
       "a large line) are tonnes per second", low_open=True),
    _r("toxic_mass_kg", 0, 1e7, "kg", "the largest pressurised storage tanks hold a few "
       "thousand tonnes", low_open=True),
    _r("release_height_m", 0, 500, "m", "the tallest stacks are under 400 m; the Briggs "
       "fits end well below 500 m"),
    _r("release_duration_min", 0, _WEEK_MIN, "min", "a release that lasts more than a week "
       "is a different kind of emergency", low_open=True),
    _r("pool_diameter_m", 0, 300, "m", "the largest tank and bund fires are 100-300 m "
       "across; the point-source model is not made for more", low_open=True),
    _r("burning_rate_kg_m2_s", 0, 1, "kg/m2/s", "fuels burn at 0.01-0.2 kg/m2/s "
       "(NUREG-1805 Table 3-2)", low_open=True),
    _r("heat_of_combustion_kj_kg", 0, 150_000, "kJ/kg", "hydrogen's 120,000 kJ/kg is the "
       "highest of any fuel", low_open=True),
    _r("k_beta_per_m", 0, 100, "1/m", "NUREG-1805 k*beta values are 0.5-100 1/m",
       low_open=True),
    _r("jet_release_rate_kg_s", 0, 10_000, "kg/s", "a full-bore rupture of the largest "
       "gas mains releases tonnes per second", low_open=True),
    _r("bleve_mass_kg", 0, 5e6, "kg", "the largest LPG spheres hold a few thousand tonnes; "
       "the CCPS fireball fits were made from far smaller tests", low_open=True),
    _r("sep_kw_m2", 0, 500, "kW/m2", "measured fireball emissive powers are 200-350 kW/m2",
       low_open=True),
    _r("fire_height_m", 0, 2000, "m", "a fire's centre or source is at most a fireball's "
       "height above the ground"),
    _r("transmissivity", 0, 1, "", "a share of the radiation that crosses the air",
       low_open=True),
    _r("relative_humidity", 0, 1, "", "a share, 0-1", low_open=True),
    _r("temperature_c", -60, 60, "degC", "the coldest and hottest air people work in"),
    _r("cordon_radius_m", 0, 20_000, "m", "a cordon is a police line about one incident; "
       "evacuations about chemical sites reach a few km (a 20 km circle covers most of a "
       "city)", low_open=True),
    _r("water_level_m", -100, 200, "m", "a water level above the grid's datum (sea level); "
       "the highest Yangtze stage at Hankou was 29.73 m (1954)"),
    _r("receptor_x_m", 0, 100_000, "m", "downwind distance: beyond 100 km a plume has met "
       "other weather (the Briggs fits stop at 10 km)", low_open=True),
    _r("receptor_y_m", -100_000, 100_000, "m", "crosswind distance within 100 km"),
    _r("receptor_z_m", 0, 1000, "m", "a receptor's height above the ground"),
    _r("inject_at_min", 0, 44_640, "min", "an inject within a month of the start"),
    # -- drill files and the simulator -------------------------------------------------
    _r("calls_per_day", 0, 10_000, "calls/day", "the busiest Chinese 119/120 centres take "
       "thousands of calls a day; Ezhou's data set has about 59"),
    _r("surge_duration_min", 0, 44_640, "min", "a surge within a month (the longest drill)",
       low_open=True),
    _r("replications", 1, 10_000, "replications", "the confidence interval narrows as "
       "1/sqrt(R): beyond a few hundred replications nothing more is learnt",
       integer=True),
    _r("sim_days", 0, 366, "days", "a simulated year is the longest study", low_open=True),
    _r("queue_hours", 0, 1_000_000, "h", "about a century of one queue: more says nothing "
       "new about a steady state", low_open=True),
    _r("queue_warmup_h", 0, 1_000_000, "h", "a warm-up no longer than the longest run"),
    _r("queue_rate_h", 0, 100_000, "per hour", "over 100,000 events an hour (28 a second) "
       "is no emergency queue", low_open=True),
    _r("servers", 1, 10_000, "servers", "no centre has more servers", integer=True),
    # -- optimisers --------------------------------------------------------------------
    _r("time_limit_s", 0, 3600, "s", "a decision-support answer is due within the hour; "
       "longer searches belong to offline studies", low_open=True),
    # -- early warning -------------------------------------------------------------------
    _r("sensor_threshold", -1_000_000, 1_000_000, "the sensor's unit", "every sensor scale "
       "of the registry (%LEL, ppm, degC, kPa, m, m/s) stays well within a million"),
    _r("trend_window", 2, 10_000, "readings", "a trend needs two readings; ten thousand "
       "cover a week at one a minute", integer=True),
    _r("mqtt_port", 1, 65_535, "port", "a TCP port", integer=True),
    _r("run_seconds", 0, 31_536_000, "s", "a bounded ingest run lasts at most a year "
       "(leave it out to run until stopped)", low_open=True),
    _r("stream_minutes", 0, 44_640, "min", "a simulated stream within a month (the longest "
       "drill)", low_open=True),
    _r("random_seed", 0, 2**63 - 1, "", "numpy's generators take a non-negative 64-bit seed",
       integer=True),
)}


@dataclass(frozen=True)
class Budget:
    """The most work of one kind that runs without ``--allow-large`` (``hard``: never)."""

    name: str
    limit: float
    unit: str
    reason: str
    hard: bool = False


#: The work budgets, by name (see the module docstring).
BUDGETS: dict[str, Budget] = {b.name: b for b in (
    Budget("routing_stops", 1_200, "stops", "the largest published CVRPLIB instances (X) "
           "have 1,000 customers; the time and memory of a solve grow with stops^2"),
    Budget("routing_vehicle_stops", 200_000, "vehicles x stops", "OR-Tools' routing model "
           "holds a variable per vehicle and stop; 200,000 of them is about 1 GB"),
    Budget("matrix_cells", 10_000_000, "cells", "an n x n distance matrix of float64: 10 "
           "million cells is 80 MB, and shortest paths need two more (OR-Library pmed "
           "files have at most 900 vertices, 810,000 cells)"),
    Budget("sim_calls", 200_000, "calls", "the city model plays about 1,700 calls a "
           "second, so 200,000 take about two minutes"),
    Budget("queue_arrivals", 5_000_000, "arrivals", "the M/M/c model plays about 50,000 "
           "arrivals a second, so 5 million take about two minutes"),
    Budget("yaml_bytes", 5_000_000, "bytes", "the largest shipped input file is a few kB; "
           "the pure-Python YAML parser reads about 1 MB a second", hard=True),
    Budget("yaml_depth", 64, "levels", "the deepest shipped file nests 5 levels; deep "
           "nesting exhausts the parser's stack", hard=True),
    Budget("yaml_aliases", 100, "aliases", "no shipped file uses an alias; a few dozen "
           "spare a person's typing, thousands build an alias bomb", hard=True),
    Budget("yaml_nodes", 200_000, "values", "values once aliases are expanded: ten lines "
           "of aliases can expand to 10^9 values (the \"billion laughs\")", hard=True),
)}


def range_of(name: str) -> Range:
    """The :class:`Range` called ``name`` (KeyError for an unknown name: a typo in code)."""
    return RANGES[name]


def check(name: str, value: Any) -> str | None:
    """None when ``value`` lies in the range ``name``, else the rule it breaks, e.g.
    "must be a finite number between 50 and 50,000 kg (a van carries ...)"."""
    r = RANGES[name]
    return None if r.accepts(value) else r.rule()


def budget(name: str) -> Budget:
    return BUDGETS[name]


def over_budget(name: str, estimate: float, *, what: str = "") -> str | None:
    """None when ``estimate`` is within the budget ``name``, else the rule, naming the
    estimate, the budget and its reason (and ``--allow-large`` unless the budget is hard)."""
    b = BUDGETS[name]
    if estimate <= b.limit:
        return None
    head = f"{what}: " if what else ""
    tail = "" if b.hard else "; pass --allow-large to run it anyway"
    return (f"{head}about {_fmt(float(round(estimate)))} {b.unit}, more than the budget of "
            f"{_fmt(b.limit)} {b.unit} ({b.reason}){tail}")


def markdown_ranges() -> str:
    """The ranges as the Markdown table of ``docs/limits.md``."""
    rows = ["| name | accepted | reason |", "| --- | --- | --- |"]
    rows += [f"| `{r.name}` | {r.interval}{' (whole)' if r.integer else ''} | {r.reason} |"
             for r in RANGES.values()]
    return "\n".join(rows)


def markdown_budgets() -> str:
    """The budgets as the Markdown table of ``docs/limits.md``."""
    rows = ["| name | budget | above it | reason |", "| --- | --- | --- | --- |"]
    rows += [f"| `{b.name}` | {_fmt(b.limit)} {b.unit} | "
             f"{'refused' if b.hard else 'refused unless --allow-large'} | {b.reason} |"
             for b in BUDGETS.values()]
    return "\n".join(rows)
