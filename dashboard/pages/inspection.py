"""Self-inspection (企业自查): an enterprise's safety officer fills in the checklist of
its industry and sees the proposed grade with its working and a measure for every
failed item; a supervisor (commander or command-centre staff) confirms it into the
register, sets another grade with a reason, or returns it.

Callbacks only adapt: :mod:`command.app.risk` scores, stores and decides; the views are
in :mod:`dashboard.views.risk`.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.access import allowed
from command.app import risk
from command.clock import beijing
from command.errors import CommandError
from command.i18n import t
from command.model import RISK_GRADES
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import risk as views

dash.register_page(__name__, path="/inspection", name="inspection",
                   name_key="nav.inspection", order=45)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx, user = context.current(), current_user()
    parts = [dcc.Store(id="insp-lang", data=lang)]
    if allowed(user.role, "inspection.submit"):
        parts += form(ctx, user, lang)
    if allowed(user.role, "inspection.decide"):
        parts.append(html.Section(className="card grow", children=[
            html.H2(t("insp.queue", lang)),
            html.Div(queue(ctx, lang), id="insp-queue", className="pg-table-wrap"),
            html.Div(id="insp-decided", className="summary")]))
    return html.Div(className="pg-grid pg-inspection", children=parts)


def form(ctx, user, lang: str) -> list:
    """The enterprise's checklist as a form, and what it submitted before."""
    try:
        checklist = risk.checklist_of_enterprise(ctx.dataset, user.enterprise_id)
    except CommandError as exc:
        return [html.Section(className="card", children=[html.Div(str(exc),
                                                                  className="summary error")])]
    items = [html.Div(className="insp-item", children=[
        html.Div(t("insp.item", lang, n=n, text=item.text.en if lang == "en" else item.text.zh),
                 className="insp-text"),
        dcc.RadioItems(id={"type": "insp-answer", "item": item.id}, value="pass", inline=True,
                       options=[{"label": t(f"insp.{a}", lang), "value": a}
                                for a in ("pass", "fail", "na")])])
        for n, item in enumerate(checklist.items, start=1)]
    mine = risk.inspections(ctx.engine, enterprise_id=user.enterprise_id)
    return [
        html.Section(className="card grow", children=[
            html.H2(t("insp.checklist", lang, name=checklist.name.en if lang == "en"
                      else checklist.name.zh)),
            dcc.Store(id="insp-industry", data=checklist.industry),
            html.Div(items, className="insp-items"),
            html.Button(t("insp.submit", lang), id="insp-submit", className="btn",
                        n_clicks=0)]),
        html.Section(className="card grow", children=[
            html.Div(id="insp-result"),
            html.H2(t("insp.mine", lang)),
            html.Ul([html.Li(f"{r.inspection_id} · {beijing(r.submitted_at):%Y-%m-%d %H:%M} · "
                             f"{views.grade_label(r.final_grade or r.proposed_grade, lang)} · "
                             f"{t(f'insp.state.{r.state}', lang)}") for r in mine[:8]],
                    id="insp-mine")]),
    ]


def proposal_block(proposal: dict, lang: str, *, head: str | None = None):
    """The proposed grade, its working and the measures."""
    v = views.proposal_view(proposal, lang)
    measures = ([html.Li(t("insp.measure_line", lang, **m)) for m in v["measures"]]
                or [html.Li(t("insp.no_measure", lang))])
    return html.Div(className="insp-proposal", children=[
        *([html.Div(head, className="plan-head")] if head else []),
        html.Div(t("insp.proposed", lang, grade=v["grade_label"]),
                 className=f"grade-line g-{v['grade']}", id="insp-grade"),
        html.Div(v["working"], className="hint"),
        html.H3(t("insp.measures", lang)), html.Ul(measures, className="insp-measures")])


def queue(ctx, lang: str):
    """Submitted self-inspections with their proposals and the decision controls."""
    pending = risk.inspections(ctx.engine, state="submitted")
    if not pending:
        return html.Div(t("insp.none", lang), className="empty")
    names = {e.enterprise_id: (e.name_en if lang == "en" else e.name_zh)
             for e in ctx.dataset.enterprises}
    grades = [{"label": views.grade_label(g, lang), "value": g} for g in RISK_GRADES]
    out = []
    for r in pending[:6]:
        head = t("insp.head", lang, id=r.inspection_id,
                 enterprise=names.get(r.enterprise_id, r.enterprise_id),
                 at=beijing(r.submitted_at).strftime("%Y-%m-%d %H:%M"))
        i = r.inspection_id
        out.append(html.Div(className="card insp-case", children=[
            proposal_block(r.proposal, lang, head=head),
            html.Div(className="form-row", children=[
                dcc.Dropdown(id={"type": "insp-grade", "id": i}, options=grades,
                             placeholder=t("insp.regrade", lang), searchable=False),
                dcc.Input(id={"type": "insp-reason", "id": i}, className="num",
                          placeholder=t("insp.reason", lang)),
            ]),
            html.Div(className="decide", children=[
                html.Button(t(f"insp.{op}", lang), n_clicks=0, className=cls,
                            id={"type": "insp-act", "op": op, "id": i})
                for op, cls in (("confirm", "act go"), ("regrade", "act"),
                                ("return", "act stop"))]),
        ]))
    return out


def submit(ctx, user, answers: dict, industry: str | None, lang: str) -> tuple[object, bool]:
    """Submit the form; (what the page shows, done)."""
    try:
        rec = risk.submit_inspection(ctx.engine, ctx.dataset, user, answers, industry=industry)
    except CommandError as exc:
        return html.Div(str(exc), className="summary error"), False
    return html.Div([html.Div(t("insp.submitted", lang, id=rec.inspection_id),
                              className="summary", id="insp-submitted"),
                     proposal_block(rec.proposal, lang)]), True


def decide(ctx, actor: str, inspection_id: int, op: str, grade, reason, lang: str) -> str:
    """Confirm, regrade or return one self-inspection as ``actor``; the message."""
    try:
        risk.decide_inspection(ctx.engine, ctx.dataset, inspection_id, op, actor=actor,
                               grade=grade, reason=reason)
    except CommandError as exc:
        return t("dashboard.failed", lang, detail=str(exc))
    return t("dashboard.done", lang, what=f"{t(f'insp.{op}', lang)} {inspection_id}")


@callback(Output("insp-result", "children"), Input("insp-submit", "n_clicks"),
          State({"type": "insp-answer", "item": ALL}, "value"),
          State({"type": "insp-answer", "item": ALL}, "id"), State("insp-industry", "data"),
          State("insp-lang", "data"), prevent_initial_call=True)
@guard("inspection.submit")
def _on_submit(_n, values, ids, industry, lang):
    answers = {i["item"]: v for i, v in zip(ids, values)}
    shown, _done = submit(context.current(), current_user(), answers, industry, lang)
    return shown


@callback(Output("insp-decided", "children"), Output("insp-queue", "children"),
          Input({"type": "insp-act", "op": ALL, "id": ALL}, "n_clicks"),
          State({"type": "insp-grade", "id": ALL}, "value"),
          State({"type": "insp-grade", "id": ALL}, "id"),
          State({"type": "insp-reason", "id": ALL}, "value"),
          State({"type": "insp-reason", "id": ALL}, "id"),
          State("insp-lang", "data"), prevent_initial_call=True)
@guard("inspection.decide")
def _on_decide(_clicks, grades, grade_ids, reasons, reason_ids, lang):
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return no_update, no_update
    i = trig["id"]
    grade = {g["id"]: v for g, v in zip(grade_ids, grades)}.get(i)
    reason = {r["id"]: v for r, v in zip(reason_ids, reasons)}.get(i)
    ctx = context.current()
    msg = decide(ctx, current_user().name, i, trig["op"], grade, reason, lang)
    return msg, queue(ctx, lang)
