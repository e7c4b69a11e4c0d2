"""The accident case library (事故案例库) and the safety-training question bank (题库).

Owns: the models of ``cases.yaml`` and ``questions.yaml`` (data/resources/ezhou, see the
README there for their fields and sources) and their loading (every problem at once,
naming the file, line, field and value), full-text search over the cases, and a quiz:
drawing questions from a seed and scoring the answers. Must not: touch the store, read
settings or know who takes a quiz (see :mod:`command.app.training`).

Search is a plain ranked token match, no index and no dependency: a text is cut into
lower-case Latin words and, for Chinese (which has no spaces), into single characters
and overlapping pairs of characters, so "燃气爆炸" finds "天然气……爆炸" through 燃气 and
爆炸. A case scores, for each token of the query, the weight of every field that holds it
(title 3, causes 2, lessons 1), in either language.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from command._schema import Count, IncidentType, Name, Slug, StrictModel, one_of
from command.errors import DataError, Problem
from command.risk.checklists import Text, load_checklists
from command.yamlfile import field_path, load_model

__all__ = ["ACCIDENT_TYPES", "SEARCH_WEIGHTS", "LETTERS", "Casualties", "Case", "CaseFile",
           "QuestionSource", "Question", "QuestionFile", "Hit", "QuizItem", "QuizResult",
           "load_cases", "load_questions", "tokens", "search_cases", "draw_quiz",
           "score_quiz"]

#: Kinds of accident a case may be (their names are the texts ``case.type.<kind>``).
ACCIDENT_TYPES: tuple[str, ...] = ("fire", "explosion", "poisoning", "collapse",
                                   "crowd_crush", "capsizing", "traffic")

#: How much a query token found in each field counts towards a case's rank: the title
#: says what the case is about, the causes what went wrong, the lessons what to do.
SEARCH_WEIGHTS: Mapping[str, int] = {"title": 3, "causes": 2, "lessons": 1}

#: Option letters, A the first option.
LETTERS = "ABCD"

_SOURCE = re.compile(r"^(public: \S.*|illustrative)$")


def _source(value: str) -> str:
    if not _SOURCE.match(value):
        raise ValueError("must be 'public: <where>' or 'illustrative'")
    return value


Source = Annotated[str, AfterValidator(_source)]


class Casualties(StrictModel):
    """People killed, missing and injured, as the case's source counts them (some
    reports count only the seriously injured: ``note`` says so)."""

    deaths: Count
    missing: Count = 0
    injured: Count | None = None
    note: Text | None = None


class Case(StrictModel):
    """One accident: what, where, when, whom it cost, why, what was learnt, and the
    incident types (:data:`command.model.INCIDENT_TYPES`) and the self-inspection
    industry (a checklist of :mod:`command.risk.checklists`) it teaches about."""

    id: Slug
    title: Text
    type: Annotated[str, AfterValidator(one_of(ACCIDENT_TYPES, "accident type"))]
    place: Text
    date: dt.date
    casualties: Casualties
    causes: Annotated[list[Text], Field(min_length=1)]
    lessons: Annotated[list[Text], Field(min_length=1)]
    risk_types: Annotated[list[IncidentType], Field(min_length=1)]
    industry: Name | None = None
    source: Source

    @property
    def illustrative(self) -> bool:
        return self.source == "illustrative"


class CaseFile(StrictModel):
    cases: Annotated[list[Case], Field(min_length=1)]


class QuestionSource(StrictModel):
    """Where a question comes from: a case of the library, or a standard's clause."""

    case: Slug | None = None
    standard: Name | None = None

    @model_validator(mode="after")
    def _one(self) -> QuestionSource:
        if (self.case is None) == (self.standard is None):
            raise ValueError("give either 'case' or 'standard'")
        return self


class Question(StrictModel):
    id: Slug
    text: Text
    options: Annotated[list[Text], Field(min_length=3, max_length=len(LETTERS))]
    answer: Annotated[str, Field(pattern=f"^[{LETTERS}]$")]
    source: QuestionSource

    @field_validator("answer")
    @classmethod
    def _answer_is_an_option(cls, answer: str, info: ValidationInfo) -> str:
        options = info.data.get("options")  # absent when the options were refused
        if options is not None and LETTERS.index(answer) >= len(options):
            raise ValueError(f"not one of the {len(options)} options")
        return answer


class QuestionFile(StrictModel):
    questions: Annotated[list[Question], Field(min_length=1)]


def _twice(ids: Sequence[str], located, key: str) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for n, i in enumerate(ids):
        if i in seen:
            out.append(located.problem((key, n, "id"), "id used twice", i))
        seen.add(i)
    return out


def _version(path: Path) -> tuple[int, int]:
    # (modification time, size): a file is read again when it changes; a missing one is
    # reported by load_model
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


# Files are read at most once per version: pages search on every keystroke.
@lru_cache(maxsize=8)
def _cases(path: str, _changed: tuple[int, int]) -> tuple[Case, ...]:
    parsed, located = load_model(CaseFile, path, what="case library")
    problems = _twice([c.id for c in parsed.cases], located, "cases")
    industries = load_checklists()
    for n, case in enumerate(parsed.cases):
        if case.industry is not None and case.industry not in industries:
            problems.append(located.problem(
                ("cases", n, "industry"),
                f"unknown industry; one of: {', '.join(sorted(industries))}", case.industry))
    if problems:
        raise DataError(f"The case library {path} is invalid.", problems)
    return tuple(parsed.cases)


def load_cases(path: str | Path) -> tuple[Case, ...]:
    """The cases of ``path`` (a ``cases.yaml``), in file order.

    Raises
    ------
    DataError
        Every problem at once, each with its file, line, field and value: a missing or
        unknown field, an accident or incident type or industry not known, a source that
        is neither ``public: <where>`` nor ``illustrative``, an id used twice.
    """
    path = Path(path)
    return _cases(str(path), _version(path))


@lru_cache(maxsize=8)
def _questions(path: str, _changed: tuple[int, int],
               case_ids: frozenset[str]) -> tuple[Question, ...]:
    parsed, located = load_model(QuestionFile, path, what="question bank")
    problems = _twice([q.id for q in parsed.questions], located, "questions")
    for n, q in enumerate(parsed.questions):
        if q.source.case is not None and q.source.case not in case_ids:
            problems.append(located.problem(("questions", n, "source", "case"),
                                            "no such case in the case library", q.source.case))
    if problems:
        raise DataError(f"The question bank {path} is invalid.", problems)
    return tuple(parsed.questions)


def load_questions(path: str | Path, cases: Iterable[Case]) -> tuple[Question, ...]:
    """The questions of ``path`` (a ``questions.yaml``), in file order; a question's
    ``source.case`` must be the id of one of ``cases``.

    Raises
    ------
    DataError
        Every problem at once, each with its file, line, field and value: fewer than 3
        or more than 4 options, an answer letter without its option, a source with
        neither or both of case and standard, an unknown case, an id used twice.
    """
    path = Path(path)
    return _questions(str(path), _version(path), frozenset(c.id for c in cases))


# --- search ------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_HAN = re.compile(r"[\u3400-\u9fff]+")
#: English endings cut off a word, longest first, so that welding, welders and weld meet.
_SUFFIXES = ("ing", "ers", "ed", "er", "es", "s")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)]
    return word


def tokens(text: str) -> set[str]:
    """The tokens of ``text``: its lower-case Latin words (stemmed) and numbers, and every Chinese
    character and pair of neighbouring characters ("燃气爆炸" -> 燃, 气, 爆, 炸, 燃气,
    气爆, 爆炸)."""
    text = text.lower()
    out = {_stem(w) for w in _WORD.findall(text)}
    for run in _HAN.findall(text):
        out.update(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out


def _query_tokens(query: str) -> set[str]:
    # a Chinese query is matched by its pairs (single characters match too much: 火 is in
    # 火灾 and 火车), a lone character by itself
    text = query.lower()
    out = {_stem(w) for w in _WORD.findall(text)}
    for run in _HAN.findall(text):
        out.update([run] if len(run) == 1 else (run[i:i + 2] for i in range(len(run) - 1)))
    return out


@dataclass(frozen=True)
class Hit:
    """A case found by a search: its score and the fields that matched."""

    case: Case
    score: int
    fields: tuple[str, ...]


def _field_tokens(case: Case) -> dict[str, set[str]]:
    texts = {"title": [case.title], "causes": case.causes, "lessons": case.lessons}
    return {f: set().union(*(tokens(f"{x.zh} {x.en}") for x in xs)) for f, xs in texts.items()}


def _has(field_tokens: set[str], token: str) -> bool:
    # a Latin word also matches as the start of a longer one (explos -> explosion)
    return token in field_tokens or (token.isascii() and len(token) >= 3 and any(
        t.startswith(token) for t in field_tokens if t.isascii()))


def search_cases(cases: Iterable[Case], query: str | None) -> list[Hit]:
    """The cases that match ``query``, best first (then newest, then by id); all cases,
    newest first, for an empty query.

    The score of a case is the sum, over the query's tokens, of the weights
    (:data:`SEARCH_WEIGHTS`) of the fields that hold the token in Chinese or English.
    """
    cases = list(cases)
    wanted = _query_tokens(query or "")
    if not wanted:
        return [Hit(c, 0, ()) for c in sorted(cases, key=lambda c: (-c.date.toordinal(), c.id))]
    hits = []
    for case in cases:
        score, fields = 0, []
        for field, toks in _field_tokens(case).items():
            found = sum(1 for w in wanted if _has(toks, w))
            if found:
                score += SEARCH_WEIGHTS[field] * found
                fields.append(field)
        if score:
            hits.append(Hit(case, score, tuple(fields)))
    return sorted(hits, key=lambda h: (-h.score, -h.case.date.toordinal(), h.case.id))


# --- quiz --------------------------------------------------------------------------------

def draw_quiz(questions: Sequence[Question], k: int, seed: int) -> tuple[str, ...]:
    """``k`` different question ids drawn at random from ``questions`` with ``seed``: the
    same bank, ``k`` and seed always draw the same ids in the same order (the bank is
    sorted by id first, so its order in the file does not matter).

    Raises
    ------
    DataError
        If ``k`` is not between 1 and the number of questions.
    """
    ids = sorted(q.id for q in questions)
    if not 1 <= k <= len(ids):
        raise DataError("cannot draw the quiz", [Problem(
            f"between 1 and the {len(ids)} questions of the bank", field="k", value=k)])
    return tuple(random.Random(seed).sample(ids, k))


@dataclass(frozen=True)
class QuizItem:
    """One question of a scored quiz: the letter given (None when not answered), the
    right letter, and whether they agree."""

    question_id: str
    given: str | None
    answer: str
    correct: bool


@dataclass(frozen=True)
class QuizResult:
    score: int
    total: int
    items: tuple[QuizItem, ...]


def score_quiz(questions: Sequence[Question], question_ids: Sequence[str],
               answers: Mapping[str, str | None]) -> QuizResult:
    """Score ``answers`` (question id -> option letter, or None) to the quiz of
    ``question_ids``: one point per right answer, none for a wrong or missing one.

    Raises
    ------
    DataError
        Every problem at once: a quiz question not in the bank, an answer to a question
        not in the quiz, a letter that is not one of the question's options.
    """
    bank = {q.id: q for q in questions}
    problems = [Problem("no such question in the bank", field="question_ids", value=i)
                for i in question_ids if i not in bank]
    problems += [Problem("not a question of this quiz", field="answers", value=i)
                 for i in answers if i not in question_ids]
    for i, given in answers.items():
        if i in bank and given is not None and given not in LETTERS[:len(bank[i].options)]:
            problems.append(Problem(f"one of {', '.join(LETTERS[:len(bank[i].options)])}",
                                    field=field_path(("answers", i)), value=given))
    if problems:
        raise DataError("the answers cannot be scored", problems)
    items = tuple(QuizItem(i, answers.get(i), bank[i].answer, answers.get(i) == bank[i].answer)
                  for i in question_ids)
    return QuizResult(sum(it.correct for it in items), len(items), items)
