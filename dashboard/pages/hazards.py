"""Hidden hazards (隐患闭环): the board — a column per state of the closed loop, overdue
cards first and marked, filtered by grid cell and kind, refreshed every ten seconds — and,
with ``?id=``, one hazard: its facts, its timeline with the evidence of each step, its
escalations and the messages sent, and the form of the next step the user may take.

Callbacks only adapt: :mod:`command.app.hazards` checks, stores and audits as the
logged-in user; :mod:`dashboard.views.hazards` builds what is shown.
"""

from __future__ import annotations

from datetime import datetime

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from command.app import hazards
from command.clock import BEIJING
from command.errors import CommandError
from command.hazards.kinds import KINDS
from command.hazards.lifecycle import LEVELS, REJECT_REASONS
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard
from dashboard.views import hazards as views

dash.register_page(__name__, path="/hazards", name="hazards", name_key="nav.hazards",
                   order=50)

#: Step fields with their own inputs (the note and the file are always there).
STEP_FIELDS = ("level", "reason", "deadline", "responsible", "measures", "budget_yuan")


def layout(lang: str = "zh", id: str | None = None, **_query):  # noqa: A002 - the URL's name
    lang = "en" if lang == "en" else "zh"
    if id:
        return detail_layout(id, lang)
    ctx, user = context.current(), current_user()
    grid = hazards.grid_of(ctx.engine)
    cells = hazards.visible_cells(user, grid)
    shown = [c for c in grid.cells.values() if cells is None or c.grid_id in cells]
    return html.Div(className="pg-grid pg-hazards", children=[
        dcc.Store(id="hz-lang", data=lang),
        dcc.Interval(id="hz-tick", interval=10_000),
        html.Section(className="card hz-head", children=[
            html.H2(t("hazards.title", lang)),
            html.Div(className="hz-filters", children=[
                dcc.Dropdown(id="hz-cell", placeholder=t("hazards.filter.cell", lang),
                             options=views.cell_options(shown, lang,
                                                        levels=("town", "community"))),
                dcc.Dropdown(id="hz-kind", placeholder=t("hazards.filter.kind", lang),
                             options=views.kind_options(KINDS, lang)),
            ]),
            html.Div(id="hz-summary", className="summary"),
        ]),
        html.Div(id="hz-board", className="hz-board",
                 children=board_block(ctx, user, None, None, lang)[0]),
    ])


def board_block(ctx, user, cell, kind, lang: str):
    """The kanban's columns and the summary line."""
    try:
        board = hazards.board(ctx.engine, user=user, grid_id=cell or None, kind=kind or None)
    except CommandError as exc:
        return [], html.Span(t("dashboard.failed", lang, detail=str(exc)), className="error")
    cols = views.board_columns(board, lang)
    total = sum(len(c["cards"]) for c in cols)
    open_n = sum(len(c["cards"]) for c in cols if c["state"] not in ("closed", "rejected"))
    late = sum(card["overdue"] for c in cols for card in c["cards"])
    return ([html.Div(className=f"hz-col hz-{c['state']}", id=f"hz-col-{c['state']}", children=[
        html.H3(c["title"]),
        html.Div(className="hz-cards", children=[
            dcc.Link(href=card["href"], className="hz-card overdue" if card["overdue"]
                     else "hz-card", id=f"hz-card-{card['hazard_id']}", children=[
                         html.B(card["title"]), html.Div(card["text"], className="hz-text"),
                         *[html.Div(line, className="hint") for line in card["lines"]]])
            for card in c["cards"]])]) for c in cols],
        t("hazards.summary", lang, n=total, open=open_n, overdue=late))


@callback(Output("hz-board", "children"), Output("hz-summary", "children"),
          Input("hz-cell", "value"), Input("hz-kind", "value"), Input("hz-tick", "n_intervals"),
          State("hz-lang", "data"))
@guard("page.hazards")
def _on_board(cell, kind, _n, lang):
    return board_block(context.current(), current_user(), cell, kind, lang or "zh")


# --- one hazard -----------------------------------------------------------------

def detail_layout(hazard_id: str, lang: str):
    ctx, user = context.current(), current_user()
    return html.Div(className="pg-grid pg-hazard", children=[
        dcc.Store(id="hzd-lang", data=lang),
        dcc.Store(id="hzd-id", data=hazard_id),
        html.Section(className="card grow", id="hzd-main",
                     children=detail_block(ctx, user, hazard_id, lang)),
        html.Section(className="card hzd-form", children=step_form(ctx, user, hazard_id,
                                                                   lang)),
    ])


def detail_block(ctx, user, hazard_id: str, lang: str) -> list:
    """The hazard's facts, timeline, escalations and messages."""
    try:
        d = views.detail_view(hazards.detail(ctx.engine, hazard_id, user=user), lang)
    except CommandError as exc:
        return [html.Div(t("dashboard.failed", lang, detail=str(exc)), className="summary error")]
    return [
        dcc.Link(t("hazards.back", lang), href=f"/hazards?lang={lang}", className="lang hz-back"),
        html.H2(d["title"], id="hzd-title"),
        html.Table(className="rec hzd-facts", children=html.Tbody([
            html.Tr([html.Th(k), html.Td(v)]) for k, v in d["facts"]])),
        html.H3(t("hazards.timeline", lang)),
        html.Ol(className="hzd-timeline", id="hzd-timeline", children=[
            html.Li([html.Div([html.B(e["when"]), f" {e['what']} → {e['to']} · {e['who']}"]),
                     html.Div(e["note"]),
                     html.Div(e["data"], className="hint") if e["data"] else None,
                     *[html.A(f"{t('hazards.field.evidence', lang)}: {f['name']} ({f['sha']})",
                              href=f["href"], target="_blank", className="hzd-file")
                       for f in e["files"]]])
            for e in d["timeline"]]),
        *([html.H3(t("hazards.escalations", lang)),
           html.Ul([html.Li(x) for x in d["escalations"]])] if d["escalations"] else []),
        *([html.H3(t("hazards.messages", lang)),
           html.Ul(className="hint", children=[html.Li(x) for x in d["messages"]])]
          if d["messages"] else []),
    ]


def step_form(ctx, user, hazard_id: str, lang: str) -> list:
    """The next step's form: the steps ``user`` may take, their inputs, note and file."""
    try:
        d = views.detail_view(hazards.detail(ctx.engine, hazard_id, user=user), lang)
    except CommandError:
        return []
    steps = d["steps"]

    def field(name, control):
        return html.Label(id=f"hzd-f-{name}", className="hzd-field", style={"display": "none"},
                          children=[t(f"hazards.field.{name}", lang), control])

    return [
        dcc.Store(id="hzd-steps", data=steps),
        html.H3(t("hazards.next", lang)),
        html.Div(t("hazards.no_step", lang), className="hint") if not steps else None,
        dcc.Dropdown(id="hzd-step", options=[{"label": s["label"], "value": s["value"]}
                                             for s in steps],
                     value=steps[0]["value"] if steps else None, clearable=False),
        field("level", dcc.Dropdown(id="hzd-level", value="general", clearable=False,
                                    options=[{"label": t(f"hazard.level.{v}", lang), "value": v}
                                             for v in LEVELS])),
        field("reason", html.Div([
            dcc.Input(id="hzd-reason", type="text", className="num"),
            dcc.Dropdown(id="hzd-reject", value="duplicate", clearable=False,
                         options=[{"label": t(f"hazard.reject.{v}", lang), "value": v}
                                  for v in REJECT_REASONS])])),
        field("deadline", dcc.Input(id="hzd-deadline", type="text", className="num",
                                    placeholder=t("hazards.deadline_hint", lang))),
        field("responsible", dcc.Input(id="hzd-responsible", type="text", className="num")),
        field("measures", dcc.Input(id="hzd-measures", type="text", className="num")),
        field("budget_yuan", dcc.Input(id="hzd-budget", type="number", min=0, className="num")),
        html.Label([t("hazards.field.note", lang),
                    dcc.Textarea(id="hzd-note", className="hzd-note")]),
        dcc.Upload(id="hzd-file", className="upload", max_size=-1,
                   accept="image/jpeg,image/png,image/webp,application/pdf",
                   children=html.Div(t("hazards.choose_file", lang), id="hzd-file-label")),
        html.Div(t("hazards.evidence_hint", lang), className="hint"),
        html.Button(t("hazards.submit_step", lang), id="hzd-submit", className="btn",
                    n_clicks=0, disabled=not steps),
        html.Div(id="hzd-result", className="summary"),
    ]


@callback([Output(f"hzd-f-{name}", "style") for name in STEP_FIELDS]
          + [Output("hzd-reason", "style"), Output("hzd-reject", "style")],
          Input("hzd-step", "value"), State("hzd-steps", "data"))
@guard("page.hazards")
def _on_step_choice(target, steps):
    needs = views.step_fields(steps or [], target)
    shown = [{"display": "block"} if n in needs else {"display": "none"} for n in STEP_FIELDS]
    rejecting = target == "rejected"
    return (*shown, {"display": "none"} if rejecting else {},
            {} if rejecting else {"display": "none"})


@callback(Output("hzd-file-label", "children"), Input("hzd-file", "filename"),
          State("hzd-lang", "data"), prevent_initial_call=True)
@guard("page.hazards")
def _on_file(name, lang):
    return t("hazards.file_chosen", lang or "zh", name=name) if name else no_update


def deadline_text(value: str | None) -> str | None:
    """A deadline typed as Beijing time (``2026-12-20 18:00``) as ISO 8601 with its zone;
    anything else is passed on as typed, for the lifecycle to refuse by name."""
    if not value:
        return value
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return (when.replace(tzinfo=BEIJING) if when.tzinfo is None else when).isoformat()


def take_step(ctx, user, hazard_id, target, values: dict, note, upload, lang: str):
    """Take the step; (result line, ok)."""
    needs = values.pop("_needs")
    fields = {k: v for k, v in values.items() if k in needs}
    if "deadline" in fields:
        fields["deadline"] = deadline_text(fields["deadline"])
    try:
        up = views.upload_of(*upload) if upload else None
        out = hazards.advance_hazard(ctx.engine, ctx.settings, hazard_id, target, user=user,
                                     note=note or "", fields=fields,
                                     evidence=[up] if up else [])
    except CommandError as exc:
        return html.Span(t("dashboard.failed", lang, detail=str(exc)), className="error"), False
    return t("hazards.step_done", lang, id=out["hazard_id"],
             from_=t(f"hazard.state.{out['from']}", lang),
             to=t(f"hazard.state.{out['state']}", lang)), True


@callback(Output("hzd-result", "children"), Output("hzd-main", "children"),
          Output("hzd-step", "options"), Output("hzd-step", "value"),
          Output("hzd-steps", "data"), Output("hzd-submit", "disabled"),
          Output("hzd-file", "contents"), Output("hzd-note", "value"),
          Input("hzd-submit", "n_clicks"),
          State("hzd-id", "data"), State("hzd-step", "value"), State("hzd-steps", "data"),
          State("hzd-level", "value"), State("hzd-reason", "value"), State("hzd-reject", "value"),
          State("hzd-deadline", "value"), State("hzd-responsible", "value"),
          State("hzd-measures", "value"), State("hzd-budget", "value"),
          State("hzd-note", "value"), State("hzd-file", "contents"),
          State("hzd-file", "filename"), State("hzd-lang", "data"), prevent_initial_call=True)
@guard("hazard.advance")
def _on_submit(n, hazard_id, target, steps, level, reason, reject, deadline, responsible,
               measures, budget, note, contents, filename, lang):
    if not n or not target:
        return (no_update,) * 8
    lang = lang or "zh"
    ctx, user = context.current(), current_user()
    values = {"_needs": views.step_fields(steps or [], target), "level": level,
              "reason": reject if target == "rejected" else reason, "deadline": deadline,
              "responsible": responsible, "measures": measures, "budget_yuan": budget}
    line, ok = take_step(ctx, user, hazard_id, target, values, note,
                         (contents, filename) if contents else None, lang)
    if not ok:
        return line, no_update, no_update, no_update, no_update, no_update, no_update, no_update
    d = views.detail_view(hazards.detail(ctx.engine, hazard_id, user=user), lang)
    options = [{"label": s["label"], "value": s["value"]} for s in d["steps"]]
    return (line, detail_block(ctx, user, hazard_id, lang), options,
            options[0]["value"] if options else None, d["steps"], not options, None, "")
