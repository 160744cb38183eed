"""The annual review of a small commune end to end (SQLite and PostgreSQL): opened for 2026, the
households to review listed in chat, a request recorded, checks through the guided chat and
the ``KT`` code under the 2027–2030 standard, a meeting, a complaint that reopens a check,
approval, and the 2027 tables and lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.flow import Flow
from poverty.errors import InvalidInputError
from poverty.standards import standard_for_year
from storage.audit import Actor
from storage.models import Assessment, Household, OfficialRecord
from storage.reports import appendix_1, appendix_2
from storage.reviews import (
    approve_review,
    household_in_review,
    open_review,
    record_note,
    review_of,
    review_status,
)
from storage.units import get_unit
from tests.bot.conftest import Area, Clock, Talker

ACTOR = Actor("test:review")
OPTION_LINE = "  1. "


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def answer_check(talker: Talker, reply: str, income: str) -> str:
    """Answers every question of a guided check (``income`` per person, no deprivation) and
    confirms; returns the last reply."""
    for _ in range(60):
        if "Lưu kết quả kiểm tra này?" in reply:
            return await talker.say("co")
        if "Nhập thu nhập" in reply:
            answer = income
        elif "1. Có" in reply and "2. Không" in reply:
            answer = "2"
        elif OPTION_LINE in reply:
            answer = "1"
        elif "mét vuông" in reply:
            answer = "60"
        else:
            answer = "0"
        reply = await talker.say(answer)
    raise AssertionError(f"the check did not end: {reply}")


async def open_2026(sessions: async_sessionmaker[AsyncSession], area: Area, clock: Clock) -> None:
    async with sessions() as session, session.begin():
        commune = await get_unit(session, area.units["tan_lap"])
        await open_review(session, commune, 2026, ACTOR, clock.now)


async def test_a_commune_reviews_2026_and_approves_its_2027_lists(
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    clock: Clock,
    talker: Callable[[str], Talker],
    cadre: Talker,
) -> None:
    await open_2026(sessions, area, clock)
    manager = talker("manager")

    listed = await cadre.say("rà soát")
    assert listed.startswith("Rà soát năm 2026 (áp dụng năm 2027): đã kiểm tra 0/2 hộ")
    assert "1. TL00002 – Trần Thị Bình (Thôn Phú Hải)" in listed
    assert "2. TL00001 – Nguyễn Văn An (Thôn Tân Hòa)" in listed
    await cadre.say("/huy")

    recorded = await cadre.script(
        ["hộ xin rà soát", "tl00003", "Chồng bị tai nạn, mất việc", "hom nay"]
    )
    assert recorded[-1].startswith("Đã ghi: hộ TL00003 xin rà soát ngày 23/11/2026")

    first = await cadre.say("rà soát")
    assert "đã kiểm tra 0/3 hộ" in first
    assert "3. TL00003 – Nguyễn Văn Anh (Thôn Tân Hòa)" in first
    picked = await cadre.say("2")
    assert picked.startswith("Hộ TL00001 – Nguyễn Văn An")
    saved = await answer_check(cadre, picked, "3000000")
    assert saved.startswith(
        "Đã lưu kết quả kiểm tra hộ TL00001 (chuẩn 2027–2030, áp dụng năm 2027)."
    )
    assert "Còn 2 hộ trong danh sách rà soát chưa kiểm tra." in saved

    count = len(standard_for_year(2027).indicators)
    by_code = await cadre.say(f"KT TL00002 {'0' * count} 3tr")
    assert by_code.startswith(
        "Đã lưu kiểm tra hộ TL00002 (chuẩn 2027–2030, năm 2027): Hộ không nghèo."
    )
    three = "111" + "0" * (count - 3)
    newly_poor = await cadre.say(f"KT TL00003 {three} 2tr")
    assert newly_poor.startswith(
        "Đã lưu kiểm tra hộ TL00003 (chuẩn 2027–2030, năm 2027): Hộ nghèo."
    )

    async with sessions() as session, session.begin():
        review = await review_of(session, await get_unit(session, area.units["tan_lap"]))
        village = area.units["phu_hai"]
        meeting = {"present": 41, "agreed": 3, "disputed": 1, "note": "TL00002 còn ý kiến"}
        await record_note(
            session, review, "meeting", clock.now.date(), meeting, ACTOR, clock.now, unit_id=village
        )
        disputed = await household_in_review(session, review, "TL00002")
        complaint = {"content": "Hộ cho rằng thu nhập tính chưa đúng"}
        await record_note(
            session,
            review,
            "complaint",
            clock.now.date(),
            complaint,
            ACTOR,
            clock.now,
            household_id=disputed.id,
        )
        status = await review_status(session, review)
    assert (status.total, status.checked, status.meetings, status.complaints) == (3, 2, 1, 1)

    progress = await manager.say("tien do")
    assert (
        "Rà soát năm 2026 của Tân Lập (áp dụng năm 2027, chuẩn 2027–2030): đang rà soát."
        in progress
    )
    assert "Đã kiểm tra 2/3 hộ cần rà soát." in progress

    clock.advance(timedelta(minutes=5))
    rechecked = await cadre.say(f"KT TL00002 {'0' * count} 2tr5")
    assert rechecked.startswith("Đã lưu kiểm tra hộ TL00002")

    async with sessions() as session, session.begin():
        review = await review_of(session, await get_unit(session, area.units["tan_lap"]))
        assert (await review_status(session, review)).checked == 3
        approval = await approve_review(session, review, ACTOR, clock.now)
    assert approval.movements == {
        "thoat_ngheo": ["TL00001"],
        "thoat_can_ngheo": ["TL00002"],
        "ngheo_moi": ["TL00003"],
    }
    assert approval.carried == ["TL00004"]
    assert approval.ungrouped == ["TL00003"]

    async with sessions() as session:
        records = {
            code: status
            for code, status in (
                await session.execute(
                    select(Household.code, OfficialRecord.status)
                    .join(OfficialRecord, OfficialRecord.household_id == Household.id)
                    .where(OfficialRecord.year == 2027)
                )
            ).all()
        }
        kept_2025 = await session.scalar(
            select(Household.official_year).where(Household.code == "CT00001")
        )
        commune = await get_unit(session, area.units["tan_lap"])
        table_1 = await appendix_1(session, commune, 2027)
        table_2 = await appendix_2(session, commune, 2027)
        years = set((await session.scalars(select(Assessment.applies_year))).all())
    assert records == {
        "TL00001": "khong",
        "TL00002": "khong",
        "TL00003": "ngheo",
        "TL00004": "khong",
    }
    assert kept_2025 == 2025, "a household outside the reviewed commune was touched"
    assert table_1.standard_id == "2027-2030"
    assert table_1.total["ho_ngheo"] == 1
    assert "tiep_can_thong_tin" not in {column.key for column in table_2.columns}
    assert years == {2027}

    async with sessions() as session, session.begin():
        review = await review_of(session, await get_unit(session, area.units["tan_lap"]))
        with pytest.raises(InvalidInputError):
            await approve_review(session, review, ACTOR, clock.now)


async def test_without_an_open_review_a_check_applies_to_this_year_under_its_standard(
    cadre: Talker, area: Area
) -> None:
    count = len(standard_for_year(2026).indicators)
    reply = await cadre.say(f"KT TL00003 {'111' + '0' * (count - 3)} 2tr")

    assert reply.startswith(
        "Đã lưu kiểm tra hộ TL00003 (chuẩn 2022–2025, năm 2026): Hộ có mức sống trung bình."
    )
