"""Enforcement (执法检查): the blacklist of enterprises (list, add with a reason and an
end date, lift with a reason), the inspectors with the enterprises they must not inspect,
and the double-random inspection draw (双随机: N enterprises, M inspectors each, from a
seed) with its pairs, the enterprises it could not staff and why, and the previous draws.

Callbacks only adapt: :mod:`command.app.enforcement` checks, writes and audits as the
logged-in user; the rows come from :mod:`dashboard.views.enforcement`. Who may list,
lift or draw is the role matrix's ``blacklist.manage`` and ``inspection.draw``.
"""

from __future__ import annotations

import secrets

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.access import allowed
from command.app import enforcement as enf
from command.errors import CommandError
from command.i18n import t
from command.risk.enforcement import MAX_SEED
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import enforcement as views

dash.register_page(__name__, path="/enforcement", name="enforcement",
                   name_key="nav.enforcement", order=48)

#: Previous draws listed on the page.
HISTORY_ROWS = 10


def _names(ctx, lang: str) -> dict[str, str]:
    return {e.enterprise_id: (e.name_en if lang == "en" else e.name_zh)
            for e in ctx.dataset.enterprises}


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx, user = context.current(), current_user()
    manage, draw_ok = allowed(user.role, "blacklist.manage"), allowed(user.role, "inspection.draw")
    agencies = {a.agency_id: (a.name_en if lang == "en" else a.name_zh)
                for a in ctx.dataset.agencies}
    blacklist = [html.H2(t("enforcement.blacklist.title", lang)),
                 html.Div(blacklist_table(ctx, lang, manage=manage), id="enf-blacklist",
                          className="pg-table-wrap")]
    if manage:
        blacklist.append(html.Div(className="enf-form", children=[
            html.Label([t("enfpage.enterprise", lang), dcc.Dropdown(
                id="enf-enterprise", options=[{"label": f"{n} ({i})", "value": i}
                                              for i, n in _names(ctx, lang).items()])]),
            html.Label([t("enfpage.reason", lang), dcc.Input(id="enf-reason", className="num")]),
            html.Label([t("enfpage.until", lang), dcc.Input(id="enf-until", className="num",
                                                            placeholder="2027-12-31")]),
            html.Button(t("enfpage.add", lang), id="enf-add", className="btn", n_clicks=0)]))
    blacklist.append(html.Div(id="enf-bl-result", className="summary"))
    draw = [html.H2(t("enfpage.draw", lang))]
    if draw_ok:
        draw.append(html.Div(className="enf-form", children=[
            html.Label([t(f"enfpage.{k}", lang), dcc.Input(id=f"enf-{k}", type="number",
                                                           className="num", value=v, min=m)])
            for k, v, m in (("n", 3, 1), ("m", 2, 1), ("seed", None, 0))] + [
            html.Button(t("enfpage.run", lang), id="enf-run", className="btn", n_clicks=0)]))
    draw += [html.Div(id="enf-draw-result"),
             html.H3(t("enfpage.history", lang)),
             html.Div(history(ctx, lang), id="enf-draws")]
    return html.Div(className="pg-grid pg-enforcement", children=[
        dcc.Store(id="enf-lang", data=lang),
        html.Section(className="card grow", children=blacklist),
        html.Section(className="card grow", children=[
            html.H2(t("enforcement.inspectors.title", lang)),
            html.Div(inspectors_table(enf.list_inspectors(ctx.engine), agencies, lang),
                     className="pg-table-wrap")]),
        html.Section(className="card grow", children=draw),
    ])


def blacklist_table(ctx, lang: str, *, manage: bool):
    """Every blacklist entry, newest first; an entry in force (or pending) has a lift
    reason and button for a role that manages the blacklist."""
    rows = views.blacklist_rows(enf.list_blacklist(ctx.engine), _names(ctx, lang), lang)
    if not rows:
        return html.Div(t("enforcement.blacklist.empty", lang), className="empty")
    keys = ["enfpage.enterprise", "enforcement.blacklist.state", "enfpage.reason",
            "enfpage.listed_at", "enforcement.blacklist.until",
            "enforcement.blacklist.decided_by"] + (["enfpage.lift"] if manage else [])

    def lift(r):
        if not (manage and r["open"]):
            return html.Td("")
        return html.Td([
            dcc.Input(id={"type": "enf-lift-reason", "enterprise": r["enterprise_id"]},
                      className="num", placeholder=t("enfpage.lift_reason", lang)),
            html.Button(t("enfpage.lift", lang), className="act stop", n_clicks=0,
                        id={"type": "enf-lift", "enterprise": r["enterprise_id"]})])

    body = [html.Tr([html.Td(r["enterprise"], className="name", title=r["enterprise_id"]),
                     html.Td(r["state_label"], className=f"state-{r['state']}"),
                     html.Td(r["reason"]), html.Td(r["listed"]), html.Td(r["until"]),
                     html.Td(r["decided_by"])] + ([lift(r)] if manage else []))
            for r in rows]
    return html.Table(className="rec pg-table", id="enf-blacklist-rows", children=[
        html.Thead(html.Tr([html.Th(t(k, lang)) for k in keys])), html.Tbody(body)])


def inspectors_table(inspectors: list[dict], agencies: dict[str, str], lang: str):
    rows = views.inspector_rows(inspectors, agencies, lang)
    if not rows:
        return html.Div(t("enforcement.inspectors.empty", lang), className="empty")
    keys = ("enforcement.inspectors.name", "enforcement.inspectors.agency",
            "enforcement.inspectors.active", "enforcement.inspectors.excluded")
    return html.Table(className="rec pg-table", id="enf-inspector-rows", children=[
        html.Thead(html.Tr([html.Th(t(k, lang)) for k in keys])),
        html.Tbody([html.Tr([html.Td(r["name"], title=r["inspector_id"]),
                             html.Td(r["agency"]), html.Td(r["active"]),
                             html.Td(r["excluded"])]) for r in rows])])


def draw_block(ctx, drawn: dict, lang: str):
    """A draw's pairs and the enterprises it could not staff, with why."""
    v = views.draw_view(drawn, _names(ctx, lang), lang)
    return html.Div(className="enf-draw", children=[
        html.Div(v["title"], className="plan-head"), html.Div(v["summary"], className="hint"),
        html.Table(className="rec pg-table", id="enf-pairs", children=[
            html.Thead(html.Tr([html.Th(t("enforcement.draw.enterprise", lang)),
                                html.Th(t("enforcement.draw.inspectors", lang))])),
            html.Tbody([html.Tr([
                html.Td(r["enterprise"], title=r["enterprise_id"]),
                html.Td(r["inspectors"]) if r["staffed"] else html.Td(
                    f"{t('enforcement.draw.unstaffed', lang)}: {r['why']}", className="error")])
                for r in v["rows"]])])])


def history(ctx, lang: str):
    lines = views.draw_lines(enf.list_draws(ctx.engine, limit=HISTORY_ROWS), lang)
    if not lines:
        return html.Div(t("enfpage.no_draws", lang), className="empty")
    return html.Ul([html.Li(x) for x in lines], id="enf-draw-lines")


def _failed(exc: CommandError, lang: str) -> str:
    return t("dashboard.failed", lang, detail=str(exc))


def add(ctx, actor: str, enterprise, reason, until, lang: str) -> tuple[str, bool]:
    """List ``enterprise`` until ``until`` (a date) for ``reason`` as ``actor``;
    (message, done)."""
    try:
        row = enf.add_to_blacklist(ctx.engine, enterprise or "", reason=reason or "",
                                   until=until or "", actor=actor)
    except CommandError as exc:
        return _failed(exc, lang), False
    return t("enforcement.blacklist.listed", lang, enterprise=row["enterprise_id"],
             until=views.when(row["ends_at"])), True


def lift(ctx, actor: str, enterprise: str, reason, lang: str) -> tuple[str, bool]:
    """Lift the entry of ``enterprise`` in force, for ``reason``; (message, done)."""
    try:
        row = enf.lift_from_blacklist(ctx.engine, enterprise, reason=reason or "", actor=actor)
    except CommandError as exc:
        return _failed(exc, lang), False
    return t("enforcement.blacklist.lifted", lang, enterprise=row["enterprise_id"]), True


def _whole(value):
    """A number field's value as an int when it is a whole number (the form gives 3.0),
    else as it came, for the draw's checks to name."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def draw(ctx, actor: str, n, m, seed, lang: str) -> tuple[object, bool]:
    """Run a draw of ``n`` enterprises with ``m`` inspectors each from ``seed`` (an
    unpredictable one, recorded with the draw, when empty); (what the page shows, done)."""
    seed = secrets.randbelow(MAX_SEED + 1) if seed in (None, "") else _whole(seed)
    try:
        drawn = enf.run_draw(ctx.engine, enterprises=_whole(n), inspectors=_whole(m),
                             seed=seed, actor=actor)
    except CommandError as exc:
        return html.Div(_failed(exc, lang), className="summary error"), False
    return html.Div([html.Div(t("enfpage.drawn", lang, draw_id=drawn["draw_id"]),
                              className="summary", id="enf-drawn"),
                     draw_block(ctx, drawn, lang)]), True


@callback(Output("enf-bl-result", "children"), Output("enf-bl-result", "className"),
          Output("enf-blacklist", "children"),
          Input("enf-add", "n_clicks"), Input({"type": "enf-lift", "enterprise": ALL}, "n_clicks"),
          State("enf-enterprise", "value"), State("enf-reason", "value"),
          State("enf-until", "value"),
          State({"type": "enf-lift-reason", "enterprise": ALL}, "value"),
          State({"type": "enf-lift-reason", "enterprise": ALL}, "id"),
          State("enf-lang", "data"), prevent_initial_call=True)
@guard("blacklist.manage")
def _on_blacklist(_add, _lifts, enterprise, reason, until, lift_reasons, lift_ids, lang):
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return no_update, no_update, no_update
    ctx, actor = context.current(), current_user().name
    if trig == "enf-add":
        msg, done = add(ctx, actor, enterprise, reason, until, lang)
    else:
        why = {i["enterprise"]: v for i, v in zip(lift_ids, lift_reasons)}.get(trig["enterprise"])
        msg, done = lift(ctx, actor, trig["enterprise"], why, lang)
    return (msg, "summary" if done else "summary error",
            blacklist_table(ctx, lang, manage=True))


@callback(Output("enf-draw-result", "children"), Output("enf-draws", "children"),
          Input("enf-run", "n_clicks"), State("enf-n", "value"), State("enf-m", "value"),
          State("enf-seed", "value"), State("enf-lang", "data"), prevent_initial_call=True)
@guard("inspection.draw")
def _on_draw(n_clicks, n, m, seed, lang):
    if not n_clicks:
        return no_update, no_update
    ctx = context.current()
    shown, _done = draw(ctx, current_user().name, n, m, seed, lang)
    return shown, history(ctx, lang)
