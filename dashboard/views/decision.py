"""Views of the decision pages: the chair's session panel, the participant's ballot form
and what it sends, the result with its diagnostics, and the big screen's progress, as
plain data in the page's language (tested without Dash).

Owns: turning sessions, progress and results into rows and lines, the participants'
text box into data, a form's values into a ballot, and Saaty's scale on a slider. Must
not: call the application layer or write anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from command.decision.session import PARTICIPANT_ROLES
from command.errors import DataError, Problem
from command.i18n import t

__all__ = ["SLIDER_MIN", "SLIDER_MAX", "slider_to_judgement", "judgement_text", "pairs",
           "matrix_names", "parse_lines", "parse_participants", "ballot_from_form",
           "labels_of", "session_line", "progress_view", "result_view", "revise_lines",
           "feedback_lines"]

#: The judgement slider runs from -8 (the first item 9 times as important) through 0
#: (equal) to 8 (the second 9 times): Saaty's 1-9 scale both ways.
SLIDER_MIN, SLIDER_MAX = -8, 8


def slider_to_judgement(position: int | float | None) -> float:
    """How many times the first item outweighs the second for a slider ``position``."""
    p = int(round(position or 0))
    p = max(SLIDER_MIN, min(SLIDER_MAX, p))
    return float(1 - p) if p <= 0 else 1.0 / (1 + p)


def judgement_text(value: float) -> str:
    """'3' or '1/3' for a judgement."""
    f = Fraction(value).limit_denominator(9)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def pairs(n: int) -> list[tuple[int, int]]:
    """The (i, j) of the upper triangle, row by row: the order of the judgements."""
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def matrix_names(criteria: Sequence[Mapping]) -> list[str]:
    """The matrices an AHP ballot holds: ``criteria`` and one per criterion, or
    ``options``."""
    return ["criteria", *[c["id"] for c in criteria]] if criteria else ["options"]


def parse_lines(text: str | None) -> list[str]:
    """Non-empty stripped lines of a text box."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_participants(text: str | None, lang: str) -> list[dict]:
    """``user role weight`` per line (role and weight optional: expert, 1).

    Raises
    ------
    DataError
        Naming the line (field ``participants``) that does not read so.
    """
    out, problems = [], []
    for row, line in enumerate(parse_lines(text), start=1):
        parts = line.split()
        try:
            weight = float(parts[2]) if len(parts) > 2 else 1.0
        except ValueError:
            weight = None
        role = parts[1] if len(parts) > 1 else "expert"
        if len(parts) > 3 or weight is None or role not in PARTICIPANT_ROLES:
            problems.append(Problem(t("decide.bad_participant", lang, row=row, line=line),
                                    field="participants", row=row, value=line))
            continue
        out.append({"user": parts[0], "role": role, "weight": weight})
    if problems:
        raise DataError(t("decide.participants", lang), problems)
    return out


def ballot_from_form(method: str, options: Sequence[Mapping], criteria: Sequence[Mapping],
                     form: Mapping) -> dict:
    """The ballot a participant's form gives (the application layer checks it).

    ``form`` holds what the page read: ``choice`` (an option id), ``approve`` (ids),
    ``ranking`` (ids by position; empty positions skipped), ``pairs`` ({(matrix, k):
    slider position} for the k-th pair of :func:`pairs`), ``ratings`` ({option id:
    rating}).
    """
    if method == "majority":
        return {"choice": form.get("choice")}
    if method == "approval":
        return {"approve": list(form.get("approve") or [])}
    if method == "borda":
        return {"ranking": [v for v in form.get("ranking") or [] if v]}
    if method == "delphi":
        return {"ratings": {k: v for k, v in (form.get("ratings") or {}).items()
                            if v is not None}}
    given = form.get("pairs") or {}
    matrices = {}
    for name in matrix_names(criteria):
        n = len(criteria) if name == "criteria" else len(options)
        m = [[1.0] * n for _ in range(n)]
        for k, (i, j) in enumerate(pairs(n)):
            v = slider_to_judgement(given.get((name, k)))
            m[i][j], m[j][i] = v, 1.0 / v
        matrices[name] = m
    return {"matrices": matrices}


def labels_of(session) -> dict[str, str]:
    """Option and criterion id -> label."""
    return {**{o["id"]: o["label"] for o in session.options},
            **{c["id"]: c["label"] for c in session.criteria}}


def session_line(session, lang: str) -> str:
    """'#3 撤离半径？（波达计数，进行中）' for a session list."""
    return (f"#{session.session_id} {session.question}（"
            f"{t(f'decision.method.{session.method}', lang)}，"
            f"{t(f'decision.state.{session.state}', lang)}）" if lang != "en" else
            f"#{session.session_id} {session.question} "
            f"({t(f'decision.method.{session.method}', lang)}, "
            f"{t(f'decision.state.{session.state}', lang)})")


def progress_view(progress: Mapping, lang: str) -> dict:
    """The chair's and the wall's view of a session's progress: code, question, method,
    state, round, the counts line, the joined and voted shares, participant rows."""
    s = progress["session"]
    yes, no = t("decide.yes", lang), t("decide.no", lang)
    return {"session_id": s.session_id, "code": s.code, "question": s.question,
            "method": t(f"decision.method.{s.method}", lang),
            "state": t(f"decision.state.{s.state}", lang), "state_key": s.state,
            "round": t("decide.round", lang, round=s.round) if s.method == "delphi" else "",
            "counts": t("decide.progress", lang, joined=progress["joined"],
                        voted=progress["voted"], listed=progress["listed"]),
            "joined": progress["joined"], "voted": progress["voted"],
            "voted_share": (progress["voted"] / progress["joined"]) if progress["joined"] else 0.0,
            "rows": [{"user": p["user"], "part": t(f"decision.part.{p['role']}", lang),
                      "weight": f"{p['weight']:g}", "joined": yes if p["joined"] else no,
                      "voted": yes if p["voted"] else no} for p in progress["participants"]]}


def _score(method: str, value: float) -> str:
    if method == "ahp":
        return f"{value:.3f}"
    if method == "delphi":
        return f"{value:g}"
    return f"{value:g}"


def result_view(session, lang: str) -> dict | None:
    """A closed session's result: the decision line, rows (label, score, share of the
    best for a bar) best first, the tie line and the diagnostics lines; None while the
    session is not closed."""
    if session.state != "closed" or session.result is None:
        return None
    r, labels = session.result, labels_of(session)
    d = r.get("diagnostics") or {}
    top = max([abs(v) for v in r["scores"].values()] + [1e-12])
    rows = [{"option": o, "label": labels.get(o, o), "score": _score(r["method"], r["scores"][o]),
             "bar": max(0.0, r["scores"][o]) / top, "winner": o == r["winner"]}
            for o in r["ranking"]]
    head = (t("result.winner", lang, label=labels.get(r["winner"], r["winner"]))
            if r["winner"] else t("result.no_winner", lang))
    lines = [t("result.ballots", lang, n=r["ballots"])]
    if r.get("tie_broken"):
        lines.append(t("result.tie", lang, labels="、".join(labels[o] for o in r["tied"])))
    if d.get("share") is not None and r["method"] in ("majority", "approval"):
        lines.append(t("result.share", lang, share=d["share"],
                       majority=t("result.majority", lang)
                       if r["method"] == "majority" and d.get("majority") else ""))
    if r["method"] in ("majority", "approval", "borda") and r["ballots"]:
        c = d.get("condorcet_winner")
        lines.append(t("result.condorcet", lang, label=labels.get(c, c)) if c
                     else t("result.condorcet.none", lang))
    for name, g in (d.get("group") or {}).items():
        lines.append(t("result.cr", lang, cr=g["cr"],
                       name=t("result.criteria", lang) if name == "criteria"
                       else labels.get(name, t("result.col.option", lang)),
                       flag="" if g["consistent"] else t("result.cr.bad", lang)))
    if d.get("inconsistent"):
        lines.append(t("result.inconsistent", lang, users="、".join(d["inconsistent"])))
    if d.get("consensus"):
        agreed = [labels[o] for o, ok in d["consensus"].items() if ok]
        if agreed:
            lines.append(t("result.consensus", lang, labels="、".join(agreed)))
    w = d.get("agreement")
    lines.append(t("result.kendall", lang, w=w["kendall_w"], judges=w["judges"]) if w
                 else t("result.kendall.none", lang))
    return {"head": head, "rows": rows, "lines": lines, "winner": r["winner"]}


def revise_lines(receipt, session, lang: str) -> list[str]:
    """After an AHP ballot: per matrix, 'consistent (CR)' or the prompt to revise the
    judgement that departs most from the rest."""
    if receipt.consistency is None:
        return []
    labels = labels_of(session)
    out = []
    for name, res in receipt.consistency.items():
        items = ([c["id"] for c in session.criteria] if name == "criteria"
                 else [o["id"] for o in session.options])
        if res.consistent or res.worst is None:
            out.append(t("vote.consistent", lang, cr=res.cr))
            continue
        i, j, given, implied = res.worst
        out.append(t("vote.revise", lang, cr=res.cr, a=labels[items[i]], b=labels[items[j]],
                     given=judgement_text(given), implied=judgement_text(implied)))
    return out


def feedback_lines(feedback: Sequence[Mapping] | None) -> dict[str, dict]:
    """Delphi feedback by option id (what each rating slider shows under it)."""
    return {f["option"]: f for f in feedback or [] if f["n"]}
