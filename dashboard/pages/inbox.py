"""My messages (我的消息): the in-app inbox of the logged-in user, newest first, unread
marked; a message about a hazard opens it; each can be marked read.

Callbacks only adapt: :mod:`command.app.notify` reads and marks the user's own messages.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.app import notify
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import hazards as views

dash.register_page(__name__, path="/inbox", name="inbox", name_key="nav.inbox", order=52)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    return html.Div(className="pg-report pg-inbox", children=[
        dcc.Store(id="ib-lang", data=lang),
        dcc.Interval(id="ib-tick", interval=15_000),
        html.Section(className="card", children=[
            html.H2(t("inbox.title", lang)),
            html.Div(id="ib-list", children=inbox_block(context.current(), current_user(),
                                                        lang))]),
    ])


def inbox_block(ctx, user, lang: str):
    rows = views.inbox_rows(notify.inbox(ctx.engine, user.name, lang=lang), lang)
    if not rows:
        return html.Div(t("inbox.none", lang), className="empty")
    unread = sum(not r["read"] for r in rows)
    return [html.Div(t("inbox.unread", lang, n=unread), className="summary", id="ib-unread"),
            html.Ul(className="ib-list", children=[
                html.Li(className="ib-msg read" if r["read"] else "ib-msg unread", children=[
                    html.Div([html.B(r["when"]), " ", r["text"]]),
                    html.Div(className="ib-actions", children=[
                        dcc.Link(t("inbox.open", lang), href=r["href"]) if r["href"] else None,
                        None if r["read"] else html.Button(
                            t("inbox.mark_read", lang), className="btn secondary", n_clicks=0,
                            id={"type": "ib-read", "id": r["id"]})])])
                for r in rows])]


@callback(Output("ib-list", "children"), Input("ib-tick", "n_intervals"),
          Input({"type": "ib-read", "id": ALL}, "n_clicks"), State("ib-lang", "data"),
          prevent_initial_call=True)
@guard("inbox.read")
def _on_inbox(_n, clicks, lang):
    ctx, user = context.current(), current_user()
    hit = dash.ctx.triggered_id
    if isinstance(hit, dict) and any(clicks or []):
        try:
            notify.mark_read(ctx.engine, user.name, int(hit["id"]))
        except (CommandError, ValueError):
            return no_update
    return inbox_block(ctx, user, lang or "zh")
