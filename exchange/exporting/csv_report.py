"""The CSV form of a report: a header of the report keys, one line per row, the total last.

Encoded UTF-8 with a byte-order mark, which Excel needs to show Vietnamese letters correctly.
Rates are written with a dot and two decimals (``3.04``), the same values as the JSON form.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from storage.reports import Report, Translate


def report_csv(report: Report, translate: Translate) -> bytes:
    """The report as CSV bytes (UTF-8 with BOM, CRLF line ends as Excel writes them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report.keys)
    for row in report.all_rows:
        values = [row.values[column.key] for column in report.columns]
        writer.writerow([row.label(translate), *(_cell(value) for value in values)])
    return buffer.getvalue().encode("utf-8-sig")


def _cell(value: int | Decimal) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)
