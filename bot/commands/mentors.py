"""``giamngheo mentors assign|unassign|list``: who looks after which household.

An assignment made here is the same as one from the import column ``nguoi_do_dau_sdt``: the
previous mentor's period is closed today, so the history of hand-overs stays.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from poverty.formatting import format_date
from storage.audit import Actor
from storage.mentors import Assignment, assign_mentor, list_assignments, unassign_mentor

CLI_ACTOR = Actor("cli:mentors")

ASSIGNED = __("Đã giao hộ {code} cho người đỡ đầu mới.")
ALREADY = __("Hộ {code} đã do người này đỡ đầu; không thay đổi.")
UNASSIGNED = __("Đã thôi giao hộ {code}.")
NOT_ASSIGNED = __("Hộ {code} chưa có người đỡ đầu.")
NO_ASSIGNMENTS = __("Chưa có phân công nào.")
SINCE = __("từ {start}")
BETWEEN = __("từ {start} đến {end}")

mentors_app = typer.Typer(help="Phân công người đỡ đầu cho hộ.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(mentors_app, name="mentors")


@mentors_app.command("assign", help="Giao một hộ cho người đỡ đầu (theo số điện thoại).")
def assign(
    household: Annotated[str, typer.Argument(help="Mã hộ.")],
    phone: Annotated[str, typer.Argument(help="Số điện thoại người đỡ đầu.")],
) -> None:
    async def go() -> bool:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            return await assign_mentor(session, household, phone, CLI_ACTOR, rt.now())

    changed = run(go())
    typer.echo(_(ASSIGNED if changed else ALREADY).format(code=household))


@mentors_app.command("unassign", help="Thôi giao một hộ cho người đỡ đầu hiện tại.")
def unassign(household: Annotated[str, typer.Argument(help="Mã hộ.")]) -> None:
    async def go() -> bool:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            return await unassign_mentor(session, household, CLI_ACTOR, rt.now())

    changed = run(go())
    typer.echo(_(UNASSIGNED if changed else NOT_ASSIGNED).format(code=household))


@mentors_app.command("list", help="Liệt kê phân công đang có hiệu lực (hoặc cả lịch sử).")
def list_(
    household: Annotated[str | None, typer.Option("--household", help="Chỉ hộ này.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Chỉ người đỡ đầu này.")] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Cả các phân công đã kết thúc.")
    ] = False,
) -> None:
    async def go() -> list[Assignment]:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            return await list_assignments(
                session, household_code=household, mentor_phone=phone, with_history=history
            )

    rows = run(go())
    if not rows:
        typer.echo(_(NO_ASSIGNMENTS))
        return
    for row in rows:
        typer.echo(line(row))


def line(row: Assignment) -> str:
    """``H1  Lê Thị Bình  →  Người đỡ đầu (+84912345678)  từ 23/11/2026``"""
    start = format_date(row.valid_from)
    if row.valid_to is None:
        period = _(SINCE).format(start=start)
    else:
        period = _(BETWEEN).format(start=start, end=format_date(row.valid_to))
    who = f"{row.mentor_name} ({row.mentor_phone})" if row.mentor_phone else row.mentor_name
    return f"{row.household_code}  {row.head_name}  →  {who}  {period}"
