"""Shared pieces of the page views: names in the page's language, quantities, the
map's scaling for wall sizes, and the text of a failed background job.

Owns: small pure helpers every view module uses. Must not: call the application layer.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from command.errors import CommandError
from command.i18n import t

__all__ = ["ROUTE_COLORS", "name_of", "unit_of", "qty", "incident_label", "scale_map",
           "SCALE_JS", "error_text", "elapsed_text"]


#: One colour per depot's routes (cycled), distinct from the roads and the risk colours.
ROUTE_COLORS = ("#00e5ff", "#76ff03", "#ff4081", "#ffd740", "#b388ff", "#64ffda",
                "#ff9e80", "#82b1ff")

def name_of(x, lang: str) -> str:
    return x.name_en if lang == "en" else x.name_zh


def unit_of(item, lang: str) -> str:
    return item.unit_en if lang == "en" else item.unit


def elapsed_text(seconds: float) -> str:
    """'mm:ss' under an hour, else 'h:mm:ss' (the browser keeps it ticking)."""
    s = max(0, int(seconds))
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


def qty(q: float) -> str:
    return f"{q:,.0f}" if abs(q - round(q)) < 1e-9 else f"{q:,.1f}"


# --------------------------------------------------------------------- materials page

def incident_label(incident: Mapping, lang: str) -> str:
    """'危化品泄漏 I-…-ab12' from a situation incident dict."""
    return f"{t('incident.' + incident['type'], lang)} {incident['id']}"


def scale_map(fig: go.Figure, scale: float) -> go.Figure:
    """Fonts of a map for a wall ``scale`` times 1080 lines high (plotly sizes are px)."""
    if scale != 1.0:
        fig.update_layout(font={"size": round(16 * scale)},
                          legend={"font": {"size": round(15 * scale)}})
    return fig


SCALE_JS = """function(_n, have) {
    const s = Math.max(1, Math.round(window.innerHeight / 1080 * 4) / 4);
    return s === have ? window.dash_clientside.no_update : s;
}"""


def error_text(exc: BaseException, lang: str) -> str:
    """What a person reads when a background job failed: the core's message and its
    problems (field and value), or a generic line (details go to the log)."""
    if isinstance(exc, CommandError):
        lines = [str(exc).split("\n")[0]] + [str(p) for p in exc.problems][:5]
        return t("pages.job_failed", lang, detail="; ".join(lines))
    return t("pages.job_failed", lang, detail=type(exc).__name__)
