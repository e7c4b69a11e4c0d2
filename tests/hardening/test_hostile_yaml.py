"""The shared YAML loader against hostile files (issue #20): recursive aliases, lists as
keys, deep nesting, alias bombs and repeated keys are refused with the file and the
line, by every command that reads YAML, in bounded time, with the store unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from command.errors import DataError
from command.yamlfile import load_yaml, read_mapping

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"

# file -> words the refusal must contain, and the line it must name
CASES = {
    "yaml-alias-recursive.yaml": ("recursive alias", 3),
    "yaml-list-key.yaml": ("a key must be a plain value", 3),
    "yaml-deep.yaml": ("nested too deep", 3),
    "yaml-billion-laughs.yaml": ("too many values", None),
    "yaml-duplicate-key.yaml": ("on lines 3 and 6", 6),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_loader_refuses_naming_file_and_line(name, count_case):
    count_case("yaml (loader)")
    words, line = CASES[name]
    with pytest.raises(DataError) as e:
        read_mapping(HOSTILE / name, what="situation file")
    p = e.value.problems[0]
    assert p.file.endswith(name)
    assert words in p.rule
    assert p.row == line or (line is None and p.row is not None)


def test_every_problem_of_keys_is_reported_at_once(tmp_path):
    f = tmp_path / "keys.yaml"
    f.write_text("a: 1\nb: 2\na: 3\n? [x]\n: 4\nb: 5\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_mapping(f)
    rules = [(p.row, p.field) for p in e.value.problems]
    assert rules == [(3, "a"), (4, None), (6, "b")]


def test_a_few_aliases_still_work(tmp_path):
    f = tmp_path / "aliases.yaml"
    f.write_text("base: &b {lat: 30.4, lon: 114.9}\nthere: *b\n", encoding="utf-8")
    data, lines = load_yaml(f)
    # an aliased value is the anchored node itself: its line is where it was written
    assert data["there"] == {"lat": 30.4, "lon": 114.9} and lines[("there",)] == 1


def test_too_many_aliases_are_refused(tmp_path):
    f = tmp_path / "many.yaml"
    f.write_text("a: &a 1\nlist: [" + ", ".join(["*a"] * 101) + "]\n", encoding="utf-8")
    with pytest.raises(DataError, match="too many aliases"):
        load_yaml(f)


def test_a_file_over_the_size_budget_is_refused_before_reading(tmp_path):
    f = tmp_path / "big.yaml"
    with f.open("w") as out:
        out.truncate(6_000_000)
    with pytest.raises(DataError, match="file size"):
        load_yaml(f)


def test_values_are_those_of_safe_load(tmp_path):
    text = "a: 1\nb: 2.5\nc: .inf\nd: null\ne: 2024-01-02\nf: [yes, no, ~]\ng: '7'\n"
    f = tmp_path / "v.yaml"
    f.write_text(text, encoding="utf-8")
    assert load_yaml(f)[0] == yaml.safe_load(text)


def test_unsafe_tags_are_refused(tmp_path):
    f = tmp_path / "tag.yaml"
    f.write_text("a: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        load_yaml(f)
    assert e.value.problems[0].row == 1


COMMANDS = {
    "situation": ["optimise", "assign", "--situation"],
    "scenario": ["scenario", "show"],
    "drill": ["drill"],
}


@pytest.mark.parametrize("kind", sorted(COMMANDS))
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_yaml_command_refuses_cleanly(kind, name, run_cli, store_state, count_case):
    count_case(f"yaml ({kind} command)")
    before = store_state()
    rc, out, err, seconds = run_cli(*COMMANDS[kind], str(HOSTILE / name))
    assert rc == 2, err
    assert "Traceback" not in err
    assert name in err and "row " in err
    assert store_state() == before
