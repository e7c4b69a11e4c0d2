"""Report a hazard (隐患上报), sized for a phone: the grid cell (a grid member's own), the
kind, what was found, the place (the cell's centre unless typed) and a photo or PDF;
the answer names the new hazard and any open hazard of the same kind nearby. A grid
member also files the cell's daily report here (patrol done, hazards found, other issues).

Callbacks only adapt: :mod:`command.app.hazards` and :mod:`command.app.grids` check,
store and audit as the logged-in user.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from command.access import allowed
from command.app import grids, hazards
from command.errors import CommandError
from command.hazards.kinds import KINDS
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import hazards as views

dash.register_page(__name__, path="/report", name="report", name_key="nav.report", order=49)


def my_cells(ctx, user) -> list:
    """The community cells ``user`` reports in (:func:`command.app.hazards.reporting_cells`)."""
    return hazards.reporting_cells(ctx.engine, user)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx, user = context.current(), current_user()
    options = views.cell_options(my_cells(ctx, user), lang)
    first = options[0]["value"] if len(options) == 1 else None
    daily = allowed(user.role, "grid.daily_report")
    return html.Div(className="pg-report", children=[
        dcc.Store(id="rp-lang", data=lang),
        html.Section(className="card", children=[
            html.H2(t("report.title", lang)),
            html.Label([t("hazards.field.cell", lang),
                        dcc.Dropdown(id="rp-cell", options=options, value=first)]),
            html.Label([t("hazards.field.kind", lang),
                        dcc.Dropdown(id="rp-kind", options=views.kind_options(KINDS, lang))]),
            html.Label([t("hazards.field.description", lang),
                        dcc.Textarea(id="rp-description", className="hzd-note")]),
            html.Div(className="row2", children=[
                html.Label([t("hazards.field.lat", lang),
                            dcc.Input(id="rp-lat", type="number", className="num")]),
                html.Label([t("hazards.field.lon", lang),
                            dcc.Input(id="rp-lon", type="number", className="num")])]),
            dcc.Upload(id="rp-file", className="upload", max_size=-1,
                       accept="image/jpeg,image/png,image/webp,application/pdf",
                       children=html.Div(t("hazards.choose_file", lang), id="rp-file-label")),
            html.Div(t("hazards.evidence_hint", lang), className="hint"),
            html.Button(t("report.submit", lang), id="rp-submit", className="btn", n_clicks=0),
            html.Div(id="rp-result", className="summary"),
        ]),
        html.Section(className="card", children=[
            html.H2(t("report.daily", lang)),
            html.Label([t("hazards.field.cell", lang),
                        dcc.Dropdown(id="rp-d-cell", options=options, value=first)]),
            dcc.Checklist(id="rp-d-patrol", value=["done"],
                          options=[{"label": t("report.daily.patrol", lang), "value": "done"}]),
            html.Label([t("report.daily.found", lang),
                        dcc.Input(id="rp-d-found", type="number", min=0, step=1, value=0,
                                  className="num")]),
            html.Label([t("report.daily.issues", lang),
                        dcc.Textarea(id="rp-d-issues", className="hzd-note")]),
            html.Button(t("report.daily.submit", lang), id="rp-d-submit", className="btn",
                        n_clicks=0),
            html.Div(id="rp-d-result", className="summary"),
        ]) if daily else None,
    ])


def submit_report(ctx, user, cell, kind, description, lat, lon, upload, lang: str):
    """Report the hazard; (what the page shows, ok)."""
    try:
        up = views.upload_of(*upload) if upload else None
        out = hazards.report_hazard(ctx.engine, ctx.settings, user=user, grid_id=cell,
                                    kind=kind, description=description or "", lat=lat,
                                    lon=lon, evidence=[up] if up else [])
    except CommandError as exc:
        return html.Span(t("dashboard.failed", lang, detail=str(exc)), className="error"), False
    lines = [html.Div(t("report.done", lang, id=out["hazard_id"]), id="rp-done")]
    if out["possible_duplicates"]:
        ids = "、".join(f"{d['hazard_id']} ({d['distance_m']:.0f} m)"
                       for d in out["possible_duplicates"])
        lines.append(html.Div(t("report.duplicates", lang, ids=ids), className="hint"))
    return lines, True


@callback(Output("rp-file-label", "children"), Input("rp-file", "filename"),
          State("rp-lang", "data"), prevent_initial_call=True)
@guard("page.report")
def _on_file(name, lang):
    return t("hazards.file_chosen", lang or "zh", name=name) if name else no_update


@callback(Output("rp-result", "children"), Output("rp-description", "value"),
          Output("rp-file", "contents"), Output("rp-file-label", "children", allow_duplicate=True),
          Input("rp-submit", "n_clicks"),
          State("rp-cell", "value"), State("rp-kind", "value"), State("rp-description", "value"),
          State("rp-lat", "value"), State("rp-lon", "value"), State("rp-file", "contents"),
          State("rp-file", "filename"), State("rp-lang", "data"), prevent_initial_call=True)
@guard("hazard.report")
def _on_report(n, cell, kind, description, lat, lon, contents, filename, lang):
    if not n:
        return no_update, no_update, no_update, no_update
    lang = lang or "zh"
    shown, ok = submit_report(context.current(), current_user(), cell, kind, description,
                              lat, lon, (contents, filename) if contents else None, lang)
    if not ok:
        return shown, no_update, no_update, no_update
    return shown, "", None, t("hazards.choose_file", lang)


@callback(Output("rp-d-result", "children"), Input("rp-d-submit", "n_clicks"),
          State("rp-d-cell", "value"), State("rp-d-patrol", "value"),
          State("rp-d-found", "value"), State("rp-d-issues", "value"), State("rp-lang", "data"),
          prevent_initial_call=True)
@guard("grid.daily_report")
def _on_daily(n, cell, patrol, found, issues, lang):
    if not n:
        return no_update
    lang = lang or "zh"
    try:
        out = grids.file_daily_report(context.current().engine, user=current_user(),
                                      grid_id=cell, patrol_done="done" in (patrol or []),
                                      hazards_found=found if found is not None else -1,
                                      issues=issues or "")
    except CommandError as exc:
        return html.Span(t("dashboard.failed", lang, detail=str(exc)), className="error")
    key = "report.daily.replaced" if out["replaced"] else "report.daily.done"
    return t(key, lang, cell=out["grid_id"], date=out["date"].isoformat())
