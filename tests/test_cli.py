import json
import subprocess
import sys

from command.cli import build_parser, main


def test_help_lists_commands(capsys):
    parser = build_parser()
    text = parser.format_help()
    assert "settings" in text


def test_settings_json(capsys):
    assert main(["settings", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["name"] == "fire_standard_s" and r["value"] == 300.0 for r in rows)


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "command", "settings", "--json"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)[0]["name"] == "data_dir"


def test_bad_environment_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("CC_BOGUS", "1")
    assert main(["settings"]) == 2
    assert "CC_BOGUS" in capsys.readouterr().err
