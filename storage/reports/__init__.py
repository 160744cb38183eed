"""The official appendix tables (Phụ lục 1 and 2) for any unit and year, with the warnings that
name what does not add up. Queries return the dataclasses of :mod:`storage.reports.model`."""

from storage.reports.appendix_1 import appendix_1
from storage.reports.appendix_2 import appendix_2
from storage.reports.model import (
    NO_VILLAGE_LABEL,
    TOTAL_LABEL,
    UNIT_COLUMN_TITLE,
    Column,
    LegendEntry,
    Message,
    Report,
    ReportKind,
    ReportRow,
    ReportWarning,
    Translate,
    WarningSummary,
)

__all__ = [
    "NO_VILLAGE_LABEL",
    "TOTAL_LABEL",
    "UNIT_COLUMN_TITLE",
    "Column",
    "LegendEntry",
    "Message",
    "Report",
    "ReportKind",
    "ReportRow",
    "ReportWarning",
    "Translate",
    "WarningSummary",
    "appendix_1",
    "appendix_2",
]
