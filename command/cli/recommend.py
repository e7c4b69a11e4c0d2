"""``command-center recommend``: capable available units for one incident, by road ETA."""

from __future__ import annotations

import math

from command.cli import CLI, emit
from command.errors import CommandError, Problem


def _coordinate(name: str, lo: float, hi: float):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise CommandError("bad argument", [Problem("must be a number in degrees",
                                                        field=name, value=text)]) from None
        if not (math.isfinite(value) and lo <= value <= hi):
            raise CommandError("bad argument", [Problem(f"must lie between {lo} and {hi}",
                                                        field=name, value=text)])
        return value
    return parse


def _recommend(args, settings) -> int:
    from command import roads
    from command.dispatch.recommend import recommend
    from command.resources import load_dataset

    lat = _coordinate("--lat", -90, 90)(args.lat)
    lon = _coordinate("--lon", -180, 180)(args.lon)
    network = roads.load_network(settings)
    dataset = load_dataset(settings.resources_dir)
    limit = args.limit or settings.recommend_limit
    if args.record:
        from command import store
        from command.app.incidents import create_and_recommend

        engine = store.engine_for(settings)
        incident_id, plan_id, rec = create_and_recommend(
            engine, network, dataset, incident_type=args.type, lat=lat, lon=lon,
            priority=args.priority, grade=args.grade, actor=args.actor, limit=limit,
            max_snap_distance_m=settings.max_snap_distance_m)
        data = {"incident_id": incident_id, "plan_id": plan_id, **rec.to_dict()}
    else:
        status = _live_statuses(settings)
        rec = recommend(network, dataset, lat=lat, lon=lon, incident_type=args.type,
                        grade=args.grade, unit_status=status, limit=limit,
                        max_snap_distance_m=settings.max_snap_distance_m)
        data = rec.to_dict()
    emit(data, as_json=args.json, text=_text)
    return 0


def _live_statuses(settings) -> dict[str, str] | None:
    """Unit statuses from the store when it has been initialised, else None (data set)."""
    if settings.database_url is None and not (settings.data_dir / "command.db").exists():
        return None
    from command import store
    from command.app.incidents import unit_statuses
    from command.store._engine import current_revision

    engine = store.engine_for(settings)
    try:
        if current_revision(engine) is None:
            return None
        return unit_statuses(engine)
    finally:
        engine.dispose()


def _text(d) -> str:
    lines = [f"{d['incident_type']} at {d['lat']:.5f}, {d['lon']:.5f} "
             f"(road {d['snap_distance_m']:.0f} m away); package {d['package']}"]
    if d.get("incident_id"):
        lines.append(f"recorded as incident {d['incident_id']}, proposed plan {d['plan_id']}")
    for i, u in enumerate(d["units"], 1):
        mark = "*" if u["routed"] else " "
        lines.append(f"{mark}{i:>2} {u['unit_id']:<12} {u['capability']:<12} "
                     f"{u['base_name_zh']:<16} {u['eta_s'] / 60:6.1f} min "
                     f"{u['distance_m'] / 1000:6.1f} km")
    if d["missing"]:
        lines.append(f"missing: {d['missing']}")
    return "\n".join(lines)


def register(cli: CLI) -> None:
    from command.model import INCIDENT_TYPES

    p = cli.command("recommend", handler=_recommend,
                    help="rank the capable available units for an incident by road travel time")
    p.add_argument("--lat", required=True, help="incident latitude, degrees")
    p.add_argument("--lon", required=True, help="incident longitude, degrees")
    p.add_argument("--type", required=True, choices=INCIDENT_TYPES, metavar="TYPE",
                   help="incident type: " + ", ".join(INCIDENT_TYPES))
    p.add_argument("--grade", type=int, default=4, choices=[1, 2, 3, 4],
                   help="incident grade, 1 most severe .. 4 (default 4)")
    p.add_argument("--priority", type=int, default=2, choices=[1, 2, 3, 4],
                   help="priority with --record, 1 highest (default 2)")
    p.add_argument("--limit", type=int, help="how many units to list (default from settings)")
    p.add_argument("--record", action="store_true",
                   help="also record the incident and the proposed plan in the store")
    p.add_argument("--actor", default="cli", help="who records it (audit log)")
    p.add_argument("--json", action="store_true", help="print JSON")
