"""``giamngheo review``: the annual review of an area, from opening to the lists sent after
approval (QĐ 24/2021; rules in :mod:`poverty.review`, storage in :mod:`storage.reviews`).

``open`` starts the review of year Y; checks made in the area then apply to Y+1 under the
standard in force that year. ``status`` shows the progress per village; ``request``,
``meeting``, ``posting`` and ``complaint`` record the steps; ``approve`` writes the official
records of Y+1 (``reopen`` undoes the approval so it can be made again); ``lists`` writes the
approved lists as a workbook.
"""

from __future__ import annotations

import json
from collections.abc import Coroutine
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot.flows.household_check import class_label
from bot.flows.review import approval_text, status_text
from bot.i18n import _, __
from bot.runtime import Runtime, open_runtime, run
from bot.settings import Settings
from exchange.review_lists import HouseholdList, ListRow, review_lists_xlsx
from poverty.errors import AppError
from poverty.review import movement_rules, period_label
from poverty.standards import Standard, from_mask, load_standard
from storage.audit import Actor
from storage.reviews import (
    Approval,
    ListedHousehold,
    ReviewInfo,
    ReviewStatus,
    approve_review,
    approved_lists,
    household_id,
    household_in_review,
    open_review,
    record_note,
    record_posting,
    record_request,
    reopen_review,
    review_of,
    review_status,
)
from storage.units import find_unit, require_level

CLI_ACTOR = Actor("cli:review")
T = TypeVar("T")

OPENED = __(
    "Đã mở rà soát năm {year} cho {unit}: kết quả kiểm tra từ nay áp dụng cho năm {applies}, "
    "theo chuẩn {period}."
)
APPROVED = __(
    "Đã phê duyệt kết quả rà soát năm {year}: ghi {count} hộ vào danh sách năm {applies}."
)
REOPENED = __("Đã mở lại rà soát năm {year} của {unit}; phê duyệt lại khi đã sửa xong.")
REQUESTED = __("Đã ghi đề nghị rà soát của hộ {code} ngày {day}.")
MEETING = __("Đã ghi cuộc họp thôn {village} ngày {day}.")
POSTED = __("Đã ghi ngày niêm yết công khai: {day}.")
COMPLAINED = __("Đã ghi khiếu nại của hộ {code}; hộ này cần được kiểm tra lại.")
WRITTEN = __("Đã ghi danh sách vào {path}.")
BAD_DATE = __("Ngày phải theo dạng ngày/tháng/năm, ví dụ 20/11/2026.")
LIST_TITLES = {
    "ngheo": __("Danh sách hộ nghèo năm {year}"),
    "can_ngheo": __("Danh sách hộ cận nghèo năm {year}"),
}
MOVEMENT_TITLE = __("Danh sách {label} năm {year}")

review_app = typer.Typer(help="Rà soát hộ nghèo, cận nghèo hằng năm.", no_args_is_help=True)
Under = Annotated[
    str, typer.Option("--under", help="Xã, phường hoặc tỉnh (tên, đường dẫn hoặc mã).")
]
Year = Annotated[int | None, typer.Option("--year", help="Năm rà soát (mặc định: năm gần nhất).")]
Day = Annotated[
    str | None, typer.Option("--date", help="Ngày, dạng ngày/tháng/năm (mặc định: hôm nay).")
]


class StatusFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a command's work; a refusal (already approved, unknown unit…) is one red line on
    standard error and exit code 1."""
    try:
        return run(coroutine)
    except AppError as error:
        typer.secho(error.render(_), err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from None


def _day(text: str | None, rt: Runtime) -> date:
    if text is None:
        return rt.now().astimezone(rt.tz).date()
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise typer.BadParameter(_(BAD_DATE)) from None


@review_app.command("open", help="Mở rà soát năm Y cho một xã (kết quả áp dụng năm Y+1).")
def open_(
    under: Under,
    year: Annotated[int, typer.Option("--year", help="Năm rà soát, ví dụ 2026.")],
) -> None:
    async def go() -> ReviewInfo:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            unit = await find_unit(session, under)
            return await open_review(session, unit, year, CLI_ACTOR, rt.now())

    review = _run(go())
    typer.echo(
        _(OPENED).format(
            year=review.year,
            unit=review.unit.name,
            applies=review.applies_year,
            period=period_label(review.standard_id),
        )
    )


@review_app.command("status", help="Tiến độ rà soát theo thôn.")
def status(
    under: Under,
    year: Year = None,
    output_format: Annotated[
        StatusFormat, typer.Option("--format", help="table hoặc json.")
    ] = StatusFormat.table,
) -> None:
    async def go() -> ReviewStatus:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            review = await review_of(session, await find_unit(session, under), year)
            return await review_status(session, review)

    result = _run(go())
    if output_format is StatusFormat.json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(status_text(result))


@review_app.command("approve", help="Phê duyệt kết quả rà soát: ghi danh sách chính thức năm Y+1.")
def approve(under: Under, year: Year = None) -> None:
    async def go() -> tuple[ReviewInfo, Approval]:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            review = await review_of(session, await find_unit(session, under), year)
            return review, await approve_review(session, review, CLI_ACTOR, rt.now())

    review, approval = _run(go())
    typer.echo(approval_text(review, approval))


@review_app.command("reopen", help="Mở lại rà soát đã phê duyệt để sửa rồi phê duyệt lại.")
def reopen(under: Under, year: Year = None) -> None:
    async def go() -> ReviewInfo:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            review = await review_of(session, await find_unit(session, under), year)
            return await reopen_review(session, review, CLI_ACTOR, rt.now())

    review = _run(go())
    typer.echo(_(REOPENED).format(year=review.year, unit=review.unit.name))


@review_app.command("request", help="Ghi đề nghị được rà soát của một hộ.")
def request(
    household: Annotated[str, typer.Argument(help="Mã hộ.")],
    note: Annotated[str, typer.Option("--note", help="Hộ trình bày gì.")],
    day: Day = None,
) -> None:
    async def go() -> date:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            on = _day(day, rt)
            found = await household_id(session, household)
            await record_request(session, found, on.year, on, note.strip(), CLI_ACTOR, rt.now())
            return on

    on = _run(go())
    typer.echo(_(REQUESTED).format(code=household.strip().upper(), day=on.strftime("%d/%m/%Y")))


@review_app.command("meeting", help="Ghi cuộc họp dân ở thôn.")
def meeting(
    village: Annotated[str, typer.Option("--village", help="Thôn (tên hoặc đường dẫn).")],
    present: Annotated[int, typer.Option("--present", min=0, help="Số người dự họp.")],
    agreed: Annotated[int, typer.Option("--agreed", min=0, help="Số hộ thống nhất kết quả.")],
    disputed: Annotated[int, typer.Option("--disputed", min=0, help="Số hộ còn ý kiến.")] = 0,
    note: Annotated[str, typer.Option("--note", help="Ghi chú (các hộ còn ý kiến…).")] = "",
    day: Day = None,
) -> None:
    async def go() -> date:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            unit = await find_unit(session, village)
            require_level(unit, "village")
            review = await review_of(session, unit)
            on = _day(day, rt)
            details = {"present": present, "agreed": agreed, "disputed": disputed, "note": note}
            await record_note(
                session, review, "meeting", on, details, CLI_ACTOR, rt.now(), unit_id=unit.id
            )
            return on

    on = _run(go())
    typer.echo(_(MEETING).format(village=village, day=on.strftime("%d/%m/%Y")))


@review_app.command("posting", help="Ghi ngày bắt đầu niêm yết công khai kết quả.")
def posting(under: Under, day: Day = None, year: Year = None) -> None:
    async def go() -> date:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            review = await review_of(session, await find_unit(session, under), year)
            on = _day(day, rt)
            await record_posting(session, review, on, CLI_ACTOR, rt.now())
            return on

    on = _run(go())
    typer.echo(_(POSTED).format(day=on.strftime("%d/%m/%Y")))


@review_app.command("complaint", help="Ghi khiếu nại về kết quả của một hộ (hộ được kiểm tra lại).")
def complaint(
    household: Annotated[str, typer.Argument(help="Mã hộ.")],
    under: Under,
    content: Annotated[str, typer.Option("--content", help="Nội dung khiếu nại.")],
    day: Day = None,
    year: Year = None,
) -> None:
    async def go() -> None:
        async with open_runtime(Settings()) as rt, rt.sessions() as session, session.begin():
            review = await review_of(session, await find_unit(session, under), year)
            found = await household_in_review(session, review, household)
            details = {"content": content.strip()}
            await record_note(
                session, review, "complaint", _day(day, rt), details, CLI_ACTOR, rt.now(),
                household_id=found.id,
            )  # fmt: skip

    _run(go())
    typer.echo(_(COMPLAINED).format(code=household.strip().upper()))


@review_app.command("lists", help="Ghi các danh sách sau phê duyệt (xlsx).")
def lists(
    under: Under,
    output: Annotated[Path, typer.Option("--output", help="Tệp .xlsx sẽ ghi.")],
    year: Year = None,
    output_format: Annotated[str, typer.Option("--format", help="xlsx")] = "xlsx",
) -> None:
    async def go() -> bytes:
        async with open_runtime(Settings()) as rt, rt.sessions() as session:
            review = await review_of(session, await find_unit(session, under), year)
            found = await approved_lists(session, review)
            today = rt.now().astimezone(rt.tz).date()
            return review_lists_xlsx(
                review.unit.name, review.unit.name, today, _household_lists(review, found), _
            )

    output.write_bytes(run(go()))
    typer.echo(_(WRITTEN).format(path=output))


def _household_lists(
    review: ReviewInfo, found: dict[str, list[ListedHousehold]]
) -> list[HouseholdList]:
    standard = load_standard(review.standard_id)
    rules = movement_rules()
    result: list[HouseholdList] = []
    for key, rows in found.items():
        if key in LIST_TITLES:
            title = _(LIST_TITLES[key]).format(year=review.applies_year)
            sheet = class_label(key)
        else:
            label = _(rules.movements[key].label)
            title = _(MOVEMENT_TITLE).format(label=label.lower(), year=review.applies_year)
            sheet = label
        result.append(HouseholdList(sheet, title, [_row(standard, row) for row in rows]))
    return result


def _row(standard: Standard, entry: ListedHousehold) -> ListRow:
    names = [
        _(standard.indicator(code).name)
        for code in from_mask(entry.deprived_mask)
        if code in standard.codes
    ]
    label = class_label(entry.status)
    return ListRow(entry.code, entry.head_name, entry.village, label, "; ".join(names))
