"""``giamngheo import households FILE`` and ``giamngheo import template FILE.xlsx``.

The file is read and checked before the database is opened; the rows are then written in one
transaction, with a progress bar, and a summary in Vietnamese number forms follows. A rejected
file prints its first mistakes (row, column, reason) and exits with code 1.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from exchange.importing import (
    HouseholdFile,
    ImportFileError,
    ImportRejectedError,
    ImportSummary,
    Issue,
    import_households,
    read_households,
    write_template,
)
from poverty.formatting import format_int
from poverty.import_issues import ROW_AND_COLUMN, ROW_ONLY
from poverty.review import period_label
from poverty.standards import standard_for_year
from storage.audit import Actor

IMPORT_ACTOR = Actor("cli:import")
MAX_SHOWN = 20
"""Errors printed at most; the rest are counted."""

import_app = typer.Typer(
    help="Nhập danh sách hộ từ tệp CSV hoặc Excel, hoặc tạo tệp mẫu.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


def render(message: str, params: Mapping[str, object]) -> str:
    """A domain message in the current language with its parameters filled in."""
    return _(message).format(**params)


def render_issue(issue: Issue) -> str:
    """``Dòng 7, cột so_nhan_khau: “abc” không phải là số.``"""
    detail = render(issue.message, issue.params)
    if issue.row is None:
        return detail
    row = format_int(issue.row)
    if issue.column is None:
        return _(ROW_ONLY).format(row=row, detail=detail)
    return _(ROW_AND_COLUMN).format(row=row, column=issue.column, detail=detail)


def print_issues(issues: Sequence[Issue], *, color: str = typer.colors.RED) -> None:
    """The first :data:`MAX_SHOWN` issues on standard error, then how many were left out."""
    for issue in issues[:MAX_SHOWN]:
        typer.secho(render_issue(issue), err=True, fg=color)
    if len(issues) > MAX_SHOWN:
        more = format_int(len(issues) - MAX_SHOWN)
        typer.secho(_("… và {count} lỗi khác.").format(count=more), err=True, fg=color)


@import_app.command("households", help="Nhập hoặc cập nhật danh sách hộ từ tệp .csv/.xlsx.")
def households(
    file: Annotated[Path, typer.Argument(help="Tệp .csv hoặc .xlsx theo mẫu nhập.")],
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Vẫn nhập các dòng hợp lệ khi có dòng lỗi."),
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="Năm áp dụng của phân loại chính thức cho các dòng để trống cột nam "
            "(mặc định: năm nay).",
        ),
    ] = None,
) -> None:
    settings = Settings()
    default_year = year if year is not None else datetime.now(ZoneInfo(settings.timezone)).year
    try:
        with bulk_load():
            checked = read_households(file, default_year=default_year)
            print_issues(checked.warnings, color=typer.colors.YELLOW)
            summary = run(write_checked_file(settings, checked, default_year, skip_invalid))
    except ImportFileError as error:
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    except ImportRejectedError as error:
        print_issues(error.issues)
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        typer.secho(
            _("Sửa các dòng trên rồi nhập lại, hoặc dùng --skip-invalid để bỏ qua chúng."),
            err=True,
        )
        raise typer.Exit(1) from None
    print_issues(summary.errors)
    typer.echo(summary_text(file.name, summary))
    period = period_label(standard_for_year(default_year).id)
    typer.echo(_(DEFAULT_YEAR).format(year=default_year, period=period))


@contextmanager
def bulk_load() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is read and written.

    An import holds a few objects per household and creates no reference cycles worth
    collecting, yet the collector would walk the growing heap again and again: a quarter of the
    time of a 50.000-household import. Memory is freed as usual when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def write_checked_file(
    settings: Settings, checked: HouseholdFile, default_year: int, skip_invalid: bool
) -> ImportSummary:
    """Write a checked file in one transaction, with a progress bar on standard error."""
    console = Console(stderr=True)
    columns = (
        TextColumn(_("Đang ghi")),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    async with open_runtime(settings) as rt:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("", total=len(checked.rows))
            async with rt.sessions() as session, session.begin():
                return await import_households(
                    session,
                    checked,
                    IMPORT_ACTOR,
                    rt.now(),
                    tz=rt.tz,
                    default_year=default_year,
                    skip_invalid=skip_invalid,
                    on_progress=lambda done, _total: progress.update(task, completed=done),
                )


DEFAULT_YEAR = __(
    "Dòng để trống cột nam được ghi là phân loại chính thức năm {year} (chuẩn {period})."
)


def summary_text(name: str, summary: ImportSummary) -> str:
    lines = [
        _("Đã nhập tệp {name} (mã hóa: {encoding}).").format(
            name=name, encoding=_(summary.encoding)
        ),
        _("  Thêm mới: {count} hộ").format(count=format_int(summary.created)),
        _("  Cập nhật: {count} hộ").format(count=format_int(summary.updated)),
        _("  Không thay đổi: {count} hộ").format(count=format_int(summary.unchanged)),
        _("  Dòng không hợp lệ (bỏ qua): {count}").format(count=format_int(summary.invalid_rows)),
    ]
    return "\n".join(lines)


@import_app.command("template", help="Tạo tệp Excel mẫu để điền danh sách hộ.")
def template(
    file: Annotated[Path, typer.Argument(help="Tệp .xlsx sẽ tạo.")],
) -> None:
    if file.suffix.lower() != ".xlsx":
        typer.secho(_("Tệp mẫu phải có đuôi .xlsx."), err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    write_template(file, _)
    typer.echo(_("Đã tạo tệp mẫu {path}.").format(path=file))
