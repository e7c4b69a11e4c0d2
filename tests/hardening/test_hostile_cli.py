"""Hostile values for every numeric argument of every command (issue #20).

Each command starts from an argument list that is valid (or as valid as a command
that needs a real record can be), and one numeric option gets a value no person
means: NaN, infinities, 1e308, a word. The command must exit 2 before doing any work,
with a message that names the option (or the model's field of the same name), and no
traceback; the store is the same afterwards. Runs in-process (``command.cli.main``),
each under an alarm of 30 s.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

import pytest

from command.cli import build_parser, main

H = Path(__file__).resolve().parents[1] / "data" / "hostile"
EZHOU = Path(__file__).resolve().parents[2] / "data" / "resources" / "ezhou"
SURGE = str(EZHOU / "situations" / "surge-echeng.yaml")
DRILL = str(EZHOU / "drills" / "station-loss-surge.yaml")

HOSTILE_VALUES = ["nan", "inf", "-inf", "1e308", "abc"]

# command (as a tuple) -> the valid arguments each hostile option is added to; option ->
# base when the option needs another base. A base of None: the command needs a record
# that does not exist, so only "no traceback, exit 2" is asserted, not the naming.
BASES: dict[tuple, list] = {
    ("db", "audit"): [],
    ("drill",): [DRILL, "--replications", "2"],
    ("hazards", "report"): ["--cell", "C0101", "--kind", "fire", "--description", "x",
                            "--actor", "nobody"],
    ("hazards", "advance"): None,
    ("grids", "report"): ["--cell", "C0101", "--actor", "nobody"],
    ("optimise", "deliveries"): ["--cvrp", str(H / "valid-tiny-n4-k2.vrp")],
    ("optimise", "site"): ["--pmed", str(H / "valid-tiny-pmed.txt")],
    ("optimise", "assign"): ["--situation", SURGE],
    ("optimise", "materials"): ["--situation", SURGE],
    ("optimise", "moveup"): ["--situation", SURGE],
    ("optimise", "plan"): ["--situation", SURGE],
    ("recommend",): ["--lat", "30.39", "--lon", "114.89", "--type", "fire"],
    ("risk", "draw"): ["--enterprises", "2", "--inspectors", "2", "--seed", "1"],
    ("roads", "fetch"): [],
    ("scenario", "plume"): ["--rate-g-s", "100", "--wind-m-s", "3", "--stability", "D",
                            "--x-m", "500"],
    ("scenario", "thermal"): ["--model", "bleve", "--mass-kg", "20000",
                              "--heat-of-combustion-kj-kg", "46000", "--radiated-fraction",
                              "0.3"],
    ("serve",): [],
    ("simulate",): ["--days", "0.05", "--replications", "2"],
    ("warning", "predict"): ["--csv", str(H / "valid-ramp.csv"), "--threshold", "100"],
    ("warning", "ingest"): [],
    ("warning", "simulate"): ["--scenario", "chlorine"],
    ("warning", "replay"): [str(H / "valid-ramp.csv")],
    ("simulate", "queue"): ["--arrival-rate", "2", "--service-rate", "1", "--servers", "4",
                            "--hours", "20", "--replications", "2"],
}
POOL = ["--model", "pool", "--diameter-m", "10", "--fuel", "diesel",
        "--radiated-fraction", "0.35"]
JET = ["--model", "jet", "--release-rate-kg-s", "5", "--heat-of-combustion-kj-kg", "46000",
       "--radiated-fraction", "0.3"]
OPTION_BASES = {
    ("scenario", "thermal", "--diameter-m"): POOL,
    ("scenario", "thermal", "--burning-rate-kg-m2-s"): POOL,
    ("scenario", "thermal", "--k-beta-per-m"): POOL,
    ("scenario", "thermal", "--source-height-m"): POOL,
    ("scenario", "thermal", "--release-rate-kg-s"): JET,
    ("optimise", "deliveries", "--customers"): ["--solomon", str(H / "valid-tiny-solomon.txt")],
}


def _numeric_options():
    """(command, option, nargs) for every option of type int or float (or a checked
    number) of every command."""
    out = []

    def walk(parser, prefix):
        for a in parser._actions:
            if isinstance(a, argparse._SubParsersAction):
                for name, sub in a.choices.items():
                    walk(sub, prefix + (name,))
            elif a.option_strings and getattr(a.type, "__name__", None) in (
                    "float", "int", "_positive"):
                out.append((prefix, a.option_strings[0], a.nargs))

    walk(build_parser(), ())
    return out


OPTIONS = _numeric_options()


def test_every_numeric_option_has_a_base():
    assert {c for c, _, _ in OPTIONS} <= set(BASES), {c for c, _, _ in OPTIONS} - set(BASES)
    assert len(OPTIONS) >= 50


class _Alarm(Exception):
    pass


def _run(argv):
    def ring(*_):
        raise _Alarm(f"command-center {' '.join(argv)} ran longer than 30 s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(30)
    try:
        return main(argv)
    except SystemExit as exc:  # argparse refuses a value that does not parse
        return exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("command, option, nargs", OPTIONS,
                         ids=[" ".join(c) + " " + o for c, o, _ in OPTIONS])
def test_hostile_values_are_refused_naming_the_option(command, option, nargs, cli_env,
                                                      store_state, capsys, count_case):
    base = OPTION_BASES.get(command + (option,), BASES[command])
    before = store_state()
    for value in HOSTILE_VALUES:
        count_case("CLI arguments")
        values = [value] * (nargs if isinstance(nargs, int) else 1)
        rc = _run([*command, *(base or []), option, *values])
        err = capsys.readouterr().err
        assert rc == 2, (option, value, err)
        assert "Traceback" not in err
        if base is not None:
            field = option.lstrip("-").replace("-", "_")
            assert option in err or f"'{field}'" in err, (option, value, err)
    assert store_state() == before
