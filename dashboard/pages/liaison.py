"""Agency liaison (部门联动): a liaison officer's board of their own agency (its tasks from
approved plans and from the commander, its units, its messages, mutual aid it asked for
or is asked for, and the shared picture of open incidents); they acknowledge tasks,
report progress and ask other agencies for aid. The command centre sees any agency's
board (or all), gives tasks, cancels them and sends messages.

Callbacks only adapt: :mod:`command.app.liaison` checks scope and steps, writes and
audits as the acting user; the views are in :mod:`dashboard.views.liaison`.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.access import allowed
from command.app import liaison as use
from command.app.screen import change_id
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.blocks import clicked
from dashboard.views import liaison as views

dash.register_page(__name__, path="/liaison", name="liaison", name_key="nav.liaison", order=63)

POLL_MS = 2000
#: Which permission each button kind needs (a role without it gets no button).
OP_PERMISSIONS = {"ack": "liaison.ack", "complete": "liaison.ack", "cancel": "liaison.task"}


def _agency_options(ctx, lang: str, *, every: bool) -> list[dict]:
    names = views.agency_names(ctx.dataset, lang)
    head = [{"label": t("liaison.all", lang), "value": ""}] if every else []
    return head + [{"label": n, "value": a} for a, n in names.items()]


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx, user = context.current(), current_user()
    centre = user.role != "liaison"
    tools = []
    if allowed(user.role, "liaison.ack"):
        tools.append(html.Div(className="form-row li-report", children=[
            html.Label([t("liaison.report.task", lang),
                        dcc.Dropdown(id="li-report-task", searchable=False)]),
            html.Label([t("liaison.report.pct", lang),
                        dcc.Input(id="li-report-pct", type="number", min=0, max=99, step=1,
                                  className="num")]),
            html.Label([t("liaison.report.note", lang),
                        dcc.Input(id="li-report-note", type="text", className="num wide")]),
            html.Button(t("liaison.report", lang), id="li-report", className="btn secondary",
                        n_clicks=0)]))
    if allowed(user.role, "liaison.task"):
        tools.append(html.Div(className="form-row li-issue", children=[
            html.Label([t("liaison.agency", lang), dcc.Dropdown(
                id="li-issue-agency", options=_agency_options(ctx, lang, every=True),
                searchable=False)]),
            html.Label([t("liaison.issue.title", lang),
                        dcc.Input(id="li-issue-text", type="text", className="num wide")]),
            html.Button(t("liaison.issue", lang), id="li-issue", className="btn secondary",
                        n_clicks=0),
            html.Button(t("liaison.send", lang), id="li-send", className="btn secondary",
                        n_clicks=0)]))
    aid_form = html.Div(className="form-row li-aid", children=[
        # an officer asks for their own agency; the centre names the agency it asks for
        html.Label([t("liaison.aid.from", lang), dcc.Dropdown(
            id="li-aid-from", options=_agency_options(ctx, lang, every=False),
            searchable=False)], style=None if centre else {"display": "none"}),
        html.Label([t("liaison.aid.to", lang), dcc.Dropdown(
            id="li-aid-to", options=_agency_options(ctx, lang, every=False), searchable=False)]),
        html.Label([t("liaison.aid.what", lang),
                    dcc.Input(id="li-aid-what", type="text", className="num wide")]),
        html.Button(t("liaison.aid.request", lang), id="li-aid-send", className="btn secondary",
                    n_clicks=0)])
    return html.Div(className="pg-grid pg-liaison", children=[
        dcc.Store(id="li-lang", data=lang),
        dcc.Store(id="li-change", data=None),
        dcc.Interval(id="li-poll", interval=POLL_MS),
        html.Div(className="li-top", children=[
            dcc.Dropdown(id="li-agency", value="" if centre else user.agency_id,
                         clearable=False, searchable=False, disabled=not centre,
                         options=_agency_options(ctx, lang, every=True)),
            html.Div(id="li-message", className="summary"),
        ]),
        html.Section(className="card grow", children=[
            html.Div(id="li-board", children=board(ctx, user, None, lang)),
            *tools]),
        html.Section(className="card li-aid-card", children=[
            html.H2(t("liaison.aid", lang)), aid_form,
            html.Div(id="li-aid-list")]),
    ])


#: The text of each operation (its button, and the message when it is done).
OP_LABELS = {"ack": "liaison.ack", "complete": "liaison.complete", "cancel": "liaison.cancel",
             "report": "liaison.report", "accept": "liaison.aid.accept",
             "decline": "liaison.aid.decline", "depart": "liaison.aid.depart",
             "arrive": "liaison.aid.arrive", "request": "liaison.aid.request",
             "issue": "liaison.issue", "message": "liaison.send"}


def _btn(kind: str, op: str, target, lang: str, role: str):
    label = OP_LABELS[op]
    perm = OP_PERMISSIONS.get(op, "liaison.aid")
    if not allowed(role, perm):
        return None
    return html.Button(t(label, lang), id={"type": kind, "op": op, "target": str(target)},
                       n_clicks=0, className="act")


def board(ctx, user, agency, lang: str):
    """The board of ``agency`` (the officer's own for a liaison officer)."""
    try:
        b = use.board(ctx.engine, user, agency_id=agency or None)
    except CommandError as exc:
        return html.Div(t("dashboard.failed", lang, detail=str(exc)), className="summary error")
    names = views.agency_names(ctx.dataset, lang)
    rows = views.task_rows(b["tasks"], ctx.dataset, lang, role=user.role)
    title = names.get(b["agency"], t("liaison.all", lang)) if b["agency"] else \
        t("liaison.all", lang)
    head = [t(k, lang) for k in ("liaison.col.agency", "liaison.col.task", "liaison.col.state",
                                 "liaison.col.age", "liaison.col.progress")] + [""]
    tasks = (html.Table(className="rec pg-table", id="li-tasks", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])),
        html.Tbody([html.Tr(className=f"li-task {r['state_key']}", children=[
            html.Td(r["agency"]), html.Td([r["title"], html.Div(r["note"], className="hint")
                                           if r["note"] else None]),
            html.Td(r["state"], className="state"), html.Td(r["age"]), html.Td(r["progress"]),
            html.Td([_btn("li-cancel" if op == "cancel" else "li-task", op, r["task_id"], lang,
                          user.role) for op in r["ops"]])])
            for r in rows])]) if rows else html.Div(t("liaison.tasks.none", lang),
                                                     className="empty"))
    msgs = views.message_rows(b["messages"], ctx.dataset, lang)
    incidents = views.incident_lines(b["incidents"], b["now"], lang)
    return [
        html.H2(t("liaison.title", lang, agency=title), id="li-title"),
        html.H3(t("liaison.tasks", lang)), tasks,
        html.Div(className="li-cols", children=[
            html.Div([html.H3(t("liaison.units", lang)),
                      html.Div(views.unit_line(b["units"], lang), className="hint")]),
            html.Div([html.H3(t("liaison.messages", lang)),
                      html.Ul([html.Li(m) for m in msgs[:6]]) if msgs
                      else html.Div(t("liaison.messages.none", lang), className="hint")]),
            html.Div([html.H3(t("liaison.situation", lang)),
                      html.Ul([html.Li(x) for x in incidents[:6]]) if incidents
                      else html.Div(t("liaison.situation.none", lang), className="hint")]),
        ]),
    ]


def aid_list(ctx, user, agency, lang: str):
    try:
        b = use.board(ctx.engine, user, agency_id=agency or None)
    except CommandError:
        return []
    out = []
    for key, aids in (("liaison.aid.out", b["aid_out"]), ("liaison.aid.in", b["aid_in"])):
        rows = views.aid_rows(aids, ctx.dataset, lang, agency=b["agency"], role=user.role)
        if not rows and key == "liaison.aid.in" and not b["agency"]:
            continue
        out += [html.H3(t(key, lang)),
                html.Ul([html.Li([r["line"], *[_btn("li-aidop", op, r["aid_id"], lang, user.role)
                                               for op in r["ops"]]]) for r in rows])
                if rows else html.Div(t("liaison.aid.none", lang), className="hint")]
    return out


def report_options(ctx, user, agency, lang: str) -> list[dict]:
    """The tasks an officer may report on (acknowledged or in progress)."""
    try:
        b = use.board(ctx.engine, user, agency_id=agency or None)
    except CommandError:
        return []
    return [{"label": f"#{r['task_id']} {r['title']}", "value": r["task_id"]}
            for r in views.task_rows(b["tasks"], ctx.dataset, lang, role=user.role)
            if r["state_key"] in ("acknowledged", "in_progress")]


def act(ctx, user, kind: str, op: str, target, *, lang: str, **data) -> str:
    """One button of the board as ``user``: the message to show."""
    try:
        if kind == "task":
            step = {"ack": "acknowledge", "complete": "complete", "cancel": "cancel",
                    "report": "report"}[op]
            use.step_task(ctx.engine, int(target), step, user, note=data.get("note") or "",
                          progress_pct=data.get("pct"))
        elif kind == "aid":
            use.step_aid(ctx.engine, int(target), op, user)
        elif kind == "request":
            use.request_aid(ctx.engine, ctx.dataset, user, to_agency=data.get("to"),
                            what=data.get("what") or "", from_agency=data.get("source"))
        elif kind == "issue":
            use.issue_task(ctx.engine, ctx.dataset, agency_id=target, title=data.get("text")
                           or "", user=user)
        elif kind == "message":
            use.send_message(ctx.engine, ctx.dataset, user, agency_id=target or None,
                             text=data.get("text") or "")
    except (CommandError, ValueError, TypeError, KeyError) as exc:
        return t("dashboard.failed", lang, detail=str(exc))
    return t("dashboard.done", lang, what=f"{t(OP_LABELS[op], lang)} {target or ''}".strip())


@callback(Output("li-change", "data"), Input("li-poll", "n_intervals"),
          State("li-change", "data"))
@guard("page.liaison")
def _poll(_n, have):
    now = change_id(context.current().engine)
    return now if now != have else no_update


@callback(Output("li-board", "children"), Output("li-aid-list", "children"),
          Input("li-change", "data"), Input("li-agency", "value"),
          State("li-lang", "data"))
@guard("page.liaison")
def _render(_change, agency, lang):
    ctx, user = context.current(), current_user()
    if user.role == "liaison":
        agency = user.agency_id
    lang = lang or "zh"
    return board(ctx, user, agency, lang), aid_list(ctx, user, agency, lang)


@callback(Output("li-report-task", "options"), Input("li-change", "data"),
          State("li-lang", "data"))
@guard("liaison.ack")
def _report_options(_change, lang):
    user = current_user()
    return report_options(context.current(), user, user.agency_id, lang or "zh")


@callback(Output("li-message", "children"),
          Input({"type": "li-task", "op": ALL, "target": ALL}, "n_clicks"),
          State("li-lang", "data"), prevent_initial_call=True)
@guard("liaison.ack")
def _on_task(_clicks, lang):
    trig = clicked()
    if not trig:
        return no_update
    return act(context.current(), current_user(), "task", trig["op"], trig["target"],
               lang=lang or "zh")


@callback(Output("li-message", "children", allow_duplicate=True), Input("li-report", "n_clicks"),
          State("li-report-task", "value"), State("li-report-pct", "value"),
          State("li-report-note", "value"), State("li-lang", "data"), prevent_initial_call=True)
@guard("liaison.ack")
def _on_report(n, task_id, pct, note, lang):
    if not n:
        return no_update
    return act(context.current(), current_user(), "task", "report", task_id, lang=lang or "zh",
               pct=pct, note=note)


@callback(Output("li-message", "children", allow_duplicate=True),
          Input({"type": "li-cancel", "op": ALL, "target": ALL}, "n_clicks"),
          State("li-lang", "data"), prevent_initial_call=True)
@guard("liaison.task")
def _on_cancel(_clicks, lang):
    trig = clicked()
    if not trig:
        return no_update
    return act(context.current(), current_user(), "task", "cancel", trig["target"],
               lang=lang or "zh")


@callback(Output("li-message", "children", allow_duplicate=True),
          Input("li-issue", "n_clicks"), Input("li-send", "n_clicks"),
          State("li-issue-agency", "value"), State("li-issue-text", "value"),
          State("li-lang", "data"), prevent_initial_call=True)
@guard("liaison.task")
def _on_issue(_issue, _send, agency, text, lang):
    trig = clicked()
    if not trig:
        return no_update
    kind = "message" if trig == "li-send" else "issue"
    return act(context.current(), current_user(), kind, kind, agency or "", lang=lang or "zh",
               text=text)


@callback(Output("li-message", "children", allow_duplicate=True),
          Input({"type": "li-aidop", "op": ALL, "target": ALL}, "n_clicks"),
          State("li-lang", "data"), prevent_initial_call=True)
@guard("liaison.aid")
def _on_aid_step(_clicks, lang):
    trig = clicked()
    if not trig:
        return no_update
    return act(context.current(), current_user(), "aid", trig["op"], trig["target"],
               lang=lang or "zh")


@callback(Output("li-message", "children", allow_duplicate=True),
          Input("li-aid-send", "n_clicks"), State("li-aid-from", "value"),
          State("li-aid-to", "value"), State("li-aid-what", "value"), State("li-lang", "data"),
          prevent_initial_call=True)
@guard("liaison.aid")
def _on_aid_request(n, source, to, what, lang):
    if not n:
        return no_update
    return act(context.current(), current_user(), "request", "request", to or "",
               lang=lang or "zh", to=to, what=what, source=source)
