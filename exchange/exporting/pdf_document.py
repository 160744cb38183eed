"""A table in the official layout as a PDF: A4 landscape, the issuing body and the national
heading (Quốc hiệu, Tiêu ngữ) at the top, the title, the table with an STT column and two header
rows (group titles merged over their columns), notes under it and the signature block at the
end. The layout of Decree 30/2020/NĐ-CP (Appendix I) for administrative documents is the model.

The document is described as data (:class:`OfficialTable`), then drawn with matplotlib's object
API (``Figure`` and the PDF backend, no ``pyplot``): matplotlib is already a dependency for the
charts, and it embeds the TrueType font it draws with. DejaVu Sans, which matplotlib ships, has
every Vietnamese letter; with ``pdf.fonttype`` 42 the font goes into the file as TrueType, so
the text stays searchable and copyable on any reader. Long tables continue on further pages,
the header rows repeated; the signature block never sits alone on a page without the table's
end above it unless it cannot fit.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

PAGE_WIDTH = 297 / 25.4
PAGE_HEIGHT = 210 / 25.4
"""A4 landscape, in inches."""
MARGIN = 0.55
FONT_SIZE = 8.0
TITLE_SIZE = 12.0
HEADING_SIZE = 9.5
LINE = 0.16
"""Height of one line of table text, in inches."""
CELL_PADDING = 0.05
CHAR_WIDTH = 0.58
"""Average width of a DejaVu Sans character, as a share of the font size."""

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TableColumn:
    title: str
    width: float
    """Relative width; the columns share the page width in these proportions."""
    group: str | None = None
    align: Align = "right"


@dataclass(frozen=True)
class OfficialTable:
    """Everything printed, already translated."""

    issuer: tuple[str, ...]
    """The issuing body, top left, e.g. ("ỦY BAN NHÂN DÂN", "XÃ CAM LỘ")."""
    national: tuple[str, str]
    """Quốc hiệu and Tiêu ngữ, top right."""
    title: tuple[str, ...]
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[str, ...], ...]
    bold_rows: frozenset[int] = frozenset()
    notes: tuple[str, ...] = ()
    place_date: str = ""
    signers: tuple[tuple[str, str], ...] = ()
    """(title, hint) per signer, left to right: ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")."""
    metadata_title: str = ""


@dataclass
class _Page:
    first: bool
    rows: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signature: bool = False


def _chars(width_inches: float, size: float) -> int:
    return max(1, int(width_inches * 72 / (size * CHAR_WIDTH)))


def _wrap(text: str, width_inches: float, size: float = FONT_SIZE) -> list[str]:
    lines: list[str] = []
    for part in text.split("\n"):
        lines += textwrap.wrap(part, _chars(width_inches, size)) or [""]
    return lines


class _Geometry:
    def __init__(self, table: OfficialTable) -> None:
        self.table = table
        usable = PAGE_WIDTH - 2 * MARGIN
        total = sum(column.width for column in table.columns) or 1.0
        self.widths = [usable * column.width / total for column in table.columns]
        self.lefts = [MARGIN + sum(self.widths[:i]) for i in range(len(self.widths))]
        has_groups = any(column.group for column in table.columns)
        sub = max(
            len(_wrap(column.title, w - 2 * CELL_PADDING))
            for column, w in zip(table.columns, self.widths, strict=True)
        )
        self.group_height = LINE + 2 * CELL_PADDING if has_groups else 0.0
        self.header_height = self.group_height + sub * LINE + 2 * CELL_PADDING
        self.cells = [
            [_wrap(cell, w - 2 * CELL_PADDING) for cell, w in zip(row, self.widths, strict=True)]
            for row in table.rows
        ]
        self.row_heights = [
            max(len(c) for c in row) * LINE + 2 * CELL_PADDING for row in self.cells
        ]
        self.heading_height = _heading_height(table)
        self.note_lines = [
            line for note in table.notes for line in _wrap(note, PAGE_WIDTH - 2 * MARGIN)
        ]
        self.signature_height = 1.6 if table.signers else 0.0

    def pages(self) -> list[_Page]:
        pages = [_Page(first=True)]
        room = PAGE_HEIGHT - 2 * MARGIN - self.heading_height - self.header_height
        for index, height in enumerate(self.row_heights):
            if height > room and pages[-1].rows:
                pages.append(_Page(first=False))
                room = PAGE_HEIGHT - 2 * MARGIN - self.header_height
            pages[-1].rows.append(index)
            room -= height
        room -= 0.15
        for line in self.note_lines:
            if room < LINE:
                pages.append(_Page(first=False))
                room = PAGE_HEIGHT - 2 * MARGIN
            pages[-1].notes.append(line)
            room -= LINE
        if self.signature_height:
            if self.signature_height > room:
                pages.append(_Page(first=False))
            pages[-1].signature = True
        return pages


def official_pdf(table: OfficialTable) -> bytes:
    """The PDF file's bytes."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import FigureCanvasPdf, PdfPages
    from matplotlib.figure import Figure

    geometry = _Geometry(table)
    buffer = io.BytesIO()
    metadata = {"Title": table.metadata_title or " ".join(table.title), "Creator": "giamngheo"}
    with (
        rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}),
        PdfPages(buffer, metadata=metadata) as pdf,
    ):
        for page in geometry.pages():
            figure = Figure(figsize=(PAGE_WIDTH, PAGE_HEIGHT))
            FigureCanvasPdf(figure)
            _draw_page(figure, geometry, page)
            pdf.savefig(figure)
    return buffer.getvalue()


class _Pen:
    """Draws in inches from the top left corner of the page."""

    def __init__(self, figure: object) -> None:
        from matplotlib.figure import Figure

        assert isinstance(figure, Figure)
        self.figure = figure

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = FONT_SIZE,
        bold: bool = False,
        italic: bool = False,
        align: Align = "left",
        valign: str = "top",
    ) -> None:
        self.figure.text(
            x / PAGE_WIDTH,
            1 - y / PAGE_HEIGHT,
            text,
            fontsize=size,
            fontweight="bold" if bold else "normal",
            fontstyle="italic" if italic else "normal",
            ha=align,
            va=valign,
        )

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.6) -> None:
        from matplotlib.lines import Line2D

        self.figure.add_artist(
            Line2D(
                [x0 / PAGE_WIDTH, x1 / PAGE_WIDTH],
                [1 - y0 / PAGE_HEIGHT, 1 - y1 / PAGE_HEIGHT],
                transform=self.figure.transFigure,
                linewidth=width,
                color="black",
            )
        )

    def box(self, x: float, y: float, width: float, height: float) -> None:
        self.line(x, y, x + width, y)
        self.line(x, y + height, x + width, y + height)
        self.line(x, y, x, y + height)
        self.line(x + width, y, x + width, y + height)


def _draw_page(figure: object, geometry: _Geometry, page: _Page) -> None:
    pen = _Pen(figure)
    table = geometry.table
    y = MARGIN
    if page.first:
        y = _draw_heading(pen, table)
    if page.rows:
        y = _draw_header(pen, geometry, y)
        for index in page.rows:
            y = _draw_row(pen, geometry, index, y)
    y += 0.15
    for line in page.notes:
        pen.text(MARGIN, y, line, italic=False)
        y += LINE
    if page.signature:
        _draw_signature(pen, table, y + 0.1)


def _draw_heading(pen: _Pen, table: OfficialTable) -> float:
    left_center = MARGIN + 1.6
    y = MARGIN
    for number, line in enumerate(table.issuer):
        pen.text(left_center, y + number * 0.18, line, size=HEADING_SIZE, bold=number > 0,
                 align="center")  # fmt: skip
    issuer_bottom = y + len(table.issuer) * 0.18 + 0.02
    if table.issuer:
        pen.line(left_center - 0.4, issuer_bottom, left_center + 0.4, issuer_bottom)
    right_center = PAGE_WIDTH - MARGIN - 2.2
    pen.text(right_center, y, table.national[0], size=HEADING_SIZE, bold=True, align="center")
    pen.text(right_center, y + 0.18, table.national[1], size=HEADING_SIZE + 0.5, bold=True,
             align="center")  # fmt: skip
    motto_half = len(table.national[1]) * (HEADING_SIZE + 0.5) * CHAR_WIDTH / 72 / 2
    pen.line(right_center - motto_half, y + 0.38, right_center + motto_half, y + 0.38)
    y += 0.65
    for number, line in enumerate(table.title):
        pen.text(PAGE_WIDTH / 2, y, line, size=TITLE_SIZE if number == 0 else HEADING_SIZE,
                 bold=number == 0, italic=number > 1, align="center")  # fmt: skip
        y += 0.24
    return MARGIN + _heading_height(table)


def _heading_height(table: OfficialTable) -> float:
    return 0.75 + len(table.title) * 0.24


def _draw_header(pen: _Pen, geometry: _Geometry, top: float) -> float:
    columns = geometry.table.columns
    bottom = top + geometry.header_height
    index = 0
    while index < len(columns):
        column = columns[index]
        left = geometry.lefts[index]
        if column.group is None:
            width = geometry.widths[index]
            pen.box(left, top, width, geometry.header_height)
            _cell_text(pen, column.title, left, top, width, geometry.header_height, bold=True)
            index += 1
            continue
        end = index
        while end + 1 < len(columns) and columns[end + 1].group == column.group:
            end += 1
        span = sum(geometry.widths[index : end + 1])
        pen.box(left, top, span, geometry.group_height)
        _cell_text(pen, column.group, left, top, span, geometry.group_height, bold=True)
        sub_top = top + geometry.group_height
        sub_height = geometry.header_height - geometry.group_height
        for position in range(index, end + 1):
            x, width = geometry.lefts[position], geometry.widths[position]
            pen.box(x, sub_top, width, sub_height)
            _cell_text(pen, columns[position].title, x, sub_top, width, sub_height, bold=True)
        index = end + 1
    return bottom


def _cell_text(
    pen: _Pen, text: str, left: float, top: float, width: float, height: float, *, bold: bool
) -> None:
    lines = _wrap(text, width - 2 * CELL_PADDING)
    first = top + (height - len(lines) * LINE) / 2
    for number, line in enumerate(lines):
        pen.text(left + width / 2, first + number * LINE + 0.02, line, bold=bold, align="center")


def _draw_row(pen: _Pen, geometry: _Geometry, index: int, top: float) -> float:
    height = geometry.row_heights[index]
    bold = index in geometry.table.bold_rows
    for position, lines in enumerate(geometry.cells[index]):
        left, width = geometry.lefts[position], geometry.widths[position]
        pen.box(left, top, width, height)
        align = geometry.table.columns[position].align
        x = {
            "left": left + CELL_PADDING,
            "center": left + width / 2,
            "right": left + width - CELL_PADDING,
        }[align]
        for number, line in enumerate(lines):
            pen.text(x, top + CELL_PADDING + number * LINE + 0.02, line, bold=bold, align=align)
    return top + height


def _draw_signature(pen: _Pen, table: OfficialTable, top: float) -> None:
    count = len(table.signers)
    usable = PAGE_WIDTH - 2 * MARGIN
    if table.place_date:
        pen.text(MARGIN + usable * (2 * count - 1) / (2 * count), top, table.place_date,
                 italic=True, align="center", size=HEADING_SIZE)  # fmt: skip
    for number, (title, hint) in enumerate(table.signers):
        center = MARGIN + usable * (2 * number + 1) / (2 * count)
        pen.text(center, top + 0.22, title, bold=True, align="center", size=HEADING_SIZE)
        pen.text(center, top + 0.42, hint, italic=True, align="center")


def table_rows(rows: Sequence[Sequence[object]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple("" if value is None else str(value) for value in row) for row in rows)
