"""Views of the training pages: search results and a case's details, a quiz's questions,
its scoring with the right answers and their sources, and past scores, as plain data in
the page's language (tested without Dash).

Owns: turning cases, questions, scored quizzes and attempts into rows and labels. Must
not: call the application layer or write anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from command.clock import beijing
from command.i18n import t
from command.risk.cases import LETTERS

__all__ = ["pick", "type_label", "casualty_text", "case_rows", "case_view", "quiz_view",
           "result_view", "score_rows"]


def pick(text, lang: str) -> str:
    """A ``{zh, en}`` text of the data files in the page's language."""
    return text.en if lang == "en" else text.zh


def type_label(kind: str, lang: str) -> str:
    return t(f"case.type.{kind}", lang)


def casualty_text(casualties, lang: str) -> str:
    """'死亡 165 人，失踪 8 人，受伤 798 人' (missing only when some are, injured only when
    the source counts them), then the source's own note."""
    parts = [t("case.deaths", lang, n=casualties.deaths)]
    if casualties.missing:
        parts.append(t("case.missing", lang, n=casualties.missing))
    if casualties.injured is not None:
        parts.append(t("case.injured", lang, n=casualties.injured))
    if casualties.note is not None:
        parts.append(pick(casualties.note, lang))
    return t("case.sep", lang).join(parts)


def case_rows(hits: Sequence, lang: str) -> list[dict]:
    """One row per search hit, in its order: id, date, title, kind, deaths, and whether
    the case is illustrative."""
    return [{"case_id": h.case.id, "date": h.case.date.isoformat(),
             "title": pick(h.case.title, lang), "kind": type_label(h.case.type, lang),
             "deaths": h.case.casualties.deaths, "illustrative": h.case.illustrative}
            for h in hits]


def case_view(case, lang: str, industries: Mapping | None = None) -> dict:
    """A case as its detail panel shows it. ``industries`` gives the name (a ``{zh, en}``
    text) of each self-inspection checklist, by id."""
    industry = None
    if case.industry is not None:
        name = (industries or {}).get(case.industry)
        industry = pick(name, lang) if name is not None else case.industry
    source = (t("case.illustrative", lang) if case.illustrative
              else t("case.public", lang, where=case.source.removeprefix("public: ")))
    return {"case_id": case.id, "title": pick(case.title, lang),
            "place": pick(case.place, lang), "date": case.date.isoformat(),
            "kind": type_label(case.type, lang),
            "casualties": casualty_text(case.casualties, lang),
            "causes": [pick(c, lang) for c in case.causes],
            "lessons": [pick(x, lang) for x in case.lessons],
            "risk_types": [t(f"incident.{r}", lang) for r in case.risk_types],
            "industry": industry, "source": source, "illustrative": case.illustrative}


def quiz_view(questions: Sequence, lang: str) -> list[dict]:
    """The questions of a quiz, numbered, each with its options (label and letter)."""
    return [{"id": q.id, "text": t("quiz.question", lang, n=n, text=pick(q.text, lang)),
             "options": [{"label": t("quiz.option", lang, letter=letter, text=pick(o, lang)),
                          "value": letter} for letter, o in zip(LETTERS, q.options)]}
            for n, q in enumerate(questions, start=1)]


def _option(question, letter: str | None, lang: str) -> str:
    if letter is None:
        return t("quiz.no_answer", lang)
    return t("quiz.option", lang, letter=letter,
             text=pick(question.options[LETTERS.index(letter)], lang))


def _source(question, cases: Mapping, lang: str) -> str:
    if question.source.case is not None:
        case = cases.get(question.source.case)
        title = pick(case.title, lang) if case is not None else question.source.case
        return t("quiz.source.case", lang, title=title)
    return t("quiz.source.standard", lang, standard=question.source.standard)


def result_view(scored, cases: Mapping, lang: str) -> dict:
    """A submitted quiz: the score line and, per question, the text, right or wrong, the
    answer given, the right answer and the source (a case's title from ``cases``, by id,
    or the standard's clause)."""
    by_id = {q.id: q for q in scored.questions}
    items = []
    for n, it in enumerate(scored.result.items, start=1):
        q = by_id[it.question_id]
        items.append({"id": q.id, "text": t("quiz.question", lang, n=n, text=pick(q.text, lang)),
                      "correct": it.correct,
                      "mark": t("quiz.right" if it.correct else "quiz.wrong", lang),
                      "given": t("quiz.given", lang, given=_option(q, it.given, lang)),
                      "answer": t("quiz.answer", lang, answer=_option(q, it.answer, lang)),
                      "source": _source(q, cases, lang)})
    return {"score": t("quiz.score", lang, score=scored.result.score,
                       total=scored.result.total), "items": items}


def score_rows(attempts: Sequence, lang: str) -> list[dict]:
    """Past submitted quizzes, in the given order: when (Beijing time), the score with
    its share, and the seed it was drawn with."""
    return [{"attempt_id": a.attempt_id,
             "at": beijing(a.finished_at).strftime("%Y-%m-%d %H:%M"),
             "score": t("quiz.percent", lang, score=a.score, total=a.total,
                        percent=round(100 * a.score / a.total) if a.total else 0),
             "seed": a.seed} for a in attempts]
