"""``command-center scenario list|show|zones``: the scenario library from the command line.

``scenario list`` lists the scenarios of the data set (``<resources>/scenarios``);
``scenario show NAME`` prints one validated scenario; ``scenario zones NAME`` computes its
consequences: zones, closed road edges, population inside, agencies to notify, shelters
and evacuation routes, and the incidents' demand. NAME is a scenario's id (its file's
stem) or the path of any scenario YAML file. ``--json`` prints JSON.
"""

from __future__ import annotations

from command.cli import CLI, emit
from command.cli.scenario import SCENARIO_HELP
from command.i18n import t


def _load(args, settings, *, with_network: bool):
    from command.resources import load_dataset
    from command.scenarios.library import find_scenario, scenario_dir
    from command.scenarios.schema import load_scenario

    dataset = load_dataset(settings.resources_dir)
    network = None
    if with_network:
        from command import roads

        network = roads.load_network(settings)
    path = find_scenario(args.name, scenario_dir(settings.resources_dir))
    scenario = load_scenario(path, dataset=dataset, network=network,
                             max_snap_distance_m=settings.max_snap_distance_m)
    return scenario, dataset, network


def _summary(scenario) -> dict:
    return {"id": scenario.id, "name_zh": scenario.name.zh, "name_en": scenario.name.en,
            "illustrative": scenario.illustrative, "sources": list(scenario.sources),
            "hazards": [h.type for h in scenario.hazards],
            "incidents": [f"{i.type}/{i.grade}" for i in scenario.incidents],
            "injects": len(scenario.injects),
            "file": str(scenario.file)}


def _list(args, settings) -> int:
    from command.scenarios.library import list_scenarios, scenario_dir
    from command.scenarios.schema import load_scenario

    rows = [_summary(load_scenario(p)) for p in list_scenarios(scenario_dir(settings.resources_dir))]
    lang = settings.language

    def text(rows):
        return "\n".join(f"{r['id']:<28} {r['name_en'] if lang == 'en' else r['name_zh']}  "
                         f"[{', '.join(t('scenarios.hazard.' + h, lang) for h in r['hazards'])}]"
                         for r in rows)

    emit(rows, as_json=args.json, text=text)
    return 0


def _show(args, settings) -> int:
    scenario, _, _ = _load(args, settings, with_network=False)
    data = {**_summary(scenario), **scenario.model_dump(mode="json")}
    lang = settings.language

    def text(d):
        lines = [f"{t('scenarios.cli.id', lang)}: {d['id']}",
                 f"{t('scenarios.cli.name', lang)}: {d['name'][lang]}",
                 d["description"][lang],
                 f"{t('scenarios.cli.provenance', lang)}: "
                 + ("; ".join(d["sources"]) or "-")
                 + (f" ({t('scenarios.cli.illustrative', lang)})" if d["illustrative"] else ""),
                 f"{t('scenarios.cli.hazards', lang)}:"]
        for h in d["hazards"]:
            rest = {k: v for k, v in h.items() if v not in (None, [], ()) and k != "type"}
            lines.append(f"  - {t('scenarios.hazard.' + h['type'], lang)} {rest}")
        lines.append(f"{t('scenarios.cli.incidents', lang)}:")
        lines += [f"  - {t('incident.' + i['type'], lang)} grade {i['grade']} "
                  f"priority {i['priority']}" for i in d["incidents"]]
        lines.append(f"{t('scenarios.cli.injects', lang)}:")
        lines += [f"  - {t('scenarios.cli.at_min', lang, minutes=j['at_min'])}: "
                  f"{j['text'][lang]}" for j in d["injects"]]
        return "\n".join(lines)

    emit(data, as_json=args.json, text=text)
    return 0


def _zones(args, settings) -> int:
    from command.scenarios.consequences import consequences

    scenario, dataset, network = _load(args, settings, with_network=True)
    lang = settings.language
    result = consequences(scenario, network, dataset, settings=settings)
    data = result.to_dict(lang)
    if not args.edges:  # the edge list is long; --edges keeps it in the output
        data["closed_edges"].pop("edges")
        for c in data["timed_closures"]:
            c["edges"] = len(c["edges"])

    def text(d):
        lines = [f"{d['scenario']}  {d['name_en'] if lang == 'en' else d['name_zh']}",
                 f"{t('scenarios.cli.zones', lang)}:"]
        for f in d["zones"]["features"]:
            p = f["properties"]
            lines.append(f"  [{p['grade_label']}] {p['label']}  "
                         f"{t('scenarios.cli.area_km2', lang)} {p['area_m2'] / 1e6:.2f}")
        lines.append(f"{t('scenarios.cli.closed', lang)}: " + t(
            "scenarios.cli.closed_detail", lang, edges=d["closed_edges"]["count"],
            km=d["closed_edges"]["km"]))
        lines.append(f"{t('scenarios.cli.population', lang)}: {d['population']['inside']:,}")
        lines.append(f"{t('scenarios.cli.agencies', lang)}: " + (", " if lang == "en" else "、").join(
            a["name_en" if lang == "en" else "name_zh"] for a in d["agencies"]))
        lines.append(f"{t('scenarios.cli.shelters', lang)}:")
        lines += ["  - " + t("scenarios.cli.shelter_line", lang,
                             name=s["name_en" if lang == "en" else "name_zh"],
                             capacity=s["capacity_persons"], minutes=s["eta_s"] / 60,
                             km=s["distance_m"] / 1000)
                  for s in d["evacuation"]["shelters"]] or [f"  {t('scenarios.cli.none', lang)}"]
        lines.append(f"{t('scenarios.cli.demand', lang)}:")
        for i in d["incidents"]:
            units = ", ".join(f"{t('cap.' + k, lang)} {v}" for k, v in i["units"].items())
            lines.append(f"  - {t('incident.' + i['type'], lang)} ({i['grade']}) "
                         f"+{i['at_min']:g} min: {units}")
        return "\n".join(lines)

    emit(data, as_json=args.json, text=text)
    return 0


def register(cli: CLI) -> None:
    group = cli.group("scenario", help=SCENARIO_HELP)
    p = group.add_parser("list", help="the scenarios of the data set")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_list)

    s = group.add_parser("show", help="one scenario, validated",
                         description="Print a scenario (NAME: its id, or a path to a YAML "
                                     "file), after checking it against the data set.")
    s.add_argument("name", metavar="NAME", help="scenario id or path to a YAML file")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(handler=_show)

    z = group.add_parser("zones", help="zones, closed roads, population, agencies, shelters",
                         description="The consequences of a scenario: graded zones (GeoJSON), "
                                     "road edges closed, population inside, agencies to notify, "
                                     "shelters outside with evacuation routes, incident demand.")
    z.add_argument("name", metavar="NAME", help="scenario id or path to a YAML file")
    z.add_argument("--edges", action="store_true", help="list the closed edge indices in JSON")
    z.add_argument("--json", action="store_true", help="print JSON")
    z.set_defaults(handler=_zones)
