"""The decision screen (会商大屏) for the video wall: the session under way (its question,
the code to join with, how many have joined and voted, live) and, once it closes, the
result with its diagnostics. It shows the newest open session, else the newest closed
one; ``?session=N`` pins one.

Callbacks only adapt: :mod:`command.app.decision` reads; the views are in
:mod:`dashboard.views.decision`.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from command.app import decision as use
from command.app.screen import change_id
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import guard
from dashboard.blocks import decision_result
from dashboard.views import decision as views

dash.register_page(__name__, path="/decision-screen", name="decision_screen",
                   name_key="nav.decision_screen", order=62)

POLL_MS = 1500


def layout(lang: str = "zh", session: str | None = None, **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    pinned = int(session) if session and session.isdigit() else None
    return html.Div(className="pg-decision-wall", children=[
        dcc.Store(id="dwall-lang", data=lang),
        dcc.Store(id="dwall-pinned", data=pinned),
        dcc.Store(id="dwall-change", data=None),
        dcc.Interval(id="dwall-poll", interval=POLL_MS),
        html.Div(wall(ctx, pinned, lang), id="dwall-body", className="dwall-body"),
    ])


def shown_session(ctx, pinned: int | None):
    """The session the wall shows: ``pinned``, else the newest open, else the newest."""
    if pinned is not None:
        try:
            return use.get_session(ctx.engine, pinned)
        except CommandError:
            return None
    sessions = use.list_sessions(ctx.engine, limit=20)
    return next((s for s in sessions if s.state == "open"), sessions[0] if sessions else None)


def wall(ctx, pinned, lang: str):
    """What the wall shows now."""
    s = shown_session(ctx, pinned)
    if s is None:
        return html.Div(t("wall.none", lang), className="dwall-none")
    v = views.progress_view(use.progress(ctx.engine, s.session_id), lang)
    pct = round(100 * v["voted_share"])
    body = [
        html.Div(t("wall.title", lang), className="dwall-kicker"),
        html.H1(v["question"], id="dwall-question"),
        html.Div(f"{v['method']} · {v['state']} {v['round']}", className="dwall-state",
                 id="dwall-state"),
    ]
    if v["state_key"] != "closed":
        body += [
            html.Div(t("wall.join", lang, code=v["code"]), className="dwall-code"),
            html.Div(className="dwall-progress", children=[
                html.Div(className="dwall-count", children=[
                    html.Span(str(v["joined"]), className="n"),
                    html.Span(t("wall.joined", lang), className="k")]),
                html.Div(className="dwall-count", children=[
                    html.Span(str(v["voted"]), className="n", id="dwall-voted"),
                    html.Span(t("wall.voted", lang), className="k")]),
                html.Div(className="bar", children=html.Span(style={"width": f"{pct}%"}))]),
        ]
    else:
        body.append(decision_result(views.result_view(s, lang), lang))
    return body


@callback(Output("dwall-change", "data"), Input("dwall-poll", "n_intervals"),
          State("dwall-change", "data"))
@guard("page.decision_screen")
def _poll(_n, have):
    now = change_id(context.current().engine)
    return now if now != have else dash.no_update


@callback(Output("dwall-body", "children"), Input("dwall-change", "data"),
          State("dwall-pinned", "data"), State("dwall-lang", "data"), prevent_initial_call=True)
@guard("page.decision_screen")
def _render(_change, pinned, lang):
    return wall(context.current(), pinned, lang or "zh")
