"""Drills from the planners' page: what can be rehearsed, and one comparison run.

Owns: the list of sources (the data set's drill files, its scenarios, plain random
arrivals), turning the page's variants (a name and a list of changes) into simulator
variants, and running the experiment with its HTML and CSV reports in the page's
language. Must not: touch the live store (a drill never enters live data) or know
about Dash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DrillSource", "drill_sources", "variant_kwargs", "run_drill"]


@dataclass(frozen=True)
class DrillSource:
    """Something a planner can rehearse: ``kind`` drill | scenario | rates, ``value`` as
    the page sends it back (``drill:PATH``, ``scenario:PATH`` or ``rates``), and the
    file's own name (``name: {zh, en}`` or a plain string; the file stem otherwise)."""

    kind: str
    value: str
    name_zh: str
    name_en: str


def _names(path: Path) -> tuple[str, str]:
    from command.errors import DataError
    from command.yamlfile import load_yaml

    try:  # bounded like every input file: a hostile file does not hang the page
        name = (load_yaml(path)[0] or {}).get("name")
    except (DataError, AttributeError):
        name = None
    if isinstance(name, dict):
        zh = str(name.get("zh") or path.stem)
        return zh, str(name.get("en") or zh)
    return (str(name), str(name)) if name else (path.stem, path.stem)


def drill_sources(settings) -> list[DrillSource]:
    """Drill files (the data set's ``drills/*.yaml``), scenario files, and plain random
    arrivals from the incident rates, in that order."""
    from command.scenarios.library import list_scenarios, scenario_dir

    out = []
    for kind, paths in (("drill", sorted((Path(settings.resources_dir) / "drills")
                                         .glob("*.yaml"))),
                        ("scenario", list_scenarios(scenario_dir(settings.resources_dir)))):
        out += [DrillSource(kind, f"{kind}:{p}", *_names(p)) for p in paths]
    return out + [DrillSource("rates", "rates", "", "")]


def variant_kwargs(variant: Mapping) -> dict:
    """A page variant (``name`` and a list of ``changes``, each with its ``kind``) as
    keyword arguments of :class:`command.sim.Variant`: ``name``, ``remove_bases``,
    ``add_units`` (base_id, capability, count), ``close_roads``, ``move_depots``
    (depot_id, lat, lon), and, when a change of the planning page asks for them,
    ``add_bases`` (base_id, lat, lon) and ``remove_units`` (base_id, capability)."""
    out: dict = {"name": variant["name"], "remove_bases": [], "add_units": [],
                 "close_roads": [], "move_depots": [], "add_bases": [], "remove_units": []}
    for c in variant["changes"]:
        if c["kind"] == "remove_base":
            out["remove_bases"].append(c["base_id"])
        elif c["kind"] == "add_units":
            out["add_units"].append((c["base_id"], c["capability"], c["count"]))
        elif c["kind"] == "close_road":
            out["close_roads"].append(c["road"])
        elif c["kind"] == "move_depot":
            out["move_depots"].append((c["depot_id"], c["lat"], c["lon"]))
        elif c["kind"] == "add_base":
            out["add_bases"].append((c["base_id"], c["lat"], c["lon"]))
        elif c["kind"] == "remove_units":
            out["remove_units"].append((c["base_id"], c["capability"]))
    return {k: v for k, v in out.items() if v or k not in ("add_bases", "remove_units")}


def run_drill(network, dataset, settings, spec: Mapping, *, lang: str = "zh",
              progress: Callable[[int, int], None] | None = None) -> dict:
    """Run the experiment of ``spec`` (``source``, ``days``, ``replications``, ``seed``,
    ``variants``) with :func:`command.sim.run_experiment` (nearest-unit policy).

    Returns
    -------
    dict
        ``result`` (the experiment's ``to_dict()``), ``html`` (the report in ``lang``)
        and ``csv``.
    """
    from command import sim

    variants = [sim.Variant(**variant_kwargs(v)) for v in spec["variants"]]
    kwargs = {}
    kind, _, path = spec["source"].partition(":")
    if kind in ("drill", "scenario"):
        kwargs[kind] = path
    result = sim.run_experiment(network, dataset, settings, variants=variants,
                                days=spec["days"], replications=spec["replications"],
                                seed=spec["seed"], policy="nearest", progress=progress,
                                **kwargs)
    return {"result": result.to_dict(), "html": sim.report_html(result, lang=lang),
            "csv": sim.report_csv(result)}
