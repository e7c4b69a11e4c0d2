from pathlib import Path

import pytest

from command.errors import SettingsError
from command.settings import Settings, from_env, override


def test_defaults_have_units_and_reasons():
    rows = Settings().describe()
    assert {r["name"] for r in rows} >= {"data_dir", "road_speeds_kmh", "fire_standard_s"}
    assert all(r["unit"] and r["why"] for r in rows)
    assert Settings().fire_standard_s == 300.0  # 5 min, 建标152-2017


def test_env_overrides_are_parsed():
    s = from_env({"CC_EMERGENCY_SPEED_FACTOR": "1.5", "CC_DATA_DIR": "/tmp/x",
                  "CC_CONGESTION_FACTORS": '{"8": 1.4}', "DATABASE_URL": "sqlite:///a.db"})
    assert s.emergency_speed_factor == 1.5
    assert s.data_dir == Path("/tmp/x")
    assert s.congestion_factors == {8: 1.4}
    assert s.db_url == "sqlite:///a.db"


def test_default_db_is_sqlite_under_data_dir(tmp_path):
    assert Settings(data_dir=tmp_path).db_url == f"sqlite:///{tmp_path / 'command.db'}"


def test_unknown_env_setting_is_refused():
    with pytest.raises(SettingsError, match="CC_SPEEED"):
        from_env({"CC_SPEEED": "1"})


def test_bad_values_name_field_and_value():
    with pytest.raises(SettingsError, match=r"emergency_speed_factor=-1"):
        Settings(emergency_speed_factor=-1)
    with pytest.raises(SettingsError, match="CC_PORT='eighty'"):
        from_env({"CC_PORT": "eighty"})
    with pytest.raises(SettingsError, match="language='fr'"):
        Settings(language="fr")


def test_override_is_temporary_and_refuses_unknown_keys():
    base = Settings()
    with override(base, language="en") as s:
        assert s.language == "en"
    assert base.language == "zh"
    with pytest.raises(SettingsError, match="nonsense"):
        base.replace(nonsense=1)
