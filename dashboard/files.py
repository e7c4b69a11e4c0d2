"""Evidence files of hidden hazards, served to logged-in users who see the hazard.

``GET /evidence/<id>``: the request hook of :mod:`dashboard.auth` has checked the session;
:func:`command.app.hazards.evidence_file` checks that the user sees the hazard and that
the file still has the hash it was kept with. Anyone else gets 404, the same answer as for
evidence that does not exist; a changed or missing file gets 410 and is logged.
"""

from __future__ import annotations

import logging

import flask

from command.app import hazards
from command.errors import AccessError, StoreError
from dashboard.auth import current_user

__all__ = ["install"]

log = logging.getLogger(__name__)


def install(app, ctx) -> None:
    """Add the evidence route to ``app``'s server."""

    @app.server.route("/evidence/<evidence_id>", methods=["GET"])
    def _evidence(evidence_id: str):
        user = current_user()
        try:
            path, media_type, name = hazards.evidence_file(ctx.engine, ctx.settings,
                                                           evidence_id, user=user)
        except AccessError:
            return flask.Response("not found", status=404, mimetype="text/plain")
        except StoreError as exc:
            log.error("evidence %s refused: %s", evidence_id, exc)
            return flask.Response(str(exc), status=410, mimetype="text/plain")
        resp = flask.send_file(path, mimetype=media_type, download_name=name,
                               as_attachment=False, max_age=0)
        # a kept file is shown as what it is and nothing else: no sniffing, no scripts
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
