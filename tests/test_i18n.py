import re

import pytest

from command import i18n
from command.model import CAPABILITIES, INCIDENT_TYPES, UNIT_STATUSES


def test_every_entry_has_both_languages():
    for key, (zh, en) in i18n.TABLE.items():
        assert zh.strip() and en.strip(), key
        # the same text in both languages only for the toggle and for pure symbols ("—")
        words = re.sub(r"\{[^}]*\}", "", zh)
        assert zh != en or key.startswith("app.lang") or not any(c.isalpha() for c in words), key


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


def test_area_tables_are_merged_and_keys_unique():
    import importlib
    import pkgutil

    import command.texts as texts

    seen: dict[str, str] = {}
    for info in pkgutil.iter_modules(texts.__path__):
        area = importlib.import_module(f"command.texts.{info.name}")
        for key in area.TABLE:
            assert key not in seen, f"{key} in both {seen[key]} and {info.name}"
            seen[key] = info.name
            assert i18n.TABLE[key] == area.TABLE[key]
