"""``command-center decide``: the group-decision methods on files, without a session.

``decide ahp --matrix FILE``: a CSV of the n x n pairwise matrix (no header; entries as
decimals or fractions such as ``1/3``) -> ``weights`` (row order, summing to 1),
``lambda_max``, ``ci``, ``cr`` (Saaty's random index), ``consistent`` and the judgement
to revise first. ``decide borda|approval|majority --ballots FILE``: a JSON file of
``options`` and ``ballots`` (docs/decision.md) -> the count with its tie rule, the
Condorcet winner and Kendall's W. Bad input exits 2 naming the row, column or ballot,
the field and the value.
"""

from __future__ import annotations

import json
from pathlib import Path

from command.cli import CLI, emit
from command.errors import DataError, Problem

HELP = "group-decision methods on files: AHP weights and consistency, voting counts"


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot read the {what}",
                        [Problem(exc.strerror or str(exc), file=path)]) from None


def _ahp(args, settings) -> int:
    from command.decision.ahp import ahp, parse_matrix

    result = ahp(parse_matrix(_read(args.matrix, "matrix"), source=args.matrix),
                 source=args.matrix)
    data = result.to_dict()

    def text(d: dict) -> str:
        lines = [f"weights     {' '.join(f'{w:.3f}' for w in d['weights'])}",
                 f"lambda_max  {d['lambda_max']:.3f}", f"ci          {d['ci']:.4f}",
                 f"cr          {d['cr']:.3f} (Saaty RI({d['n']}) = {d['ri']:.2f}; "
                 f"{'acceptable' if d['consistent'] else 'above 0.10: revise the judgements'})"]
        if not d["consistent"] and d["worst"]:
            w = d["worst"]
            lines.append(f"revise first: row {w['row'] + 1}, column {w['column'] + 1} is "
                         f"{w['given']:.3g}; the weights imply {w['implied']:.3g}")
        return "\n".join(lines)

    emit(data, as_json=args.json, text=text)
    return 0


def _ballots(args, settings) -> int:
    from command.decision import agreement, voting

    try:
        data = json.loads(_read(args.ballots, "ballots"))
    except json.JSONDecodeError as exc:
        raise DataError("the ballots file is not JSON",
                        [Problem(exc.msg, file=args.ballots, row=exc.lineno)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("options"), list) \
            or not isinstance(data.get("ballots"), list):
        raise DataError("the ballots file needs 'options' and 'ballots' lists",
                        [Problem("an object with options and ballots", file=args.ballots,
                                 value=type(data).__name__)])
    options = data["options"]
    bad = [Problem("an option is a text", file=args.ballots, field="options", value=o)
           for o in options if not isinstance(o, str)]
    if bad:
        raise DataError("the options are not valid", bad)
    ballots = voting.check_ballots(options, data["ballots"], source=args.ballots)
    tally = voting.count(args.method, options, ballots, source=args.ballots)
    out = tally.to_dict()
    out["condorcet_winner"] = voting.condorcet_winner(options, ballots)
    w = agreement.kendall_w(agreement.choice_ranks(options, [b.choices for b in ballots]))
    out["kendall_w"] = None if w is None else w.w

    def text(d: dict) -> str:
        lines = [f"{d['method']}: winner {d['winner']}"
                 + (f" (tie among {', '.join(d['tied'])}: decided by the options' order)"
                    if d["tie_broken"] else "")]
        lines += [f"  {o:<20} {d['scores'][o]:g}" for o in d["ranking"]]
        if d["share"] is not None:
            lines.append(f"share {d['share']:.3f}"
                         + (" (a majority)" if args.method == "majority" and d["majority"]
                            else ""))
        lines.append(f"Condorcet winner: {d['condorcet_winner'] or 'none'}")
        if d["kendall_w"] is not None:
            lines.append(f"Kendall's W {d['kendall_w']:.3f}")
        return "\n".join(lines)

    emit(out, as_json=args.json, text=text)
    return 0


def register(cli: CLI) -> None:
    group = cli.group("decide", help=HELP)
    p = group.add_parser(
        "ahp", help="AHP weights and consistency ratio of a pairwise matrix",
        description="Principal-eigenvector weights (row order, summing to 1), lambda_max, "
        "CI and CR (Saaty's random index) of an n x n pairwise comparison matrix: a CSV "
        "without header, entries as decimals or fractions such as 1/3 (docs/decision.md).")
    p.add_argument("--matrix", required=True, metavar="FILE", help="the CSV matrix")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_ahp)
    for method, what in (("borda", "Borda count of rankings"),
                         ("approval", "approval count"),
                         ("majority", "weighted majority of first choices")):
        p = group.add_parser(
            method, help=f"the {what} of a ballots file",
            description=f"The {what} of a JSON ballots file (options, ballots with voter, "
            "choices and weight): scores, ranking, winner, ties (broken by the options' "
            "order), the Condorcet winner and Kendall's W (docs/decision.md).")
        p.add_argument("--ballots", required=True, metavar="FILE", help="the JSON ballots")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(handler=_ballots, method=method)
