"""``command-center risk grade``: grade one risk by LS, LEC or GB 18218-2018.

``--method gb18218 --substances 'ammonia=50,7782-50-5=10' --people N`` prints S, R, α,
whether the unit is a major hazard installation and its grade (一级..四级, none when
S < 1); ``--method lec --l L --e E --c C`` prints D, its band and colour; ``--method ls
--l L --s S [--bands prd|shandong]`` prints R and its colour. ``--json`` prints the whole
:class:`command.risk.RiskGrade` (method, standard, inputs, working, labels). Bad input
exits 2 with the field and value named. See docs/risk.md.
"""

from __future__ import annotations

from command.cli import CLI, emit
from command.errors import DataError, Problem
from command.i18n import t

RISK_HELP = "risk assessment: grading, register, rating, inspections"

# Which options each method takes (attribute name -> option as typed).
_OPTIONS = {"substances": "--substances", "people": "--people", "l": "--l", "e": "--e",
            "c": "--c", "s": "--s", "bands": "--bands"}
_NEEDS = {"gb18218": ("substances", "people"), "lec": ("l", "e", "c"), "ls": ("l", "s")}
_ALLOWS = {"gb18218": (), "lec": (), "ls": ("bands",)}


def _check_options(args) -> None:
    problems = []
    for name in _NEEDS[args.method]:
        if getattr(args, name) is None:
            problems.append(Problem(f"required with --method {args.method}",
                                    field=_OPTIONS[name]))
    for name, option in _OPTIONS.items():
        wanted = _NEEDS[args.method] + _ALLOWS[args.method]
        if name not in wanted and getattr(args, name) is not None:
            problems.append(Problem(f"does not apply to --method {args.method}", field=option,
                                    value=getattr(args, name)))
    if problems:
        raise DataError("the options do not fit the method", problems)


def _grade(args, settings) -> int:
    from command import risk

    _check_options(args)
    if args.method == "gb18218":
        result = risk.gb18218_grade(risk.parse_holdings(args.substances), people=args.people)
    elif args.method == "lec":
        result = risk.lec_grade(args.l, args.e, args.c)
    else:
        bands = risk.LS_BAND_SETS[args.bands or risk.PRD_BANDS.name]
        result = risk.ls_grade(args.l, args.s, bands=bands)
    lang = settings.language
    emit(result.to_dict(), as_json=args.json, text=lambda d: _text(d, lang))
    return 0


def _text(d: dict, lang: str) -> str:
    lines = [f"{t('risk.cli.method', lang)}: {d[f'method_{lang}']}"]
    if d["method"] == "gb18218":
        for s in d["substances"]:
            name = s["name_en"] if lang == "en" else s["name_zh"]
            lines.append("  " + t("risk.cli.substance_line", lang, name=name, q=s["quantity_t"],
                                  Q=s["critical_quantity_t"], ratio=s["q_over_Q"],
                                  beta=s["beta"]))
        lines += [f"S = {d['S']:g}", f"α = {d['alpha']:g}", f"R = {d['R']:g}",
                  t("risk.gb18218.major" if d["major"] else "risk.gb18218.not_major", lang),
                  f"{t('risk.cli.grade', lang)}: "
                  + (d[f"grade_{lang}"] if d["grade"] else t("risk.cli.no_grade", lang))]
    elif d["method"] == "lec":
        lines += [f"D = {d['D']:g}", f"{t('risk.cli.band', lang)}: {d[f'band_{lang}']}",
                  f"{t('risk.cli.colour', lang)}: {d[f'colour_{lang}']}"]
    else:
        lines += [f"R = {d['R']}", f"{t('risk.cli.colour', lang)}: {d[f'colour_{lang}']}"]
    lines.append(f"{t('risk.cli.standard', lang)}: {d['standard']}")
    return "\n".join(lines)


def register(cli: CLI) -> None:
    group = cli.group("risk", help=RISK_HELP)
    p = group.add_parser(
        "grade", help="grade one risk by LS, LEC or GB 18218-2018",
        description="Grade one risk. gb18218: --substances 'name=t,...' --people N (residents "
        "within 500 m); lec: --l --e --c (published scale values only); ls: --l --s (1-5), "
        "--bands prd|shandong. Every result names its method, inputs and standard.")
    p.add_argument("--method", required=True, choices=sorted(_NEEDS), help="grading method")
    p.add_argument("--substances", metavar="NAME=T,...",
                   help="gb18218: substances (Chinese or English name, CAS number, Table 1 "
                   "row T1-n, or hazard class such as W5.4) with design maximum quantity, t")
    p.add_argument("--people", metavar="N", help="gb18218: residents within 500 m of the site")
    p.add_argument("--l", metavar="L", help="lec, ls: likelihood")
    p.add_argument("--e", metavar="E", help="lec: exposure")
    p.add_argument("--c", metavar="C", help="lec: consequence")
    p.add_argument("--s", metavar="S", help="ls: severity 1-5")
    p.add_argument("--bands", choices=["prd", "shandong"],
                   help="ls: colour bands (default prd: 20-25 red, 15-19 orange, 9-14 yellow, "
                   "1-8 blue)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_grade)
