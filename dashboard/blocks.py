"""Dash pieces more than one page uses, built from the plain data of ``dashboard.views``
(no reads): the result of a decision session (the chair's page, the participant's phone
and the video wall), and which pattern-matched button really fired a callback."""

from __future__ import annotations

import dash
from dash import html

from command.i18n import t

__all__ = ["decision_result", "clicked"]


def decision_result(view: dict | None, lang: str):
    """The result block of :func:`dashboard.views.decision.result_view` (a hint while
    the session is not closed): the decision, a bar per option, the diagnostics."""
    if view is None:
        return html.Div(t("result.pending", lang), className="hint")
    return html.Div(className="result", children=[
        html.Div(view["head"], className="result-head", id="result-head"),
        html.Div(className="result-bars", children=[
            html.Div(className="result-bar" + (" win" if r["winner"] else ""), children=[
                html.Span(r["label"], className="label"),
                html.Span(className="bar", children=html.Span(
                    style={"width": f"{100 * r['bar']:.0f}%"})),
                html.Span(r["score"], className="score")]) for r in view["rows"]]),
        html.Ul([html.Li(line) for line in view["lines"]], className="result-lines"),
    ])


def clicked() -> dict | str | None:
    """The id of the button that fired the running callback when it really was clicked
    (a button that merely appeared, with n_clicks 0, did not)."""
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return None
    return trig
