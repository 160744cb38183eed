"""``giamngheo report phu-luc-1|phu-luc-2``: the official appendix tables of a unit, as a table on
the terminal, JSON, CSV, an XLSX workbook laid out like the official form, or a PDF in the
official layout (A4 landscape, national heading, signature block; warnings printed in it)."""

from __future__ import annotations

import sys
from collections.abc import Awaitable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol

import typer
from rich.console import Console
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from exchange.exporting.csv_report import report_csv
from exchange.exporting.json_report import report_json
from exchange.exporting.pdf_report import report_pdf
from exchange.exporting.table_report import report_renderable
from exchange.exporting.xlsx_report import report_xlsx
from poverty.errors import AppError, InvalidInputError
from poverty.text import slug
from storage.reports import Report, appendix_1, appendix_2
from storage.support_summary import Filters, record_filter
from storage.units import FormerNote, Unit, find_unit, former_note


class Query(Protocol):
    def __call__(
        self,
        session: AsyncSession,
        under: Unit,
        year: int,
        records: ColumnElement[bool] | None = None,
        *,
        former_units: bool = False,
    ) -> Awaitable[Report]: ...


WIDE_CONSOLE = 200
FORMER_UNIT = __("{note} Thêm --former-units để xem số liệu theo đơn vị cũ.")


class OutputFormat(StrEnum):
    """How the report is written."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    pdf = "pdf"


report_app = typer.Typer(
    help="Biểu tổng hợp hộ nghèo (phụ lục) của một đơn vị.", no_args_is_help=True
)

Under = Annotated[
    str,
    typer.Option(
        "--under",
        help="Đơn vị: tên hoặc đường dẫn, ví dụ “Quảng Trị / Cam Lộ”.",
        show_default=False,
    ),
]
Year = Annotated[
    int | None,
    typer.Option("--year", help="Năm số liệu (mặc định: năm nay).", show_default=False),
]
Format = Annotated[OutputFormat, typer.Option("--format", help="Định dạng đầu ra.")]
Ethnic = Annotated[
    str | None,
    typer.Option(
        "--dan-toc", help="Chỉ các hộ thuộc dân tộc này (ví dụ: Khmer).", show_default=False
    ),
]
Merit = Annotated[
    str | None,
    typer.Option(
        "--co-cong",
        help="Chỉ các hộ có người có công: mã diện, hoặc * cho mọi diện.",
        show_default=False,
    ),
]
FormerUnits = Annotated[
    bool,
    typer.Option(
        "--former-units",
        help="Nhóm theo đơn vị như trong năm số liệu (trước khi sắp xếp); nhận cả đơn vị cũ.",
    ),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output", help="Tệp ghi kết quả (mặc định: màn hình; xlsx, pdf: tệp tự đặt tên)."
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("phu-luc-1", help="Phụ lục 1: hộ, hộ DTTS, hộ nghèo và tỷ lệ theo đơn vị.")
def phu_luc_1(
    under: Under,
    year: Year = None,
    format: Format = OutputFormat.table,
    output: Output = None,
    ethnic: Ethnic = None,
    merit: Merit = None,
    former_units: FormerUnits = False,
) -> None:
    _report(appendix_1, under, year, format, output, Filters(ethnic, merit), former_units)


@report_app.command("phu-luc-2", help="Phụ lục 2: hộ nghèo thiếu hụt theo từng chỉ số.")
def phu_luc_2(
    under: Under,
    year: Year = None,
    format: Format = OutputFormat.table,
    output: Output = None,
    ethnic: Ethnic = None,
    merit: Merit = None,
    former_units: FormerUnits = False,
) -> None:
    _report(appendix_2, under, year, format, output, Filters(ethnic, merit), former_units)


def _report(
    query: Query,
    under: str,
    year: int | None,
    form: OutputFormat,
    output: Path | None,
    filters: Filters | None = None,
    former_units: bool = False,
) -> None:
    try:
        report, note = run(_load(query, under, year, filters or Filters(), former_units))
    except AppError as error:
        typer.secho(error.render(_), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    if note is not None:
        typer.secho(note.render(_), err=True, fg=typer.colors.YELLOW)
    if form is OutputFormat.table:
        _write_table(report, output)
    elif form is OutputFormat.json:
        _write_bytes(report_json(report, _).encode("utf-8"), output)
    elif form is OutputFormat.csv:
        _write_bytes(report_csv(report, _), output)
        _warn(report)
    elif form is OutputFormat.pdf:
        _write_bytes(report_pdf(report, _), output or default_file_name(report, "pdf"))
    else:
        _write_bytes(report_xlsx(report, _), output or default_file_name(report, "xlsx"))
        _warn(report)


async def _load(
    query: Query, under: str, year: int | None, filters: Filters, former_units: bool = False
) -> tuple[Report, FormerNote | None]:
    """The report, and for a former unit the sentence saying what replaced it. A former unit
    is reported on only by the units as they were (``--former-units``)."""
    async with open_runtime(Settings()) as rt, rt.sessions() as session:
        unit = await find_unit(session, under)
        note = await former_note(session, unit)
        if note is not None and not former_units:
            raise InvalidInputError(FORMER_UNIT, note=note.render(_))
        records = await record_filter(session, filters)
        year = year or rt.now().astimezone(rt.tz).year
        report = await query(session, unit, year, records, former_units=former_units)
        return report, note


def default_file_name(report: Report, extension: str) -> Path:
    """``phu-luc-1-cam-lo-2026.xlsx`` in the current directory."""
    unit = slug(report.unit.name).replace("_", "-") or str(report.unit.id)
    return Path(f"{report.kind}-{unit}-{report.year}.{extension}")


def _write_bytes(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    output.write_bytes(content)
    typer.echo(_("Đã ghi báo cáo vào {path}.").format(path=output), err=True)


def _write_table(report: Report, output: Path | None) -> None:
    if output is None:
        console = Console(width=None if sys.stdout.isatty() else WIDE_CONSOLE)
        console.print(report_renderable(report, _))
        return
    with output.open("w", encoding="utf-8") as stream:
        Console(file=stream, width=WIDE_CONSOLE, no_color=True).print(report_renderable(report, _))
    typer.echo(_("Đã ghi báo cáo vào {path}.").format(path=output), err=True)


def _warn(report: Report) -> None:
    """Warnings on the error stream in yellow, for the formats that do not carry them."""
    for warning in report.warnings:
        text = f"{warning.unit_label(_)}: {warning.message.render(_)}"
        typer.secho(text, err=True, fg=typer.colors.YELLOW)
    if report.note is not None:
        typer.secho(report.note.render(_), err=True)
