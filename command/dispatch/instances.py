"""Readers of the published benchmark formats the dispatch solvers are checked on:
OR-Library p-median files (:func:`read_pmed`), CVRPLIB/TSPLIB ``.vrp`` and ``.sol``
files (:func:`read_cvrplib`, :func:`read_cvrplib_solution`) and Solomon VRPTW ``.txt``
files (:func:`read_solomon`).

Owns: parsing files into plain data. Must not: solve anything; the solvers
(:mod:`command.dispatch.siting`, :mod:`command.dispatch.routing`) take arrays.

Each routing reader returns a :class:`RoutingInstance` whose distances already follow the
instance family's own rounding rule, held as integers in units of ``1/distance_scale`` so
that costs are summed exactly. The depot is always node 0 (nodes are reordered if a file
puts it elsewhere), so the customer numbers of ``.sol`` files (1..n-1, depot excluded)
are node indices. Every problem of a malformed file is reported at once as a
:class:`~command.errors.DataError` naming the file, the line and the field.

Files may be careless or hostile: every line is checked (token counts, finite numbers,
node numbers in range) before any array sized by the header is allocated, and a header
announcing more than the budgets of :data:`command.limits.BUDGETS` (``matrix_cells``
for p-median, ``routing_stops`` and ``routing_vehicle_stops`` for routing) is refused
unless the caller passes ``allow_large=True``.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse.csgraph import connected_components, csgraph_from_dense, shortest_path

from command.errors import DataError, Problem
from command.limits import budget, over_budget

__all__ = ["PMedianInstance", "RoutingInstance", "CvrpSolution", "read_pmed",
           "read_cvrplib", "read_cvrplib_solution", "read_solomon"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PMedianInstance:
    """An OR-Library p-median instance with its shortest-path distance matrix.

    Attributes
    ----------
    name : file stem, e.g. ``"pmed1"``.
    n : number of vertices (0-based here; the file numbers them from 1).
    edges : number of edge lines ``m`` in the file (duplicates included).
    p : number of medians to open.
    distance : (n, n) float array of shortest-path lengths; ``distance[i, i] == 0``.
    """

    name: str
    n: int
    edges: int
    p: int
    distance: np.ndarray


@dataclass(frozen=True, eq=False)
class RoutingInstance:
    """A published routing instance; node 0 is the depot.

    Attributes
    ----------
    name : str
        Instance name (``NAME`` field or first line of a Solomon file).
    kind : str
        ``"CVRP"`` or ``"VRPTW"``.
    distance_units : numpy.ndarray
        (n, n) int64 arc lengths in units of ``1/distance_scale``, already rounded by the
        family's rule (see ``rounding``).
    distance_scale : int
        1 for CVRPLIB (integer arcs), 10 for Solomon (arcs truncated to one decimal).
    rounding : str
        The rounding rule in words, for reports.
    demand : numpy.ndarray
        (n,) int64 demand per node, 0 at the depot.
    capacity : int
        Capacity of every vehicle, in the same load units as ``demand``.
    vehicles : int or None
        Number of vehicles available (``VEHICLES`` field, the name's ``-kN``, or the
        Solomon ``NUMBER``); None when the file does not say.
    coords : numpy.ndarray or None
        (n, 2) float coordinates, None for an explicit matrix without display data.
    ready_time, due_time, service_time : numpy.ndarray or None
        (n,) time windows and service durations for VRPTW, in the file's time unit
        (travel time equals distance). None for CVRP.
    node_ids : tuple of int
        The node number of each node in the file (depot first).
    path : str
        The file it was read from.
    """

    name: str
    kind: str
    distance_units: np.ndarray
    distance_scale: int
    rounding: str
    demand: np.ndarray
    capacity: int
    vehicles: int | None
    coords: np.ndarray | None = None
    ready_time: np.ndarray | None = None
    due_time: np.ndarray | None = None
    service_time: np.ndarray | None = None
    node_ids: tuple[int, ...] = ()
    path: str = ""

    @property
    def n(self) -> int:
        """Number of nodes, depot included."""
        return int(self.demand.shape[0])

    @property
    def distance(self) -> np.ndarray:
        """(n, n) float arc lengths (``distance_units / distance_scale``)."""
        return self.distance_units / self.distance_scale

    @property
    def has_time_windows(self) -> bool:
        return self.ready_time is not None


@dataclass(frozen=True)
class CvrpSolution:
    """Routes and cost of a ``.sol`` file; routes hold customer numbers (= node indices)."""

    routes: tuple[tuple[int, ...], ...]
    cost: float
    path: str = ""


# --------------------------------------------------------------------------- helpers

def _read_lines(path: str | Path, kind: str = "routing") -> tuple[str, list[str]]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DataError(f"cannot read {kind} file {p}",
                        [Problem(rule=f"file cannot be opened: {exc.strerror or exc}",
                                 file=str(p))]) from exc
    # splitlines() handles the CRLF endings of the Solomon files.
    return str(p), text.splitlines()


def _euclid(coords: np.ndarray) -> np.ndarray:
    diff = coords[:, None, :] - coords[None, :, :]
    return np.sqrt((diff ** 2).sum(axis=2))


def _nint(x: np.ndarray) -> np.ndarray:
    """TSPLIB ``nint``: round half up, ``(int)(x + 0.5)``."""
    return np.floor(x + 0.5).astype(np.int64)


def _explicit_matrix(values: list[float], n: int, fmt: str) -> np.ndarray:
    """Fill an (n, n) symmetric matrix from a TSPLIB EDGE_WEIGHT_SECTION (caller checked count)."""
    m = np.zeros((n, n), dtype=float)
    it = iter(values)
    if fmt == "FULL_MATRIX":
        return np.asarray(values, dtype=float).reshape(n, n)
    # Column-wise formats of a symmetric matrix read like the transposed row-wise ones.
    fmt = {"UPPER_COL": "LOWER_ROW", "LOWER_COL": "UPPER_ROW",
           "UPPER_DIAG_COL": "LOWER_DIAG_ROW", "LOWER_DIAG_COL": "UPPER_DIAG_ROW"}.get(fmt, fmt)
    for i in range(n):
        if fmt == "LOWER_ROW":
            cols = range(i)
        elif fmt == "LOWER_DIAG_ROW":
            cols = range(i + 1)
        elif fmt == "UPPER_ROW":
            cols = range(i + 1, n)
        else:  # UPPER_DIAG_ROW
            cols = range(i, n)
        for j in cols:
            m[i, j] = m[j, i] = next(it)
    return m


def _explicit_count(n: int, fmt: str) -> int:
    if fmt == "FULL_MATRIX":
        return n * n
    if fmt in ("LOWER_ROW", "UPPER_ROW", "LOWER_COL", "UPPER_COL"):
        return n * (n - 1) // 2
    return n * (n + 1) // 2


_EXPLICIT_FORMATS = ("FULL_MATRIX", "LOWER_ROW", "UPPER_ROW", "LOWER_DIAG_ROW",
                     "UPPER_DIAG_ROW", "LOWER_COL", "UPPER_COL", "LOWER_DIAG_COL",
                     "UPPER_DIAG_COL")
_SECTIONS = ("NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION", "EDGE_WEIGHT_SECTION",
             "DISPLAY_DATA_SECTION")
_HEADER = re.compile(r"^\s*([A-Z_]+)\s*:\s*(.*?)\s*$")


def _to_number(token: str) -> float | None:
    """The finite number ``token`` spells, else None (``nan`` and ``inf`` are not data)."""
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


#: Coordinates beyond this make squared distances lose their integer precision.
_MAX_COORD = 1e7
#: Whole numbers (demands, capacities) beyond this are not exact in float64.
_MAX_WHOLE = 2 ** 53


def _budget(name: str, estimate: float, what: str, allow_large: bool) -> str | None:
    return None if allow_large else over_budget(name, estimate, what=what)


def _routing_budget(stops: int, vehicles: int | None, allow_large: bool) -> str | None:
    """The rule a routing instance of ``stops`` nodes and ``vehicles`` breaks, if any."""
    rule = _budget("routing_stops", stops, "nodes to route", allow_large)
    if rule is None and vehicles is not None:
        rule = _budget("routing_vehicle_stops", float(vehicles) * stops,
                       "vehicles x nodes", allow_large)
    return rule


# --------------------------------------------------------------------------- OR-Library p-median

def read_pmed(path: str | Path, *, allow_large: bool = False) -> PMedianInstance:
    """Read an OR-Library p-median file (Beasley's ``pmed1`` ... ``pmed40`` format).

    Line 1 holds ``n m p``; then ``m`` lines ``i j cost`` with vertices numbered from 1.
    As in Beasley's own description, the cost matrix starts at infinity with zero
    diagonal and edges are applied **in file order, both directions, the last copy of a
    pair overwriting earlier ones** (every file repeats some pairs; keeping the cheapest
    copy instead changes the optima, e.g. pmed1 5718 instead of 5819). Shortest paths
    are then computed over that graph (Dijkstra, scipy). A line ``i i c`` is ignored: a
    vertex serves itself at no cost.

    Raises
    ------
    DataError
        The file is missing, the header is not three positive integers, there are fewer
        edge lines than announced, a vertex is outside 1..n, a cost is not a
        non-negative number, or the graph is not connected; every problem found is
        listed with its line and field. Every line is checked before the n x n matrix
        is allocated; an n whose matrix exceeds the ``matrix_cells`` budget is refused
        unless ``allow_large``, and so is a header whose m edges cannot join n vertices.
    """
    _, lines = _read_lines(path, "p-median")
    path = Path(path)
    problems: list[Problem] = []

    def bad(row: int, field: str, value: object, rule: str) -> None:
        if len(problems) < 20:
            problems.append(Problem(rule=rule, file=str(path), row=row, field=field, value=value))

    header = lines[0].split() if lines else []
    if len(header) != 3:
        bad(1, "header", lines[0] if lines else "", "line 1 must hold three integers 'n m p'")
        raise DataError(f"{path} is not an OR-Library p-median file", problems)
    values = []
    for name, token in zip(("n", "m", "p"), header, strict=False):
        try:
            values.append(int(token))
        except ValueError:
            bad(1, name, token, "must be an integer")
    if problems:
        raise DataError(f"{path} is not an OR-Library p-median file", problems)
    n, m, p = values
    if n < 1:
        bad(1, "n", n, "must be at least 1")
    if m < 0:
        bad(1, "m", m, "must not be negative")
    if not 1 <= p <= max(n, 1):
        bad(1, "p", p, f"must be between 1 and n = {n}")
    if not problems and float(n) * n > budget("matrix_cells").limit:
        # refused from the header alone: a graph that cannot be connected (even with
        # allow_large), or a matrix beyond the budget
        if m < n - 1:
            bad(1, "m", m, f"{m} edges cannot join n = {n} vertices (a connected graph "
                f"needs at least n - 1 = {n - 1})")
        elif rule := _budget("matrix_cells", float(n) * n, "an n x n distance matrix",
                             allow_large):
            bad(1, "n", n, rule)
    if problems:
        raise DataError(f"{path} has an invalid header", problems)

    body = [(k + 1, line) for k, line in enumerate(lines[1:], start=1) if line.strip()]
    if len(body) < m:
        bad(len(lines) + 1, "edges", len(body),
            f"the header announces {m} edge lines but the file has {len(body)}")
    if len(body) > m:
        extra_row = body[m][0]
        bad(extra_row, "edges", len(body),
            f"the header announces {m} edge lines but the file has {len(body)}")
    edges: list[tuple[int, int, float]] = []
    for row, line in body[:m]:
        parts = line.split()
        if len(parts) != 3:
            bad(row, "edge", line.strip(), "an edge line must hold three fields 'i j cost'")
            continue
        ends = []
        for name, token in zip(("i", "j"), parts[:2], strict=False):
            try:
                v = int(token)
            except ValueError:
                bad(row, name, token, "a vertex must be an integer")
                continue
            if not 1 <= v <= n:
                bad(row, name, v, f"a vertex must be between 1 and n = {n}")
                continue
            ends.append(v - 1)
        try:
            c = float(parts[2])
        except ValueError:
            bad(row, "cost", parts[2], "a cost must be a number")
            continue
        if not math.isfinite(c) or c < 0:
            bad(row, "cost", parts[2], "a cost must be a finite non-negative number")
            continue
        if len(ends) == 2 and ends[0] != ends[1]:
            edges.append((ends[0], ends[1], c))
    if problems:
        raise DataError(f"{path} is not a valid OR-Library p-median file", problems)
    cost = np.full((n, n), np.inf)  # only now: every line is checked
    for i, j, c in edges:
        cost[i, j] = cost[j, i] = c              # in file order: the last copy wins
    np.fill_diagonal(cost, 0.0)
    graph = csgraph_from_dense(cost, null_value=np.inf)
    n_comp, labels = connected_components(graph, directed=False)
    if n_comp > 1:
        lonely = int(np.flatnonzero(labels != labels[0])[0]) + 1
        raise DataError(f"{path}: the graph is not connected",
                        [Problem(rule="every vertex must be reachable from vertex 1",
                                 file=str(path), field="vertex", value=lonely)])
    distance = shortest_path(graph, method="D", directed=False)
    log.debug("read %s: n=%d m=%d p=%d", path, n, m, p)
    return PMedianInstance(name=path.stem, n=n, edges=m, p=p, distance=distance)


# --------------------------------------------------------------------------- CVRPLIB

def read_cvrplib(path: str | Path, *, allow_large: bool = False) -> RoutingInstance:
    """Read a CVRPLIB/TSPLIB ``.vrp`` file (capacitated VRP, one depot).

    Distances follow TSPLIB: ``EUC_2D`` rounds each arc to the nearest integer
    (``nint(x) = int(x + 0.5)``), ``CEIL_2D`` rounds up, and ``EXPLICIT`` reads the matrix
    in any of the TSPLIB ``EDGE_WEIGHT_FORMAT`` layouts (``FULL_MATRIX``, ``LOWER_ROW``,
    ``UPPER_ROW``, ``LOWER_DIAG_ROW``, ``UPPER_DIAG_ROW`` and their column twins). The
    vehicle count comes from a ``VEHICLES`` field, else from the name's ``-kN``.

    Parameters
    ----------
    path : str or Path
        The ``.vrp`` file.

    Returns
    -------
    RoutingInstance
        ``kind="CVRP"``, ``distance_scale=1``, depot at node 0.

    Raises
    ------
    DataError
        If the file cannot be read or is malformed; every problem found is listed with its
        line and field. A DIMENSION or VEHICLES beyond the routing budgets is refused
        unless ``allow_large``; section line counts are checked before any array is
        sized by DIMENSION.
    """
    fname, lines = _read_lines(path)
    problems: list[Problem] = []

    def bad(rule: str, row: int | None = None, field: str | None = None, value=None) -> None:
        problems.append(Problem(rule=rule, file=fname, row=row, field=field, value=value))

    header: dict[str, tuple[str, int]] = {}
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        word = line.split()[0].rstrip(":")
        if word in _SECTIONS:
            current = word
            sections.setdefault(word, [])
            continue
        m = _HEADER.match(line)
        if m and not line[0].isdigit() and not line.startswith("-"):
            current = None
            header[m.group(1)] = (m.group(2), lineno)
            continue
        if current is None:
            bad("unexpected line outside any section", lineno, None, line)
            continue
        sections[current].append((lineno, line.split()))

    def head_int(key: str, required: bool = True) -> int | None:
        if key not in header:
            if required:
                bad("required header field is missing", None, key)
            return None
        value, lineno = header[key]
        try:
            number = int(value)
        except ValueError:
            bad("must be a whole number", lineno, key, value)
            return None
        if number <= 0:
            bad("must be positive", lineno, key, value)
            return None
        return number

    name = header.get("NAME", (Path(fname).stem, 0))[0] or Path(fname).stem
    n = head_int("DIMENSION")
    capacity = head_int("CAPACITY")
    vehicles = head_int("VEHICLES", required=False)
    if vehicles is None:
        km = re.search(r"-k(\d+)", name)
        vehicles = int(km.group(1)) if km else None
    ewt, ewt_line = header.get("EDGE_WEIGHT_TYPE", ("", None))
    ewt = ewt.upper()
    if not ewt:
        bad("required header field is missing", None, "EDGE_WEIGHT_TYPE")
    elif ewt not in ("EUC_2D", "CEIL_2D", "EXPLICIT"):
        bad("unsupported; use EUC_2D, CEIL_2D or EXPLICIT", ewt_line, "EDGE_WEIGHT_TYPE", ewt)
    if "TYPE" in header and header["TYPE"][0].upper() not in ("CVRP", "VRP"):
        bad("only CVRP files are read here", header["TYPE"][1], "TYPE", header["TYPE"][0])
    if n is None:
        raise DataError(f"cannot read CVRPLIB file {fname}", problems)
    rule = _routing_budget(n, vehicles, allow_large)
    if rule:
        bad(rule, header["DIMENSION"][1], "DIMENSION", n)
        raise DataError(f"cannot read CVRPLIB file {fname}", problems)

    # Node-indexed sections: "id value..." lines, ids 1..n.
    def node_rows(section: str, width: int, as_int: bool) -> np.ndarray | None:
        if section not in sections:
            bad("section is missing", None, section)
            return None
        if n > budget("routing_stops").limit and len(sections[section]) < n:
            # allow_large and a short section: refuse before allocating n rows
            bad(f"DIMENSION is {n} but the section has {len(sections[section])} lines",
                None, section)
            return None
        out = np.full((n, width), np.nan)
        seen = np.zeros(n, dtype=bool)
        ok = True
        for lineno, toks in sections[section]:
            if len(toks) != width + 1:
                bad(f"expected a node number and {width} value(s), found {len(toks)} fields",
                    lineno, section, " ".join(toks))
                ok = False
                continue
            nums = [_to_number(t) for t in toks]
            if any(v is None for v in nums):
                bad("not a finite number", lineno, section, " ".join(toks))
                ok = False
                continue
            limit = _MAX_WHOLE if as_int else _MAX_COORD
            if any(abs(v) > limit for v in nums[1:]):
                bad(f"must be at most {limit:g} in size", lineno, section, " ".join(toks[1:]))
                ok = False
                continue
            node = nums[0]
            if node != int(node) or not 1 <= node <= n:
                bad(f"node number must be 1..{n}", lineno, section, toks[0])
                ok = False
                continue
            vals = nums[1:]
            if as_int and any(v != int(v) for v in vals):
                bad("must be a whole number", lineno, section, " ".join(toks[1:]))
                ok = False
                continue
            if seen[int(node) - 1]:
                bad("node listed twice", lineno, section, toks[0])
                ok = False
            seen[int(node) - 1] = True
            out[int(node) - 1] = vals
        missing = np.flatnonzero(~seen)
        if ok and missing.size:
            bad(f"{missing.size} node(s) missing, first {missing[0] + 1}", None, section)
            ok = False
        return out if ok else None

    coords = None
    if ewt in ("EUC_2D", "CEIL_2D") or "NODE_COORD_SECTION" in sections:
        coords = node_rows("NODE_COORD_SECTION", 2, as_int=False)
    demand_rows = node_rows("DEMAND_SECTION", 1, as_int=True)
    demand = None
    if demand_rows is not None:
        demand = demand_rows[:, 0].astype(np.int64)
        for i in np.flatnonzero(demand < 0):
            bad("demand must not be negative", None, "DEMAND_SECTION", f"node {i + 1}: {demand[i]}")
        if capacity is not None:
            for i in np.flatnonzero(demand > capacity):
                bad(f"demand exceeds the vehicle capacity {capacity}", None, "DEMAND_SECTION",
                    f"node {i + 1}: {demand[i]}")

    depot = None
    if "DEPOT_SECTION" not in sections:
        bad("section is missing", None, "DEPOT_SECTION")
    else:
        depots = []
        for lineno, toks in sections["DEPOT_SECTION"]:
            for t in toks:
                v = _to_number(t)
                if v is None or v != int(v):
                    bad("not a node number", lineno, "DEPOT_SECTION", t)
                elif v == -1:
                    break
                elif not 1 <= v <= n:
                    bad(f"node number must be 1..{n}", lineno, "DEPOT_SECTION", t)
                else:
                    depots.append(int(v) - 1)
        if len(depots) != 1:
            bad("exactly one depot is supported", None, "DEPOT_SECTION",
                [d + 1 for d in depots])
        else:
            depot = depots[0]
            if demand is not None and demand[depot] != 0:
                bad("the depot's demand must be 0", None, "DEMAND_SECTION",
                    f"node {depot + 1}: {demand[depot]}")

    dist = None
    if ewt == "EXPLICIT":
        fmt, fmt_line = header.get("EDGE_WEIGHT_FORMAT", ("", None))
        fmt = fmt.upper()
        if fmt not in _EXPLICIT_FORMATS:
            bad(f"must be one of {', '.join(_EXPLICIT_FORMATS)}", fmt_line,
                "EDGE_WEIGHT_FORMAT", fmt or None)
        elif "EDGE_WEIGHT_SECTION" not in sections:
            bad("section is missing", None, "EDGE_WEIGHT_SECTION")
        else:
            values: list[float] = []
            for lineno, toks in sections["EDGE_WEIGHT_SECTION"]:
                for t in toks:
                    v = _to_number(t)
                    if v is None or v < 0 or v > _MAX_WHOLE:
                        bad("must be a finite non-negative number", lineno,
                            "EDGE_WEIGHT_SECTION", t)
                    else:
                        values.append(v)
            want = _explicit_count(n, fmt)
            if len(values) != want:
                bad(f"{fmt} for DIMENSION {n} needs {want} values, found {len(values)}",
                    None, "EDGE_WEIGHT_SECTION")
            elif not problems:
                dist = _explicit_matrix(values, n, fmt)
                if np.any(dist != np.round(dist)):
                    bad("explicit weights must be whole numbers", None, "EDGE_WEIGHT_SECTION")
                dist = np.round(dist).astype(np.int64)
    elif coords is not None:
        d = _euclid(coords)
        dist = np.ceil(d).astype(np.int64) if ewt == "CEIL_2D" else _nint(d)

    if problems:
        raise DataError(f"cannot read CVRPLIB file {fname}", problems)
    assert dist is not None and demand is not None and depot is not None and capacity
    order = np.array([depot] + [i for i in range(n) if i != depot])
    rounding = {"EUC_2D": "TSPLIB EUC_2D: each arc rounded to the nearest integer",
                "CEIL_2D": "TSPLIB CEIL_2D: each arc rounded up",
                "EXPLICIT": "explicit integer matrix"}[ewt]
    return RoutingInstance(
        name=name, kind="CVRP",
        distance_units=dist[np.ix_(order, order)], distance_scale=1, rounding=rounding,
        demand=demand[order], capacity=int(capacity), vehicles=vehicles,
        coords=None if coords is None else coords[order],
        node_ids=tuple(int(i) + 1 for i in order), path=fname,
    )


def read_cvrplib_solution(path: str | Path) -> CvrpSolution:
    """Read a CVRPLIB ``.sol`` file: ``Route #k: c1 c2 ...`` lines and ``Cost X``.

    Customer numbers run 1..n-1 with the depot excluded, i.e. they are the node indices of
    the :class:`RoutingInstance` read from the matching ``.vrp`` file. A file that repeats
    its routes (as the published ``C101.sol`` once did) is read once: a repeated route
    number with the same customers is skipped.

    Raises
    ------
    DataError
        If a route or the cost line is malformed, or there is no cost line.
    """
    fname, lines = _read_lines(path)
    problems: list[Problem] = []
    routes: dict[int, tuple[int, ...]] = {}
    cost: float | None = None
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        m = re.match(r"^Route\s*#\s*(\d+)\s*:(.*)$", line, flags=re.IGNORECASE)
        if m:
            label = int(m.group(1))
            try:
                customers = tuple(int(t) for t in m.group(2).split())
            except ValueError:
                problems.append(Problem("customer numbers must be whole numbers", fname,
                                        lineno, "Route", m.group(2).strip()))
                continue
            if any(c <= 0 for c in customers):
                problems.append(Problem("customer numbers start at 1 (the depot is not listed)",
                                        fname, lineno, "Route", m.group(2).strip()))
                continue
            if label in routes:
                if routes[label] != customers:
                    problems.append(Problem(f"route #{label} appears twice with different "
                                            "customers", fname, lineno, "Route", label))
                else:
                    log.info("%s: route #%d repeated, read once", fname, label)
                continue
            routes[label] = customers
            continue
        m = re.match(r"^Cost\s*:?\s*(\S+)\s*$", line, flags=re.IGNORECASE)
        if m:
            value = _to_number(m.group(1))
            if value is None:
                problems.append(Problem("not a number", fname, lineno, "Cost", m.group(1)))
            elif cost is None:
                cost = value
            continue
        problems.append(Problem("expected 'Route #k: ...' or 'Cost X'", fname, lineno,
                                None, line))
    if cost is None and not problems:
        problems.append(Problem("no 'Cost' line", fname, None, "Cost"))
    if not routes and not problems:
        problems.append(Problem("no 'Route' line", fname, None, "Route"))
    if problems:
        raise DataError(f"cannot read CVRPLIB solution file {fname}", problems)
    return CvrpSolution(routes=tuple(routes[k] for k in sorted(routes)), cost=float(cost),
                        path=fname)


# --------------------------------------------------------------------------- Solomon

def read_solomon(path: str | Path, customers: int | None = None, *,
                 allow_large: bool = False) -> RoutingInstance:
    """Read a Solomon VRPTW file (``C101.txt`` ...), optionally its first ``customers``.

    Rounding rule (CVRPLIB/DIMACS, the convention of the published best-known values):
    the length of each arc is its Euclidean distance **truncated to one decimal**,
    ``floor(10 * d) / 10``, and the travel time of an arc equals that length. Ready
    times, due dates and service times are in the same unit. Service must start no later
    than the due date; the vehicle must be back at the depot by the depot's due date.

    Parameters
    ----------
    path : str or Path
        The Solomon ``.txt`` file (CRLF or LF line endings).
    customers : int, optional
        Keep only the first ``customers`` customers of the file (the 25- and 50-customer
        versions of the literature); all of them when None.

    Returns
    -------
    RoutingInstance
        ``kind="VRPTW"``, ``distance_scale=10``, depot at node 0.

    Raises
    ------
    DataError
        If the file is malformed (every problem listed with its line and field), or
        ``customers`` is not between 1 and the number of customers in the file, or the
        instance exceeds the routing budgets (unless ``allow_large``).
    """
    fname, lines = _read_lines(path)
    problems: list[Problem] = []
    nonblank = [(i, ln.strip()) for i, ln in enumerate(lines, start=1) if ln.strip()]
    if not nonblank:
        raise DataError(f"cannot read Solomon file {fname}",
                        [Problem("the file is empty", fname)])
    name = nonblank[0][1]
    vehicles = capacity = None
    rows: list[tuple[int, list[float]]] = []
    fields = ("CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE",
              "SERVICE TIME")
    state = "head"
    for lineno, line in nonblank[1:]:
        upper = line.upper()
        if upper.startswith("NUMBER") and "CAPACITY" in upper:
            state = "vehicle"
            continue
        if upper.startswith("CUST"):
            state = "customers"
            continue
        if upper in ("VEHICLE", "CUSTOMER"):
            continue
        toks = line.split()
        if state == "vehicle":
            if len(toks) != 2 or not all(t.isdigit() for t in toks):
                problems.append(Problem("expected two whole numbers: NUMBER CAPACITY", fname,
                                        lineno, "VEHICLE", line))
            else:
                vehicles, capacity = int(toks[0]), int(toks[1])
                if capacity <= 0:
                    problems.append(Problem("must be positive", fname, lineno, "CAPACITY",
                                            capacity))
            state = "head"
        elif state == "customers":
            if len(toks) != 7:
                problems.append(Problem(f"expected 7 fields ({', '.join(fields)}), found "
                                        f"{len(toks)}", fname, lineno, None, line))
                continue
            nums = [_to_number(t) for t in toks]
            bad = [f for f, v in zip(fields, nums, strict=False) if v is None]
            if bad:
                problems.append(Problem("not a finite number", fname, lineno, bad[0], line))
                continue
            for f, v in zip(fields, nums, strict=False):
                if f not in ("XCOORD.", "YCOORD.") and v < 0:
                    problems.append(Problem("must not be negative", fname, lineno, f, v))
                if abs(v) > (_MAX_COORD if f in ("XCOORD.", "YCOORD.") else _MAX_WHOLE):
                    problems.append(Problem("too large to be exact", fname, lineno, f, v))
            if nums[4] > nums[5]:
                problems.append(Problem("READY TIME is after DUE DATE", fname, lineno,
                                        "DUE DATE", nums[5]))
            if nums[0] != len(rows):
                problems.append(Problem(f"customers must be numbered 0, 1, 2 ... in order; "
                                        f"expected {len(rows)}", fname, lineno, "CUST NO.",
                                        toks[0]))
            rows.append((lineno, nums))
        else:
            problems.append(Problem("unexpected line", fname, lineno, None, line))
    if capacity is None:
        problems.append(Problem("no VEHICLE section with NUMBER and CAPACITY", fname, None,
                                "VEHICLE"))
    if len(rows) < 2:
        problems.append(Problem("needs a depot (customer 0) and at least one customer",
                                fname, None, "CUSTOMER"))
    elif rows[0][1][3] != 0:
        problems.append(Problem("the depot's demand must be 0", fname, rows[0][0], "DEMAND",
                                rows[0][1][3]))
    if customers is not None and len(rows) >= 2 and not 1 <= customers <= len(rows) - 1:
        problems.append(Problem(f"customers must be between 1 and {len(rows) - 1}", fname,
                                None, "customers", customers))
    if capacity is not None:
        for lineno, nums in rows[1:]:
            if nums[3] > capacity:
                problems.append(Problem(f"demand exceeds the vehicle capacity {capacity}",
                                        fname, lineno, "DEMAND", nums[3]))
    if not problems:
        stops = len(rows) if customers is None else customers + 1
        rule = _routing_budget(stops, vehicles, allow_large)
        if rule:
            problems.append(Problem(rule, fname, None, "CUSTOMER", stops))
    if problems:
        raise DataError(f"cannot read Solomon file {fname}", problems)
    if customers is not None:
        rows = rows[:customers + 1]
    data = np.array([nums for _, nums in rows], dtype=float)
    coords = data[:, 1:3]
    diff = coords[:, None, :] - coords[None, :, :]
    sq = (diff ** 2).sum(axis=2)
    # floor(10 d) = floor(sqrt(100 d^2)); with integer coordinates 100 d^2 is an exact
    # integer and sqrt is correctly rounded, so no arc is truncated one tenth too low.
    tenths = np.floor(np.sqrt(100.0 * sq)).astype(np.int64)
    label = name if customers is None else f"{name}.{customers}"
    return RoutingInstance(
        name=label, kind="VRPTW", distance_units=tenths, distance_scale=10,
        rounding="CVRPLIB/DIMACS: each arc truncated to one decimal; travel time = distance",
        demand=data[:, 3].astype(np.int64), capacity=int(capacity), vehicles=vehicles,
        coords=coords, ready_time=data[:, 4], due_time=data[:, 5], service_time=data[:, 6],
        node_ids=tuple(int(v) for v in data[:, 0]), path=fname,
    )
