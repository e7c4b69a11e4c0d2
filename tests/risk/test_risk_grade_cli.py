"""``command-center risk grade``: outputs of the three methods and the refusals (exit 2)."""

from __future__ import annotations

import json

import pytest

from command.cli import main


def _json(capsys, *argv):
    assert main(["risk", "grade", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_gb18218_json(capsys):
    d = _json(capsys, "--method", "gb18218", "--substances", "ammonia=50,7782-50-5=10",
              "--people", "120")
    assert (d["S"], d["R"], d["alpha"], d["major"], d["grade"], d["grade_zh"]) == (
        7, 36, 2.0, True, 3, "三级")


def test_gb18218_not_major_has_null_grade(capsys):
    d = _json(capsys, "--method", "gb18218", "--substances", "氯=2", "--people", "0")
    assert (d["S"], d["R"], d["alpha"], d["major"], d["grade"], d["grade_zh"]) == (
        0.4, 0.8, 0.5, False, None, None)


def test_gb18218_text_in_chinese(capsys, monkeypatch):
    monkeypatch.setenv("CC_LANGUAGE", "zh")
    assert main(["risk", "grade", "--method", "gb18218", "--substances", "硫化氢=30",
                 "--people", "200"]) == 0
    out = capsys.readouterr().out
    assert "S = 6" in out and "R = 60" in out and "二级" in out and "GB 18218-2018" in out


def test_lec_json(capsys):
    d = _json(capsys, "--method", "lec", "--l", "1", "--e", "0.5", "--c", "40")
    assert (d["D"], d["band"], d["colour"], d["colour_zh"]) == (20, "slight", "blue", "蓝")
    d = _json(capsys, "--method", "lec", "--l", "3", "--e", "10", "--c", "15")
    assert (d["D"], d["band"], d["colour"], d["colour_zh"]) == (450, "extreme", "red", "红")


def test_ls_json_and_bands(capsys):
    d = _json(capsys, "--method", "ls", "--l", "3", "--s", "5")
    assert (d["R"], d["colour"], d["colour_zh"]) == (15, "orange", "橙")
    d = _json(capsys, "--method", "ls", "--l", "3", "--s", "4", "--bands", "shandong")
    assert (d["R"], d["colour"], d["inputs"]["bands"]) == (12, "yellow", "shandong")


def test_ls_text_in_english(capsys, monkeypatch):
    monkeypatch.setenv("CC_LANGUAGE", "en")
    assert main(["risk", "grade", "--method", "ls", "--l", "5", "--s", "4"]) == 0
    out = capsys.readouterr().out
    assert "R = 20" in out and "Colour: Red" in out


@pytest.mark.parametrize(("argv", "words"), [
    (["--method", "gb18218", "--substances", "unobtainium=5", "--people", "3"],
     ["'substance'", "'unobtainium'"]),
    (["--method", "gb18218", "--substances", "ammonia=-5", "--people", "3"],
     ["'quantity of ammonia'", "'-5'", "negative"]),
    (["--method", "gb18218", "--substances", "ammonia=lots", "--people", "3"],
     ["'quantity of ammonia'", "'lots'"]),
    (["--method", "gb18218", "--substances", "ammonia 5", "--people", "3"],
     ["'substances'", "name=quantity"]),
    (["--method", "gb18218", "--substances", "ammonia=5", "--people", "-1"],
     ["'people'", "'-1'"]),
    (["--method", "gb18218", "--substances", "ammonia=5"], ["'--people'", "required"]),
    (["--method", "lec", "--l", "4", "--e", "6", "--c", "15"], ["'L'", "'4'"]),
    (["--method", "lec", "--l", "3", "--e", "7", "--c", "15"], ["'E'", "'7'"]),
    (["--method", "lec", "--l", "3", "--e", "6", "--c", "20"], ["'C'", "'20'"]),
    (["--method", "ls", "--l", "3", "--s", "6"], ["'S'", "'6'"]),
    (["--method", "ls", "--l", "0", "--s", "3"], ["'L'", "'0'"]),
    (["--method", "ls", "--l", "3", "--s", "3", "--e", "6"], ["'--e'", "does not apply"]),
])
def test_bad_input_exits_2_naming_field_and_value(capsys, argv, words):
    assert main(["risk", "grade", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    for w in words:
        assert w in err
