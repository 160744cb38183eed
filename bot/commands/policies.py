"""``giamngheo policies import|export FILE.xlsx``: a province's own support policies and local
top-ups, beside the national catalogue.

``import`` checks every row (as the household import does) and writes all of them or none;
``export`` writes the national catalogue and the provinces' own cards in the same columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bot.commands.households import print_issues, render
from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from exchange.importing import ImportFileError, ImportRejectedError
from exchange.policy_files import read_policy_file, write_policy_file
from poverty.errors import AppError, InvalidInputError
from poverty.formatting import format_int
from poverty.policies import Policy, load_policies
from storage.audit import Actor
from storage.local_policies import (
    SavedPolicies,
    local_policies,
    provinces_with_policies,
    save_local_policies,
)
from storage.units import find_unit, unit_label

IMPORT_ACTOR = Actor("cli:policies-import")
NOT_A_PROVINCE = __("“{unit}” không phải là tỉnh; chính sách riêng được nhập theo tỉnh.")
NOT_XLSX = __("Tệp xuất phải có đuôi .xlsx: {path}")

policies_app = typer.Typer(
    help="Danh mục chính sách hỗ trợ: nhập chính sách riêng của tỉnh, xuất cả danh mục.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(policies_app, name="policies")


def _fail(message: str) -> NoReturn:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


@policies_app.command(
    "import", help="Nhập chính sách riêng và phần hỗ trợ thêm của một tỉnh từ tệp .xlsx/.csv."
)
def import_policies(
    file: Annotated[
        Path, typer.Argument(help="Tệp .xlsx hoặc .csv theo các cột của policies export.")
    ],
    province: Annotated[str, typer.Option("--province", help="Tỉnh có các chính sách này.")],
) -> None:
    settings = Settings()

    async def go() -> tuple[str, SavedPolicies, int]:
        async with open_runtime(settings) as rt, rt.sessions() as session, session.begin():
            unit = await find_unit(session, province)
            if unit.level != "province":
                raise InvalidInputError(NOT_A_PROVINCE, unit=await unit_label(session, unit))
            today = rt.now().astimezone(rt.tz).date()
            checked = read_policy_file(file, unit.name, load_policies(), today)
            print_issues(checked.warnings, color=typer.colors.YELLOW)
            if checked.errors:
                raise ImportRejectedError(checked.errors, checked.invalid_rows)
            saved = await save_local_policies(
                session, unit.id, checked.policies, IMPORT_ACTOR, rt.now()
            )
            return unit.name, saved, len(checked.policies)

    try:
        name, saved, count = run(go())
    except ImportFileError as error:
        _fail(render(error.message, error.params))
    except ImportRejectedError as error:
        print_issues(error.issues)
        _fail(render(error.message, error.params))
    except AppError as error:
        _fail(render(error.message, error.params))
    lines = [
        _("Đã nhập {count} chính sách riêng của tỉnh {province}.").format(
            count=format_int(count), province=name
        ),
        _("  Thêm mới: {count}").format(count=format_int(saved.created)),
        _("  Cập nhật: {count}").format(count=format_int(saved.updated)),
        _("  Không thay đổi: {count}").format(count=format_int(saved.unchanged)),
    ]
    typer.echo("\n".join(lines))


@policies_app.command(
    "export", help="Xuất danh mục chính sách (toàn quốc và của các tỉnh) ra tệp .xlsx."
)
def export_policies(
    file: Annotated[Path, typer.Argument(help="Tệp .xlsx sẽ ghi.")],
    province: Annotated[
        str | None,
        typer.Option(
            "--province", help="Chỉ kèm chính sách riêng của tỉnh này (mặc định: mọi tỉnh)."
        ),
    ] = None,
) -> None:
    if file.suffix.lower() != ".xlsx":
        _fail(_(NOT_XLSX).format(path=file))
    settings = Settings()

    async def go() -> list[Policy]:
        async with open_runtime(settings) as rt, rt.sessions() as session:
            if province is None:
                ids = await provinces_with_policies(session)
            else:
                unit = await find_unit(session, province)
                if unit.level != "province":
                    raise InvalidInputError(NOT_A_PROVINCE, unit=await unit_label(session, unit))
                ids = [unit.id]
            return await local_policies(session, ids)

    try:
        local = run(go())
    except AppError as error:
        _fail(render(error.message, error.params))
    write_policy_file(file, (*load_policies(), *local), _)
    typer.echo(
        _("Đã ghi {path}: {national} chính sách toàn quốc, {local} chính sách của tỉnh.").format(
            path=file, national=format_int(len(load_policies())), local=format_int(len(local))
        )
    )
