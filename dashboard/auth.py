"""Log-in, sessions and role checks for the dashboard, on the Flask server under Dash.

Every request but the log-in page and static files needs a session: a page without one
is sent to ``/login``, a callback or other request gets 401. A session is a random token
kept server-side (:mod:`command.app.access`), carried in a cookie signed with the
settings' secret (a forged or altered cookie is no session). Every POST carries the
session's CSRF token in the ``X-CSRFToken`` header, which Dash's renderer copies from
the ``_csrf_token`` cookie; a missing or foreign token gets 403.

Roles are checked here, on the server, before anything runs: a page by its path
(:data:`command.access.PAGES`), a callback by the permission its function declares with
:func:`guard` (a callback without one is refused: the check fails closed), Dash's page
router by the path it is asked to render. A refusal is 403 with an audit entry naming
the user and what was refused. Callbacks find the acting user with :func:`current_user`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
from collections.abc import Callable
from urllib.parse import urlparse

import flask
from itsdangerous import BadSignature, URLSafeSerializer

from command.access import PAGES, allowed, page_permission
from command.app import access
from command.i18n import t

__all__ = ["guard", "current_user", "install", "SESSION_COOKIE", "CSRF_COOKIE",
           "permission_of_callback", "ANY_USER"]

log = logging.getLogger(__name__)

SESSION_COOKIE = "cc_session"
#: The cookie Dash's renderer reads to fill the ``X-CSRFToken`` header of every request.
CSRF_COOKIE = "_csrf_token"
#: The permission of a callback any logged-in user may run (the shell's language switch).
ANY_USER = "*"

#: Paths served without a session: the log-in page itself and static files.
_PUBLIC_PREFIXES = ("/login", "/assets/", "/_dash-component-suites/", "/_favicon.ico")
_DASH_PAGES_OUTPUT = "_pages_content"


def guard(permission: str) -> Callable:
    """Declare the permission a Dash callback needs (a page's or an action's, see
    :data:`command.access.MATRIX`, or :data:`ANY_USER`). Put it under ``@callback``;
    the check runs in :func:`install`'s request hook, before the callback."""
    def mark(fn):
        fn._cc_permission = permission
        return fn
    return mark


def current_user() -> access.User:
    """The user of the request (set by the request hook; a callback never runs without
    one)."""
    return flask.g.cc_user


def permission_of_callback(app, body: dict) -> str | None:
    """The permission a callback request needs: the one its function declares, the page
    permission of the path Dash's page router is asked to render, or None (unknown
    callback: refused)."""
    output = str(body.get("output", ""))
    if _DASH_PAGES_OUTPUT in output:
        for item in body.get("inputs", []):
            if item.get("property") == "pathname":
                return page_permission(str(item.get("value") or "/")) or ANY_USER
        return ANY_USER
    cb = app.callback_map.get(output)
    return getattr(cb.get("callback"), "_cc_permission", None) if cb else None


def _signer(secret: bytes) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="cc-session")


def csrf_token(secret: bytes, token: str) -> str:
    """The CSRF token of a session: an HMAC of its token, so it cannot be guessed from
    another session's."""
    return hmac.new(secret, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


def install(app, ctx) -> None:
    """Add the log-in and log-out routes and the request hook to ``app`` (a Dash app
    whose server holds ``ctx``, a :class:`dashboard.context.ScreenContext`)."""
    server = app.server
    secret = access.secret_key(ctx.settings)
    signer = _signer(secret)

    def lang() -> str:
        q = flask.request.args.get("lang") or flask.request.form.get("lang")
        return "en" if q == "en" else ctx.settings.language

    def token_of_request() -> str | None:
        raw = flask.request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            return str(signer.loads(raw))
        except BadSignature:
            log.warning("forged or altered session cookie from %s", flask.request.remote_addr)
            return None

    def refuse(status: int, key: str, **params):
        text = t(key, lang(), **params)
        if flask.request.path.startswith("/_dash") or flask.request.method != "GET":
            return flask.Response(json.dumps({"error": text}, ensure_ascii=False),
                                  status=status, mimetype="application/json")
        return flask.Response(_message_page(text, lang()), status=status,
                              mimetype="text/html")

    @server.before_request
    def _check():
        path = flask.request.path
        if path.startswith(_PUBLIC_PREFIXES):
            return None
        token = token_of_request()
        user = access.session_user(ctx.engine, token) if token else None
        if user is None:
            if flask.request.method == "GET" and not path.startswith(("/_dash", "/_reload")):
                return flask.redirect(f"/login?next={_safe_next(flask.request.full_path)}")
            return refuse(401, "auth.need_login")
        flask.g.cc_user, flask.g.cc_token = user, token
        if flask.request.method != "GET":
            sent = flask.request.headers.get("X-CSRFToken", "")
            if not hmac.compare_digest(sent, csrf_token(secret, token)):
                access.refuse(ctx.engine, user, "csrf", what=path)
                return refuse(403, "auth.csrf")
        if path == "/_dash-update-component":
            body = flask.request.get_json(silent=True) or {}
            permission = permission_of_callback(app, body)
            what = str(body.get("output", ""))[:200]
        else:
            permission, what = page_permission(path), path
        if permission is None and path == "/_dash-update-component":
            access.refuse(ctx.engine, user, "unknown-callback", what=what)
            return refuse(403, "auth.forbidden")
        if permission not in (None, ANY_USER) and not allowed(user.role, permission):
            access.refuse(ctx.engine, user, permission, what=what)
            return refuse(403, "auth.forbidden")
        return None

    @server.route("/login", methods=["GET", "POST"])
    def _login():
        next_url = _safe_next(flask.request.values.get("next", "/"))
        if flask.request.method == "GET":
            return _login_page(lang(), next_url, error=None)
        name = flask.request.form.get("name", "").strip()
        password = flask.request.form.get("password", "")
        try:
            grant = access.log_in(ctx.engine, ctx.settings, name, password,
                                  client=flask.request.remote_addr or "")
        except access.LoginRefused as exc:
            return _login_page(lang(), next_url, error=t(f"auth.refused.{exc.code}", lang(),
                                                         **exc.params)), 401
        resp = flask.redirect(_landing(next_url, grant.user.role))
        _set_cookies(resp, signer.dumps(grant.token), csrf_token(secret, grant.token),
                     max_age_s=int(grant.lifetime_s))
        return resp

    @server.route("/logout", methods=["GET"])
    def _logout():
        token = token_of_request()
        if token:
            access.log_out(ctx.engine, token)
        resp = flask.redirect("/login" + (f"?lang={lang()}" if lang() == "en" else ""))
        resp.delete_cookie(SESSION_COOKIE)
        resp.delete_cookie(CSRF_COOKIE)
        return resp


def _landing(next_url: str, role: str) -> str:
    """``next_url`` when ``role`` may see it, else the first page it may see (an
    enterprise officer logging in at ``/`` lands on its account page)."""
    permission = page_permission(urlparse(next_url).path)
    if permission is None or allowed(role, permission):
        return next_url
    return next((path for path in PAGES if allowed(role, PAGES[path])), "/account")


def _set_cookies(resp, session_value: str, csrf: str, *, max_age_s: int) -> None:
    # HttpOnly keeps the session from scripts; the CSRF cookie must be readable by Dash's
    # renderer. SameSite=Strict: no other site's page can make the browser send either.
    resp.set_cookie(SESSION_COOKIE, session_value, max_age=max_age_s, httponly=True,
                    samesite="Strict")
    resp.set_cookie(CSRF_COOKIE, csrf, max_age=max_age_s, httponly=False, samesite="Strict")


def _safe_next(value: str | None) -> str:
    """A local path to go back to after log-in (never another site)."""
    value = (value or "/").strip()
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value.rstrip("?") or "/"


_STYLE = """body{background:#0b1220;color:#e6edf3;font-family:"Noto Sans CJK SC",
"Microsoft YaHei",sans-serif;display:flex;align-items:center;justify-content:center;
height:100vh;margin:0}form,.box{background:#131c2e;padding:2.2em 2.6em;border-radius:10px;
min-width:22em}h1{font-size:1.35em;margin:0 0 1.2em}label{display:block;margin:.8em 0 .3em;
color:#9fb0c8}input{width:100%;box-sizing:border-box;padding:.55em;font-size:1em;
background:#0b1220;color:#e6edf3;border:1px solid #2b3a55;border-radius:6px}
button{margin-top:1.4em;width:100%;padding:.6em;font-size:1.05em;background:#1e88e5;
color:#fff;border:0;border-radius:6px;cursor:pointer}.error{color:#ffb74d;margin-top:1em}
a{color:#90caf9}.lang{float:right;font-size:.9em}"""


def _login_page(lang: str, next_url: str, *, error: str | None) -> str:
    e = html.escape
    other = "zh" if lang == "en" else "en"
    err = f'<div class="error" id="login-error">{e(error)}</div>' if error else ""
    return f"""<!DOCTYPE html><html lang="{'en' if lang == 'en' else 'zh-CN'}"><head>
<meta charset="utf-8"><title>{e(t('auth.title', lang))}</title><style>{_STYLE}</style></head>
<body><form method="post" action="/login" id="login-form">
<a class="lang" href="/login?lang={other}&amp;next={e(next_url)}">{e(t('app.lang_toggle', lang))}</a>
<h1>{e(t('app.title', lang))}</h1>
<input type="hidden" name="next" value="{e(next_url)}"><input type="hidden" name="lang" value="{lang}">
<label for="name">{e(t('auth.name', lang))}</label>
<input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">{e(t('auth.password', lang))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-submit">{e(t('auth.submit', lang))}</button>{err}
</form></body></html>"""


def _message_page(text: str, lang: str) -> str:
    e = html.escape
    return f"""<!DOCTYPE html><html lang="{'en' if lang == 'en' else 'zh-CN'}"><head>
<meta charset="utf-8"><title>{e(t('auth.title', lang))}</title><style>{_STYLE}</style></head>
<body><div class="box"><h1>{e(text)}</h1><a href="/">{e(t('auth.home', lang))}</a> ·
<a href="/logout">{e(t('auth.logout', lang))}</a></div></body></html>"""
