"""Fixtures of the dashboard tests."""

import pytest

from dashboard.context import ScreenContext


@pytest.fixture
def ctx(ezhou_store, ezhou_network, ezhou_dataset):
    """A screen context on a fresh store loaded with the Ezhou data set."""
    settings, engine = ezhou_store
    return ScreenContext(settings=settings, network=ezhou_network, dataset=ezhou_dataset,
                         engine=engine)


@pytest.fixture
def people(ezhou_store, ezhou_dataset):
    """The test users of :data:`PEOPLE` in the test's store, all with the password of
    ``browser_kit.PASSWORD``; yields their names."""
    from browser_kit import PASSWORD, PEOPLE

    from command.app.access import add_user

    _settings, engine = ezhou_store
    for name, (role, display, scope) in PEOPLE.items():
        add_user(engine, name=name, role=role, password=PASSWORD, actor="test",
                 display_name=display, dataset=ezhou_dataset, **scope)
    return list(PEOPLE)


@pytest.fixture
def request_as():
    """``with request_as(app, role): ...`` runs page code inside a request of a user with
    ``role`` (as the request hook of dashboard/auth.py would have set it)."""
    import contextlib

    import flask

    from command.app.access import User

    @contextlib.contextmanager
    def run(app, role: str, name: str = "tester"):
        with app.server.test_request_context():
            flask.g.cc_user = User(name, name, role)
            yield

    return run


@pytest.fixture
def page_of(ctx):
    """``page_of("admin")``: the page module ``dashboard/pages/<name>.py`` as Dash imports
    it once an app exists on the test's context, with that app as ``module.app``."""
    import sys

    from dashboard.app import create_app

    app = create_app(ctx.settings, ctx=ctx)

    def find(name: str):
        module = next(m for n, m in sys.modules.items() if n.endswith(f"pages.{name}"))
        module.app = app
        return module

    return find
