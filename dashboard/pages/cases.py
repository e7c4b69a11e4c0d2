"""Accident case library (事故案例库): search the cases by words in Chinese or English,
and read one case: what happened, where and when, its casualties, causes, lessons, the
risk types it is linked to, and its source (public record, or illustrative).

Callbacks only adapt: :mod:`command.app.training` reads and searches, the rows and the
details come from :mod:`dashboard.views.training`.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from command.app import training
from command.errors import CommandError
from command.i18n import t
from command.risk.checklists import load_checklists
from dashboard import context
from dashboard.auth import guard
from dashboard.views import training as views

dash.register_page(__name__, path="/cases", name="cases", name_key="nav.cases", order=46)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    results, count = render(context.current(), lang, "")
    return html.Div(className="pg-grid pg-cases", children=[
        dcc.Store(id="case-lang", data=lang),
        html.Section(className="card grow", children=[
            html.H2(t("case.search", lang)),
            html.Div(className="form-row", children=[
                dcc.Input(id="case-query", type="search", className="num", debounce=True,
                          placeholder=t("case.search.hint", lang)),
            ]),
            html.Div(count, id="case-count", className="summary"),
            html.Div(results, id="case-results", className="pg-table-wrap"),
        ]),
        html.Section(className="card grow", children=[
            html.Div(t("case.pick", lang), id="case-detail", className="hint")]),
    ])


def render(ctx, lang: str, query: str | None):
    """(results table, count line) of the cases matching ``query``."""
    try:
        hits = training.search(ctx.settings.resources_dir, query)
    except CommandError as exc:
        return html.Div(str(exc), className="summary error"), ""
    if not hits:
        return html.Div(t("case.none", lang), className="empty"), t("case.count", lang, n=0)
    rows = views.case_rows(hits, lang)
    head = [t(k, lang) for k in ("case.col.date", "case.col.title", "case.col.type",
                                 "case.col.deaths")]
    body = [html.Tr(id={"type": "case-row", "case": r["case_id"]}, n_clicks=0,
                    className="clickable" + (" illustrative" if r["illustrative"] else ""),
                    children=[html.Td(r["date"]), html.Td(r["title"], className="name"),
                              html.Td(r["kind"]), html.Td(r["deaths"], className="num")])
            for r in rows]
    return (html.Table(className="rec pg-table", id="case-rows", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)]),
        t("case.count", lang, n=len(rows)))


def detail(ctx, lang: str, case_id: str):
    """The detail panel of one case."""
    try:
        case = training.get_case(ctx.settings.resources_dir, case_id)
    except CommandError as exc:
        return html.Div(str(exc), className="summary error")
    v = views.case_view(case, lang, {k: c.name for k, c in load_checklists().items()})
    facts = [(t("case.date", lang), v["date"]), (t("case.place", lang), v["place"]),
             (t("case.kind", lang), v["kind"]), (t("case.casualties", lang), v["casualties"]),
             (t("case.risk_types", lang), t("case.sep", lang).join(v["risk_types"]))]
    if v["industry"]:
        facts.append((t("case.industry", lang), v["industry"]))
    facts.append((t("case.source", lang), v["source"]))
    return html.Div(className="case-detail", children=[
        html.H2(v["title"], id="case-title"),
        *([html.Div(t("case.illustrative", lang), className="case-flag")]
          if v["illustrative"] else []),
        html.Table(className="rec pg-table", children=[html.Tbody([
            html.Tr([html.Th(k), html.Td(x)]) for k, x in facts])]),
        html.H3(t("case.causes", lang)),
        html.Ul([html.Li(c) for c in v["causes"]]),
        html.H3(t("case.lessons", lang)),
        html.Ul([html.Li(x) for x in v["lessons"]], id="case-lessons"),
    ])


@callback(Output("case-results", "children"), Output("case-count", "children"),
          Input("case-query", "value"), State("case-lang", "data"), prevent_initial_call=True)
@guard("page.cases")
def _on_search(query, lang):
    return render(context.current(), lang or "zh", query)


@callback(Output("case-detail", "children"), Output("case-detail", "className"),
          Input({"type": "case-row", "case": dash.ALL}, "n_clicks"),
          State("case-lang", "data"), prevent_initial_call=True)
@guard("page.cases")
def _on_pick(_clicks, lang):
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return no_update, no_update
    return detail(context.current(), lang or "zh", trig["case"]), ""
