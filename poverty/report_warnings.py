"""What does not add up in a row of an appendix (``canh_bao``), from the row's counts.

- **BTXH + CSGN ≠ poor**: poor households recorded with neither group. Only poor households are
  counted in either group, so the sum can only fall short of the poor count, never exceed it.
- **Too few deprivations**: poor households whose known deprivations are fewer than the
  standard's ``min_deprivations`` and who are not poor by income alone (the 2016–2020
  ``poor_outright`` line); the query in :mod:`storage.reports.checks` counts them.
- **Official status ≠ latest assessment**: households whose latest check differs from the
  status recorded for the report's year.

Pure rules; the counts come from :mod:`storage.reports`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from poverty.i18n import N_
from poverty.standards import Standard

UNGROUPED = N_(
    "Hộ BTXH ({btxh}) + hộ CSGN ({csgn}) khác số hộ nghèo ({poor}): {count} hộ nghèo chưa ghi nhóm."
)
TOO_FEW = N_("{count} hộ nghèo có ít hơn {min} chỉ số thiếu hụt theo chuẩn {standard}.")
DISAGREES = N_("{count} hộ có phân loại chính thức khác kết quả rà soát gần nhất.")


@dataclass(frozen=True)
class RowCounts:
    """The counts of one row the warnings are read from."""

    poor: int
    btxh: int
    csgn: int
    too_few_deprivations: int
    status_disagrees: int

    @property
    def ungrouped_poor(self) -> int:
        return self.poor - self.btxh - self.csgn


@dataclass(frozen=True)
class RowWarning:
    """A msgid and its parameters; the caller translates."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


def row_warnings(counts: RowCounts, standard: Standard) -> list[RowWarning]:
    """The warnings of one row, in a fixed order."""
    found: list[RowWarning] = []
    if counts.ungrouped_poor:
        found.append(
            RowWarning(
                UNGROUPED,
                {
                    "btxh": counts.btxh,
                    "csgn": counts.csgn,
                    "poor": counts.poor,
                    "count": counts.ungrouped_poor,
                },
            )
        )
    if counts.too_few_deprivations:
        params = {
            "count": counts.too_few_deprivations,
            "min": standard.min_deprivations,
            "standard": standard.id,
        }
        found.append(RowWarning(TOO_FEW, params))
    if counts.status_disagrees:
        found.append(RowWarning(DISAGREES, {"count": counts.status_disagrees}))
    return found
