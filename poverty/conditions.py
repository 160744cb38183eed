"""Conditions of the standards files: skip logic (``when``) and deprivation rules.

A condition is written in YAML as a mapping; the grammar is deliberately small::

    {key: value}                            the answer equals value (several keys: all hold)
    {key: {lt|le|gt|ge|ne|eq: value}}       comparison (several operators: all hold)
    {key: {in: [value, ...]}}               the answer is one of the values
    {all: [cond, ...]}                      every condition holds
    {any: [cond, ...]}                      at least one condition holds
    {not: cond}                             the condition does not hold
    {ratio: [numerator, denominator], lt: 8}    answers[numerator] / answers[denominator]

``key`` names an answer of the household check, or a fact the flow already
knows about the household (``so_nhan_khau``, the number of members).

Evaluation is three-valued: an answer that is missing (absent or None) makes a
condition unknown (None) unless the other parts already decide it, so
``{all: [{a: false}, {b: true}]}`` is False as soon as ``a`` is False.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast, get_args

from poverty.errors import InvalidInputError, InvalidStandardError
from poverty.i18n import N_

Scalar = bool | int | float | str
Operator = Literal["eq", "ne", "lt", "le", "gt", "ge", "in"]
OPERATORS: frozenset[str] = frozenset(get_args(Operator))
_COMBINATORS = frozenset({"all", "any", "not", "ratio"})
_ORDERING: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}

CONDITION_INVALID = N_("Điều kiện không hợp lệ ({where}): {detail}")
ANSWER_NOT_NUMBER = N_("Câu trả lời “{key}” phải là một số.")


@dataclass(frozen=True)
class Compare:
    """``answers[key] <op> value``."""

    key: str
    op: Operator
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True)
class Ratio:
    """``answers[numerator] / answers[denominator] <op> value``."""

    numerator: str
    denominator: str
    op: Operator
    value: float


@dataclass(frozen=True)
class AllOf:
    """Every item holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The item does not hold."""

    item: Condition


Condition = Compare | Ratio | AllOf | AnyOf | Not


def _fail(where: str, detail: str) -> InvalidStandardError:
    return InvalidStandardError(CONDITION_INVALID, where=where, detail=detail)


def _scalar(raw: object, where: str) -> Scalar:
    if isinstance(raw, bool | int | float | str):
        return raw
    raise _fail(where, f"expected a scalar value, got {raw!r}")


def _number(raw: object, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _fail(where, f"expected a number, got {raw!r}")
    return raw


def _compare(key: str, op: str, raw: object, where: str) -> Compare:
    if op not in OPERATORS:
        raise _fail(where, f"unknown operator {op!r} for {key!r}")
    if op == "in":
        if not isinstance(raw, list) or not raw:
            raise _fail(where, f"'in' for {key!r} needs a non-empty list")
        return Compare(key, "in", tuple(_scalar(item, where) for item in raw))
    value = _number(raw, where) if op in _ORDERING else _scalar(raw, where)
    return Compare(key, cast(Operator, op), value)


def _conjunction(items: list[Condition]) -> Condition:
    return items[0] if len(items) == 1 else AllOf(tuple(items))


def parse_condition(raw: object, where: str = "?") -> Condition:
    """Turn the YAML form of a condition into a :data:`Condition` tree.

    ``where`` names the place in the standards file for the error message.
    Raises :class:`InvalidStandardError` when ``raw`` does not follow the grammar.
    """
    if isinstance(raw, Compare | Ratio | AllOf | AnyOf | Not):
        return raw
    if not isinstance(raw, Mapping) or not raw:
        raise _fail(where, f"a condition is a non-empty mapping, got {raw!r}")
    entries = {str(key): value for key, value in raw.items()}
    if "ratio" in entries:
        pair = entries.pop("ratio")
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(k, str) for k in pair)
        ):
            raise _fail(where, "ratio needs [numerator_key, denominator_key]")
        if len(entries) != 1:
            raise _fail(where, "ratio needs exactly one operator next to it")
        ((op, value),) = entries.items()
        if op not in _ORDERING and op not in ("eq", "ne"):
            raise _fail(where, f"unknown operator {op!r} for ratio")
        return Ratio(pair[0], pair[1], cast(Operator, op), _number(value, where))
    if len(entries) == 1 and next(iter(entries)) in ("all", "any"):
        ((name, items),) = entries.items()
        if not isinstance(items, list) or not items:
            raise _fail(where, f"{name!r} needs a non-empty list of conditions")
        parsed = tuple(parse_condition(item, where) for item in items)
        return AllOf(parsed) if name == "all" else AnyOf(parsed)
    if len(entries) == 1 and "not" in entries:
        return Not(parse_condition(entries["not"], where))
    parts: list[Condition] = []
    for key, value in entries.items():
        if key in _COMBINATORS:
            raise _fail(where, f"{key!r} must stand alone in its mapping")
        if isinstance(value, Mapping):
            if not value:
                raise _fail(where, f"no operator for {key!r}")
            parts.extend(_compare(key, str(op), v, where) for op, v in value.items())
        else:
            parts.append(Compare(key, "eq", _scalar(value, where)))
    return _conjunction(parts)


def condition_keys(condition: Condition) -> frozenset[str]:
    """Every answer key the condition reads."""
    match condition:
        case Compare(key=key):
            return frozenset({key})
        case Ratio(numerator=numerator, denominator=denominator):
            return frozenset({numerator, denominator})
        case AllOf(items=items) | AnyOf(items=items):
            return frozenset().union(*(condition_keys(item) for item in items))
        case Not(item=item):
            return condition_keys(item)


def _numeric(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(ANSWER_NOT_NUMBER, key=key)
    return value


def _apply(op: Operator, key: str, answer: object, value: object) -> bool:
    if op == "eq":
        return answer == value
    if op == "ne":
        return answer != value
    if op == "in":
        return answer in cast(tuple[Scalar, ...], value)
    return _ORDERING[op](_numeric(key, answer), _numeric(key, value))


def _evaluate(condition: Condition, answers: Mapping[str, object]) -> bool | None:
    match condition:
        case Compare(key=key, op=op, value=value):
            answer = answers.get(key)
            return None if answer is None else _apply(op, key, answer, value)
        case Ratio(numerator=num_key, denominator=den_key, op=op, value=value):
            numerator, denominator = answers.get(num_key), answers.get(den_key)
            if numerator is None or denominator is None:
                return None
            den = _numeric(den_key, denominator)
            if den == 0:
                return None
            return _apply(op, num_key, _numeric(num_key, numerator) / den, value)
        case AllOf(items=items):
            results = [_evaluate(item, answers) for item in items]
            if False in results:
                return False
            return None if None in results else True
        case AnyOf(items=items):
            results = [_evaluate(item, answers) for item in items]
            if True in results:
                return True
            return None if None in results else False
        case Not(item=item):
            result = _evaluate(item, answers)
            return None if result is None else not result


def evaluate(
    condition: Condition | Mapping[str, object], answers: Mapping[str, object]
) -> bool | None:
    """Return whether ``condition`` holds for ``answers``; None if an answer it needs is missing.

    ``condition`` may be a parsed :data:`Condition` or its YAML-shaped mapping.
    A ratio whose denominator is zero counts as unknown. Comparing a non-number
    with ``lt``/``le``/``gt``/``ge`` raises :class:`InvalidInputError`.
    """
    return _evaluate(parse_condition(condition, "evaluate"), answers)
