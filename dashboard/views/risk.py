"""Views of the risk pages: register rows, the risk map's layers in the four colours,
grade histories and self-inspection proposals as plain data (tested without Dash).

Owns: turning register records and inspections into rows, labels and figures in the
page's language. Must not: call the application layer or write anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from command.clock import beijing
from command.i18n import t
from command.model import RISK_GRADES
from dashboard.figures import GRADE_COLORS, PointLayer, add_outlines, map_figure

__all__ = ["register_rows", "risk_map", "history_rows", "proposal_view", "grade_label"]


def grade_label(grade: str | None, lang: str) -> str:
    return t(f"grade.{grade}", lang) if grade in RISK_GRADES else "—"


def register_rows(points: Sequence, lang: str, districts_en: dict | None = None) -> list[dict]:
    """One row per risk point: id, name, district (in English from ``districts_en``,
    the data set's zh -> en names, on the English page), industry, grade (label and
    colour), method, responsible and when it was last graded (Beijing time)."""
    names = districts_en if lang == "en" and districts_en else {}
    return [{"risk_id": p.risk_id, "name": p.name_en if lang == "en" else p.name_zh,
             "district": names.get(p.district, p.district), "industry": p.industry,
             "grade": p.grade, "grade_label": grade_label(p.grade, lang),
             "method": t(f"risk.short.{p.method}", lang),
             "method_long": t(f"risk.method.{p.method}", lang), "responsible": p.responsible,
             "updated": beijing(p.updated_at).strftime("%Y-%m-%d %H:%M")} for p in points]


def risk_map(points: Sequence, *, road_lat, road_lon, bbox, lang: str,
             outlines: Sequence[dict] = ()):
    """The register on the road map: the district outlines, then one layer per grade in
    its colour, most severe drawn last (on top)."""
    layers = []
    for grade in reversed(RISK_GRADES):
        chosen = [p for p in points if p.grade == grade]
        layers.append(PointLayer(
            f"grade.{grade}", [p.lat for p in chosen], [p.lon for p in chosen],
            [f"{p.name_en if lang == 'en' else p.name_zh} · {grade_label(grade, lang)}"
             for p in chosen], GRADE_COLORS[grade], "circle", 14))
    fig = map_figure(road_lat=road_lat, road_lon=road_lon, bbox=bbox, layers=layers, lang=lang)
    return add_outlines(fig, outlines, lang)


def history_rows(changes: Sequence, lang: str) -> list[dict]:
    """A risk point's grade changes, newest first: when, who, from, to, method, why."""
    return [{"at": beijing(c.at).strftime("%Y-%m-%d %H:%M"), "actor": c.actor,
             "from": grade_label(c.grade_from, lang), "to": grade_label(c.grade_to, lang),
             "to_grade": c.grade_to, "method": t(f"risk.method.{c.method}", lang),
             "reason": c.reason} for c in reversed(changes)]


def proposal_view(proposal: dict, lang: str) -> dict:
    """A scored self-inspection as the page shows it: the grade, the working (L, S, R and
    the failed share) and the measures of the failed items, most severe first."""
    return {"grade": proposal["colour"], "grade_label": grade_label(proposal["colour"], lang),
            "working": t("risk.working", lang, L=proposal["L"], S=proposal["S"],
                         R=proposal["R"], share=proposal["failed_share"],
                         failed=len(proposal["failed"])),
            "measures": [{"item": m["text_en" if lang == "en" else "text_zh"],
                          "measure": m["measure_en" if lang == "en" else "measure_zh"],
                          "basis": m["basis"], "severity": m["severity"]}
                         for m in proposal.get("measures", [])]}
