"""The annual review of a small commune end to end (SQLite and PostgreSQL): opened for 2026, the
households to review listed in chat, a request recorded, checks through the guided chat and
the ``KT`` code under the 2027–2030 standard, a meeting, a complaint that reopens a check,
approval, and the 2027 tables and lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.flow import Flow
from poverty.calendar import load_calendar
from poverty.standards import standard_for_year
from scheduler.review_reminders import plan_review_reminders
from storage.audit import Actor
from storage.models import Assessment, Household, OfficialRecord, OutboxMessage
from storage.reports import appendix_1, appendix_2
from storage.reviews import approved_lists, open_review, review_of, review_status
from storage.units import get_unit
from tests.bot.conftest import Area, Clock, Talker
from tests.conftest import PEOPLE_TZ

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


async def records_of_2025(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """The official records the commune's 2025 list left, as an import writes them."""
    async with sessions() as session, session.begin():
        for household in await session.scalars(
            select(Household).where(Household.official_status.is_not(None))
        ):
            session.add(
                OfficialRecord(
                    household_id=household.id, year=2025, province_id=household.province_id,
                    district_id=None, commune_id=household.commune_id,
                    village_id=household.village_id, ethnic_minority=False, area="nong_thon",
                    status=household.official_status, poor_group=household.official_group,
                    income_per_person=None, deprived_mask=0, known_mask=0,
                    standard_id="2022-2025", updated_at=now,
                )
            )  # fmt: skip


async def test_a_commune_reviews_2026_and_approves_its_2027_lists(
    sessions: async_sessionmaker[AsyncSession],
    area: Area,
    clock: Clock,
    talker: Callable[[str], Talker],
    cadre: Talker,
) -> None:
    await records_of_2025(sessions, clock.now)
    manager = talker("manager")
    confirm = await manager.say("mở rà soát")
    assert confirm.startswith(
        "Mở rà soát năm 2026 cho địa bàn đã chọn? Từ khi mở, kết quả kiểm tra trong địa bàn áp "
        "dụng cho năm 2027 theo chuẩn 2027–2030."
    )
    assert (await manager.say("co")).startswith("Đã mở rà soát năm 2026 cho Tân Lập.")

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

    meeting = await cadre.script(["họp thôn", "Thôn Phú Hải", "hom nay", "41", "3", "1"])
    assert meeting[-1] == (
        "Đã ghi cuộc họp Thôn Phú Hải ngày 23/11/2026: 41 người dự, 3 hộ thống nhất, "
        "1 hộ còn ý kiến."
    )
    complaint = await manager.script(
        ["khiếu nại", "TL00002", "Hộ cho rằng thu nhập tính chưa đúng"]
    )
    assert complaint[-1].startswith("Đã ghi khiếu nại của hộ TL00002.")
    async with sessions() as session:
        review = await review_of(session, await get_unit(session, area.units["tan_lap"]))
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

    question = await manager.say("duyệt rà soát")
    assert question.startswith("Phê duyệt kết quả rà soát năm 2026? Danh sách chính thức năm 2027")
    approved = await manager.say("co")
    assert approved.startswith(
        "Đã phê duyệt kết quả rà soát năm 2026: ghi 4 hộ vào danh sách năm 2027."
    )
    assert "Hộ thoát nghèo: 1 hộ" in approved
    assert "Hộ nghèo mới: 1 hộ" in approved
    assert "Giữ nguyên phân loại (không có kết quả kiểm tra mới): 1 hộ: TL00004" in approved
    assert "cần phân nhóm: TL00003" in approved
    async with sessions() as session:
        review = await review_of(session, await get_unit(session, area.units["tan_lap"]))
        lists = await approved_lists(session, review)
    moved = {key: [h.code for h in rows] for key, rows in lists.items() if rows}
    assert moved == {
        "ngheo": ["TL00003"],
        "thoat_ngheo": ["TL00001"],
        "thoat_can_ngheo": ["TL00002"],
        "ngheo_moi": ["TL00003"],
    }

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

    history = await cadre.say("lịch sử hộ TL00003")
    assert history.startswith("Lịch sử hộ TL00003:\nPhân loại chính thức:\n")
    assert "• Năm 2027: Hộ nghèo (chuẩn 2027–2030)" in history
    assert "• 23/11/2026: Hộ nghèo, áp dụng năm 2027, chuẩn 2027–2030 (máy tính)" in history
    assert "• 23/11/2026: “Chồng bị tai nạn, mất việc”" in history
    outside = await cadre.say("lịch sử hộ CT00001")
    assert outside.startswith("Không tìm thấy hộ mã “CT00001” trong địa bàn của anh/chị.")
    await cadre.say("/huy")

    again = await manager.script(["duyệt rà soát", "co"])
    assert again[-1].startswith("Kết quả rà soát năm 2026 của Tân Lập đã được phê duyệt")


async def test_without_an_open_review_a_check_applies_to_this_year_under_its_standard(
    cadre: Talker, area: Area
) -> None:
    count = len(standard_for_year(2026).indicators)
    reply = await cadre.say(f"KT TL00003 {'111' + '0' * (count - 3)} 2tr")

    assert reply.startswith(
        "Đã lưu kiểm tra hộ TL00003 (chuẩn 2022–2025, năm 2026): Hộ có mức sống trung bình."
    )


async def test_cadres_of_lagging_villages_are_reminded_a_week_before_the_deadline(
    sessions: async_sessionmaker[AsyncSession], area: Area, clock: Clock, cadre: Talker
) -> None:
    clock.now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    async with sessions() as session, session.begin():
        commune = await get_unit(session, area.units["tan_lap"])
        await open_review(session, commune, 2026, ACTOR, clock.now)
    count = len(standard_for_year(2027).indicators)
    await cadre.say(f"KT TL00001 {'0' * count} 3tr")
    calendar = load_calendar(timezone=PEOPLE_TZ.key)

    async with sessions() as session, session.begin():
        planned = await plan_review_reminders(session, calendar, clock.now)
        again = await plan_review_reminders(session, calendar, clock.now)
        not_today = await plan_review_reminders(session, calendar, clock.now + timedelta(days=1))
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()

    assert (planned, again, not_today) == (2, 0, 0), "the two cadres of Tân Lập, once"
    assert {row.user_id for row in rows} == {area.users["cadre"], area.users["phone_cadre"]}
    text = rows[0].text
    assert text.startswith("Rà soát năm 2026: hạn 14/12/2026, còn 7 ngày. Cả xã đã kiểm tra 50%")
    assert "• Thôn Phú Hải: 0/1 hộ" in text
    assert "Tân Hòa" not in text


async def test_a_manager_announces_to_every_cadre_of_the_area_after_confirming(
    sessions: async_sessionmaker[AsyncSession], area: Area, talker: Callable[[str], Talker]
) -> None:
    manager = talker("manager")
    text = "Họp rà soát thôn Tân Hòa lúc 8 giờ sáng 10/12 tại nhà văn hóa."

    confirm = await manager.script(["thông báo", text])
    assert confirm[-1].startswith(f"Gửi thông báo này tới 2 cán bộ trong địa bàn?\n“{text}”")
    sent = await manager.say("co")
    assert sent.startswith("Đã xếp gửi thông báo tới 2 cán bộ.")
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert {row.user_id for row in rows} == {area.users["cadre"], area.users["phone_cadre"]}
    assert all(row.text.endswith(text) and row.quiet for row in rows)

    await manager.script(["thông báo", "Thử lại", "khong"])
    async with sessions() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == 2
