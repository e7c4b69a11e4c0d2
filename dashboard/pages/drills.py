"""Drills (演练推演) for planners: pick a drill or a scenario, define variants (remove a
station, add units, close a road, move a depot), run the simulator with replications
in the background with a progress bar, compare the variants side by side, export the
report.

A drill never touches live data: the simulator runs on copies of the data set and the
network and writes nothing to the store; every part of the page carries the 演练 banner
and frame. Callbacks only adapt: the runs go through :mod:`command.app.drills`, the
views are in :mod:`dashboard.views.drills`.
"""

from __future__ import annotations

import dash
import flask
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash import ctx as dash_ctx

from command.access import allowed
from command.app.drills import drill_sources, run_drill
from command.i18n import t
from command.model import CAPABILITIES
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.jobs import Job, jobs_of
from dashboard.views import drills as views
from dashboard.views._common import SCALE_JS, error_text

dash.register_page(__name__, path="/drills", name="drills", name_key="nav.drills", order=30)

JOBS_KEY = "PAGES_JOBS_DRILLS"


def source_options(settings, lang: str) -> list[dict]:
    """The rehearsable sources as dropdown options (see
    :func:`command.app.drills.drill_sources`)."""
    opts = []
    for s in drill_sources(settings):
        name = s.name_en if lang == "en" else s.name_zh
        opts.append({"label": t(f"pages.drill.source_{s.kind}", lang, name=name),
                     "value": s.value})
    return opts


# --- layout -------------------------------------------------------------------------------

def _label(key: str, lang: str, control):
    return html.Label([t(key, lang), control])


def layout(lang: str = "zh", variant: str | None = None, **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    ds = ctx.dataset
    name = (lambda x: x.name_en) if lang == "en" else (lambda x: x.name_zh)
    opts = source_options(ctx.settings, lang)
    baseline = [{"name": t("pages.drill.baseline", lang), "changes": []}]
    # a proposal handed over by another page (the siting page's "try in a drill")
    handed, handed_error = None, ""
    if variant:
        try:
            handed = views.variant_from_query(variant, ds, lang)
            baseline = baseline + [handed]
        except ValueError as exc:
            handed_error = str(exc)
    return html.Div(className="pg-grid pg-drills", children=[
        dcc.Store(id="drill-lang", data=lang),
        dcc.Store(id="drill-variants", data=baseline),
        dcc.Store(id="drill-job"),
        dcc.Store(id="drill-result"),
        dcc.Store(id="drill-scale", data=1.0),
        dcc.Interval(id="drill-tick", interval=700, disabled=True),
        dcc.Interval(id="drill-scale-tick", interval=2000),
        dcc.Download(id="drill-download"),
        html.Div(t("pages.drill.banner", lang), className="drill-banner", id="drill-banner"),
        html.Aside(className="side drill-form", children=[
            html.Section(className="card", children=[
                html.H2(t("pages.drill.setup", lang)),
                _label("pages.drill.source", lang, dcc.Dropdown(
                    id="drill-source", options=opts, value=opts[0]["value"], clearable=False,
                    searchable=False)),
                html.Div(className="row3", children=[
                    _label("pages.drill.days", lang, dcc.Input(
                        id="drill-days", type="number", value=1, min=1, max=views.MAX_DAYS, className="num")),
                    _label("pages.drill.replications", lang, dcc.Input(
                        id="drill-reps", type="number", value=5, min=1, max=views.MAX_REPLICATIONS,
                        className="num")),
                    _label("pages.drill.seed", lang, dcc.Input(
                        id="drill-seed", type="number", value=1, min=0, className="num")),
                ]),
            ]),
            html.Section(className="card grow", children=[
                html.H2(t("pages.drill.variants", lang)),
                html.Div(className="row2", children=[
                    dcc.Input(id="drill-vname", type="text", className="num",
                              placeholder=t("pages.drill.variant_name", lang)),
                    html.Button(t("pages.drill.new_variant", lang), id="drill-new",
                                className="btn secondary", n_clicks=0),
                ]),
                _label("pages.drill.change", lang, dcc.Dropdown(
                    id="drill-kind", value="remove_base", clearable=False, searchable=False,
                    options=[{"label": t(f"pages.drill.kind.{k}", lang), "value": k}
                             for k in views.CHANGE_KINDS])),
                html.Div(className="row2", children=[
                    _label("pages.drill.base", lang, dcc.Dropdown(
                        id="drill-base", options=[{"label": name(b), "value": b.base_id}
                                                  for b in ds.bases], searchable=False)),
                    _label("pages.drill.depot", lang, dcc.Dropdown(
                        id="drill-depot", options=[{"label": name(d), "value": d.depot_id}
                                                   for d in ds.depots], searchable=False)),
                ]),
                html.Div(className="row3", children=[
                    _label("pages.drill.capability", lang, dcc.Dropdown(
                        id="drill-cap", value="engine", clearable=False, searchable=False,
                        options=[{"label": t(f"cap.{c}", lang), "value": c}
                                 for c in CAPABILITIES])),
                    _label("pages.drill.count", lang, dcc.Input(
                        id="drill-count", type="number", value=1, min=1, className="num")),
                    _label("pages.drill.road", lang, dcc.Input(
                        id="drill-road", type="text", className="num")),
                ]),
                html.Div(className="row2", children=[
                    _label("screen.lat", lang, dcc.Input(id="drill-lat", type="number",
                                                         step="any", className="num")),
                    _label("screen.lon", lang, dcc.Input(id="drill-lon", type="number",
                                                         step="any", className="num")),
                ]),
                html.Button(t("pages.drill.add_change", lang), id="drill-add",
                            className="btn secondary", n_clicks=0),
                html.Div(handed_error, id="drill-form-error", className="summary error"),
                html.Div(t("pages.drill.handed", lang, name=handed["name"]) if handed else "",
                         id="drill-handed", className="summary"),
                html.Ol(id="drill-variant-list", className="drill-variants",
                        children=variant_items(baseline, ds, lang)),
            ]),
            html.Section(className="card", children=[
                html.Button(t("pages.drill.run", lang), id="drill-run", className="btn drill",
                            n_clicks=0)
                if allowed(current_user().role, "drill.run") else html.Span(),
                html.Div(className="progress", children=[html.Div(id="drill-bar",
                                                                  style={"width": "0%"})]),
                html.Div(t("pages.drill.idle", lang), id="drill-status", className="summary"),
                html.Div(className="btn-row", children=[
                    html.Button(t("pages.drill.export_html", lang), id="drill-html",
                                className="btn secondary", n_clicks=0, disabled=True),
                    html.Button(t("pages.drill.export_csv", lang), id="drill-csv",
                                className="btn secondary", n_clicks=0, disabled=True),
                ]),
            ]),
        ]),
        html.Div(className="drill-main", children=[
            html.Section(className="card", children=[
                html.H2(t("pages.drill.compare", lang)),
                html.Div(id="drill-compare", className="pg-table-wrap"),
                html.H2(t("pages.drill.differences", lang)),
                html.Div(id="drill-differences", className="pg-table-wrap"),
            ]),
            html.Div(className="drill-figs", children=[
                html.Section(className="card", children=[
                    html.H2(t("pages.drill.distribution", lang)),
                    dcc.Graph(id="drill-dist", style={"flex": "1 1 auto", "minHeight": 0},
                              config={"displayModeBar": False}),
                ]),
                html.Section(className="card", children=[
                    html.H2(t("pages.drill.missed_map", lang)),
                    dcc.Graph(id="drill-map", style={"flex": "1 1 auto", "minHeight": 0},
                              config={"displayModeBar": False, "scrollZoom": True}),
                ]),
            ]),
        ]),
    ])


# --- plain functions the callbacks adapt --------------------------------------------

def variant_items(variants: list[dict], dataset, lang: str):
    return [html.Li([html.B(v["name"]), " ", views.variant_summary(v, dataset, lang)])
            for v in variants]


def progress_view(job: Job | None, lang: str):
    """(bar width %, status text, status class, finished?) of a run."""
    if job is None:
        return "0%", t("pages.drill.idle", lang), "summary", True
    if job.state == "running":
        return (f"{job.progress:.0%}", t("pages.drill.running", lang, done=job.progress),
                "summary busy", False)
    if job.state == "error":
        return "0%", error_text(job.error, lang), "summary error", True
    return "100%", None, "summary", True


def compare_table(comparison: dict, lang: str):
    rows = views.comparison_rows(comparison, lang)
    head = html.Tr([html.Th(t("pages.drill.kpi", lang))] +
                   [html.Th(name) for name in comparison["variants"]])
    body = []
    for r in rows:
        cells = [html.Td(f"{r['kpi']}" + (f"（{r['unit']}）" if r["unit"] else ""))]
        for k, c in enumerate(r["cells"]):
            ci = c.get("ci95")
            cells.append(html.Td(className="n best" if k == r["best"] else "n", children=[
                "—" if c["mean"] is None else f"{c['mean']:,.2f}",
                html.Span(f" [{ci[0]:,.2f}, {ci[1]:,.2f}]", className="ci") if ci else None]))
        body.append(html.Tr(cells))
    return html.Table(className="rec pg-table", id="drill-compare-rows",
                      children=[html.Thead(head), html.Tbody(body)])


def difference_table(comparison: dict, lang: str):
    """Paired differences against the baseline (same calls in every variant): each
    variant's difference with its 95% interval, bold where the interval excludes 0."""
    rows = views.difference_rows(comparison, lang)
    if not rows:
        return None
    names = [c["variant"] for c in rows[0]["cells"]]
    head = html.Tr([html.Th(t("pages.drill.kpi", lang))] +
                   [html.Th(t("pages.drill.minus_baseline", lang, name=n)) for n in names])
    body = []
    for r in rows:
        cells = [html.Td(r["kpi"] + (f"（{r['unit']}）" if r["unit"] else ""))]
        for c in r["cells"]:
            ci = c["ci95"]
            cells.append(html.Td(className="n best" if c["significant"] else "n", children=[
                "—" if c["difference"] is None else f"{c['difference']:+,.3f}",
                html.Span(f" [{ci[0]:+,.3f}, {ci[1]:+,.3f}]", className="ci")
                if ci and ci[0] is not None else None]))
        body.append(html.Tr(cells))
    return html.Table(className="rec pg-table", id="drill-diff-rows",
                      children=[html.Thead(head), html.Tbody(body)])


# --- callbacks -------------------------------------------------------------------------

@callback(Output("drill-variants", "data"), Output("drill-form-error", "children"),
          Input("drill-new", "n_clicks"), Input("drill-add", "n_clicks"),
          State("drill-variants", "data"), State("drill-vname", "value"),
          State("drill-kind", "value"), State("drill-base", "value"), State("drill-depot", "value"),
          State("drill-cap", "value"), State("drill-count", "value"), State("drill-road", "value"),
          State("drill-lat", "value"), State("drill-lon", "value"), State("drill-lang", "data"),
          prevent_initial_call=True)
@guard("page.drills")
def _on_edit(_new, _add, variants, vname, kind, base, depot, cap, count, road, lat, lon, lang):
    if dash_ctx.triggered_id == "drill-new":
        return views.add_variant(variants, vname, lang), ""
    try:
        change = views.parse_change(kind, {"base_id": base, "depot_id": depot, "capability": cap,
                                           "count": count, "road": road, "lat": lat, "lon": lon},
                                    context.current().dataset, lang)
    except ValueError as exc:
        return no_update, str(exc)
    if len(variants) < 2:
        variants = views.add_variant(variants, vname, lang)
    return views.add_change(variants, change), ""


@callback(Output("drill-variant-list", "children"), Input("drill-variants", "data"),
          State("drill-lang", "data"), prevent_initial_call=True)
@guard("page.drills")
def _on_variants(variants, lang):
    return variant_items(variants, context.current().dataset, lang)


@callback(Output("drill-job", "data"), Output("drill-tick", "disabled"),
          Output("drill-status", "children", allow_duplicate=True),
          Output("drill-status", "className", allow_duplicate=True),
          Input("drill-run", "n_clicks"),
          State("drill-source", "value"), State("drill-days", "value"), State("drill-reps", "value"),
          State("drill-seed", "value"), State("drill-variants", "data"), State("drill-lang", "data"),
          prevent_initial_call=True)
@guard("drill.run")
def _on_run(_n, source, days, reps, seed, variants, lang):
    try:
        spec = views.run_spec(source, days, reps, seed, variants, lang)
    except ValueError as exc:
        return no_update, True, str(exc), "summary error"
    key = views.spec_key(spec)
    ctx = context.current()
    jobs_of(flask.current_app.config, JOBS_KEY).start(
        key, run_drill, ctx.network, ctx.dataset, ctx.settings, spec, lang=lang,
        with_progress=True)
    return key, False, t("pages.drill.running", lang, done=0.0), "summary busy"


@callback(Output("drill-bar", "style"), Output("drill-status", "children"),
          Output("drill-status", "className"), Output("drill-tick", "disabled", allow_duplicate=True),
          Output("drill-result", "data"),
          Input("drill-tick", "n_intervals"), State("drill-job", "data"), State("drill-lang", "data"),
          prevent_initial_call=True)
@guard("page.drills")
def _on_progress(_n, key, lang):
    job = jobs_of(flask.current_app.config, JOBS_KEY).get(key) if key else None
    width, text, cls, finished = progress_view(job, lang)
    if job is not None and job.state == "done":
        result = job.result["result"]
        text = t("pages.drill.done", lang, variants=len(result.get("variants", [])),
                 replications=result.get("replications", 0),
                 seconds=(job.finished or 0) - job.started)
        return {"width": width}, text, cls, True, {"key": key}
    return {"width": width}, text, cls, finished, no_update


clientside_callback(SCALE_JS, Output("drill-scale", "data"),
                    Input("drill-scale-tick", "n_intervals"), State("drill-scale", "data"))


@callback(Output("drill-compare", "children"), Output("drill-dist", "figure"),
          Output("drill-map", "figure"), Output("drill-html", "disabled"),
          Output("drill-csv", "disabled"), Output("drill-differences", "children"),
          Input("drill-result", "data"), Input("drill-scale", "data"), State("drill-lang", "data"))
@guard("page.drills")
def _on_result(ref, scale, lang):
    ctx = context.current()
    job = jobs_of(flask.current_app.config, JOBS_KEY).get(ref["key"]) if ref else None
    comparison = (views.comparison_of(job.result["result"]) if job and job.state == "done"
                  else {"variants": [], "kpis": [], "response_min": {}, "missed": {},
                        "differences": []})
    lat, lon = ctx.road_lines
    scale = float(scale or 1.0)
    return (compare_table(comparison, lang) if comparison["variants"] else None,
            views.response_figure(comparison, lang, scale=scale),
            views.missed_map(road_lat=lat, road_lon=lon, bbox=ctx.bbox, comparison=comparison,
                             lang=lang, scale=scale),
            not comparison["variants"], not comparison["variants"],
            difference_table(comparison, lang) if comparison["variants"] else None)


@callback(Output("drill-download", "data"), Input("drill-html", "n_clicks"),
          Input("drill-csv", "n_clicks"), State("drill-result", "data"), prevent_initial_call=True)
@guard("page.drills")
def _on_export(_h, _c, ref):
    job = jobs_of(flask.current_app.config, JOBS_KEY).get(ref["key"]) if ref else None
    if job is None or job.state != "done":
        return no_update
    if dash_ctx.triggered_id == "drill-html":
        return export(job.result, "html")
    return export(job.result, "csv")


def export(run: dict, kind: str) -> dict:
    """The download of a finished run: its HTML report or its CSV, named as a drill."""
    if kind == "html":
        return {"content": run["html"], "filename": "drill-report.html", "type": "text/html"}
    return {"content": run["csv"], "filename": "drill-report.csv", "type": "text/csv"}
