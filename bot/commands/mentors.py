"""``giamngheo mentors assign|unassign|list``: who looks after which household; and
``mentors helper-add|helper-end|helpers``: who helps a household beside its mentor.

An assignment made here is the same as one from the import column ``nguoi_do_dau_sdt``: the
previous mentor's period is closed today, so the history of hand-overs stays. Helpers ("2
better-off households help 1 poor household") are several at once and get no reminders.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bot.i18n import _, __
from bot.runtime import open_runtime, run
from bot.settings import Settings
from poverty.formatting import format_date
from storage.audit import Actor
from storage.helpers import Helper, add_helper, end_helper, list_helpers
from storage.mentors import Assignment, assign_mentor, list_assignments, unassign_mentor

CLI_ACTOR = Actor("cli:mentors")

ASSIGNED = __("Đã giao hộ {code} cho người đỡ đầu mới.")
ALREADY = __("Hộ {code} đã do người này đỡ đầu; không thay đổi.")
UNASSIGNED = __("Đã thôi giao hộ {code}.")
NOT_ASSIGNED = __("Hộ {code} chưa có người đỡ đầu.")
NO_ASSIGNMENTS = __("Chưa có phân công nào.")
HELPER_ADDED = __("Đã ghi người giúp đỡ số {id} cho hộ {code}.")
HELPER_ENDED = __("Đã thôi ghi người giúp đỡ số {id} của hộ {code}.")
NO_HELPERS = __("Chưa có người giúp đỡ nào.")
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
            return await assign_mentor(session, household, phone, CLI_ACTOR, rt.now(), tz=rt.tz)

    changed = run(go())
    typer.echo(_(ASSIGNED if changed else ALREADY).format(code=household))


@mentors_app.command("unassign", help="Thôi giao một hộ cho người đỡ đầu hiện tại.")
def unassign(household: Annotated[str, typer.Argument(help="Mã hộ.")]) -> None:
    async def go() -> bool:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            return await unassign_mentor(session, household, CLI_ACTOR, rt.now(), tz=rt.tz)

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
    period = _period(row.valid_from, row.valid_to)
    who = f"{row.mentor_name} ({row.mentor_phone})" if row.mentor_phone else row.mentor_name
    return f"{row.household_code}  {row.head_name}  →  {who}  {period}"


def _period(start: date, end: date | None) -> str:
    if end is None:
        return _(SINCE).format(start=format_date(start))
    return _(BETWEEN).format(start=format_date(start), end=format_date(end))


@mentors_app.command(
    "helper-add", help="Ghi người giúp đỡ hộ (hộ khá giả, hội viên đoàn thể, cán bộ)."
)
def helper_add(
    household: Annotated[str, typer.Argument(help="Mã hộ được giúp.")],
    name: Annotated[str, typer.Argument(help="Tên người hoặc hộ giúp đỡ.")],
    kind: Annotated[
        str, typer.Option("--kind", help="ho_kha_gia, doan_the hoặc can_bo.")
    ] = "ho_kha_gia",
    phone: Annotated[str | None, typer.Option("--phone", help="Số điện thoại.")] = None,
    organisation: Annotated[
        str | None, typer.Option("--org", help="Đoàn thể (với doan_the), ví dụ: Hội Phụ nữ.")
    ] = None,
) -> None:
    async def go() -> int:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            return await add_helper(
                session,
                household,
                kind,
                name,
                CLI_ACTOR,
                rt.now(),
                tz=rt.tz,
                phone=phone,
                organisation=organisation,
            )

    helper_id = run(go())
    typer.echo(_(HELPER_ADDED).format(id=helper_id, code=household))


@mentors_app.command("helper-end", help="Thôi ghi một người giúp đỡ (theo số trong danh sách).")
def helper_end(helper: Annotated[int, typer.Argument(help="Số của người giúp đỡ.")]) -> None:
    async def go() -> str:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            return await end_helper(session, helper, CLI_ACTOR, rt.now(), tz=rt.tz)

    code = run(go())
    typer.echo(_(HELPER_ENDED).format(id=helper, code=code))


@mentors_app.command("helpers", help="Liệt kê người giúp đỡ các hộ.")
def helpers(
    household: Annotated[str | None, typer.Option("--household", help="Chỉ hộ này.")] = None,
    history: Annotated[bool, typer.Option("--history", help="Cả những người đã thôi.")] = False,
) -> None:
    async def go() -> list[Helper]:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            return await list_helpers(session, household_code=household, with_history=history)

    rows = run(go())
    if not rows:
        typer.echo(_(NO_HELPERS))
        return
    for row in rows:
        typer.echo(helper_line(row))


def helper_line(row: Helper) -> str:
    """``#3  H1  →  Hộ ông Lê Văn Ba (ho_kha_gia)  từ 23/11/2026``"""
    kind = f"{row.kind}:{row.organisation}" if row.organisation else row.kind
    period = _period(row.valid_from, row.valid_to)
    return f"#{row.id}  {row.household_code}  →  {row.name} ({kind})  {period}"
