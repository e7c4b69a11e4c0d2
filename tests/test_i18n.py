import pytest

from command import i18n
from command.model import CAPABILITIES, INCIDENT_TYPES, UNIT_STATUSES


def test_every_entry_has_both_languages():
    for key, (zh, en) in i18n.TABLE.items():
        assert zh.strip() and en.strip(), key
        assert zh != en or key.startswith("app.lang"), key


@pytest.mark.parametrize("prefix,names", [("incident.", INCIDENT_TYPES),
                                          ("cap.", CAPABILITIES),
                                          ("status.", UNIT_STATUSES)])
def test_domain_vocabularies_are_translated(prefix, names):
    assert {k[len(prefix):] for k in i18n.keys_with_prefix(prefix)} == set(names)


def test_lookup_and_format():
    assert i18n.t("grade.red") == "红"
    assert i18n.t("grade.red", "en") == "Red"
    assert i18n.t("reason.nearest", "en", capability="Fire engine", eta_min=3.25) == \
        "Shortest drive among Fire engine units (3.2 min)"
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
