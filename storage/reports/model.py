"""What a report query returns: plain dataclasses that the writers (table, JSON, CSV, XLSX) read.

Labels that are not unit names (the total row, households outside any village, column titles,
warnings) are Vietnamese msgids; writers translate them with the ``translate`` function they are
given, so storage never imports the bot's gettext set-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from poverty.formatting import format_decimal, format_int
from poverty.i18n import N_
from storage.units import Unit

Translate = Callable[[str], str]
ReportKind = Literal["phu-luc-1", "phu-luc-2"]
RowKind = Literal["unit", "no_village", "total"]
ColumnKind = Literal["count", "percent"]
Value = int | Decimal

TOTAL_LABEL = N_("Tổng cộng")
NO_VILLAGE_LABEL = N_("Không thuộc thôn nào")
UNIT_COLUMN_TITLE = N_("Đơn vị")


@dataclass(frozen=True)
class Message:
    """A msgid with its parameters; numbers are shown in Vietnamese form (``1.087``)."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, translate: Translate) -> str:
        shown = {key: _shown(value) for key, value in self.params.items()}
        return translate(self.msgid).format(**shown)


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, Decimal | float):
        return format_decimal(float(value))
    return value


@dataclass(frozen=True)
class Column:
    """One value column of a report: its key in JSON/CSV and its title (a msgid or, for an
    indicator, the standard's own Vietnamese name)."""

    key: str
    title: str
    kind: ColumnKind = "count"


@dataclass(frozen=True)
class ReportRow:
    """One line of an appendix table: a child unit, the households outside any village, or the
    total. ``values`` has a value for every column of the report, and may hold figures that
    are not columns, which only some writers show (the near-poor counts of Phụ lục 1)."""

    name: str
    values: Mapping[str, Value]
    kind: RowKind = "unit"
    unit_id: int | None = None

    def label(self, translate: Translate) -> str:
        """The ``don_vi`` cell: a unit's own name, or the translated fixed label."""
        return self.name if self.kind == "unit" else translate(self.name)

    def __getitem__(self, key: str) -> Value:
        return self.values[key]


@dataclass(frozen=True)
class ReportWarning:
    """Something in one row that does not add up, for ``canh_bao``."""

    row: ReportRow
    message: Message

    def unit_label(self, translate: Translate) -> str:
        return self.row.label(translate)


@dataclass(frozen=True)
class WarningSummary:
    """Household counts behind the warnings, over the whole unit.

    ``ungrouped_poor``: poor households with neither BTXH nor CSGN recorded, so BTXH + CSGN falls
    short of the poor count. ``too_few_deprivations``: poor households with fewer known
    deprivations than the standard requires and no income-only ground for being poor.
    ``status_disagrees``: households whose official status differs from their latest assessment.
    """

    ungrouped_poor: int = 0
    too_few_deprivations: int = 0
    status_disagrees: int = 0

    @property
    def total(self) -> int:
        return self.ungrouped_poor + self.too_few_deprivations + self.status_disagrees


@dataclass(frozen=True)
class LegendEntry:
    """Numbered indicator column of Phụ lục 2 and the indicator it stands for."""

    number: int
    code: str
    name: str


@dataclass(frozen=True)
class Report:
    """An official appendix table for the children of one unit in one year."""

    kind: ReportKind
    title: Message
    unit: Unit
    unit_label: str
    year: int
    standard_id: str
    standard_name: str
    columns: tuple[Column, ...]
    rows: tuple[ReportRow, ...]
    total: ReportRow
    warnings: tuple[ReportWarning, ...]
    summary: WarningSummary
    legend: tuple[LegendEntry, ...] = ()
    note: Message | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The JSON/CSV keys in order: ``don_vi`` then every column."""
        return ("don_vi", *(column.key for column in self.columns))

    @property
    def all_rows(self) -> tuple[ReportRow, ...]:
        """The child rows followed by the total row."""
        return (*self.rows, self.total)


def percent(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole``, two decimals, half up; 0 when ``whole`` is 0."""
    if whole == 0:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
