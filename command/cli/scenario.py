"""``command-center scenario plume|thermal``: the consequence models from the command line.

``scenario plume`` prints the Gaussian-plume concentration at one receptor with the
dispersion coefficients used and the scheme's name. The default scheme is Briggs
open-country ("briggs-rural"), as the issue's command line asks; ``--urban`` selects the
Briggs urban coefficients ("briggs-urban", which the issue's acceptance text calls the
default for a city - pass it for releases among buildings) and ``--sigma isc3`` the
Pasquill-Gifford curves as fitted in EPA's ISC3 ("isc3", open country only).

``scenario thermal --model pool|jet|bleve`` prints the distances to 37.5, 12.5 and
4 kW/m2 from the point-source (pool, jet) or fireball (BLEVE) model.

The ``scenario list``, ``show`` and ``zones`` sub-commands live in another module.
"""

from __future__ import annotations

from dataclasses import replace

from command.cli import CLI, emit
from command.errors import Problem
from command.scenarios._errors import ScenarioError
from command.scenarios.dispersion import plume_point
from command.scenarios.thermal import (
    POOL_FUELS,
    THRESHOLD_MEANINGS,
    THRESHOLDS_KW_M2,
    bleve_distances,
    jet_fire_distances,
    pool_fire_distances,
)

#: Model parameters whose option is not simply the name with dashes.
_FLAGS = {"surface_emissive_power_kw_m2": "--sep-kw-m2"}


def _as_options(fn):
    """The handler ``fn`` with the models' problems named by the options people typed
    (``wind_m_s`` -> ``--wind-m-s``)."""
    def handler(args, settings):
        try:
            return fn(args, settings)
        except ScenarioError as exc:
            known = set(vars(args))
            problems = [replace(p, field=_FLAGS.get(p.field) or (
                "--" + p.field.replace("_", "-") if p.field in known else p.field))
                for p in exc.problems]
            raise ScenarioError(str(exc).split("\n")[0], problems) from None

    return handler


def _scheme(args) -> str:
    if args.sigma == "isc3":
        if args.urban:
            raise ScenarioError("Conflicting dispersion options.", [Problem(
                rule="--urban selects the Briggs urban coefficients, while the ISC3 "
                     "Pasquill-Gifford curves are for open country; drop --urban or use "
                     "--sigma briggs", field="--urban", value=True)])
        return "isc3"
    return "briggs-urban" if args.urban else "briggs-rural"


def _plume(args, settings) -> int:
    p = plume_point(args.x_m, args.y_m, args.z_m, rate_g_s=args.rate_g_s,
                    wind_m_s=args.wind_m_s, stability=args.stability,
                    height_m=args.height_m, scheme=_scheme(args))
    data = {
        "concentration_g_m3": p.concentration_g_m3,
        "concentration_mg_m3": p.concentration_g_m3 * 1000.0,
        "sigma_y_m": p.sigma_y_m,
        "sigma_z_m": p.sigma_z_m,
        "scheme": p.scheme,
        "within_validity": p.within_validity,
        "x_m": p.x_m, "y_m": p.y_m, "z_m": p.z_m,
        "rate_g_s": args.rate_g_s, "wind_m_s": args.wind_m_s,
        "stability": args.stability.strip().upper(), "height_m": args.height_m,
    }

    def text(d):
        lines = [f"concentration_g_m3  {d['concentration_g_m3']:.6g}",
                 f"sigma_y_m           {d['sigma_y_m']:.4g}",
                 f"sigma_z_m           {d['sigma_z_m']:.4g}",
                 f"scheme              {d['scheme']}"]
        if not d["within_validity"]:
            lines.append("note                x outside the 100 m - 10 km range of the Briggs "
                         "fits: extrapolated")
        return "\n".join(lines)

    emit(data, as_json=args.json, text=text)
    return 0


def _need(args, names: list[str], model: str) -> None:
    missing = [n for n in names if getattr(args, n) is None]
    if missing:
        raise ScenarioError(f"The {model} model needs more inputs.", [
            Problem(rule="required for --model " + model, field="--" + n.replace("_", "-"))
            for n in missing])


def _thermal(args, settings) -> int:
    common = dict(transmissivity=args.transmissivity, relative_humidity=args.relative_humidity,
                  temperature_c=args.temperature_c)
    if args.model == "pool":
        if args.fuel:
            fuel = POOL_FUELS[args.fuel]
            args.burning_rate_kg_m2_s = args.burning_rate_kg_m2_s or fuel.burning_rate_kg_m2_s
            args.heat_of_combustion_kj_kg = (args.heat_of_combustion_kj_kg
                                             or fuel.heat_of_combustion_kj_kg)
            args.k_beta_per_m = args.k_beta_per_m or fuel.k_beta_per_m
        _need(args, ["diameter_m", "burning_rate_kg_m2_s", "heat_of_combustion_kj_kg",
                     "radiated_fraction"], "pool")
        res = pool_fire_distances(diameter_m=args.diameter_m,
                                  burning_rate_kg_m2_s=args.burning_rate_kg_m2_s,
                                  heat_of_combustion_kj_kg=args.heat_of_combustion_kj_kg,
                                  radiated_fraction=args.radiated_fraction,
                                  k_beta_per_m=args.k_beta_per_m,
                                  source_height_m=args.source_height_m, **common)
    elif args.model == "jet":
        _need(args, ["release_rate_kg_s", "heat_of_combustion_kj_kg", "radiated_fraction"], "jet")
        res = jet_fire_distances(release_rate_kg_s=args.release_rate_kg_s,
                                 heat_of_combustion_kj_kg=args.heat_of_combustion_kj_kg,
                                 radiated_fraction=args.radiated_fraction,
                                 source_height_m=args.source_height_m, **common)
    else:
        _need(args, ["mass_kg"], "bleve")
        if args.sep_kw_m2 is None:
            _need(args, ["heat_of_combustion_kj_kg", "radiated_fraction"], "bleve")
        res = bleve_distances(mass_kg=args.mass_kg,
                              heat_of_combustion_kj_kg=args.heat_of_combustion_kj_kg,
                              radiated_fraction=args.radiated_fraction,
                              surface_emissive_power_kw_m2=args.sep_kw_m2,
                              centre_height_m=args.centre_height_m, target=args.target, **common)
    data = {
        "model": res.model,
        "distances_m": [{"flux_kw_m2": t, "distance_m": res.distances_m[t],
                         "meaning": THRESHOLD_MEANINGS[t]} for t in THRESHOLDS_KW_M2],
        "details": res.details,
    }

    def text(d):
        lines = [f"model {d['model']}"]
        for row in d["distances_m"]:
            dist = "not reached" if row["distance_m"] is None else f"{row['distance_m']:.1f} m"
            lines.append(f"{row['flux_kw_m2']:>5} kW/m2  {dist:>12}   {row['meaning']}")
        lines += [f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}"
                  for k, v in d["details"].items()]
        return "\n".join(lines)

    emit(data, as_json=args.json, text=text)
    return 0


SCENARIO_HELP = "incident scenarios and their consequences (toxic plume, fire, flood, zones)"


def register(cli: CLI) -> None:
    group = cli.group("scenario", help=SCENARIO_HELP)
    p = group.add_parser(
        "plume", help="Gaussian plume concentration at one receptor",
        description="Concentration of a continuous release at (x, y, z) with ground "
                    "reflection. Default dispersion coefficients: Briggs open country "
                    "(briggs-rural); --urban for Briggs urban; --sigma isc3 for the "
                    "Pasquill-Gifford curves as fitted in EPA ISC3.")
    p.add_argument("--rate-g-s", type=float, required=True, help="release rate, g/s")
    p.add_argument("--wind-m-s", type=float, required=True, help="wind speed, m/s (> 0)")
    p.add_argument("--stability", required=True, help="Pasquill class A-F")
    p.add_argument("--height-m", type=float, default=0.0,
                   help="effective release height H, m (default 0)")
    p.add_argument("--x-m", type=float, required=True, help="downwind distance, m (> 0)")
    p.add_argument("--y-m", type=float, default=0.0, help="crosswind distance, m (default 0)")
    p.add_argument("--z-m", type=float, default=0.0, help="receptor height, m (default 0)")
    p.add_argument("--urban", action="store_true", help="Briggs urban coefficients")
    p.add_argument("--sigma", choices=("briggs", "isc3"), default="briggs",
                   help="coefficient family (default briggs)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_as_options(_plume))

    t = group.add_parser(
        "thermal", help="distances to 37.5 / 12.5 / 4 kW/m2 for a pool, jet or BLEVE fire",
        description="Thermal radiation, point-source model (pool, jet) or CCPS fireball "
                    "(bleve). Distances are along the ground from the fire centre.")
    t.add_argument("--model", choices=("pool", "jet", "bleve"), required=True)
    t.add_argument("--diameter-m", type=float, help="pool diameter, m (pool)")
    t.add_argument("--fuel", choices=sorted(POOL_FUELS),
                   help="fill burning rate, heat of combustion and k*beta from NUREG-1805 (pool)")
    t.add_argument("--burning-rate-kg-m2-s", type=float, help="mass burning rate, kg/m2/s (pool)")
    t.add_argument("--k-beta-per-m", type=float, help="extinction coefficient k*beta, 1/m (pool)")
    t.add_argument("--release-rate-kg-s", type=float, help="burning release rate, kg/s (jet)")
    t.add_argument("--mass-kg", type=float, help="mass in the fireball, kg (bleve)")
    t.add_argument("--heat-of-combustion-kj-kg", type=float, help="heat of combustion, kJ/kg")
    t.add_argument("--radiated-fraction", type=float, help="fraction of heat radiated, 0-1")
    t.add_argument("--sep-kw-m2", type=float,
                   help="fireball surface emissive power, kW/m2 (bleve; instead of the fraction)")
    t.add_argument("--target", choices=("facing", "vertical"), default="facing",
                   help="target orientation for the fireball view factor (default facing)")
    t.add_argument("--centre-height-m", type=float,
                   help="fireball centre height, m (default 0.75 x diameter)")
    t.add_argument("--source-height-m", type=float, default=0.0,
                   help="height of the point source, m (pool, jet; default 0)")
    t.add_argument("--transmissivity", type=float, default=1.0,
                   help="atmospheric transmissivity (default 1)")
    t.add_argument("--relative-humidity", type=float,
                   help="relative humidity 0-1: use the CCPS transmissivity instead")
    t.add_argument("--temperature-c", type=float, default=25.0, help="air temperature, degC")
    t.add_argument("--json", action="store_true", help="print JSON")
    t.set_defaults(handler=_as_options(_thermal))
