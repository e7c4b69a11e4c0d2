"""Vote (参与表决), the participant's page, laid out for a phone: join a session with the
code the chair shows, vote or give pairwise judgements (revising when they are not
consistent enough), see the anonymous feedback between Delphi rounds, and the result
when the session closes.

Callbacks only adapt: :mod:`command.app.decision` checks, writes and audits as the acting
user; the views are in :mod:`dashboard.views.decision`. The form is rebuilt only when the
session's state or round changes, so what a participant is entering is never lost to
the page's polling.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.app import decision as use
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.blocks import decision_result
from dashboard.views import decision as views

dash.register_page(__name__, path="/vote", name="vote", name_key="nav.vote", order=61)

#: How often the phone looks at the session's state (ms).
POLL_MS = 2500


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx, user = context.current(), current_user()
    mine = [s for s in use.list_sessions(ctx.engine, user_name=user.name)
            if s.state != "closed"]
    current = mine[0].session_id if mine else None
    return html.Div(className="pg-vote", children=[
        dcc.Store(id="vote-lang", data=lang),
        dcc.Store(id="vote-session", data=current),
        dcc.Store(id="vote-status", data=None),
        dcc.Interval(id="vote-poll", interval=POLL_MS),
        html.Section(className="card", children=[
            html.H2(t("vote.title", lang)),
            html.Div(className="vote-join", children=[
                dcc.Input(id="vote-code", type="text", inputMode="numeric", maxLength=12,
                          placeholder=t("vote.code", lang), className="num"),
                html.Button(t("vote.join", lang), id="vote-join", className="btn", n_clicks=0)]),
            html.Div(id="vote-joined", className="summary"),
        ]),
        html.Section(className="card", children=[
            html.Div(id="vote-form"),
            html.Button(t("vote.submit", lang), id="vote-submit", className="btn", n_clicks=0),
            html.Div(id="vote-message", className="summary"),
        ]),
        html.Section(className="card", children=[html.Div(id="vote-result")]),
    ])


def join(ctx, user, code: str | None, lang: str) -> tuple[int | None, str]:
    """Join by ``code``: (the session id or None, the line to show)."""
    try:
        rec, _part = use.join_session(ctx.engine, code or "", user)
    except CommandError as exc:
        return None, t("dashboard.failed", lang, detail=str(exc))
    return rec.session_id, t("vote.joined", lang, id=rec.session_id, question=rec.question)


def status(ctx, session_id) -> list | None:
    """[state, round] of the session (what rebuilds the form when it changes)."""
    if session_id is None:
        return None
    try:
        s = use.get_session(ctx.engine, int(session_id))
    except (CommandError, ValueError):
        return None
    return [s.state, s.round]


def _pick(options):
    return [{"label": o["label"], "value": o["id"]} for o in options]


def form(ctx, user, session_id, lang: str) -> tuple[list, object]:
    """The ballot form and the result block of ``session_id`` for ``user``."""
    if session_id is None:
        return [], None
    try:
        p = use.progress(ctx.engine, int(session_id), user_name=user.name)
    except (CommandError, ValueError) as exc:
        return [html.Div(t("dashboard.failed", lang, detail=str(exc)), className="error")], None
    s = p["session"]
    head = [html.H2(s.question, id="vote-question"),
            html.Div(f"{t(f'decision.method.{s.method}', lang)}"
                     + (f" · {t('decide.round', lang, round=s.round)}"
                        if s.method == "delphi" else ""), className="hint")]
    if s.state == "draft":
        return head + [html.Div(t("vote.waiting", lang), className="hint")], None
    if s.state == "closed":
        return head + [html.Div(t("vote.closed", lang), className="hint")], decision_result(
            views.result_view(s, lang), lang)
    mine = p["my_ballot"] or {}
    return head + _inputs(s, mine, p["feedback"], lang), None


def _inputs(s, mine: dict, feedback, lang: str) -> list:
    opts = _pick(s.options)
    if s.method == "majority":
        return [html.Div(t("vote.choose", lang), className="hint"),
                dcc.RadioItems(id={"type": "vote-choice", "k": 0}, options=opts,
                               value=mine.get("choice"), className="vote-options")]
    if s.method == "approval":
        return [html.Div(t("vote.approve", lang), className="hint"),
                dcc.Checklist(id={"type": "vote-approve", "k": 0}, options=opts,
                              value=mine.get("approve") or [], className="vote-options")]
    if s.method == "borda":
        have = mine.get("ranking") or []
        return [html.Div(t("vote.rank", lang), className="hint")] + [
            html.Label([t("vote.rank_k", lang, k=k + 1), dcc.Dropdown(
                id={"type": "vote-rank", "k": k}, options=opts, searchable=False,
                value=have[k] if k < len(have) else None)], className="vote-rank")
            for k in range(len(opts))]
    if s.method == "delphi":
        fb = views.feedback_lines(feedback)
        rated = mine.get("ratings") or {}
        out = [html.Div(t("vote.rate", lang), className="hint")]
        for o in s.options:
            out.append(html.Div(className="vote-rate", children=[
                html.Div(o["label"], className="label"),
                dcc.Slider(id={"type": "vote-rate", "o": o["id"]}, min=1, max=9, step=1,
                           value=rated.get(o["id"], 5), marks={k: str(k) for k in range(1, 10)},
                           allow_direct_input=False),
                html.Div(t("vote.feedback", lang, **{k: fb[o["id"]][k] for k in
                                                     ("median", "q1", "q3", "n")}),
                         className="hint") if o["id"] in fb else None]))
        return out
    return _ahp_inputs(s, lang)


def _ahp_inputs(s, lang: str) -> list:
    labels = views.labels_of(s)
    out = [html.Div(t("vote.pairs", lang), className="hint")]
    for name in views.matrix_names(s.criteria):
        items = ([c["id"] for c in s.criteria] if name == "criteria"
                 else [o["id"] for o in s.options])
        out.append(html.H3(t("vote.pair.criteria", lang) if name == "criteria" else
                           t("vote.pair.under", lang, criterion=labels[name])
                           if name != "options" else t("result.col.option", lang)))
        marks = {p: views.judgement_text(views.slider_to_judgement(p))
                 for p in range(views.SLIDER_MIN, views.SLIDER_MAX + 1, 2)}
        for k, (i, j) in enumerate(views.pairs(len(items))):
            out.append(html.Div(className="vote-pair", children=[
                html.Div(t("vote.pair", lang, a=labels[items[i]], b=labels[items[j]]),
                         className="label"),
                dcc.Slider(id={"type": "vote-pair", "m": name, "k": k}, min=views.SLIDER_MIN,
                           max=views.SLIDER_MAX, step=1, value=0, marks=marks,
                           allow_direct_input=False)]))
    return out


def submit(ctx, user, session_id, form_values: dict, lang: str) -> list:
    """Cast ``user``'s ballot from the form's values: the lines to show (recorded,
    consistency or the prompt to revise, or the error)."""
    if session_id is None:
        return [t("dashboard.failed", lang, detail=t("vote.code", lang))]
    try:
        s = use.get_session(ctx.engine, int(session_id))
        ballot = views.ballot_from_form(s.method, s.options, s.criteria, form_values)
        receipt = use.cast_ballot(ctx.engine, s.session_id, user.name, ballot)
    except (CommandError, ValueError) as exc:
        return [t("dashboard.failed", lang, detail=str(exc))]
    return [t("vote.recorded", lang, round=receipt.vote.round,
              replaced=t("vote.replaced", lang) if receipt.vote.revisions else ""),
            *views.revise_lines(receipt, s, lang)]


@callback(Output("vote-session", "data"), Output("vote-joined", "children"),
          Input("vote-join", "n_clicks"), State("vote-code", "value"),
          State("vote-lang", "data"), prevent_initial_call=True)
@guard("decision.vote")
def _on_join(n, code, lang):
    if not n:
        return no_update, no_update
    sid, line = join(context.current(), current_user(), code, lang or "zh")
    return (sid if sid is not None else no_update), line


@callback(Output("vote-status", "data"), Input("vote-poll", "n_intervals"),
          Input("vote-session", "data"), State("vote-status", "data"))
@guard("page.vote")
def _on_poll(_n, session_id, have):
    now = status(context.current(), session_id)
    if now is not None:
        now = [session_id, *now]
    return now if now != have else no_update


@callback(Output("vote-form", "children"), Output("vote-result", "children"),
          Input("vote-status", "data"), State("vote-session", "data"),
          State("vote-lang", "data"))
@guard("page.vote")
def _on_form(_status, session_id, lang):
    return form(context.current(), current_user(), session_id, lang or "zh")


@callback(Output("vote-message", "children"), Input("vote-submit", "n_clicks"),
          State("vote-session", "data"),
          State({"type": "vote-choice", "k": ALL}, "value"),
          State({"type": "vote-approve", "k": ALL}, "value"),
          State({"type": "vote-rank", "k": ALL}, "value"),
          State({"type": "vote-pair", "m": ALL, "k": ALL}, "value"),
          State({"type": "vote-pair", "m": ALL, "k": ALL}, "id"),
          State({"type": "vote-rate", "o": ALL}, "value"),
          State({"type": "vote-rate", "o": ALL}, "id"),
          State("vote-lang", "data"), prevent_initial_call=True)
@guard("decision.vote")
def _on_submit(n, session_id, choice, approve, ranking, pair_values, pair_ids, rate_values,
               rate_ids, lang):
    if not n:
        return no_update
    values = {"choice": (choice or [None])[0], "approve": (approve or [[]])[0],
              "ranking": ranking or [],
              "pairs": {(i["m"], i["k"]): v for i, v in zip(pair_ids or [], pair_values or [])},
              "ratings": {i["o"]: v for i, v in zip(rate_ids or [], rate_values or [])}}
    return [html.Div(line) for line in submit(context.current(), current_user(), session_id,
                                               values, lang or "zh")]
