"""Periodic rating (定期评级): run the yearly, monthly or weekly re-rating of the risk
register and read its report (what changed and why, overdue self-inspections, points
that could not be graded again), in the page's language, with HTML and CSV downloads.

Callbacks only adapt: :mod:`command.app.rating` runs the rating and writes the report.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from command.access import allowed
from command.app import rating
from command.errors import CommandError
from command.i18n import t
from command.risk.rating import PERIODS
from dashboard import context
from dashboard.auth import current_user, guard

dash.register_page(__name__, path="/rating", name="rating", name_key="nav.rating", order=47)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    may_run = allowed(current_user().role, "risk.rate")
    controls = [
        dcc.Dropdown(id="rating-period", value="month", clearable=False, searchable=False,
                     options=[{"label": t(f"rating.period.{p}", lang), "value": p}
                              for p in PERIODS]),
        html.Button(t("rating.page.run", lang), id="rating-run", className="btn",
                    n_clicks=0) if may_run else html.Span(),
    ]
    return html.Div(className="pg-grid pg-rating", children=[
        dcc.Store(id="rating-lang", data=lang),
        dcc.Store(id="rating-report"),
        dcc.Download(id="rating-download"),
        html.Section(className="card", children=[
            html.H2(t("rating.page.title", lang)),
            html.Div(className="form-row", children=controls),
            html.Div(t("rating.page.hint", lang), id="rating-status", className="summary"),
            html.Div(className="btn-row", children=[
                html.Button(t("pages.drill.export_html", lang), id="rating-html",
                            className="btn secondary", n_clicks=0, disabled=True),
                html.Button(t("pages.drill.export_csv", lang), id="rating-csv",
                            className="btn secondary", n_clicks=0, disabled=True)]),
        ]),
        html.Section(className="card grow", children=[
            html.Iframe(id="rating-frame", className="rating-frame")]),
    ])


def run(ctx, actor: str, period: str, lang: str) -> tuple[dict | None, str]:
    """Run the rating as ``actor``; (report or None, status line)."""
    try:
        report = rating.run_rating(ctx.engine, period, actor=actor)
    except CommandError as exc:
        return None, t("dashboard.failed", lang, detail=str(exc))
    return report, t("rating.page.done", lang, changed=len(report["changes"]),
                     overdue=len(report["overdue"]), reviewed=report["reviewed"])


@callback(Output("rating-report", "data"), Output("rating-status", "children"),
          Output("rating-frame", "srcDoc"), Output("rating-html", "disabled"),
          Output("rating-csv", "disabled"),
          Input("rating-run", "n_clicks"), State("rating-period", "value"),
          State("rating-lang", "data"), prevent_initial_call=True)
@guard("risk.rate")
def _on_run(_n, period, lang):
    report, status = run(context.current(), current_user().name, period, lang)
    if report is None:
        return no_update, status, no_update, True, True
    return report, status, rating.report_html(report, lang), False, False


@callback(Output("rating-download", "data"), Input("rating-html", "n_clicks"),
          Input("rating-csv", "n_clicks"), State("rating-report", "data"),
          State("rating-lang", "data"), prevent_initial_call=True)
@guard("page.rating")
def _on_download(_h, _c, report, lang):
    if not report:
        return no_update
    if dash.ctx.triggered_id == "rating-html":
        return {"content": rating.report_html(report, lang), "filename": "risk-rating.html",
                "type": "text/html"}
    return {"content": rating.report_csv(report), "filename": "risk-rating.csv",
            "type": "text/csv"}
