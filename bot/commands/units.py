"""``giamngheo units list|import|reorganise``: the administrative units, as they are now and as
they were (two-level local government since 1/7/2025)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.households import print_issues, render
from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from poverty.errors import AppError
from poverty.unit_names import qualified_name
from storage.audit import Actor
from storage.importing import ImportFileError, ImportRejectedError
from storage.importing.unit_rows import UnitListFile, read_unit_list
from storage.unit_list import TreeLine, UnitImportSummary, import_unit_list, unit_tree
from storage.units import find_unit, former_note

UNITS_ACTOR = Actor("cli:units")
NO_UNITS = __("Chưa có đơn vị nào.")
IMPORTED = __(
    "Đã nạp danh mục đơn vị: {created} đơn vị mới, {updated} cập nhật, {unchanged} giữ nguyên."
)

units_app = typer.Typer(
    help="Đơn vị hành chính: danh mục, nạp danh mục chính thức, sắp xếp lại đơn vị.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(units_app, name="units")


def fail(error: AppError) -> typer.Exit:
    typer.secho(error.render(_), err=True, fg=typer.colors.RED)
    return typer.Exit(1)


@units_app.command("list", help="Cây đơn vị hiện nay; --history kèm cả các đơn vị cũ.")
def units_list(
    under: Annotated[
        str | None,
        typer.Option("--under", help="Chỉ các đơn vị thuộc đơn vị này (tên, đường dẫn hoặc mã)."),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Kèm các đơn vị cũ (đã sáp nhập hoặc giải thể).")
    ] = False,
) -> None:
    async def go() -> list[str]:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            root = await find_unit(session, under) if under else None
            lines = await unit_tree(session, root, history=history or bool(root and root.valid_to))
            return [await _line(session, line) for line in lines]

    try:
        lines = run(go())
    except AppError as error:
        raise fail(error) from None
    if not lines:
        typer.echo(_(NO_UNITS))
    for line in lines:
        typer.echo(line)


async def _line(session: AsyncSession, line: TreeLine) -> str:
    unit = line.unit
    text = "  " * line.depth + qualified_name(unit.name, unit.kind)
    if unit.official_code:
        text += f" [{unit.official_code}]"
    note = await former_note(session, unit)
    if note is not None:
        text += f" — {note.render(_)}"
    return text


@units_app.command(
    "import", help="Nạp danh mục đơn vị chính thức (.csv/.xlsx: ma, ten, loai, ma_cap_tren)."
)
def units_import(
    file: Annotated[Path, typer.Argument(help="Tệp .csv hoặc .xlsx, mỗi dòng một đơn vị.")],
) -> None:
    try:
        checked = read_unit_list(file)
        print_issues(checked.warnings, color=typer.colors.YELLOW)
        summary = run(_import(checked))
    except ImportFileError as error:
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    except ImportRejectedError as error:
        print_issues(error.issues)
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    typer.echo(
        _(IMPORTED).format(
            created=summary.created, updated=summary.updated, unchanged=summary.unchanged
        )
    )


async def _import(checked: UnitListFile) -> UnitImportSummary:
    async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
        return await import_unit_list(session, checked, UNITS_ACTOR, rt.now())
