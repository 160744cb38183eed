"""The annual review (rà soát định kỳ) and the year a result applies to.

The review runs from 1 September to 14 December of year Y (QĐ 24/2021/QĐ-TTg Art. 3), and the
lists the commune recognises at its end apply from 1 January of Y+1: the review of late 2021
already used the 2022–2025 standard (seed 001: "đầu năm 2022 … theo chuẩn … 2022-2025"), so the
review of late 2026 decides the 2027 lists under the 2027–2030 standard
(reference/poverty-standards.md §0). A check outside a review (the monthly ongoing review, QĐ
24/2021 Art. 3.1.b) applies to the current year. The standard of a result is the one in force
in the year it applies to (:func:`poverty.standards.standard_for_year`).

Movements between two years' official records (hộ thoát nghèo, nghèo mới…) are named by the
table in ``review.yaml``: the decree's report forms were not read, so the table is our reading
of the usual report categories and a province can change it without code.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from types import MappingProxyType

import yaml

from poverty.i18n import N_
from poverty.standards import Standard, standard_for_year

REVIEW_CLOSES = (12, 14)
"""Month and day the annual review ends (QĐ 24/2021 Art. 3)."""
POOR_CLASSES = frozenset({"ngheo", "can_ngheo"})

APPLIES = N_("Kết quả theo chuẩn {period}, áp dụng năm {year}.")
PROVISIONAL = N_(
    "Lưu ý: chuẩn {period} còn tạm tính, một số chỉ số và ngưỡng chưa được đối chiếu với văn "
    "bản gốc."
)


def period_label(standard_id: str) -> str:
    """``2027–2030``: a standard's period as people write it."""
    return standard_id.replace("-", "–")


def applies_to_year(today: date, reviewing_year: int | None) -> int:
    """The year a check made on ``today`` applies to: Y+1 inside an open review of year Y,
    else the current year."""
    return reviewing_year + 1 if reviewing_year is not None else today.year


def standard_of_result(year: int) -> Standard:
    """The standard in force in the year a result applies to."""
    return standard_for_year(year)


def review_deadline(year: int) -> date:
    return date(year, *REVIEW_CLOSES)


def result_year(review_year: int) -> int:
    """The year the lists decided by the review of ``review_year`` apply to."""
    return review_year + 1


@dataclass(frozen=True)
class ApprovedClass:
    """The class approval writes for a household: that of its check for the next year, or
    (``carried``) its class of the review's year when it was not checked."""

    status: str
    carried: bool


def approved_class(checked: str | None, was: str | None) -> ApprovedClass | None:
    """None when the household has neither a check nor a class of the review's year."""
    if checked is not None:
        return ApprovedClass(checked, carried=False)
    if was is not None:
        return ApprovedClass(was, carried=True)
    return None


def kept_group(status: str, was: str | None, group: str | None) -> str | None:
    """A poor household keeps its group (BTXH/CSGN) only when it was poor in the review's year
    too; a newly poor household has its group set anew."""
    return group if status == "ngheo" and was == "ngheo" else None


def class_of_year(official_status: str | None, official_year: int | None, year: int) -> str | None:
    """A household's official class for ``year`` when no record of that year exists: its
    current one, unless that is already of a later year (a review approved before)."""
    if official_year is not None and official_year > year:
        return None
    return official_status


@dataclass(frozen=True)
class Movement:
    code: str
    label: str


@dataclass(frozen=True)
class MovementRules:
    """``(before, after)`` official classes → movement code; ``before`` is ``none`` for a
    household with no record the year before, ``after`` likewise. ``repoverty`` names the
    movement of a household poor again after having escaped in an earlier year."""

    movements: Mapping[str, Movement]
    transitions: Mapping[tuple[str, str], str]
    repoverty: str

    def movement_of(
        self, before: str | None, after: str | None, was_poor_earlier: bool
    ) -> str | None:
        """The movement code from ``before`` to ``after``, or None when nothing moved."""
        code = self.transitions.get((before or "none", after or "none"))
        if (
            code is not None
            and after == "ngheo"
            and before not in POOR_CLASSES
            and was_poor_earlier
        ):
            return self.repoverty
        return code


@functools.cache
def movement_rules() -> MovementRules:
    text = resources.files("poverty").joinpath("review.yaml").read_text(encoding="utf-8")
    return parse_movement_rules(yaml.safe_load(text))


def parse_movement_rules(raw: object) -> MovementRules:
    if not isinstance(raw, dict):
        raise ValueError("review.yaml: a mapping is expected")
    movements = {
        str(code): Movement(str(code), str(fields["label"]))
        for code, fields in dict(raw["movements"]).items()
    }
    transitions: dict[tuple[str, str], str] = {}
    for entry in raw["transitions"]:
        code = str(entry["movement"])
        if code not in movements:
            raise ValueError(f"review.yaml: unknown movement {code}")
        transitions[(str(entry["from"]), str(entry["to"]))] = code
    repoverty = str(raw["repoverty"])
    if repoverty not in movements:
        raise ValueError(f"review.yaml: unknown movement {repoverty}")
    return MovementRules(MappingProxyType(movements), MappingProxyType(transitions), repoverty)
