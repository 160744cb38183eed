import pytest

from poverty.conditions import AllOf, Compare, condition_keys, parse_condition
from poverty.errors import InvalidInputError, InvalidStandardError
from poverty.standards import evaluate


def test_equality_compares_the_answer() -> None:
    assert evaluate({"a": True}, {"a": True}) is True
    assert evaluate({"a": True}, {"a": False}) is False
    assert evaluate({"nguon": "khac"}, {"nguon": "nuoc_may"}) is False


def test_missing_or_none_answer_is_unknown() -> None:
    assert evaluate({"a": True}, {}) is None
    assert evaluate({"a": True}, {"a": None}) is None


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [("lt", 8, True), ("le", 6, True), ("gt", 6, False), ("ge", 6, True), ("ne", 6, False)],
)
def test_comparison_operators(op: str, value: int, expected: bool) -> None:
    assert evaluate({"x": {op: value}}, {"x": 6}) is expected


def test_several_operators_in_one_mapping_must_all_hold() -> None:
    between = {"x": {"ge": 16, "le": 30}}
    assert evaluate(between, {"x": 20}) is True
    assert evaluate(between, {"x": 31}) is False


def test_in_operator_checks_membership() -> None:
    assert evaluate({"k": {"in": ["a", "b"]}}, {"k": "b"}) is True
    assert evaluate({"k": {"in": ["a", "b"]}}, {"k": "c"}) is False


def test_all_is_false_as_soon_as_one_part_is_false_even_with_unknowns() -> None:
    cond = {"all": [{"a": True}, {"b": True}]}
    assert evaluate(cond, {"a": False}) is False
    assert evaluate(cond, {"a": True}) is None
    assert evaluate(cond, {"a": True, "b": True}) is True


def test_any_is_true_as_soon_as_one_part_is_true_even_with_unknowns() -> None:
    cond = {"any": [{"a": True}, {"b": True}]}
    assert evaluate(cond, {"b": True}) is True
    assert evaluate(cond, {"a": False}) is None
    assert evaluate(cond, {"a": False, "b": False}) is False


def test_not_negates_and_keeps_unknown() -> None:
    assert evaluate({"not": {"a": True}}, {"a": False}) is True
    assert evaluate({"not": {"a": True}}, {}) is None


def test_ratio_divides_numerator_by_denominator() -> None:
    cond = {"ratio": ["m2", "so_nhan_khau"], "lt": 8}
    assert evaluate(cond, {"m2": 30, "so_nhan_khau": 5}) is True
    assert evaluate(cond, {"m2": 40, "so_nhan_khau": 5}) is False
    assert evaluate(cond, {"m2": 30}) is None
    assert evaluate(cond, {"m2": 30, "so_nhan_khau": 0}) is None


def test_several_keys_in_one_mapping_all_must_hold() -> None:
    assert parse_condition({"a": 1, "b": 2}) == AllOf(
        (Compare("a", "eq", 1), Compare("b", "eq", 2))
    )
    assert evaluate({"a": 1, "b": 2}, {"a": 1, "b": 3}) is False


def test_condition_keys_lists_every_answer_read() -> None:
    cond = parse_condition({"any": [{"a": 1}, {"not": {"ratio": ["b", "c"], "gt": 0.5}}]})
    assert condition_keys(cond) == {"a", "b", "c"}


@pytest.mark.parametrize(
    "raw",
    [
        {},
        [],
        "a",
        {"all": []},
        {"all": {"a": 1}},
        {"x": {"between": 3}},
        {"x": {}},
        {"x": {"lt": "abc"}},
        {"ratio": ["a"], "lt": 1},
        {"ratio": ["a", "b"]},
        {"ratio": ["a", "b"], "in": [1]},
        {"not": {"a": 1}, "b": 2},
        {"x": [1, 2]},
    ],
)
def test_malformed_conditions_are_refused(raw: object) -> None:
    with pytest.raises(InvalidStandardError):
        parse_condition(raw, "test")


def test_comparing_text_with_a_number_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError):
        evaluate({"x": {"lt": 3}}, {"x": "ba"})
