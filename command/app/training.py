"""Safety training use cases: the accident case library and the quiz, over the data set's
``cases.yaml`` and ``questions.yaml`` and the store.

Owns: finding cases, starting a quiz for the acting user (drawn from a seed that is
recorded with the attempt), submitting it (checked, scored, stored and audited in one
transaction) and a user's past scores. Every input is checked before anything is
written: a bad one raises :class:`~command.errors.DataError` naming the field and the
value, and nothing is written. Must not: know about the web or the command line, draw or
score by itself (see :mod:`command.risk.cases`), or read the clock behind a caller's back
(``now`` is an argument).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from command import store
from command.errors import DataError, Problem
from command.risk.cases import (
    Case,
    Hit,
    Question,
    QuizResult,
    draw_quiz,
    load_cases,
    load_questions,
    score_quiz,
    search_cases,
)
from command.store import training as ts
from command.store import users as us

__all__ = ["QUIZ_LENGTH", "CASES_FILE", "QUESTIONS_FILE", "Quiz", "ScoredQuiz", "cases",
           "questions", "search", "get_case", "start_quiz", "submit_quiz", "past_scores"]

#: Questions in one quiz: short enough for a break between duties.
QUIZ_LENGTH = 5
#: The files of the case library and the question bank in the data set's folder.
CASES_FILE = "cases.yaml"
QUESTIONS_FILE = "questions.yaml"


@dataclass(frozen=True)
class Quiz:
    """A started quiz: its stored attempt and its questions in the order drawn."""

    attempt: ts.AttemptRecord
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class ScoredQuiz:
    """A submitted quiz: its stored attempt, its questions and the scoring."""

    attempt: ts.AttemptRecord
    questions: tuple[Question, ...]
    result: QuizResult


def cases(resources_dir: str | Path) -> tuple[Case, ...]:
    """The case library of the data set in ``resources_dir``."""
    return load_cases(Path(resources_dir) / CASES_FILE)


def questions(resources_dir: str | Path) -> tuple[Question, ...]:
    """The question bank of the data set in ``resources_dir``."""
    return load_questions(Path(resources_dir) / QUESTIONS_FILE, cases(resources_dir))


def search(resources_dir: str | Path, query: str | None) -> list[Hit]:
    """The cases matching ``query``, best first (all, newest first, for no query)."""
    return search_cases(cases(resources_dir), query)


def get_case(resources_dir: str | Path, case_id: str) -> Case:
    """The case ``case_id``.

    Raises
    ------
    DataError
        Naming the field ``case`` and the id, if there is no such case.
    """
    found = next((c for c in cases(resources_dir) if c.id == case_id), None)
    if found is None:
        raise DataError("no such case", [Problem("no such case in the case library",
                                                 field="case", value=case_id)])
    return found


def _by_id(bank: tuple[Question, ...], ids) -> tuple[Question, ...]:
    index = {q.id: q for q in bank}
    return tuple(index[i] for i in ids if i in index)


def start_quiz(engine: Engine, resources_dir: str | Path, user_name: str, *,
               k: int = QUIZ_LENGTH, seed: int | None = None,
               now: datetime | None = None) -> Quiz:
    """Draw ``k`` questions for ``user_name`` with ``seed`` (a fresh random one when
    None) and record the attempt with its seed (``quiz.started``, audited as the user).

    Raises
    ------
    DataError
        For an unknown user or a ``k`` the bank cannot give (naming the field and the
        value); nothing is written.
    """
    bank = questions(resources_dir)
    # the seed is recorded, so a quiz drawn from the system's randomness can be drawn again
    seed = secrets.randbelow(2**31) if seed is None else seed
    ids = draw_quiz(bank, k, seed)
    with store.session_scope(engine) as s:
        if us.get_user(s, user_name) is None:
            raise DataError("the quiz was not started", [Problem(
                "no such user", field="user", value=user_name)])
        attempt = ts.start_attempt(s, user_name=user_name, seed=seed, question_ids=list(ids),
                                   now=now)
    return Quiz(attempt, _by_id(bank, ids))


def submit_quiz(engine: Engine, resources_dir: str | Path, attempt_id: int, user_name: str,
                answers: Mapping[str, str | None], *,
                now: datetime | None = None) -> ScoredQuiz:
    """Score ``answers`` (question id -> option letter, or None for no answer) to
    ``user_name``'s attempt ``attempt_id`` and store them with the score
    (``quiz.finished``, audited as the user).

    Raises
    ------
    DataError
        Every problem at once, naming the field and the value: no such attempt, an
        attempt of someone else or submitted already, an answer to a question not in the
        quiz, a letter that is not an option; nothing is written.
    """
    bank = questions(resources_dir)
    with store.session_scope(engine) as s:
        attempt = ts.get_attempt(s, attempt_id)
        problems = []
        if attempt is None:
            problems.append(Problem("no such quiz", field="attempt", value=attempt_id))
        elif attempt.user_name != user_name:
            problems.append(Problem("this quiz belongs to another user", field="attempt",
                                    value=attempt_id))
        elif attempt.finished_at is not None:
            problems.append(Problem("this quiz was submitted already", field="attempt",
                                    value=attempt_id))
        if problems:
            raise DataError("the quiz was not submitted", problems)
        given = {i: answers.get(i) for i in attempt.question_ids}
        extra = {i: v for i, v in answers.items() if i not in given}
        result = score_quiz(bank, attempt.question_ids, {**given, **extra})
        done = ts.finish_attempt(s, attempt_id, answers=given, score=result.score, now=now)
    return ScoredQuiz(done, _by_id(bank, done.question_ids), result)


def past_scores(engine: Engine, user_name: str) -> list[ts.AttemptRecord]:
    """``user_name``'s submitted quizzes, newest first."""
    with store.session_scope(engine, read_only=True) as s:
        return ts.list_attempts(s, user_name=user_name, finished=True)
