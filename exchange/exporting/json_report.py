"""The JSON form of a report::

{"rows": [...], "canh_bao": [{"don_vi": ..., "noi_dung": ...}]}
"""

from __future__ import annotations

import json

from exchange.exporting.records import row_records, warning_records
from storage.reports import Report, Translate


def report_json(report: Report, translate: Translate) -> str:
    """The report as JSON text (UTF-8 characters kept readable, not escaped)."""
    document = {
        "rows": row_records(report, translate),
        "canh_bao": warning_records(report, translate),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
