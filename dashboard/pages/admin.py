"""Users and roles (用户管理), for administrators: every account with its role, scope and
state; add a user, disable or enable one, set a password.

The same use cases as the ``command-center users`` commands (:mod:`command.app.access`),
audited as the administrator who acts. Passwords are never shown, only set.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from command.access import ROLES, SCOPED_ROLES
from command.app import access
from command.clock import beijing
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard

dash.register_page(__name__, path="/admin", name="admin", name_key="nav.admin", order=90)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    ctx = context.current()
    return html.Div(className="pg-grid pg-admin", children=[
        dcc.Store(id="adm-lang", data=lang),
        dcc.Store(id="adm-version", data=0),
        html.Section(className="card grow", children=[
            html.H2(t("admin.title", lang)),
            html.Div(users_table(access.list_users(ctx.engine), lang), id="adm-users",
                     className="pg-table-wrap"),
        ]),
        html.Aside(className="side", children=[html.Section(className="card", children=[
            html.H2(t("admin.add", lang)),
            html.Label([t("admin.name", lang), dcc.Input(id="adm-name", className="num")]),
            html.Label([t("admin.display", lang), dcc.Input(id="adm-display", className="num")]),
            html.Label([t("admin.role", lang), dcc.Dropdown(
                id="adm-role", value="staff", clearable=False, searchable=False,
                options=[{"label": t(f"role.{r}", lang), "value": r} for r in ROLES])]),
            html.Label([t("admin.scope", lang), dcc.Dropdown(id="adm-scope",
                                                             options=scope_options(ctx, lang))]),
            html.Label([t("admin.password", lang),
                        dcc.Input(id="adm-password", type="password", className="num",
                                  autoComplete="new-password")]),
            html.Button(t("admin.create", lang), id="adm-create", className="btn", n_clicks=0),
            html.Div(id="adm-result", className="summary"),
        ])]),
    ])


def scope_options(ctx, lang: str) -> list[dict]:
    """Agencies, enterprises and grid cells of the data set, each value prefixed with its
    kind (``agency:F``, ``enterprise:E01``, ``grid:G001``)."""
    ds = ctx.dataset
    name = (lambda x: x.name_en) if lang == "en" else (lambda x: x.name_zh)
    return ([{"label": name(a), "value": f"agency:{a.agency_id}"} for a in ds.agencies]
            + [{"label": name(e), "value": f"enterprise:{e.enterprise_id}"}
               for e in ds.enterprises]
            + [{"label": f"{g.grid_id} {g.name_zh}", "value": f"grid:{g.grid_id}"}
               for g in ds.grid_cells])


def users_table(users: list[dict], lang: str):
    head = [t(k, lang) for k in ("admin.name", "admin.display", "admin.role", "admin.scope",
                                 "admin.col.status", "admin.col.created", "admin.col.actions")]
    rows = []
    for u in users:
        status = t("admin.enabled" if u["enabled"] else "admin.disabled", lang)
        if u["locked_until"] is not None:
            status += " · " + t("admin.locked", lang,
                                until=beijing(u["locked_until"]).strftime("%m-%d %H:%M"))
        toggle = "disable" if u["enabled"] else "enable"
        rows.append(html.Tr([
            html.Td(u["name"], className="name"), html.Td(u["display_name"]),
            html.Td(t(f"role.{u['role']}", lang)),
            html.Td(u["agency_id"] or u["enterprise_id"] or u["grid_id"] or ""),
            html.Td(status), html.Td(beijing(u["created_at"]).strftime("%Y-%m-%d %H:%M")),
            html.Td([
                html.Button(t(f"admin.{toggle}", lang), className="act ghost", n_clicks=0,
                            id={"type": "adm-act", "op": toggle, "user": u["name"]}),
                dcc.Input(id={"type": "adm-pw", "user": u["name"]}, type="password",
                          className="num", placeholder=t("admin.password", lang),
                          autoComplete="new-password"),
                html.Button(t("admin.reset", lang), className="act", n_clicks=0,
                            id={"type": "adm-act", "op": "reset", "user": u["name"]}),
            ]),
        ]))
    return html.Table(className="rec pg-table", id="adm-user-rows", children=[
        html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)])


def add(ctx, actor: str, name, display, role, scope, password, lang: str) -> tuple[str, bool]:
    """Add a user as ``actor``; (message, done). ``scope`` is a value of
    :func:`scope_options` or None."""
    kind, _, value = (scope or "").partition(":")
    extra = {kind: value} if kind in SCOPED_ROLES.values() and value else {}
    try:
        user = access.add_user(ctx.engine, name=(name or "").strip(), role=role or "",
                               password=password or "", actor=actor, display_name=display,
                               dataset=ctx.dataset, **extra)
    except CommandError as exc:
        return t("admin.failed", lang, detail=str(exc)), False
    return t("admin.done", lang, what=f"{t('admin.add', lang)} {user.name}"), True


def act(ctx, actor: str, op: str, name: str, password: str | None, lang: str) -> str:
    """Disable, enable or set the password of user ``name`` as ``actor``."""
    try:
        if op == "disable":
            access.disable_user(ctx.engine, name, actor=actor)
        elif op == "enable":
            access.enable_user(ctx.engine, name, actor=actor)
        elif op == "reset":
            access.set_password(ctx.engine, name, password or "", actor=actor)
        else:
            return ""
    except CommandError as exc:
        return t("admin.failed", lang, detail=str(exc))
    return t("admin.done", lang, what=f"{t(f'admin.{op}', lang)} {name}")


@callback(Output("adm-result", "children"), Output("adm-result", "className"),
          Output("adm-users", "children"),
          Input("adm-create", "n_clicks"), Input({"type": "adm-act", "op": ALL, "user": ALL},
                                                 "n_clicks"),
          State("adm-name", "value"), State("adm-display", "value"), State("adm-role", "value"),
          State("adm-scope", "value"), State("adm-password", "value"),
          State({"type": "adm-pw", "user": ALL}, "value"),
          State({"type": "adm-pw", "user": ALL}, "id"), State("adm-lang", "data"),
          prevent_initial_call=True)
@guard("users.manage")
def _on_admin(_create, _acts, name, display, role, scope, password, pw_values, pw_ids, lang):
    trig = dash.ctx.triggered_id
    if not trig or not (dash.ctx.triggered and dash.ctx.triggered[0]["value"]):
        return no_update, no_update, no_update
    ctx, actor = context.current(), current_user().name
    if trig == "adm-create":
        msg, done = add(ctx, actor, name, display, role, scope, password, lang)
    else:
        pw = {i["user"]: v for i, v in zip(pw_ids, pw_values)}.get(trig["user"])
        msg = act(ctx, actor, trig["op"], trig["user"], pw, lang)
        done = not msg.startswith(t("admin.failed", lang, detail=""))
    return (msg, "summary" if done else "summary error",
            users_table(access.list_users(ctx.engine), lang))
