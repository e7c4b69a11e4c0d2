"""Acceptance of issue #13: over random sequences of (role, transition) the machine
accepts exactly the steps of the table, by the roles the table names."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from command.access.roles import ROLES
from command.errors import DataError
from command.hazards.lifecycle import ACTIONS, STATES, TRANSITIONS, advance

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
NAMES = (*ACTIONS, *STATES, "archive", "")
ANY_ROLE = st.sampled_from((*ROLES, "mayor"))


def data_for(name):
    """Good data for whatever step ``name`` could be, so only the state and role decide."""
    data = {"note": "seen"}
    if name in ("assess", "assessed"):
        data |= {"level": "general", "reason": "loose cable"}
    elif name in ("reject", "rejected"):
        data |= {"reason": "not_a_hazard"}
    elif name in ("remediate", "remediation"):
        data |= {"deadline": NOW + timedelta(days=3), "responsible": "Li Na",
                 "measures": "replace the cable", "budget_yuan": 0}
    return data


def expected(state, name, role):
    rules = [r for r in TRANSITIONS if r.source == state and name in (r.action, r.target)]
    assert len(rules) <= 1
    return rules[0] if rules and role in rules[0].roles else None


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from((None, *STATES)), st.integers(1, 30))
def test_random_sequences_accept_exactly_the_table(data, start, length):
    state = start
    for _ in range(length):
        outs = [n for r in TRANSITIONS if r.source == state for n in (r.action, r.target)]
        # half the time a step that leads somewhere from here, so sequences go far
        if outs and data.draw(st.booleans()):
            name = data.draw(st.sampled_from(outs))
        else:
            name = data.draw(st.sampled_from(NAMES))
        role = data.draw(ANY_ROLE)
        want = expected(state, name, role)
        try:
            step = advance(state, name, role=role, data=data_for(name), now=NOW)
        except DataError as exc:
            assert want is None, (state, name, role, exc)
            assert exc.problems and exc.problems[0].field in ("to", "role")
            continue
        assert want is not None, (state, name, role)
        assert (step.from_, step.action, step.to) == (want.source, want.action, want.target)
        assert step.role == role and role in want.roles and role != "wall"
        state = step.to
