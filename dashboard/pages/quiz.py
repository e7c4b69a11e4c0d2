"""Safety training quiz (安全培训测验): five questions drawn at random from the bank built
from the accident cases and the standards; submit, see the score with the right answers
and their sources; and one's own past scores.

Callbacks only adapt: :mod:`command.app.training` draws (the seed is recorded with the
attempt), scores, stores and audits as the acting user; the views are in
:mod:`dashboard.views.training`.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.app import training
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import training as views

dash.register_page(__name__, path="/quiz", name="quiz", name_key="nav.quiz", order=47)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx, user = context.current(), current_user()
    return html.Div(className="pg-grid pg-quiz", children=[
        dcc.Store(id="quiz-lang", data=lang),
        dcc.Store(id="quiz-attempt", data=None),
        html.Section(className="card grow", children=[
            html.H2(t("quiz.title", lang)),
            html.Div(t("quiz.intro", lang, n=training.QUIZ_LENGTH), className="hint"),
            html.Button(t("quiz.start", lang), id="quiz-start", className="btn", n_clicks=0),
            html.Div(id="quiz-head", className="summary"),
            html.Div(id="quiz-questions", className="quiz-questions"),
            html.Button(t("quiz.submit", lang), id="quiz-submit", className="btn",
                        n_clicks=0, disabled=True),
            html.Div(id="quiz-result"),
        ]),
        html.Section(className="card", children=[
            html.H2(t("quiz.past", lang)),
            html.Div(past(ctx, user, lang), id="quiz-past", className="pg-table-wrap")]),
    ])


def questions_block(quiz, lang: str) -> list:
    """The drawn questions as a form, one radio group per question."""
    return [html.Div(className="quiz-q", children=[
        html.Div(q["text"], className="quiz-text"),
        dcc.RadioItems(id={"type": "quiz-answer", "q": q["id"]}, options=q["options"],
                       value=None, className="quiz-options")])
        for q in views.quiz_view(quiz.questions, lang)]


def start(ctx, user, lang: str, *, seed: int | None = None) -> tuple[object, list, int | None]:
    """Start a quiz for ``user``: (the line above the questions, the questions, the
    attempt id or None when refused)."""
    try:
        quiz = training.start_quiz(ctx.engine, ctx.settings.resources_dir, user.name, seed=seed)
    except CommandError as exc:
        return html.Span(t("dashboard.failed", lang, detail=str(exc)), className="error"), [], None
    head = t("quiz.started", lang, id=quiz.attempt.attempt_id, seed=quiz.attempt.seed)
    return head, questions_block(quiz, lang), quiz.attempt.attempt_id


def result_block(scored, ctx, lang: str):
    """The score, then each question marked right or wrong with the right answer and its
    source."""
    cases = {c.id: c for c in training.cases(ctx.settings.resources_dir)}
    v = views.result_view(scored, cases, lang)
    return html.Div(className="quiz-result", children=[
        html.Div(v["score"], className="grade-line", id="quiz-score"),
        html.Ol(className="quiz-marks", children=[
            html.Li(className="ok" if it["correct"] else "bad", children=[
                html.Div([html.B(it["mark"]), " ", it["text"]]),
                html.Div(it["given"]), html.Div(it["answer"]),
                html.Div(it["source"], className="hint")])
            for it in v["items"]])])


def submit(ctx, user, attempt_id, answers: dict, lang: str) -> tuple[object, bool]:
    """Submit ``user``'s answers (question id -> letter or None) to ``attempt_id``;
    (what the page shows, done)."""
    try:
        scored = training.submit_quiz(ctx.engine, ctx.settings.resources_dir, attempt_id,
                                      user.name, answers)
    except CommandError as exc:
        return html.Div(t("dashboard.failed", lang, detail=str(exc)),
                        className="summary error"), False
    return result_block(scored, ctx, lang), True


def past(ctx, user, lang: str):
    """``user``'s past scores, newest first."""
    rows = views.score_rows(training.past_scores(ctx.engine, user.name), lang)
    if not rows:
        return html.Div(t("quiz.past.none", lang), className="empty")
    head = [t(k, lang) for k in ("quiz.col.at", "quiz.col.score", "quiz.col.seed")]
    return html.Table(className="rec pg-table", id="quiz-past-rows", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])),
        html.Tbody([html.Tr([html.Td(r["at"]), html.Td(r["score"]), html.Td(r["seed"])])
                    for r in rows])])


@callback(Output("quiz-head", "children"), Output("quiz-questions", "children"),
          Output("quiz-attempt", "data"), Output("quiz-submit", "disabled"),
          Output("quiz-result", "children"),
          Input("quiz-start", "n_clicks"), State("quiz-lang", "data"),
          prevent_initial_call=True)
@guard("quiz.take")
def _on_start(n, lang):
    if not n:
        return (no_update,) * 5
    head, block, attempt_id = start(context.current(), current_user(), lang or "zh")
    return head, block, attempt_id, attempt_id is None, None


@callback(Output("quiz-result", "children", allow_duplicate=True),
          Output("quiz-past", "children"), Output("quiz-submit", "disabled", allow_duplicate=True),
          Input("quiz-submit", "n_clicks"),
          State({"type": "quiz-answer", "q": ALL}, "value"),
          State({"type": "quiz-answer", "q": ALL}, "id"),
          State("quiz-attempt", "data"), State("quiz-lang", "data"), prevent_initial_call=True)
@guard("quiz.take")
def _on_submit(n, values, ids, attempt_id, lang):
    if not n or attempt_id is None:
        return no_update, no_update, no_update
    lang = lang or "zh"
    ctx, user = context.current(), current_user()
    answers = {i["q"]: v for i, v in zip(ids or [], values or [])}
    shown, done = submit(ctx, user, attempt_id, answers, lang)
    return shown, past(ctx, user, lang), done
