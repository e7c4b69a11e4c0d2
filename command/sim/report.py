"""Reports of an experiment: a self-contained HTML page with Plotly charts, and a CSV.

The HTML holds the KPI table with 95% intervals, paired differences against the
baseline, response-time distributions, confidence bars, utilisation by capability,
coverage over the day, and a map of where the standards are missed. Plotly's script is
inlined once, so the file opens without a network. Texts come from the ``sim.report.*``
keys of the translation table.
"""

from __future__ import annotations

import html
import io
import math

import pandas as pd

from command.i18n import t
from command.sim.experiment import ExperimentResult
from command.sim.kpis import KPI_NAMES

__all__ = ["report_html", "report_csv", "kpi_table"]

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


def kpi_table(result: ExperimentResult) -> pd.DataFrame:
    """One row per variant and KPI: ``variant, kpi, mean, low, high, n``."""
    rows = [{"variant": v.name, "kpi": k, "mean": e.mean, "low": e.low, "high": e.high,
             "n": e.n} for v in result.variants for k, e in v.kpis.items()]
    return pd.DataFrame(rows, columns=["variant", "kpi", "mean", "low", "high", "n"])


def report_csv(result: ExperimentResult) -> str:
    """Sections stacked in one CSV, told apart by the ``section`` column: ``kpi`` (mean
    and 95% interval per variant), ``difference`` (paired, against the baseline),
    ``district`` and ``type`` (pooled), ``utilisation`` (per capability)."""
    parts = [kpi_table(result).assign(section="kpi")]
    if len(result.comparisons):
        parts.append(result.comparisons.rename(columns={"difference": "mean"})
                     .assign(section="difference"))
    for v in result.variants:
        parts.append(v.by_district.assign(section="district", variant=v.name))
        parts.append(v.by_type.assign(section="type", variant=v.name))
        parts.append(pd.DataFrame([{"section": "utilisation", "variant": v.name,
                                    "capability": c, "mean": u}
                                   for c, u in v.utilisation_by_capability.items()]))
    frame = pd.concat(parts, ignore_index=True)
    first = ["section", "variant"]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    buf = io.StringIO()
    frame.to_csv(buf, index=False, float_format="%.6g")
    return buf.getvalue()


def _fmt(x: float, digits: int = 3) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}g}"


def _figures(result: ExperimentResult, lang: str) -> list:
    import plotly.graph_objects as go

    figs = []
    box = go.Figure()
    for i, v in enumerate(result.variants):
        box.add_trace(go.Box(x=v.response_min, name=v.name, orientation="h", boxpoints=False,
                             marker={"color": _COLORS[i % len(_COLORS)]}))
    for name, s in result.standards_s.items():
        box.add_vline(x=s / 60.0, line={"dash": "dash", "color": "#ff7f0e"},
                      annotation_text=t(f"sim.report.standard_{name}", lang))
    box.update_layout(title=t("sim.report.distribution", lang),
                      xaxis_title=t("sim.report.minutes", lang), showlegend=False)
    figs.append(box)
    bars = go.Figure()
    for k in ("share_within_standard", "waiting_calls", "utilisation", "coverage_fire",
              "coverage_ems"):
        means = [v.kpis[k].mean for v in result.variants]
        bars.add_trace(go.Bar(
            name=t(f"sim.kpi.{k}", lang), x=[v.name for v in result.variants], y=means,
            error_y={"type": "data", "symmetric": False,
                     "array": [max(0.0, (v.kpis[k].high - v.kpis[k].mean)) if
                               math.isfinite(v.kpis[k].high) else 0 for v in result.variants],
                     "arrayminus": [max(0.0, v.kpis[k].mean - v.kpis[k].low) if
                                    math.isfinite(v.kpis[k].low) else 0
                                    for v in result.variants]}))
    bars.update_layout(title=t("sim.report.confidence", lang), barmode="group",
                       yaxis={"range": [0, 1.05]})
    figs.append(bars)
    util = go.Figure()
    for i, v in enumerate(result.variants):
        caps = sorted(v.utilisation_by_capability)
        util.add_trace(go.Bar(name=v.name, x=caps, y=[v.utilisation_by_capability[c]
                                                      for c in caps],
                              marker={"color": _COLORS[i % len(_COLORS)]}))
    util.update_layout(title=t("sim.report.utilisation", lang), barmode="group")
    figs.append(util)
    cover = go.Figure()
    for i, v in enumerate(result.variants):
        for col, dash in (("fire_cover", "solid"), ("ems_cover", "dot")):
            cover.add_trace(go.Scatter(x=v.coverage["hour"], y=v.coverage[col], mode="lines",
                                       name=f"{v.name} · {t('sim.report.' + col, lang)}",
                                       line={"dash": dash, "color": _COLORS[i % len(_COLORS)]}))
    cover.update_layout(title=t("sim.report.coverage", lang),
                        xaxis_title=t("sim.report.hour", lang), yaxis={"range": [0, 1.05]})
    figs.append(cover)
    missed = go.Figure()
    biggest = max([int(v.missed["count"].max()) for v in result.variants if len(v.missed)]
                  or [1])
    for i, v in enumerate(result.variants):
        missed.add_trace(go.Scatter(
            x=v.missed["lon"], y=v.missed["lat"], mode="markers", name=v.name,
            text=[f"{v.name}: {int(c)}" for c in v.missed["count"]],
            marker={"size": list(v.missed["count"]), "sizemode": "area",
                    "sizeref": 2.0 * biggest / 30.0 ** 2, "sizemin": 3, "opacity": 0.6,
                    "color": _COLORS[i % len(_COLORS)]}))
    missed.update_layout(title=t("sim.report.missed", lang), xaxis_title="lon",
                         yaxis_title="lat", yaxis={"scaleanchor": "x"})
    figs.append(missed)
    return figs


def report_html(result: ExperimentResult, *, lang: str = "zh") -> str:
    """A self-contained HTML report of ``result`` in ``lang`` (``zh`` or ``en``)."""
    import plotly.io as pio

    e = html.escape
    head = [t("sim.report.variant", lang)] + [t(f"sim.kpi.{k}", lang) for k in KPI_NAMES]
    rows = []
    for v in result.variants:
        cells = [e(v.name)] + [f"{_fmt(x.mean)}<br><small>[{_fmt(x.low)}, {_fmt(x.high)}]"
                               "</small>" for x in v.kpis.values()]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    diff_rows = [
        f"<tr><td>{e(r.variant)} − {e(r.baseline)}</td><td>{e(t('sim.kpi.' + r.kpi, lang))}</td>"
        f"<td>{_fmt(r.difference)}</td><td>[{_fmt(r.low)}, {_fmt(r.high)}]</td></tr>"
        for r in result.comparisons.itertuples()]
    charts = [pio.to_html(f, full_html=False, include_plotlyjs=(i == 0))
              for i, f in enumerate(_figures(result, lang))]
    title = t("sim.report.title", lang)
    meta = t("sim.report.meta", lang, days=f"{result.days:g}", reps=result.replications,
             seed=result.seed, policy=result.policy, source=result.source)
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<title>{e(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;
text-align:right}}th{{background:#eee}}</style></head><body>
<h1>{e(title)}</h1><p>{e(meta)}</p>
<h2>{e(t('sim.report.kpis', lang))}</h2>
<table><tr>{''.join(f'<th>{e(h)}</th>' for h in head)}</tr>{''.join(rows)}</table>
<h2>{e(t('sim.report.differences', lang))}</h2>
<table><tr><th>{e(t('sim.report.variant', lang))}</th><th>KPI</th>
<th>{e(t('sim.report.difference', lang))}</th><th>95%</th></tr>{''.join(diff_rows)}</table>
{''.join(charts)}
</body></html>"""
