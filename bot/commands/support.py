"""``giamngheo import support|plans FILE`` and ``giamngheo report ke-hoach``.

The imports read CSV or XLSX with the household import's reader and write all rows or none
(:mod:`exchange.support_import`); a rejected file prints its first mistakes (row, column, reason)
and exits with code 1. ``report ke-hoach`` prints the support-plan summary of a unit, optionally
only for an ethnic group or households with people with merit, or writes it as xlsx.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.commands.households import import_app, print_issues, render
from bot.commands.report import report_app
from bot.flows.support_summary import summary_pdf, summary_text, summary_xlsx
from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from exchange.importing import ImportFileError, ImportRejectedError
from exchange.support_import import ImportResult, import_plans, import_support
from poverty.errors import AppError
from poverty.formatting import format_int
from poverty.support_plans import load_support_lists
from poverty.text import slug
from storage.audit import Actor
from storage.support_summary import ANY_MERIT, Filters, support_summary
from storage.units import find_unit, unit_label

IMPORT_ACTOR = Actor("cli:import")
UNKNOWN_MERIT = __("Không có diện người có công “{value}”; chỉ nhận: {accepted}.")


def register(app: typer.Typer) -> None:
    """Nothing to add at the top level: the commands join the ``import`` and ``report`` groups
    when this module is imported."""


def _result_text(name: str, result: ImportResult) -> str:
    return "\n".join(
        [
            _("Đã nhập tệp {name} (mã hóa: {encoding}).").format(
                name=name, encoding=_(result.encoding)
            ),
            _("  Đã ghi: {count} dòng").format(count=format_int(result.written)),
            _("  Không thay đổi: {count} dòng").format(count=format_int(result.unchanged)),
        ]
    )


def _import(file: Path, plans: bool) -> None:
    settings = Settings()

    async def go() -> ImportResult:
        async with open_runtime(settings) as rt, rt.sessions() as session, session.begin():
            now = rt.now()
            if plans:
                return await import_plans(session, file, IMPORT_ACTOR, now)
            today = now.astimezone(rt.tz).date()
            return await import_support(session, file, IMPORT_ACTOR, now, today)

    try:
        result = run(go())
    except ImportFileError as error:
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    except ImportRejectedError as error:
        print_issues(error.issues)
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    print_issues(result.warnings, color=typer.colors.YELLOW)
    typer.echo(_result_text(file.name, result))


@import_app.command("support", help="Nhập các khoản hỗ trợ hộ đã nhận từ tệp .csv/.xlsx.")
def support(file: Annotated[Path, typer.Argument(help="Tệp .csv hoặc .xlsx.")]) -> None:
    _import(file, plans=False)


@import_app.command("plans", help="Nhập nhóm, nguyên nhân nghèo, dân tộc, người có công.")
def plans(file: Annotated[Path, typer.Argument(help="Tệp .csv hoặc .xlsx.")]) -> None:
    _import(file, plans=True)


class SummaryFormat(StrEnum):
    text = "text"
    xlsx = "xlsx"
    pdf = "pdf"


@report_app.command("ke-hoach", help="Tóm tắt kế hoạch hỗ trợ hộ nghèo của một đơn vị.")
def ke_hoach(
    under: Annotated[str, typer.Option("--under", help="Đơn vị: tên hoặc đường dẫn.")],
    year: Annotated[int | None, typer.Option("--year", help="Năm (mặc định: năm nay).")] = None,
    ethnic: Annotated[
        str | None, typer.Option("--dan-toc", help="Chỉ các hộ dân tộc này (ví dụ: Khmer).")
    ] = None,
    merit: Annotated[
        str | None,
        typer.Option("--co-cong", help="Chỉ các hộ có người có công: mã diện, hoặc * mọi diện."),
    ] = None,
    format: Annotated[SummaryFormat, typer.Option("--format")] = SummaryFormat.text,
    output: Annotated[Path | None, typer.Option("--output", help="Tệp xlsx hoặc pdf.")] = None,
) -> None:
    if merit is not None and merit != ANY_MERIT and load_support_lists().merit(merit) is None:
        accepted = ", ".join(m.code for m in load_support_lists().merit_categories)
        typer.secho(_(UNKNOWN_MERIT).format(value=merit, accepted=accepted), err=True)
        raise typer.Exit(1)
    filters = Filters(ethnic_group=ethnic, merit=merit)

    async def go() -> tuple[str, bytes, str]:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            unit = await find_unit(session, under)
            today = rt.now().astimezone(rt.tz).date()
            summary = await support_summary(session, unit, year or today.year, today, filters)
            label = await unit_label(session, unit)
            name = f"ke-hoach-{slug(unit.name).replace('_', '-')}-{summary.year}.{format}"
            if format is SummaryFormat.pdf:
                content = summary_pdf(summary, label, unit.name)
            else:
                content = summary_xlsx(summary, label)
            return summary_text(summary, label), content, name

    try:
        text, workbook, name = run(go())
    except AppError as error:
        typer.secho(error.render(_), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    if format is SummaryFormat.text:
        typer.echo(text)
        return
    path = output or Path(name)
    path.write_bytes(workbook)
    typer.echo(_("Đã ghi báo cáo vào {path}.").format(path=path), err=True)
