"""Hazard kinds and states are data, named in both languages."""

import pytest

from command import i18n
from command.errors import DataError
from command.hazards.kinds import KINDS, check_kind
from command.hazards.lifecycle import ACTIONS, LEVELS, REJECT_REASONS, STATES


@pytest.mark.parametrize("prefix,names", [("hazard.kind.", KINDS), ("hazard.state.", STATES),
                                          ("hazard.action.", ACTIONS),
                                          ("hazard.level.", LEVELS),
                                          ("hazard.reject.", REJECT_REASONS)])
def test_vocabularies_are_translated(prefix, names):
    assert {k[len(prefix):] for k in i18n.keys_with_prefix(prefix)} == set(names)
    for name in names:
        zh, en = i18n.t(prefix + name), i18n.t(prefix + name, "en")
        assert zh and en and zh != en


def test_kinds():
    assert len(KINDS) == len(set(KINDS)) == 10 and KINDS[-1] == "other"
    assert check_kind("gas") == "gas"
    with pytest.raises(DataError) as exc:
        check_kind("volcano", field="--kind")
    assert (exc.value.problems[0].field, exc.value.problems[0].value) == ("--kind", "volcano")
