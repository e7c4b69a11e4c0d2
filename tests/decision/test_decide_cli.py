"""``command-center decide``: AHP on a CSV matrix and the voting counts on a ballots file."""

from __future__ import annotations

import json

from command.cli import main

DRINKS = """1,9,5,2,1,1,1/2
1/9,1,1/3,1/9,1/9,1/9,1/9
1/5,3,1,1/3,1/4,1/3,1/9
1/2,9,3,1,1/2,1,1/3
1,9,4,2,1,2,1/2
1,9,3,1,1/2,1,1/3
2,9,9,3,2,3,1
"""


def _run(capsys, *argv):
    rc = main(["decide", *argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_ahp_json(tmp_path, capsys):
    f = tmp_path / "drinks.csv"
    f.write_text(DRINKS)
    rc, out, _ = _run(capsys, "ahp", "--matrix", str(f), "--json")
    d = json.loads(out)
    assert rc == 0
    assert [round(w, 3) for w in d["weights"]] == [0.177, 0.019, 0.042, 0.116, 0.190,
                                                   0.129, 0.327]
    assert (round(d["lambda_max"], 3), round(d["ci"], 4), round(d["cr"], 3)) == (
        7.177, 0.0294, 0.022)
    assert abs(sum(d["weights"]) - 1) < 1e-12 and d["consistent"]


def test_ahp_inconsistent_text(tmp_path, capsys):
    f = tmp_path / "cycle.csv"
    f.write_text("1,3,1/3\n1/3,1,3\n3,1/3,1\n")
    rc, out, _ = _run(capsys, "ahp", "--matrix", str(f))
    assert rc == 0 and "above 0.10: revise the judgements" in out and "revise first" in out


def test_ahp_bad_matrices_exit_2_naming_the_cell(tmp_path, capsys):
    for text, expected in (("1,2\n1/2\n", "row 2 (value 1): has 1 entries"),
                           ("1,0\n1,1\n", "row 1, field 'column 2' (value 0.0)"),
                           ("1,3\n3,1\n", "not reciprocal"),
                           ("1,a\n1,1\n", "row 1, field 'column 2' (value 'a')")):
        f = tmp_path / "m.csv"
        f.write_text(text)
        rc, _, err = _run(capsys, "ahp", "--matrix", str(f), "--json")
        assert rc == 2 and expected in err, err
    rc, _, err = _run(capsys, "ahp", "--matrix", str(tmp_path / "none.csv"))
    assert rc == 2 and "none.csv" in err


BALLOTS = {"options": ["A", "B", "C"], "ballots": (
    [{"voter": f"a{i}", "choices": ["A", "B", "C"]} for i in range(3)]
    + [{"voter": f"b{i}", "choices": ["B", "C", "A"]} for i in range(2)])}


def test_borda_and_majority_differ_on_the_condorcet_example(tmp_path, capsys):
    f = tmp_path / "b.json"
    f.write_text(json.dumps(BALLOTS))
    _, out, _ = _run(capsys, "borda", "--ballots", str(f), "--json")
    borda = json.loads(out)
    _, out, _ = _run(capsys, "majority", "--ballots", str(f), "--json")
    majority = json.loads(out)
    assert borda["winner"] == "B" and borda["scores"] == {"A": 6, "B": 7, "C": 2}
    assert majority["winner"] == "A" and majority["majority"]
    assert borda["condorcet_winner"] == majority["condorcet_winner"] == "A"
    _, out, _ = _run(capsys, "approval", "--ballots", str(f))
    assert out.startswith("approval: winner A (tie among A, B, C")


def test_unknown_option_exits_2(tmp_path, capsys):
    f = tmp_path / "b.json"
    f.write_text(json.dumps({"options": ["A"], "ballots": [{"voter": "x", "choices": ["Z"]}]}))
    rc, _, err = _run(capsys, "borda", "--ballots", str(f))
    assert rc == 2 and "row 1, field 'choices' (value 'Z'): not an option" in err
    f.write_text("{")
    rc, _, err = _run(capsys, "majority", "--ballots", str(f))
    assert rc == 2 and "not JSON" in err
