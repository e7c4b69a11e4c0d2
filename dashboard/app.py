"""The Dash application: ``create_app(settings) -> dash.Dash``.

This module builds the shell (header with title, navigation from the page registry, the
language switch and the clock) and attaches the server-side context (settings, road
network, data set, store engine) to the Flask server, where callbacks find it through
:func:`dashboard.context.current`. Pages live in ``dashboard/pages`` and register
themselves; they never import this module.
"""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Input, Output, dcc, html

from command.access import allowed, page_permission
from command.i18n import t
from command.settings import Settings
from dashboard import auth, context, files

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent


def create_app(settings: Settings, *, ctx: context.ScreenContext | None = None) -> dash.Dash:
    """Build the dashboard for ``settings``.

    Loads the road network (from its compact cache) and the data set once; raises the
    core's errors (``RoadNetworkError``, ``DataError``, ``StoreError``) if they cannot be
    loaded, so ``command-center serve`` can report them before the server starts.
    """
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(_HERE / "pages"),
        assets_folder=str(_HERE / "assets"),
        title=t("app.title", settings.language),
        suppress_callback_exceptions=True,
        update_title=None,
    )
    ctx = ctx or context.load(settings)
    app.server.config[context.KEY] = ctx
    app.layout = _shell(settings)
    _register_shell_callbacks(app)
    auth.install(app, ctx)
    files.install(app, ctx)
    return app


def _shell(settings: Settings):
    lang = settings.language
    return html.Div(className="shell", children=[
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Interval(id="clock-tick", interval=1000),
        html.Header(className="topbar", children=[
            html.Div(id="app-title", className="title", children=t("app.topbar", lang)),
            html.Nav(id="nav", className="nav"),
            html.Div(className="spacer"),
            html.Div(className="clock", children=[
                html.Span(id="clock-label", children=t("clock.label", lang)),
                html.Span(id="clock", className="clock-time"),
            ]),
            dcc.Link(id="lang-toggle", className="lang", href="?lang=en",
                     children=t("app.lang_toggle", lang)),
            html.Span(id="who", className="who"),
            html.A(id="logout", className="lang", href="/logout",
                   children=t("auth.logout", lang)),
        ]),
        html.Main(className="page", children=dash.page_container),
    ])


def _register_shell_callbacks(app: dash.Dash) -> None:
    # The clock runs in the browser: no server round trip every second.
    app.clientside_callback(
        """function(n) {
            const d = new Date(Date.now() + (new Date().getTimezoneOffset() + 480) * 60000);
            const p = (x) => String(x).padStart(2, '0');
            return `${d.getFullYear()}-${p(d.getMonth()+1)}-${p(d.getDate())} ` +
                   `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
        }""",
        Output("clock", "children"),
        Input("clock-tick", "n_intervals"),
    )

    @app.callback(
        Output("app-title", "children"), Output("clock-label", "children"),
        Output("lang-toggle", "children"), Output("lang-toggle", "href"), Output("nav", "children"),
        Output("who", "children"), Output("logout", "children"),
        Input("url", "search"), Input("url", "pathname"),
    )
    @auth.guard(auth.ANY_USER)
    def _localise(search, pathname):
        lang = context.lang_from_search(search)
        user = auth.current_user()
        return (*shell_texts(lang, pathname or "/", role=user.role),
                t("auth.user", lang, name=user.display_name, role=t(f"role.{user.role}", lang)),
                t("auth.logout", lang))


def shell_texts(lang: str, pathname: str, *, role: str):
    """Header texts and the navigation of ``role`` (only the pages it may see) for
    ``lang`` (a plain function, unit-tested)."""
    other = "zh" if lang == "en" else "en"
    links = [
        dcc.Link(t(page.get("name_key", "nav.screen"), lang),
                 href=f"{page['relative_path']}?lang={lang}",
                 className="navlink active" if page["relative_path"] == pathname else "navlink")
        for page in dash.page_registry.values()
        if allowed(role, page_permission(page["relative_path"]) or "page.account")
    ]
    return (t("app.topbar", lang), t("clock.label", lang), t("app.lang_toggle", lang),
            f"{pathname}?lang={other}", links)
