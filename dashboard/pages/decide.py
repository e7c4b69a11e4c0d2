"""Decision sessions (会商决策), the chair's page: create a session (question, method,
options typed in or taken from the system, criteria, participants with their parts and
weights), open it, follow who has joined and voted live, start Delphi rounds, close and
count it, read the result with its diagnostics, and send a decided plan for approval.

Callbacks only adapt: :mod:`command.app.decision` checks, writes and audits as the acting
user; the views are in :mod:`dashboard.views.decision`.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from command.app import decision as use
from command.app.scenarios import scenario_ids
from command.decision.session import METHODS
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.blocks import clicked, decision_result
from dashboard.views import decision as views

dash.register_page(__name__, path="/decide", name="decide", name_key="nav.decide", order=60)

#: How often the chair's panel follows the session (ms).
POLL_MS = 2000


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    sessions = use.list_sessions(ctx.engine)
    first = sessions[0].session_id if sessions else None
    return html.Div(className="pg-grid pg-decide", children=[
        dcc.Store(id="decide-lang", data=lang),
        dcc.Store(id="decide-system", data=[]),
        dcc.Interval(id="decide-poll", interval=POLL_MS),
        html.Section(className="card decide-new", children=[
            html.H2(t("decide.new", lang)),
            html.Label([t("decide.question", lang),
                        dcc.Input(id="decide-question", type="text", className="num wide")]),
            html.Label([t("decide.method", lang), dcc.Dropdown(
                id="decide-method", value="borda", clearable=False, searchable=False,
                options=[{"label": t(f"decision.method.{m}", lang), "value": m}
                         for m in METHODS])]),
            html.Label([t("decide.options", lang),
                        dcc.Textarea(id="decide-options", className="text-box")]),
            html.Div(className="form-row", children=[
                dcc.Dropdown(id="decide-source", clearable=False, searchable=False,
                             placeholder=t("decide.from_system", lang),
                             options=[{"label": t(f"decision.source.{k}", lang), "value": k}
                                      for k in use.OPTION_SOURCES]),
                dcc.Dropdown(id="decide-scenario", searchable=False,
                             placeholder=t("decide.scenario", lang),
                             options=[{"label": s, "value": s}
                                      for s in scenario_ids(ctx.settings)]),
                html.Button(t("decide.add", lang), id="decide-add", className="btn secondary",
                            n_clicks=0)]),
            html.Div(id="decide-system-list", className="hint"),
            html.Label([t("decide.criteria", lang),
                        dcc.Textarea(id="decide-criteria", className="text-box small")]),
            html.Label([t("decide.participants", lang),
                        dcc.Textarea(id="decide-participants", className="text-box small")]),
            html.Button(t("decide.create", lang), id="decide-create", className="btn",
                        n_clicks=0),
            html.Div(id="decide-created", className="summary"),
        ]),
        html.Section(className="card grow decide-run", children=[
            html.Div(className="form-row", children=[
                dcc.Dropdown(id="decide-pick", value=first, clearable=False, searchable=False,
                             placeholder=t("decide.none", lang),
                             options=session_options(sessions, lang)),
            ]),
            html.Div(className="btn-row decide-buttons", children=[
                html.Button(t(f"decide.{op}", lang), id=f"decide-{op}", n_clicks=0,
                            className="btn" if op != "next_round" else "btn secondary")
                for op in ("open", "next_round", "close", "send")]),
            html.Div(id="decide-message", className="summary"),
            html.Div(panel(ctx, first, lang), id="decide-panel", className="decide-panel"),
        ]),
    ])


def session_options(sessions, lang: str) -> list[dict]:
    return [{"label": views.session_line(s, lang), "value": s.session_id} for s in sessions]


def panel(ctx, session_id, lang: str):
    """The chair's panel of ``session_id``: code, state, progress table, result."""
    if session_id is None:
        return html.Div(t("decide.none", lang), className="empty")
    try:
        p = use.progress(ctx.engine, int(session_id))
    except (CommandError, ValueError) as exc:
        return html.Div(t("dashboard.failed", lang, detail=str(exc)), className="summary error")
    v = views.progress_view(p, lang)
    head = [t(k, lang) for k in ("decide.col.user", "decide.col.part", "decide.col.weight",
                                 "decide.col.joined", "decide.col.voted")]
    return html.Div([
        html.Div(className="decide-head", children=[
            html.Span(v["question"], className="question"),
            html.Span([t("decide.code", lang), " ", html.B(v["code"], id="decide-code")],
                      className="code"),
            html.Span(f"{v['method']} · {v['state']} {v['round']}", id="decide-state")]),
        html.Div(v["counts"], id="decide-counts", className="summary"),
        html.Table(className="rec pg-table", children=[
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody([html.Tr([html.Td(r[k]) for k in ("user", "part", "weight", "joined",
                                                          "voted")]) for r in v["rows"]])]),
        decision_result(views.result_view(p["session"], lang), lang),
    ])


def add_system(ctx, source, scenario, have: list, lang: str) -> tuple[list, str]:
    """Options from the system added to ``have``: (the new list, its line)."""
    try:
        new = use.system_options(ctx.engine, ctx.dataset, kind=source, lang=lang,
                                 network=ctx.network, settings=ctx.settings, scenario=scenario)
    except CommandError as exc:
        return have, t("dashboard.failed", lang, detail=str(exc))
    labels = {o["label"] for o in have}
    out = list(have) + [o for o in new if o["label"] not in labels]
    return out, t("decide.added", lang, n=len(out)) + "：" + "；".join(o["label"] for o in out)


def create(ctx, user, *, question, method, options_text, system, criteria_text,
           participants_text, lang: str) -> tuple[str, int | None]:
    """Create a session as ``user``: (the message, the new session id or None)."""
    try:
        options = views.parse_lines(options_text) + list(system or [])
        rec = use.create_session(ctx.engine, question=question or "", method=method,
                                 options=options,
                                 criteria=views.parse_lines(criteria_text),
                                 participants=views.parse_participants(participants_text, lang),
                                 chair=user.name)
    except CommandError as exc:
        return t("dashboard.failed", lang, detail=str(exc)), None
    return t("decide.created", lang, id=rec.session_id, code=rec.code), rec.session_id


def step(ctx, user, session_id, op: str, lang: str) -> str:
    """Open, next round, close or send the plan of ``session_id`` as ``user``."""
    if session_id is None:
        return t("dashboard.failed", lang, detail=t("decide.none", lang))
    try:
        sid = int(session_id)
        if op == "open":
            use.open_session(ctx.engine, sid, user.name)
        elif op == "next_round":
            use.next_round(ctx.engine, sid, user.name)
        elif op == "close":
            use.close_session(ctx.engine, sid, user.name)
        elif op == "send":
            return t("decide.sent", lang, plan_id=use.send_for_approval(ctx.engine, sid,
                                                                         user.name))
        else:
            return ""
    except (CommandError, ValueError) as exc:
        return t("dashboard.failed", lang, detail=str(exc))
    return t("decide.done", lang, what=t(f"decide.{op}", lang))


@callback(Output("decide-system", "data"), Output("decide-system-list", "children"),
          Input("decide-add", "n_clicks"), State("decide-source", "value"),
          State("decide-scenario", "value"), State("decide-system", "data"),
          State("decide-lang", "data"), prevent_initial_call=True)
@guard("decision.chair")
def _on_add(n, source, scenario, have, lang):
    if not n or not source:
        return no_update, no_update
    return add_system(context.current(), source, scenario, have or [], lang or "zh")


@callback(Output("decide-created", "children"), Output("decide-pick", "options"),
          Output("decide-pick", "value"), Output("decide-system", "data", allow_duplicate=True),
          Input("decide-create", "n_clicks"), State("decide-question", "value"),
          State("decide-method", "value"), State("decide-options", "value"),
          State("decide-system", "data"), State("decide-criteria", "value"),
          State("decide-participants", "value"), State("decide-lang", "data"),
          prevent_initial_call=True)
@guard("decision.chair")
def _on_create(n, question, method, options, system, criteria, participants, lang):
    if not n:
        return (no_update,) * 4
    lang = lang or "zh"
    ctx = context.current()
    msg, sid = create(ctx, current_user(), question=question, method=method,
                      options_text=options, system=system, criteria_text=criteria,
                      participants_text=participants, lang=lang)
    if sid is None:
        return msg, no_update, no_update, no_update
    return msg, session_options(use.list_sessions(ctx.engine), lang), sid, []


@callback(Output("decide-message", "children"),
          Input("decide-open", "n_clicks"), Input("decide-next_round", "n_clicks"),
          Input("decide-close", "n_clicks"), Input("decide-send", "n_clicks"),
          State("decide-pick", "value"), State("decide-lang", "data"),
          prevent_initial_call=True)
@guard("decision.chair")
def _on_step(_o, _n, _c, _s, session_id, lang):
    trig = clicked()
    if not trig:
        return no_update
    return step(context.current(), current_user(), session_id,
                str(trig).removeprefix("decide-"), lang or "zh")


@callback(Output("decide-panel", "children"), Input("decide-poll", "n_intervals"),
          Input("decide-pick", "value"), Input("decide-message", "children"),
          State("decide-lang", "data"))
@guard("page.decide")
def _on_poll(_n, session_id, _msg, lang):
    return panel(context.current(), session_id, lang or "zh")
