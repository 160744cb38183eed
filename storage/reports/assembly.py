"""Turning grouped counts into a :class:`Report`: rows in the children's order (zeros for units
without records), the total row, warnings and the note for an empty table."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.standards import Standard
from storage.reports.checks import DISAGREES_KEY, count_disagreements, row_warnings, summarize
from storage.reports.grouping import Grouping, GroupKey, slots
from storage.reports.model import (
    TOTAL_LABEL,
    Column,
    LegendEntry,
    Message,
    Report,
    ReportKind,
    ReportRow,
    ReportWarning,
    Value,
)
from storage.units import unit_label

Counts = Mapping[str, int]


@dataclass(frozen=True)
class Layout:
    """What distinguishes one appendix from the other."""

    kind: ReportKind
    title: str
    columns: tuple[Column, ...]
    count_keys: tuple[str, ...]
    values: Callable[[Counts], dict[str, Value]]
    presence_key: str
    empty_note: str
    legend: tuple[LegendEntry, ...] = ()
    counts_disagreements: bool = False
    """Whether the appendix query itself counts :data:`DISAGREES_KEY` (it reads every record)."""


async def assemble(
    session: AsyncSession,
    layout: Layout,
    grouping: Grouping,
    year: int,
    standard: Standard,
    groups: Mapping[GroupKey, Counts],
    records: ColumnElement[bool] | None = None,
) -> Report:
    """The report from the per-group counts of the appendix query (one entry per group key)."""
    disagreements: Mapping[GroupKey, int] = {}
    if not layout.counts_disagreements:
        disagreements = await count_disagreements(session, grouping, year, records)
    keys = set(groups) | set(disagreements)
    rows: list[ReportRow] = []
    warnings: list[ReportWarning] = []
    total = dict.fromkeys(layout.count_keys, 0)
    for slot in await slots(session, grouping, keys):
        counts = _counts(layout.count_keys, groups.get(slot.key))
        if not layout.counts_disagreements:
            counts[DISAGREES_KEY] = disagreements.get(slot.key, 0)
        row = ReportRow(slot.name, layout.values(counts), slot.kind, slot.unit_id)
        rows.append(row)
        warnings += row_warnings(row, counts, standard)
        for key in layout.count_keys:
            total[key] += counts[key]
    label = await unit_label(session, grouping.under)
    note = None
    if total[layout.presence_key] == 0:
        note = Message(layout.empty_note, {"year": str(year), "unit": label})
    return Report(
        kind=layout.kind,
        title=Message(layout.title, {"year": str(year)}),
        unit=grouping.under,
        unit_label=label,
        year=year,
        standard_id=standard.id,
        standard_name=standard.name,
        columns=layout.columns,
        rows=tuple(rows),
        total=ReportRow(TOTAL_LABEL, layout.values(total), "total"),
        warnings=tuple(warnings),
        summary=summarize(total),
        legend=layout.legend,
        note=note,
    )


def _counts(keys: Sequence[str], found: Counts | None) -> dict[str, int]:
    return {key: int(found.get(key) or 0) if found else 0 for key in keys}
