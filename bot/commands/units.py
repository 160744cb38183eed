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
from exchange.importing import ImportFileError, ImportRejectedError
from exchange.importing.reorganisation_rows import ReorganisationFile, read_reorganisation
from exchange.importing.unit_rows import read_unit_list
from poverty.errors import AppError
from poverty.formatting import format_date, format_int
from poverty.unit_names import qualified_name
from storage.audit import Actor
from storage.reorganisation import ReorganisationResult, reorganise
from storage.unit_list import (
    TreeLine,
    UnitImportSummary,
    UnitListFile,
    import_unit_list,
    unit_tree,
)
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


MERGE_LINE = __("Dòng {row}: sáp nhập “{old}” vào “{new}” từ ngày {date}: {details}.")
MOVE_LINE = __("Dòng {row}: chuyển “{old}” về “{new}” từ ngày {date}: {details}.")
MOVE_DETAILS = __(
    "{units} đơn vị trực thuộc, {households} hộ, {grants} quyền, {invites} mã mời chưa dùng, "
    "{assignments} phân công người đỡ đầu, {followups} việc theo dõi đang mở, "
    "{plans} kế hoạch hỗ trợ"
)
CREATED_UNIT = __("Tạo đơn vị mới “{unit}”.")
CLOSED_UNIT = __("Đóng “{unit}”: không còn đơn vị nào trực thuộc.")
ALREADY_APPLIED = __("{count} dòng đã được áp dụng từ trước, giữ nguyên.")
DRY_RUN_DONE = __("Chạy thử: chưa thay đổi gì trong cơ sở dữ liệu.")
APPLIED = __("Đã sắp xếp lại đơn vị: {count} dòng được áp dụng.")
NOTHING_TO_DO = __("Không có gì thay đổi.")


@units_app.command(
    "reorganise",
    help="Sắp xếp lại đơn vị theo tệp (.csv/.xlsx: don_vi_cu, don_vi_moi, ngay_hieu_luc).",
)
def units_reorganise(
    file: Annotated[Path, typer.Argument(help="Tệp .csv hoặc .xlsx, mỗi dòng một đơn vị cũ.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ in những gì sẽ chuyển, không thay đổi gì.")
    ] = False,
) -> None:
    try:
        checked = read_reorganisation(file)
        print_issues(checked.warnings, color=typer.colors.YELLOW)
        result = run(_reorganise(checked, dry_run=dry_run))
    except ImportFileError as error:
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    except ImportRejectedError as error:
        print_issues(error.issues)
        typer.secho(render(error.message, error.params), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None
    for line in reorganisation_lines(result):
        typer.echo(line)
    if dry_run:
        typer.echo(_(DRY_RUN_DONE))
    elif result.moves:
        typer.echo(_(APPLIED).format(count=len(result.moves)))
    else:
        typer.echo(_(NOTHING_TO_DO))


async def _reorganise(checked: ReorganisationFile, *, dry_run: bool) -> ReorganisationResult:
    """One transaction: committed, or rolled back for a dry run or a refused file."""
    async with open_runtime(Settings()) as rt, rt.sessions() as session:
        transaction = await session.begin()
        try:
            result = await reorganise(
                session, checked.rows, UNITS_ACTOR, rt.now(), file_errors=checked.errors
            )
        except BaseException:
            await transaction.rollback()
            raise
        if dry_run:
            await transaction.rollback()
        else:
            await transaction.commit()
        return result


def reorganisation_lines(result: ReorganisationResult) -> list[str]:
    lines: list[str] = []
    for move in result.moves:
        if move.created:
            lines.append(_(CREATED_UNIT).format(unit=move.new))
        details = _(MOVE_DETAILS).format(
            units=format_int(move.villages),
            households=format_int(move.households),
            grants=format_int(move.grants),
            invites=format_int(move.invites),
            assignments=format_int(move.assignments),
            followups=format_int(move.followups),
            plans=format_int(move.plans),
        )
        template = MERGE_LINE if move.operation == "merge" else MOVE_LINE
        lines.append(
            _(template).format(
                row=move.row,
                old=move.old,
                new=move.new,
                date=format_date(move.effective),
                details=details,
            )
        )
    lines.extend(_(CLOSED_UNIT).format(unit=unit) for unit in result.closed)
    if result.unchanged_rows:
        lines.append(_(ALREADY_APPLIED).format(count=len(result.unchanged_rows)))
    return lines
