"""Poverty standards as data: one YAML file per period in ``poverty/standards/``.

A :class:`Standard` holds the income lines per area and the deprivation
indicators, each with the plain questions a cadre asks and the condition that
makes the household deprived. The rule each standard applies is the generic
one of :mod:`poverty.classification`; the files only change the numbers.

Files on record:

- ``2016-2020``: QĐ 59/2015/QĐ-TTg (Art. 1: income lines, 5 services, 10 indicators),
  extended to 2021 by Art. 2 of NĐ 07/2021/NĐ-CP.
- ``2022-2025``: NĐ 07/2021/NĐ-CP Art. 3 (amended by NĐ 30/2025/NĐ-CP), 12 indicators;
  still applied in 2026 under NĐ 351/2025/NĐ-CP.
- ``2027-2030``: NĐ 351/2025/NĐ-CP; provisional until the decree text and its guidance
  are read.

Conditions (``when`` of a question, ``deprived_if`` of an indicator) use the small
grammar documented in :mod:`poverty.conditions`::

    {key: value}   {key: {lt|le|gt|ge|ne|eq: value}}   {key: {in: [v, ...]}}
    {all: [...]}   {any: [...]}   {not: cond}   {ratio: [numerator, denominator], lt: 8}

Keys name answers of the household check, or the fact the flow already knows,
``so_nhan_khau`` (number of members). Every indicator has a ``bit`` that is the
same in every standard, so the database can store deprivations as a bitmask
(:func:`to_mask`, :func:`from_mask`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Literal, cast, get_args

import yaml

from poverty.conditions import Condition, condition_keys, evaluate, parse_condition
from poverty.errors import InvalidStandardError, UnknownIndicatorError, UnknownStandardError
from poverty.i18n import N_
from poverty.schema import Fields, invalid

__all__ = [
    "AREAS",
    "DEFAULT_STANDARD_ID",
    "HOUSEHOLD_FACTS",
    "INDICATOR_BITS",
    "Area",
    "Choice",
    "Condition",
    "IncomeLines",
    "Indicator",
    "Question",
    "QuestionKind",
    "Standard",
    "all_standards",
    "deprivation_from_answers",
    "evaluate",
    "from_mask",
    "is_question_due",
    "load_standard",
    "parse_standard",
    "questions_to_ask",
    "standard_for_year",
    "to_mask",
]

Area = Literal["nong_thon", "thanh_thi"]
AREAS: tuple[Area, ...] = get_args(Area)
QuestionKind = Literal["yes_no", "integer", "number", "choice"]
QUESTION_KINDS: frozenset[str] = frozenset(get_args(QuestionKind))
HOUSEHOLD_FACTS: frozenset[str] = frozenset({"so_nhan_khau"})
"""Answer keys the household-check flow fills in itself before any indicator question."""

DEFAULT_STANDARD_ID = "2022-2025"

UNKNOWN_STANDARD = N_("Không có chuẩn nghèo “{standard_id}”.")
NO_STANDARD_FOR_YEAR = N_("Chưa có chuẩn nghèo áp dụng cho năm {year}.")
UNKNOWN_INDICATOR = N_("Không có chỉ số “{code}” trong chuẩn {standard_id}.")
UNKNOWN_CODE = N_("Không có chỉ số “{code}”.")
UNKNOWN_BITS = N_("Mã chỉ số thiếu hụt {mask} không hợp lệ.")

_PACKAGE_DIR = "standards"


@dataclass(frozen=True)
class Choice:
    """One option of a ``choice`` question: ``key`` is stored, ``label`` is shown."""

    key: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question a cadre asks; ``when`` (if any) must hold for it to be asked. ``meaning``:
    what the question counts, in the standard's words, for a cadre who asks for help."""

    key: str
    text: str
    kind: QuestionKind
    choices: tuple[Choice, ...] = ()
    min: int | float | None = None
    max: int | float | None = None
    when: Condition | None = None
    meaning: str = ""


@dataclass(frozen=True)
class IncomeLines:
    """Income lines of one area, in đồng per person per month.

    ``poor_outright``: at or below it a household is poor whatever its
    deprivations (2016–2020 only). ``poverty``: at or below it the household is
    poor or near-poor depending on deprivations. ``medium_upper``: top of the
    medium-living band, None when the standard sets none. ``verified`` is False
    while a value still needs checking against the legal text.
    """

    poor_outright: int | None
    poverty: int
    medium_upper: int | None
    verified: bool = True


@dataclass(frozen=True)
class Indicator:
    """A deprivation indicator of one standard."""

    code: str
    bit: int
    dimension: str
    dimension_name: str
    name: str
    rule: str
    verified: bool
    provisional: bool
    questions: tuple[Question, ...]
    deprived_if: Condition


@dataclass(frozen=True)
class Standard:
    """A national multidimensional poverty standard for a range of review years."""

    id: str
    name: str
    legal_basis: str
    applies_from_year: int
    applies_to_year: int
    min_deprivations: int
    provisional: bool
    income_lines: Mapping[Area, IncomeLines]
    indicators: tuple[Indicator, ...]

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def codes(self) -> tuple[str, ...]:
        """Indicator codes in the order of the standard."""
        return tuple(indicator.code for indicator in self.indicators)

    def indicator(self, code: str) -> Indicator:
        """The indicator with that code; :class:`UnknownIndicatorError` otherwise."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise UnknownIndicatorError(UNKNOWN_INDICATOR, code=code, standard_id=self.id)


def _choice(raw: object, where: str) -> Choice:
    fields = Fields(raw, where)
    choice = Choice(fields.text("key"), fields.text("label"))
    fields.done()
    return choice


def _question(raw: object, where: str) -> Question:
    fields = Fields(raw, where)
    kind = fields.text("kind")
    if kind not in QUESTION_KINDS:
        raise invalid(where, f"unknown kind {kind!r}")
    choices = tuple(
        _choice(item, f"{where} > choices[{i}]")
        for i, item in enumerate(fields.items("choices", required=kind == "choice"))
    )
    if kind != "choice" and choices:
        raise invalid(where, "only 'choice' questions have choices")
    low, high = fields.optional_number("min"), fields.optional_number("max")
    if (low is not None or high is not None) and kind not in ("integer", "number"):
        raise invalid(where, "min/max apply to 'integer' and 'number' questions only")
    when = fields.optional("when")
    question = Question(
        key=fields.text("key"),
        text=fields.text("text"),
        kind=cast(QuestionKind, kind),
        choices=choices,
        min=low,
        max=high,
        when=None if when is None else parse_condition(when, f"{where} > when"),
        meaning=fields.text("meaning"),
    )
    fields.done()
    return question


def _indicator(raw: object, where: str) -> Indicator:
    fields = Fields(raw, where)
    dimension = Fields(fields.raw("dimension"), f"{where} > dimension")
    questions = tuple(
        _question(item, f"{where} > questions[{i}]")
        for i, item in enumerate(fields.items("questions"))
    )
    indicator = Indicator(
        code=fields.text("code"),
        bit=fields.integer("bit"),
        dimension=dimension.text("code"),
        dimension_name=dimension.text("name"),
        name=fields.text("name"),
        rule=fields.text("rule"),
        verified=fields.flag("verified"),
        provisional=fields.flag("provisional"),
        questions=questions,
        deprived_if=parse_condition(fields.raw("deprived_if"), f"{where} > deprived_if"),
    )
    dimension.done()
    fields.done()
    asked: set[str] = set(HOUSEHOLD_FACTS)
    for question in questions:
        needed = condition_keys(question.when) if question.when else frozenset()
        if not needed <= asked:
            raise invalid(where, f"'when' of {question.key!r} reads {sorted(needed - asked)}")
        asked.add(question.key)
    if not condition_keys(indicator.deprived_if) <= asked:
        missing = sorted(condition_keys(indicator.deprived_if) - asked)
        raise invalid(where, f"deprived_if reads keys no question asks: {missing}")
    if not 0 <= indicator.bit < 63:
        raise invalid(where, f"bit {indicator.bit} out of range 0..62")
    return indicator


def _income_lines(raw: object, where: str) -> IncomeLines:
    fields = Fields(raw, where)
    lines = IncomeLines(
        poor_outright=fields.optional_integer("poor_outright"),
        poverty=fields.integer("poverty"),
        medium_upper=fields.optional_integer("medium_upper"),
        verified=fields.flag("verified"),
    )
    fields.done()
    lower = lines.poor_outright if lines.poor_outright is not None else 0
    upper = lines.medium_upper if lines.medium_upper is not None else lines.poverty + 1
    if not 0 <= lower < lines.poverty < upper:
        raise invalid(where, "income lines must rise: poor_outright < poverty < medium_upper")
    return lines


def parse_standard(raw: object, standard_id: str) -> Standard:
    """Validate the YAML content of a standard file and build the :class:`Standard`.

    Refuses unknown and missing fields, wrong types, conditions that read answers
    no question asks, duplicate codes or bits, and income lines that do not rise,
    with an :class:`InvalidStandardError` naming the place.
    """
    fields = Fields(raw, standard_id)
    areas = Fields(fields.raw("income_lines"), f"{standard_id} > income_lines")
    income_lines = {
        area: _income_lines(areas.raw(area), f"{standard_id} > {area}") for area in AREAS
    }
    areas.done()
    indicators = tuple(
        _indicator(item, f"{standard_id} > indicators[{i}]")
        for i, item in enumerate(fields.items("indicators"))
    )
    standard = Standard(
        id=fields.text("id"),
        name=fields.text("name"),
        legal_basis=fields.text("legal_basis"),
        applies_from_year=fields.integer("applies_from_year"),
        applies_to_year=fields.integer("applies_to_year"),
        min_deprivations=fields.integer("min_deprivations"),
        provisional=fields.flag("provisional"),
        income_lines=MappingProxyType(income_lines),
        indicators=indicators,
    )
    fields.done()
    if standard.id != standard_id:
        raise invalid(standard_id, f"file declares id {standard.id!r}")
    if standard.applies_from_year > standard.applies_to_year:
        raise invalid(standard_id, "applies_from_year is after applies_to_year")
    if not 1 <= standard.min_deprivations <= len(indicators):
        raise invalid(standard_id, "min_deprivations out of range")
    questions: dict[str, Question] = {}
    for indicator in indicators:
        for question in indicator.questions:
            if question.key in HOUSEHOLD_FACTS:
                raise invalid(standard_id, f"question key {question.key!r} is a household fact")
            if questions.setdefault(question.key, question) != question:
                raise invalid(standard_id, f"question key {question.key!r} asked two ways")
    for attribute in ("code", "bit"):
        values = [getattr(indicator, attribute) for indicator in indicators]
        if len(set(values)) != len(values):
            raise invalid(standard_id, f"duplicate indicator {attribute}")
    return standard


def _files() -> dict[str, Traversable]:
    folder = resources.files("poverty").joinpath(_PACKAGE_DIR)
    return {
        entry.name.removesuffix(".yaml"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


@functools.cache
def load_standard(standard_id: str) -> Standard:
    """The standard with that id (e.g. ``"2022-2025"``), validated and cached.

    Raises :class:`UnknownStandardError` for an unknown id and
    :class:`InvalidStandardError` when its file does not follow the schema.
    """
    entry = _files().get(standard_id)
    if entry is None:
        raise UnknownStandardError(UNKNOWN_STANDARD, standard_id=standard_id)
    try:
        raw = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise invalid(standard_id, str(error)) from error
    return parse_standard(raw, standard_id)


def all_standards() -> tuple[Standard, ...]:
    """Every standard on file, oldest first."""
    loaded = (load_standard(standard_id) for standard_id in _files())
    return tuple(sorted(loaded, key=lambda standard: standard.applies_from_year))


def standard_for_year(year: int) -> Standard:
    """The standard to apply in a review for ``year``.

    2021 and earlier → 2016-2020 (QĐ 59/2015, extended to 2021 by NĐ 07/2021
    Art. 2; it is also the oldest on file); 2022–2026 → 2022-2025 (NĐ 07/2021
    Art. 3, kept for 2026 by NĐ 351/2025); 2027–2030 → 2027-2030 (NĐ 351/2025).
    Later years raise :class:`UnknownStandardError`.
    """
    standards = all_standards()
    for standard in standards:
        if standard.applies_from_year <= year <= standard.applies_to_year:
            return standard
    if standards and year < standards[0].applies_from_year:
        return standards[0]
    raise UnknownStandardError(NO_STANDARD_FOR_YEAR, year=year)


def _bit_registry() -> Mapping[str, int]:
    bits: dict[str, int] = {}
    for standard in all_standards():
        for indicator in standard.indicators:
            if bits.setdefault(indicator.code, indicator.bit) != indicator.bit:
                raise invalid(
                    standard.id, f"{indicator.code!r} has another bit in another standard"
                )
    if len(set(bits.values())) != len(bits):
        raise InvalidStandardError(N_("Hai chỉ số khác nhau dùng chung một bit."))
    return MappingProxyType(dict(sorted(bits.items(), key=lambda item: item[1])))


INDICATOR_BITS: Mapping[str, int] = _bit_registry()
"""Indicator code → bit, the same in every standard (validated on import)."""
_CODES_BY_BIT: Mapping[int, str] = MappingProxyType(
    {bit: code for code, bit in INDICATOR_BITS.items()}
)


def to_mask(codes: Iterable[str]) -> int:
    """Bitmask of the indicator codes; :class:`UnknownIndicatorError` for an unknown code."""
    mask = 0
    for code in codes:
        if code not in INDICATOR_BITS:
            raise UnknownIndicatorError(UNKNOWN_CODE, code=code)
        mask |= 1 << INDICATOR_BITS[code]
    return mask


def from_mask(mask: int) -> tuple[str, ...]:
    """Indicator codes of a bitmask, in bit order; :class:`UnknownIndicatorError` for stray bits."""
    if mask < 0:
        raise UnknownIndicatorError(UNKNOWN_BITS, mask=mask)
    codes = tuple(code for bit, code in sorted(_CODES_BY_BIT.items()) if mask >> bit & 1)
    if to_mask(codes) != mask:
        raise UnknownIndicatorError(UNKNOWN_BITS, mask=mask)
    return codes


def deprivation_from_answers(indicator: Indicator, answers: Mapping[str, object]) -> bool | None:
    """Whether the answers show the household deprived in ``indicator``; None while undecided."""
    return evaluate(indicator.deprived_if, answers)


def questions_to_ask(indicator: Indicator, answers: Mapping[str, object]) -> list[Question]:
    """The indicator's questions still to ask, in order.

    A question is listed when its ``when`` holds and its key is not yet in
    ``answers`` (a key present with None means "asked, not known" and is not
    asked again). Questions whose ``when`` cannot be decided yet wait for the
    earlier answers. Once the deprivation is decided nothing more is asked.
    """
    if deprivation_from_answers(indicator, answers) is not None:
        return []
    return [
        question
        for question in indicator.questions
        if question.key not in answers
        and (question.when is None or evaluate(question.when, answers) is True)
    ]


def is_question_due(
    indicator: Indicator, question: Question, answers: Mapping[str, object]
) -> bool:
    """Whether ``question`` (one of the indicator's) is among :func:`questions_to_ask`, without
    deciding every other question of the indicator: a flow asking one step at a time checks
    each step this way several times per message."""
    return (
        question.key not in answers
        and (question.when is None or evaluate(question.when, answers) is True)
        and deprivation_from_answers(indicator, answers) is None
    )
