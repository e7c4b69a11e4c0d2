"""One settings object for the whole product.

Every tunable lives here with its unit and the reason for its default. Core functions
receive a :class:`Settings` (or the values they need) as arguments; only the CLI and
``dashboard.app.create_app`` read the environment, through :func:`from_env`.

Environment overrides use the prefix ``CC_`` and the field name in upper case, e.g.
``CC_DATA_DIR=/srv/command`` or ``CC_EMERGENCY_SPEED_FACTOR=1.3``; ``DATABASE_URL`` is
accepted as well for the store. Unknown ``CC_`` variables are refused, so a typo does not
pass silently.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from command.errors import SettingsError

__all__ = ["Settings", "from_env", "override", "DEFAULT_ROAD_SPEEDS_KMH", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parent.parent

# Free-flow speeds by OSM highway class, km/h. Chinese urban design speeds:
# CJJ 37-2012 (城市道路工程设计规范) gives expressway 60-100, arterial 40-60,
# secondary 30-50, branch 20-40; expressways (高速公路) are designed for 100-120 (JTG B01-2014).
# The defaults are the middle of each band, a little below on urban roads for signals.
DEFAULT_ROAD_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 70.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 35.0,
    "secondary": 40.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 25.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 25.0,
}


def _meta(unit: str, why: str) -> dict[str, str]:
    return {"unit": unit, "why": why}


@dataclass(frozen=True)
class Settings:
    """All tunables of the product. Construct with keyword arguments or :func:`from_env`.

    Each field's metadata carries its unit and the reason for its default; ``describe()``
    lists them for ``command-center settings``.
    """

    data_dir: Path = field(
        default=REPO_ROOT / "var",
        metadata=_meta("path", "writable folder for the SQLite store, caches and reports"),
    )
    resources_dir: Path = field(
        default=REPO_ROOT / "data" / "resources" / "ezhou",
        metadata=_meta("path", "the city data set loaded by `db init` and the road engine"),
    )
    road_network_file: Path | None = field(
        default=None,
        metadata=_meta(
            "path",
            "an .osm, .osm.gz or .graphml file to use instead of the data set's roads.osm.gz",
        ),
    )
    database_url: str | None = field(
        default=None,
        metadata=_meta("url", "SQLAlchemy URL; None means the SQLite file data_dir/command.db"),
    )
    road_speeds_kmh: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_ROAD_SPEEDS_KMH),
        metadata=_meta("km/h", "free-flow speed by OSM highway class (CJJ 37-2012, JTG B01-2014)"),
    )
    fallback_speed_kmh: float = field(
        default=25.0, metadata=_meta("km/h", "speed of a road whose class is not in the table")
    )
    emergency_speed_factor: float = field(
        default=1.2,
        metadata=_meta(
            "ratio",
            "emergency vehicles with lights and siren move faster than free-flow traffic",
        ),
    )
    congestion_factors: Mapping[int, float] = field(
        default_factory=dict,
        metadata=_meta(
            "ratio by hour",
            "optional travel-time multipliers by hour of day (0-23); empty means none",
        ),
    )
    max_snap_distance_m: float = field(
        default=2000.0,
        metadata=_meta("m", "a place farther than this from any road is off the network"),
    )
    fire_standard_s: float = field(
        default=300.0,
        metadata=_meta("s", "fire crews reach the edge of their district in 5 min (建标152-2017)"),
    )
    ems_standard_s: float = field(
        default=720.0,
        metadata=_meta("s", "120 EMS response target 12 min (Shanghai mean 12.4 min, 2019)"),
    )
    solver_time_limit_s: float = field(
        default=2.0, metadata=_meta("s", "an optimiser answer must arrive while it is useful")
    )
    recommend_limit: int = field(
        default=10, metadata=_meta("units", "how many units a recommendation lists")
    )
    language: str = field(
        default="zh", metadata=_meta("zh|en", "interface language; Simplified Chinese by default")
    )
    host: str = field(default="127.0.0.1", metadata=_meta("address", "dashboard bind address"))
    port: int = field(default=8050, metadata=_meta("port", "dashboard port"))
    poll_interval_ms: int = field(
        default=1000,
        metadata=_meta("ms", "screen refresh interval; changes show within 2 s"),
    )
    session_hours: float = field(
        default=12.0,
        metadata=_meta("h", "a log-in lasts one duty shift (12 h, the 两班制 of a command "
                            "centre); then the person logs in again"),
    )
    wall_session_days: float = field(
        default=30.0,
        metadata=_meta("days", "the video wall's kiosk account stays logged in for a month"),
    )
    login_max_failures: int = field(
        default=5,
        metadata=_meta("attempts", "wrong passwords in a row before the account is locked "
                                   "(OWASP: lock or slow down after a few failures)"),
    )
    login_lockout_min: float = field(
        default=15.0,
        metadata=_meta("min", "how long a locked account waits before the next try"),
    )
    overpass_url: str = field(
        default="https://overpass-api.de/api",
        metadata=_meta("url", "Overpass endpoint for `roads fetch` (only that command goes online)"),
    )
    nominatim_url: str = field(
        default="https://nominatim.openstreetmap.org/",
        metadata=_meta("url", "Nominatim endpoint for `roads fetch --place`"),
    )
    dask_scheduler: str | None = field(
        default=None,
        metadata=_meta("address", "Dask scheduler for sweeps; None starts a LocalCluster"),
    )
    mqtt_host: str = field(
        default="127.0.0.1", metadata=_meta("address", "MQTT broker of the sensor ingest"))
    mqtt_port: int = field(default=1883, metadata=_meta("port", "MQTT broker port"))
    mqtt_client_id: str = field(
        default="ezhou-warning-ingest",
        metadata=_meta("id", "fixed client id of the ingest: its persistent session on the "
                       "broker keeps the messages that arrive while it is away"))
    ingest_batch: int = field(
        default=500, metadata=_meta("readings", "readings written per transaction: one "
                                    "commit per batch keeps thousands a second on SQLite"))
    ingest_flush_s: float = field(
        default=0.25, metadata=_meta("s", "a partial batch is written after this long, so "
                                     "a reading waits at most this for the store and alarms"))
    max_future_s: float = field(
        default=60.0, metadata=_meta("s", "a reading timed further ahead of the receiver's "
                                     "clock is refused (a sensor with a wrong clock)"))
    alert_ack_timeout_s: float = field(
        default=300.0, metadata=_meta("s", "an alert nobody acknowledges within this is "
                                      "escalated (to the commander), and again every as long"))
    sensor_registry_file: Path | None = field(
        default=None, metadata=_meta("path", "sensor registry YAML; None means "
                                     "resources_dir/sensors.yaml"))

    def __post_init__(self) -> None:
        problems = []
        for name in ("emergency_speed_factor", "fallback_speed_kmh", "max_snap_distance_m",
                     "fire_standard_s", "ems_standard_s", "solver_time_limit_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                problems.append(f"{name}={value!r}: must be a positive number")
        for cls, speed in self.road_speeds_kmh.items():
            if not (isinstance(speed, (int, float)) and speed > 0):
                problems.append(f"road_speeds_kmh[{cls!r}]={speed!r}: must be a positive number")
        for hour, factor in self.congestion_factors.items():
            if not (isinstance(hour, int) and 0 <= hour <= 23):
                problems.append(f"congestion_factors key {hour!r}: must be an hour 0-23")
            if not (isinstance(factor, (int, float)) and factor > 0):
                problems.append(f"congestion_factors[{hour!r}]={factor!r}: must be positive")
        if self.language not in ("zh", "en"):
            problems.append(f"language={self.language!r}: must be 'zh' or 'en'")
        if not (isinstance(self.recommend_limit, int) and self.recommend_limit > 0):
            problems.append(f"recommend_limit={self.recommend_limit!r}: must be a positive integer")
        for name in ("session_hours", "wall_session_days", "login_lockout_min"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                problems.append(f"{name}={value!r}: must be a positive number")
        if not (isinstance(self.login_max_failures, int) and self.login_max_failures > 0):
            problems.append(f"login_max_failures={self.login_max_failures!r}: "
                            "must be a positive integer")
        for name in ("ingest_flush_s", "max_future_s", "alert_ack_timeout_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                problems.append(f"{name}={value!r}: must be a positive number")
        if not (isinstance(self.ingest_batch, int) and self.ingest_batch > 0):
            problems.append(f"ingest_batch={self.ingest_batch!r}: must be a positive integer")
        if not (isinstance(self.mqtt_port, int) and 0 < self.mqtt_port < 65536):
            problems.append(f"mqtt_port={self.mqtt_port!r}: must be 1-65535")
        if not (isinstance(self.port, int) and 0 < self.port < 65536):
            problems.append(f"port={self.port!r}: must be 1-65535")
        if problems:
            raise SettingsError("invalid settings: " + "; ".join(problems))

    # -- derived values -------------------------------------------------------------
    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL of the store (the SQLite file under data_dir by default)."""
        return self.database_url or f"sqlite:///{Path(self.data_dir) / 'command.db'}"

    @property
    def roads_source(self) -> Path:
        """The road network file in use."""
        return Path(self.road_network_file or Path(self.resources_dir) / "roads.osm.gz")

    @property
    def sensors_file(self) -> Path:
        """The sensor registry of the early warning (``sensors.yaml`` of the data set)."""
        return Path(self.sensor_registry_file or Path(self.resources_dir) / "sensors.yaml")

    @property
    def cache_dir(self) -> Path:
        return Path(self.data_dir) / "cache"

    @property
    def secret_key_file(self) -> Path:
        """Where the dashboard's session-signing secret is kept (made on first use,
        readable by the owner only)."""
        return Path(self.data_dir) / "secret.key"

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; unknown names raise :class:`SettingsError`."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)

    def describe(self) -> list[dict[str, Any]]:
        """Every setting with its value, unit and reason (for ``command-center settings``)."""
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out.append({"name": f.name, "value": value, **f.metadata})
        return out


def _parse(f: dataclasses.Field, raw: str) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if "Mapping" in kind:
            value = json.loads(raw)
            if not isinstance(value, dict):
                raise ValueError("expected a JSON object")
            if f.name == "congestion_factors":
                value = {int(k): float(v) for k, v in value.items()}
            return value
        if "Path" in kind:
            return None if raw == "" and "None" in kind else Path(raw)
        if kind.startswith("float"):
            return float(raw)
        if kind.startswith("int"):
            return int(raw)
        if "None" in kind and raw == "":
            return None
        return raw
    except ValueError as exc:
        raise SettingsError(f"environment CC_{f.name.upper()}={raw!r}: {exc}") from None


def from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from defaults, then ``CC_*`` environment variables, then ``overrides``.

    Raises
    ------
    SettingsError
        For an unknown ``CC_`` variable or a value that does not parse or validate.
    """
    env = os.environ if environ is None else environ
    by_name = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, raw in env.items():
        if not key.startswith("CC_"):
            continue
        name = key[3:].lower()
        if name not in by_name:
            raise SettingsError(f"unknown environment setting {key}={raw!r}")
        values[name] = _parse(by_name[name], raw)
    if "database_url" not in values and env.get("DATABASE_URL"):
        values["database_url"] = env["DATABASE_URL"]
    unknown = sorted(set(overrides) - set(by_name))
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
    values.update(overrides)
    return Settings(**values)


@contextlib.contextmanager
def override(settings: Settings, **changes: Any) -> Iterator[Settings]:
    """Context manager yielding a temporary copy of ``settings`` with ``changes``.

    Settings are immutable, so nothing global changes; the block simply works on the copy.
    """
    yield settings.replace(**changes)
