"""My account (我的账户): who I am, what my role may use, and changing my password.

Every logged-in person but the video wall's kiosk account has this page (it is the start
page of roles whose own pages come later, such as enterprise officers and grid members).
Callbacks only adapt: :mod:`command.app.access` checks and writes.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from command.access import PAGES, allowed, permissions_of
from command.app import access
from command.errors import CommandError
from command.i18n import t
from dashboard import context
from dashboard.auth import current_user, guard

dash.register_page(__name__, path="/account", name="account", name_key="nav.account",
                   order=80)


def layout(lang: str = "zh", **_query):
    lang = "en" if lang == "en" else "zh"
    user = current_user()
    scope = scope_name(context.current().dataset, user, lang)
    perms = sorted(permissions_of(user.role))
    pw = [] if not allowed(user.role, "account.password") else [
        html.Section(className="card", children=[
            html.H2(t("account.change", lang)),
            *[html.Label([t(f"account.{k}", lang),
                          dcc.Input(id=f"acct-{k}", type="password", className="num",
                                    autoComplete="new-password" if k != "current"
                                    else "current-password")])
              for k in ("current", "new", "repeat")],
            html.Button(t("account.save", lang), id="acct-save", className="btn", n_clicks=0),
            html.Div(id="acct-result", className="summary"),
        ])]
    return html.Div(className="pg-grid pg-account", children=[
        dcc.Store(id="acct-lang", data=lang),
        html.Section(className="card", children=[
            html.H2(t("account.title", lang)),
            html.Table(className="rec pg-table", children=[html.Tbody([
                html.Tr([html.Th(t("admin.name", lang)), html.Td(user.name, id="acct-name")]),
                html.Tr([html.Th(t("admin.display", lang)), html.Td(user.display_name)]),
                html.Tr([html.Th(t("account.role", lang)),
                         html.Td(t(f"role.{user.role}", lang), id="acct-role")]),
                html.Tr([html.Th(t("account.scope", lang)), html.Td(scope)]),
            ])]),
            html.H2(t("account.pages", lang)),
            html.Ul(id="acct-perms", children=[
                html.Li(dcc.Link(t(f"perm.{p}", lang), href=f"{path}?lang={lang}")
                        if (path := _path_of(p)) else t(f"perm.{p}", lang))
                for p in perms]),
        ]),
        *pw,
    ])


def scope_name(dataset, user, lang: str) -> str:
    """The agency, enterprise or grid cell a user belongs to, by name (its id when the
    data set no longer has it), or "—"."""
    for attr, items, key in (("agency_id", dataset.agencies, "agency_id"),
                             ("enterprise_id", dataset.enterprises, "enterprise_id"),
                             ("grid_id", dataset.grid_cells, "grid_id")):
        value = getattr(user, attr)
        if value:
            item = next((x for x in items if getattr(x, key) == value), None)
            if item is None:
                return value
            name = getattr(item, "name_en", "") if lang == "en" else ""
            return f"{name or item.name_zh} ({value})"
    return "—"


def _path_of(permission: str) -> str | None:
    return next((path for path, p in PAGES.items() if p == permission), None)


def change_password(ctx, user, current: str | None, new: str | None, repeat: str | None,
                    lang: str) -> tuple[str, bool]:
    """Change ``user``'s own password; (message, done)."""
    if (new or "") != (repeat or ""):
        return t("account.mismatch", lang), False
    try:
        access.change_own_password(ctx.engine, user.name, current or "", new or "")
    except access.LoginRefused:
        return t("account.wrong_current", lang), False
    except CommandError as exc:
        return t("admin.failed", lang, detail=str(exc)), False
    return t("account.changed", lang), True


@callback(Output("acct-result", "children"), Output("acct-result", "className"),
          Input("acct-save", "n_clicks"), State("acct-current", "value"),
          State("acct-new", "value"), State("acct-repeat", "value"), State("acct-lang", "data"),
          prevent_initial_call=True)
@guard("account.password")
def _on_save(_n, current, new, repeat, lang):
    msg, done = change_password(context.current(), current_user(), current, new, repeat, lang)
    if not done:
        return msg, "summary error"
    # the change ended every session of the user: a full page load of the log-in page
    return [msg, " ", html.A(t("auth.submit", lang), href=f"/login?lang={lang}")], "summary"
