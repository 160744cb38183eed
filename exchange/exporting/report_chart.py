"""A PNG chart of an area for a phone screen: the poor rate of each child unit (Phụ lục 1) and
the number of poor households deprived in each indicator (Phụ lục 2), with Vietnamese labels.

Drawn with matplotlib's object API (``Figure`` and the Agg canvas, no ``pyplot``), so nothing
global is touched and concurrent requests cannot share a figure. DejaVu Sans, which matplotlib
ships, has every Vietnamese letter. matplotlib is imported when a chart is drawn, not when the
module is, because most commands never draw one and the import costs a noticeable fraction of a
second.
"""

from __future__ import annotations

import io
import textwrap
from decimal import Decimal

from poverty.formatting import format_decimal, format_int
from poverty.i18n import N_
from storage.reports import Report, Translate

RATE_TITLE = N_("Tỷ lệ hộ nghèo theo đơn vị (%)")
DEPRIVATION_TITLE = N_("Số hộ nghèo thiếu hụt theo chỉ số")
CHART_TITLE = N_("{unit} – năm {year}")
NO_DATA = N_("Chưa có số liệu")
RATE_KEY = "ty_le_ngheo"
LABEL_WIDTH = 22
MAX_UNITS = 25


def summary_chart(appendix_1: Report, appendix_2: Report, translate: Translate) -> bytes:
    """Both panels side by side in one PNG (about 1200×650 pixels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 6.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    rates, deprivations = figure.subplots(1, 2, width_ratios=(1, 1.15))
    title = translate(CHART_TITLE).format(unit=appendix_1.unit_label, year=appendix_1.year)
    figure.suptitle(title, fontsize=14, fontweight="bold")

    rows = appendix_1.rows[:MAX_UNITS]
    names = [_wrap(row.label(translate)) for row in rows]
    values = [float(Decimal(row.values[RATE_KEY])) for row in rows]
    rates.set_title(translate(RATE_TITLE), fontsize=11)
    if rows:
        bars = rates.barh(names, values, color="#c0392b")
        rates.bar_label(bars, labels=[format_decimal(v) for v in values], padding=3, fontsize=8)
        rates.invert_yaxis()
        rates.set_xlim(0, max([*values, 1.0]) * 1.2)
    else:
        rates.text(0.5, 0.5, translate(NO_DATA), ha="center", va="center")
    rates.tick_params(labelsize=8)

    total = appendix_2.total.values
    legend = appendix_2.legend
    counts = [int(total.get(entry.code, 0)) for entry in legend]
    deprivations.set_title(translate(DEPRIVATION_TITLE), fontsize=11)
    if legend:
        labels = [_wrap(translate(entry.name)) for entry in legend]
        bars = deprivations.barh(labels, counts, color="#2471a3")
        deprivations.bar_label(bars, labels=[format_int(c) for c in counts], padding=3, fontsize=8)
        deprivations.invert_yaxis()
        deprivations.set_xlim(0, max([*counts, 1]) * 1.2)
    else:
        deprivations.text(0.5, 0.5, translate(NO_DATA), ha="center", va="center")
    deprivations.tick_params(labelsize=8)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH)) or label
