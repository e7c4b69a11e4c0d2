"""The command screen's update under load: 50 open incidents and the Ezhou units (159).

Times the plain function the update callback calls (``screen_update``: read the store,
build every panel and the map's live traces) after a store change each run, and prints
p50/p95 against the same function on an empty store (the baseline, same process), the
bytes of the road layer in the serialised figure, of the whole first figure, and of one
update's map Patch. Targets (issue 6): p95 <= 250 ms, road layer <= 2 MB.

    .venv/bin/python bench/screen_update.py [--runs 40] [--incidents 50]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from command import roads, store  # noqa: E402
from command.access import permissions_of  # noqa: E402
from command.app import incidents as use  # noqa: E402
from command.errors import StoreError  # noqa: E402
from command.resources import load_dataset  # noqa: E402
from command.settings import Settings  # noqa: E402
from dashboard.context import ScreenContext  # noqa: E402

#: The duty officer's view: every button of the screen is rendered.
PERMS = permissions_of("duty_officer")


def _context(settings: Settings, network, dataset, folder: Path, name: str) -> ScreenContext:
    s = settings.replace(database_url=f"sqlite:///{folder / name}")
    store.init_db(s, dataset, actor="bench")
    return ScreenContext(settings=s, network=network, dataset=dataset,
                         engine=store.engine_for(s))


def _load(ctx: ScreenContext, n: int, rng: np.random.Generator) -> dict:
    """``n`` open incidents at random places on the network; every other plan approved,
    and a third of the dispatched units moved on (en route, some on scene)."""
    net = ctx.network
    main = net.main_component
    nodes = rng.choice(np.flatnonzero(main), size=n, replace=False)
    types = ("fire", "medical", "traffic_accident", "gas_leak", "flood")
    approved = 0
    for k, node in enumerate(nodes):
        _i, plan_id, _rec = use.create_and_recommend(
            ctx.engine, net, ctx.dataset, incident_type=types[k % len(types)],
            lat=float(net.node_lat[node]), lon=float(net.node_lon[node]),
            priority=int(rng.integers(1, 5)), actor="bench", limit=5,
            max_snap_distance_m=ctx.settings.max_snap_distance_m)
        if plan_id is not None and k % 2 == 0:
            try:
                use.decide(ctx.engine, plan_id, "approve", "bench")
                approved += 1
            except StoreError:  # a unit taken by an earlier plan meanwhile
                pass
    with store.session_scope(ctx.engine, read_only=True) as s:
        out = [u.unit_id for u in store.list_units(s, status="dispatched")]
    for k, unit_id in enumerate(out):
        if k % 3 == 0:
            use.advance_unit(ctx.engine, unit_id, "bench")
            if k % 2 == 0:
                use.advance_unit(ctx.engine, unit_id, "bench")
    with store.session_scope(ctx.engine, read_only=True) as s:
        return {"open": len(store.list_incidents(s, status="open")),
                "units": len(store.list_units(s)), "approved": approved,
                "out": sum(u.status != "available" for u in store.list_units(s))}


def _time(screen, ctx: ScreenContext, runs: int, spare_unit: str) -> np.ndarray:
    """ms per update, each after a store change (a spare unit out of service and back),
    so nothing keyed by the change id is reused."""
    times = []
    for _ in range(runs):
        for status in ("out_of_service", "available"):
            with store.session_scope(ctx.engine) as s:
                store.set_unit_status(s, spare_unit, status, "bench")
        t0 = time.perf_counter()
        screen.screen_update(ctx, "zh", None, perms=PERMS)
        times.append((time.perf_counter() - t0) * 1000.0)
    return np.array(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--incidents", type=int, default=50)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args(argv)

    base = Settings()
    network = roads.load_network(base)
    dataset = load_dataset(base.resources_dir)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        empty = _context(base, network, dataset, folder, "empty.db")
        busy = _context(base, network, dataset, folder, "busy.db")

        from dashboard.app import create_app

        create_app(empty.settings, ctx=empty)  # registers the pages
        screen = next(m for n, m in sys.modules.items() if n.endswith("pages.screen"))

        t0 = time.perf_counter()
        load = _load(busy, args.incidents, np.random.default_rng(args.seed))
        load_s = time.perf_counter() - t0
        with store.session_scope(busy.engine, read_only=True) as s:
            spare = store.list_units(s, status="available")[-1].unit_id

        screen.screen_update(empty, "zh", None, perms=PERMS)  # warm imports and caches alike
        screen.screen_update(busy, "zh", None, perms=PERMS)
        base_ms = _time(screen, empty, args.runs, spare)
        busy_ms = _time(screen, busy, args.runs, spare)

        fig = screen.base_figure(busy, "zh")
        # as the page sends it: plotly's JSON, arrays as base64 typed arrays
        fig_json = pio.to_json(fig, validate=False)
        fig_bytes = len(fig_json.encode())
        road_bytes = len(json.dumps(json.loads(fig_json)["data"][1]).encode())
        *_, data = screen.screen_update(busy, "zh", None, perms=PERMS)
        patch_bytes = len(json.dumps(data).encode())
        busy.engine.dispose()
        empty.engine.dispose()

    p = lambda a, q: float(np.percentile(a, q))  # noqa: E731
    print(f"store: {load['open']} open incidents, {load['units']} units "
          f"({load['out']} out on incidents, {load['approved']} plans approved); "
          f"loaded in {load_s:.1f} s")
    print(f"{'update (ms)':<28}{'p50':>9}{'p95':>9}{'max':>9}")
    print(f"{'empty store (baseline)':<28}{p(base_ms, 50):>9.1f}{p(base_ms, 95):>9.1f}"
          f"{base_ms.max():>9.1f}")
    print(f"{'50 incidents':<28}{p(busy_ms, 50):>9.1f}{p(busy_ms, 95):>9.1f}"
          f"{busy_ms.max():>9.1f}")
    print(f"ratio p95 busy / empty: {p(busy_ms, 95) / p(base_ms, 95):.2f}; "
          f"target p95 <= 250 ms: {'met' if p(busy_ms, 95) <= 250 else 'NOT met'}")
    print(f"road layer: {road_bytes / 1e6:.3f} MB of a {fig_bytes / 1e6:.3f} MB first figure "
          f"(target <= 2 MB: {'met' if road_bytes <= 2e6 else 'NOT met'}); "
          f"one update's map patch: {patch_bytes / 1e3:.1f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
