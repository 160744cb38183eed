"""Properties that must hold for every standard, area, income and set of answers."""

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from poverty.classification import SEVERITY, classify
from poverty.errors import ParseError
from poverty.parsing import parse_money
from poverty.standards import (
    AREAS,
    Area,
    Question,
    Standard,
    all_standards,
    is_question_due,
    questions_to_ask,
)
from poverty.text import fold, slug

STANDARDS = all_standards()
standards = st.sampled_from(STANDARDS)
areas = st.sampled_from(AREAS)
incomes = st.integers(min_value=0, max_value=6_000_000)


@st.composite
def households(draw: st.DrawFn) -> tuple[Standard, dict[str, bool | None]]:
    standard = draw(standards)
    values = st.sampled_from([True, False, None])
    return standard, {code: draw(values) for code in standard.codes}


@given(standards, areas, incomes, st.data())
def test_one_more_deprivation_never_makes_a_household_less_poor(
    standard: Standard, area: Area, income: int, data: st.DataObject
) -> None:
    deprived = data.draw(st.sets(st.sampled_from(standard.codes)))
    extra = data.draw(st.sampled_from(standard.codes))
    before = classify(standard, area, income, {c: c in deprived for c in standard.codes})
    more = deprived | {extra}
    after = classify(standard, area, income, {c: c in more for c in standard.codes})
    assert before.result is not None
    assert after.result is not None
    assert SEVERITY[after.result] >= SEVERITY[before.result]


@given(standards, areas, incomes, incomes, st.data())
def test_lower_income_never_moves_a_household_up(
    standard: Standard, area: Area, first: int, second: int, data: st.DataObject
) -> None:
    deprived = data.draw(st.sets(st.sampled_from(standard.codes)))
    answers = {c: c in deprived for c in standard.codes}
    lower, higher = sorted((first, second))
    poorer = classify(standard, area, lower, answers).result
    richer = classify(standard, area, higher, answers).result
    assert poorer is not None
    assert richer is not None
    assert SEVERITY[poorer] >= SEVERITY[richer]


@given(households(), areas, st.one_of(st.none(), incomes), st.data())
def test_possible_classes_cover_every_way_the_unknowns_could_be_answered(
    household: tuple[Standard, dict[str, bool | None]],
    area: Area,
    income: int | None,
    data: st.DataObject,
) -> None:
    standard, answers = household
    partial = classify(standard, area, income, answers)
    completed = {
        code: data.draw(st.booleans()) if value is None else value
        for code, value in answers.items()
    }
    full_income = data.draw(incomes) if income is None else income
    full = classify(standard, area, full_income, completed)
    assert full.result in partial.possible
    if partial.decided:
        assert full.result == partial.result
    assert partial.reasons


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_slug_is_ascii_snake_case(text: str) -> None:
    key = slug(text)
    assert key == slug(key)
    assert all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in key)


@given(st.text())
def test_parse_money_raises_only_parse_error(text: str) -> None:
    try:
        value = parse_money(text)
    except ParseError:
        return
    assert 0 <= value <= 1_000_000_000


@given(st.from_regex(r"\A[0-9]{1,4}([.,][0-9]{1,3})?\s?(tr|triệu|trieu|k|nghìn|ngàn|đ|đồng)?\Z"))
def test_parse_money_on_plausible_inputs_raises_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_money(text)


def _answer(question: Question) -> st.SearchStrategy[object]:
    """Any answer a question of this kind may get, or None (asked, not known)."""
    if question.kind == "yes_no":
        values: st.SearchStrategy[object] = st.booleans()
    elif question.kind == "choice":
        values = st.sampled_from([choice.key for choice in question.choices])
    else:
        values = st.integers(min_value=int(question.min or 0), max_value=int(question.max or 200))
    return st.one_of(st.none(), values)


@given(standards, st.data())
def test_a_question_is_due_exactly_when_it_is_among_the_questions_to_ask(
    standard: Standard, data: st.DataObject
) -> None:
    indicator = data.draw(st.sampled_from(standard.indicators))
    answered = data.draw(st.sets(st.sampled_from(indicator.questions)))
    answers: dict[str, object] = {q.key: data.draw(_answer(q)) for q in answered}
    answers["so_nhan_khau"] = data.draw(st.one_of(st.none(), st.integers(1, 30)))
    to_ask = questions_to_ask(indicator, answers)
    for question in indicator.questions:
        assert is_question_due(indicator, question, answers) == (question in to_ask)
