"""The case library and the question bank (command/risk/cases.py): the shipped files load
and keep their provenance rule, search ranks by field, bad files are refused naming the
line, field and value, a quiz is drawn again from its seed, and answers are scored."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from command.errors import DataError
from command.risk.cases import (
    ACCIDENT_TYPES,
    Case,
    Question,
    draw_quiz,
    load_cases,
    load_questions,
    score_quiz,
    search_cases,
    tokens,
)

EZHOU = Path(__file__).resolve().parents[2] / "data" / "resources" / "ezhou"


def _text(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _case(case_id: str, day: str, *, title=("案例", "A case"), causes=("原因", "a cause"),
          lessons=("教训", "a lesson")) -> Case:
    return Case.model_validate({
        "id": case_id, "title": _text(*title), "type": "fire", "place": _text("某地", "a place"),
        "date": day, "casualties": {"deaths": 1}, "causes": [_text(*causes)],
        "lessons": [_text(*lessons)], "risk_types": ["fire"], "source": "illustrative"})


def _question(qid: str, answer: str = "A", options: int = 3) -> Question:
    return Question.model_validate({
        "id": qid, "text": _text(f"问题{qid}", f"Question {qid}"),
        "options": [_text(z, e) for z, e in zip("甲乙丙丁", "abcd")][:options],
        "answer": answer, "source": {"standard": "GB 18218-2018 4.2.1"}})


def test_the_shipped_library_and_bank_load_with_their_sources():
    cases = load_cases(EZHOU / "cases.yaml")
    bank = load_questions(EZHOU / "questions.yaml", cases)
    assert 6 <= len(cases) <= 10 and 15 <= len(bank) <= 25
    assert {c.type for c in cases} <= set(ACCIDENT_TYPES)
    public = [c for c in cases if not c.illustrative]
    made_up = [c for c in cases if c.illustrative]
    assert all(c.source.startswith("public: ") for c in public) and len(public) >= 3
    # an illustrative case says so in its title, in both languages
    assert made_up and all("示例" in c.title.zh and "illustrative" in c.title.en
                           for c in made_up)
    tianjin = next(c for c in cases if c.id == "tianjin-2015")
    assert (tianjin.casualties.deaths, tianjin.casualties.missing,
            tianjin.casualties.injured) == (165, 8, 798)
    assert tianjin.date.isoformat() == "2015-08-12" and tianjin.industry == "hazardous_chemicals"
    q13 = next(q for q in bank if q.id == "Q13")
    assert q13.answer == "B" and q13.options[1].zh == "S ≥ 1"
    assert q13.source.standard == "GB 18218-2018 4.2.1" and q13.source.case is None
    ids = {c.id for c in cases}
    assert all(q.source.case in ids for q in bank if q.source.case)
    assert {q.source.case for q in bank} >= ids  # every case teaches something


def test_tokens_cut_chinese_into_characters_and_pairs_and_stem_english():
    assert tokens("燃气爆炸") == {"燃", "气", "爆", "炸", "燃气", "气爆", "爆炸"}
    assert tokens("Welders were welding, 2 gases") == {"weld", "were", "2", "gas"}


def test_search_ranks_title_over_causes_over_lessons_in_both_languages():
    cases = [_case("in-lessons", "2020-01-01", lessons=("燃气管道要检测", "test gas mains")),
             _case("in-title", "2019-01-01", title=("燃气爆炸", "Gas explosion")),
             _case("in-causes", "2021-01-01", causes=("燃气泄漏", "a gas leak")),
             _case("nowhere", "2022-01-01")]
    for query in ("燃气", "gas", "GASES"):
        hits = search_cases(cases, query)
        assert [(h.case.id, h.score, h.fields) for h in hits] == [
            ("in-title", 3, ("title",)), ("in-causes", 2, ("causes",)),
            ("in-lessons", 1, ("lessons",))], query
    # every pair of characters counts: 燃气, 气爆 and 爆炸 are all in the title
    hits = search_cases(cases, "燃气爆炸")
    assert [(h.case.id, h.score) for h in hits] == [("in-title", 9), ("in-causes", 2),
                                                    ("in-lessons", 1)]
    assert [h.case.id for h in search_cases(cases, "")] == [
        "nowhere", "in-causes", "in-lessons", "in-title"]  # everything, newest first
    assert search_cases(cases, "typhoon") == []


def test_search_finds_the_public_cases_by_what_went_wrong():
    cases = load_cases(EZHOU / "cases.yaml")
    assert search_cases(cases, "燃气爆炸")[0].case.id == "shiyan-2021"
    assert search_cases(cases, "crowd")[0].case.id == "shanghai-bund-2014"
    assert [h.case.id for h in search_cases(cases, "welding")] == ["shanghai-jingan-2010"]
    assert {h.case.id for h in search_cases(cases, "硝化棉")} == {"tianjin-2015",
                                                                  "xiangshui-2019"}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


CASE = """\
  - id: {id}
    title: {{zh: 案例, en: A case}}
    type: {type}
    place: {{zh: 某地, en: a place}}
    date: 2020-05-01
    casualties: {{deaths: 1}}
    causes: [{{zh: 原因, en: a cause}}]
    lessons: [{{zh: 教训, en: a lesson}}]
    risk_types: [{risk}]
    source: {source}
"""


def test_a_bad_case_file_is_refused_naming_line_field_and_value(tmp_path):
    path = _write(tmp_path, "cases.yaml", "cases:\n"
                  + CASE.format(id="a", type="flood", risk="fire", source="illustrative")
                  + CASE.format(id="b", type="fire", risk="meteor", source="a newspaper")
                  + CASE.format(id="a", type="fire", risk="fire", source="illustrative")
                  .replace("    source:", "    industry: textiles\n    source:"))
    with pytest.raises(DataError) as err:
        load_cases(path)
    text = str(err.value)
    assert "row 4, field 'cases[0].type' (value 'flood'): unknown accident type" in text
    assert "row 20, field 'cases[1].risk_types[0]' (value 'meteor'): unknown incident type" \
        in text
    assert "row 21, field 'cases[1].source' (value 'a newspaper')" in text
    # the model errors come first; the cross-checks once the file is well formed
    good = path.read_text("utf-8").replace("flood", "fire").replace("meteor", "fire") \
        .replace("a newspaper", "illustrative")
    path.write_text(good, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_cases(path)
    text = str(err.value)
    assert "row 22, field 'cases[2].id' (value 'a'): id used twice" in text
    assert "row 31, field 'cases[2].industry' (value 'textiles'): unknown industry" in text


def test_a_bad_question_file_is_refused_naming_line_field_and_value(tmp_path):
    cases = [_case("real-case", "2020-01-01")]
    path = _write(tmp_path, "questions.yaml", """\
        questions:
          - id: Q1
            text: {zh: 问, en: Q}
            options: [{zh: 甲, en: a}, {zh: 乙, en: b}, {zh: 丙, en: c}]
            answer: D
            source: {case: real-case}
          - id: Q2
            text: {zh: 问, en: Q}
            options: [{zh: 甲, en: a}, {zh: 乙, en: b}]
            answer: A
            source: {case: real-case, standard: GB 1}
        """)
    with pytest.raises(DataError) as err:
        load_questions(path, cases)
    text = str(err.value)
    assert "row 5, field 'questions[0].answer' (value 'D'): not one of the 3 options" in text
    assert "row 9, field 'questions[1].options'" in text and "at least 3 items" in text
    assert "row 11, field 'questions[1].source': give either 'case' or 'standard'" in text
    path.write_text(path.read_text("utf-8").replace("answer: D", "answer: C")
                    .replace("{case: real-case}", "{case: no-such-case}")
                    .replace("options: [{zh: 甲, en: a}, {zh: 乙, en: b}]",
                             "options: [{zh: 甲, en: a}, {zh: 乙, en: b}, {zh: 丙, en: c}]")
                    .replace("{case: real-case, standard: GB 1}", "{standard: GB 1}")
                    .replace("id: Q2", "id: Q1"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_questions(path, cases)
    text = str(err.value)
    assert "row 6, field 'questions[0].source.case' (value 'no-such-case'): no such case" in text
    assert "row 7, field 'questions[1].id' (value 'Q1'): id used twice" in text


def test_a_quiz_is_drawn_again_from_its_seed():
    bank = [_question(f"Q{n}") for n in range(1, 7)]
    assert draw_quiz(bank, 3, 7) == ("Q3", "Q2", "Q4")
    assert draw_quiz(list(reversed(bank)), 3, 7) == ("Q3", "Q2", "Q4")  # file order is moot
    draws = {draw_quiz(bank, 3, seed) for seed in range(20)}
    assert len(draws) > 5 and all(len(set(d)) == 3 for d in draws)
    assert sorted(draw_quiz(bank, 6, 1)) == [f"Q{n}" for n in range(1, 7)]
    for k in (0, 7):
        with pytest.raises(DataError) as err:
            draw_quiz(bank, k, 1)
        assert f"field 'k' (value {k})" in str(err.value)


def test_answers_are_scored_one_point_each():
    bank = [_question("Q1", "A"), _question("Q2", "C"), _question("Q3", "D", options=4),
            _question("Q4")]
    result = score_quiz(bank, ["Q2", "Q1", "Q3"], {"Q1": "A", "Q2": "B", "Q3": None})
    assert (result.score, result.total) == (1, 3)
    assert [(i.question_id, i.given, i.answer, i.correct) for i in result.items] == [
        ("Q2", "B", "C", False), ("Q1", "A", "A", True), ("Q3", None, "D", False)]
    assert score_quiz(bank, ["Q3"], {"Q3": "D"}).score == 1
    with pytest.raises(DataError) as err:
        score_quiz(bank, ["Q1", "Q2", "Q9"], {"Q1": "D", "Q4": "A"})
    text = str(err.value)
    assert "field 'answers.Q1' (value 'D'): one of A, B, C" in text
    assert "field 'answers' (value 'Q4'): not a question of this quiz" in text
    assert "field 'question_ids' (value 'Q9'): no such question in the bank" in text
