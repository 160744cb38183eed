"""Support plans by chat: group and causes, support recorded by chat and by SMS code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef, Inbound
from poverty.text import strip_marks
from storage.models import AuditLog, FollowUp, HouseholdPlan, SupportRecord
from tests.bot.conftest import Area, Clock, Talker
from tests.conftest import PEOPLE_TZ
from tests.support.records import add_followup

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def test_cadre_sets_group_and_causes_with_the_suggestion_shown(
    cadre: Talker, sessions: Sessions, area: Area, golden: Callable[[str, str], None]
) -> None:
    replies = await cadre.script(
        [
            "phân nhóm",
            "CT00001",
            "TL00004",
            "tl00001",
            "2",
            "abc",
            "1, 3 va 10",
            "Nợ tiền mua giống",
            "2040",
            "2027",
            "Vân Kiều",
            "3",
        ]
    )
    assert replies[1].startswith("Không tìm thấy hộ mã “CT00001” trong địa bàn của anh/chị.")
    assert replies[2].startswith("Hộ TL00004 không thuộc danh sách hộ nghèo, cận nghèo")
    assert replies[3].startswith("Hộ TL00001 – Nguyễn Văn An thuộc nhóm nào?")
    assert replies[4].startswith("Gợi ý hỗ trợ cho nhóm b: Ưu tiên cho vay vốn")
    assert replies[5].startswith("Xin chọn các số từ 1 đến 10")
    assert "Đã lưu kế hoạch hộ TL00001" in replies[-1]
    golden("support_plan_group_and_causes", cadre.transcript)
    async with sessions() as session:
        plan = await session.scalar(
            select(HouseholdPlan).where(HouseholdPlan.household_id == area.households["TL00001"])
        )
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "plan.update"))
    assert plan is not None
    assert (plan.group_code, plan.causes, plan.target_year) == (
        "b",
        ["thieu_von", "thieu_phuong_tien", "khac"],
        2027,
    )
    assert (plan.cause_note, plan.ethnic_group, plan.merit_categories) == (
        "Nợ tiền mua giống",
        "Vân Kiều",
        ["than_nhan_liet_si"],
    )
    assert audit is not None
    assert audit.entity_id == str(area.households["TL00001"])
    assert audit.details["group_code"] == "b"


async def test_near_poor_household_gets_no_target_year_question(cadre: Talker) -> None:
    replies = await cadre.script(["phan nhom TL00002", "1", "6", "bo qua", "khong"])
    assert replies[2].startswith("Dân tộc của hộ")
    assert replies[-1].startswith("Đã lưu kế hoạch hộ TL00002: nhóm a)")
    assert "Năm phấn đấu" not in replies[-1]


async def test_support_by_chat_is_stored_and_closes_the_followup_it_solved(
    cadre: Talker, sessions: Sessions, area: Area, clock: Clock
) -> None:
    followup = await add_followup(sessions, area.households["TL00001"], "viec_lam", clock.now)
    replies = await cadre.script(
        ["hỗ trợ TL00001", "xyz", "dao tao nghe", "31/2", "15/3", "nhiều lắm", "5 triệu"]
    )
    assert replies[0].startswith("Hộ TL00001 nhận hỗ trợ gì?")
    assert replies[1].startswith("Không có chính sách “xyz” trong danh mục.")
    assert replies[3].startswith("Không có ngày 31/2 trên lịch")
    assert replies[5].startswith("Chưa đọc được số tiền hay số lượng")
    assert replies[6].startswith("Đơn vị hoặc tổ chức hỗ trợ?")
    asked = await cadre.say("hoi phu nu")
    assert asked.startswith("Khoản hỗ trợ này đã giải quyết việc nào của hộ?")
    assert "1. Việc làm" in asked
    done = await cadre.say("1")
    assert done.splitlines() == [
        "Đã ghi hỗ trợ cho hộ TL00001: Đào tạo nghề và hỗ trợ việc làm, ngày 15/03/2026, "
        "do Hội Liên hiệp Phụ nữ.",
        "Giá trị: 5.000.000 đồng.",
        "Đã đóng việc cần theo dõi: Việc làm.",
    ]
    async with sessions() as session:
        record = await session.scalar(select(SupportRecord))
        state = await session.scalar(select(FollowUp.state).where(FollowUp.id == followup))
        actions = set(await session.scalars(select(AuditLog.action)))
    assert record is not None
    assert (record.policy_code, record.amount, record.given_on, record.followup_id) == (
        "dao_tao_nghe",
        5_000_000,
        date(2026, 3, 15),
        followup,
    )
    assert state == "done"
    assert {"support.record", "followup.report"} <= actions


async def test_support_in_kind_outside_the_catalogue(cadre: Talker, sessions: Sessions) -> None:
    replies = await cadre.script(
        ["ghi ho tro TL00002", "khác: Quỹ Vì người nghèo", "hom nay", "2 con bò", "UBND xã"]
    )
    assert replies[-1].splitlines() == [
        "Đã ghi hỗ trợ cho hộ TL00002: Quỹ Vì người nghèo, ngày 23/11/2026, do UBND xã.",
        "Giá trị: 2 con bò.",
    ]
    async with sessions() as session:
        record = await session.scalar(select(SupportRecord))
    assert record is not None
    assert (record.policy_code, record.description, record.amount, record.quantity) == (
        None,
        "Quỹ Vì người nghèo",
        None,
        "2 con bò",
    )


async def test_policy_questions_starting_with_ho_tro_stay_policy_lookups(cadre: Talker) -> None:
    assert (await cadre.say("hỗ trợ nhà ở")).startswith("Hỗ trợ nhà ở (xây mới")


SMS_CADRE = IdentityRef("sms", "+84912345678")


async def sms(bot: Engine, text: str) -> str:
    [reply] = await bot.handle(Inbound(SMS_CADRE, text))
    assert len(strip_marks(reply.text)) <= 300
    return reply.text


async def test_support_by_sms_code_and_bad_codes_get_short_answers(
    bot: Engine, sessions: Sessions
) -> None:
    assert await sms(bot, "HT TL00001 vay_ho_ngheo 5tr 15/3") == (
        "Đã ghi hỗ trợ hộ TL00001: Vay vốn ưu đãi hộ nghèo (NHCSXH), 5.000.000 đồng, "
        "ngày 15/03/2026."
    )
    assert await sms(bot, "ht tl00002 bhyt 1.200.000") == (
        "Đã ghi hỗ trợ hộ TL00002: Bảo hiểm y tế (BHYT), 1.200.000 đồng, ngày 23/11/2026."
    )
    assert await sms(bot, "HT") == (
        "Thiếu mã hộ, chính sách hoặc số tiền. Ví dụ: HT TL00001 bhyt 5tr"
    )
    assert (await sms(bot, "HT CT00001 bhyt 5tr")).startswith(
        "Không tìm thấy hộ mã “CT00001” trong địa bàn của anh/chị."
    )
    assert (await sms(bot, "HT TL00001 xyz 5tr")).startswith("Không có chính sách “xyz”")
    assert (await sms(bot, "HT TL00001 bhyt abc")).startswith("Thiếu số tiền")
    assert (await sms(bot, "HT TL00001 bhyt 5 trieu 31/2")).startswith("Không có ngày 31/2")
    assert (await sms(bot, "HT TL00001 vay von 5tr")).startswith("“vay von” khớp nhiều")
    assert (await sms(bot, "HT TL00002 nha o 20 trieu 1/11/2026")).startswith(
        "Đã ghi hỗ trợ hộ TL00002: Hỗ trợ nhà ở"
    )
    async with sessions() as session:
        records = list(await session.scalars(select(SupportRecord).order_by(SupportRecord.id)))
        audited = list(
            await session.scalars(select(AuditLog).where(AuditLog.action == "support.record"))
        )
    assert [(r.policy_code, r.amount, r.channel) for r in records] == [
        ("vay_ho_ngheo", 5_000_000, "sms"),
        ("bhyt", 1_200_000, "sms"),
        ("nha_o", 20_000_000, "sms"),
    ]
    assert len(audited) == 3


async def test_ht_for_a_policy_the_household_is_not_entitled_to_asks_for_dung_first(
    bot: Engine, sessions: Sessions
) -> None:
    asked = await sms(bot, "HT TL00004 vay_ho_ngheo 5tr")

    assert asked == (
        "Hộ TL00004 (hộ không nghèo) không thuộc diện “Vay vốn ưu đãi hộ nghèo (NHCSXH)” "
        "(dành cho: hộ nghèo). Nếu vẫn đúng, gửi lại tin kèm chữ DUNG ở cuối: "
        "HT TL00004 vay_ho_ngheo 5tr DUNG Ví dụ: HT TL00001 bhyt 5tr"
    )
    async with sessions() as session:
        assert list(await session.scalars(select(SupportRecord))) == []
    assert (await sms(bot, "HT TL00002 vay_ho_ngheo 5tr 1/11")).startswith(
        "Hộ TL00002 (hộ cận nghèo) không thuộc diện"
    )
    assert await sms(bot, "ht tl00004 vay_ho_ngheo 5tr dung") == (
        "Đã ghi hỗ trợ hộ TL00004: Vay vốn ưu đãi hộ nghèo (NHCSXH), 5.000.000 đồng, "
        "ngày 23/11/2026."
    )
    async with sessions() as session:
        records = list(await session.scalars(select(SupportRecord)))
    assert [(r.policy_code, r.amount) for r in records] == [("vay_ho_ngheo", 5_000_000)]


async def test_mentor_kind_records_the_organisation(
    bot: Engine, sessions: Sessions, area: Area, clock: Clock, talker: Callable[[str], Talker]
) -> None:
    from tests.support.records import add_mentor

    await add_mentor(sessions, area.households["TL00001"], area.users["mentor"], date(2026, 1, 1))
    manager = talker("manager")
    replies = await manager.script(["loai do dau", "TL00001", "2", "Hội Bóng đá", "hoi nong dan"])
    assert replies[3].startswith("Không có đoàn thể “Hội Bóng đá”")
    assert replies[-1] == (
        "Đã ghi: người đỡ đầu hộ TL00001 là Hội viên, đoàn viên của đoàn thể – Hội Nông dân."
    )
    summary = (await manager.say("ke hoach")).splitlines()
    assert "Có người đỡ đầu: 1 hộ; chưa có: 1 hộ." in summary
    assert "• Hội viên, đoàn viên của đoàn thể – Hội Nông dân: 1 hộ" in summary
    async with sessions() as session:
        audit = await session.scalar(select(AuditLog).where(AuditLog.action == "mentor.kind"))
    assert audit is not None
    assert audit.details["organisation"] == "hoi_nong_dan"


async def test_cancel_in_the_middle_stores_nothing_and_a_restart_loses_nothing(
    sessions: Sessions, clock: Clock, area: Area, flows: list[Flow]
) -> None:
    first = Talker(Engine(sessions, clock, flows, tz=PEOPLE_TZ), "cadre")
    await first.script(["hỗ trợ TL00001", "bhyt"])
    assert (await first.say("/huy")).startswith("Đã hủy")
    await first.script(["hỗ trợ TL00001", "bhyt", "15/3"])
    restarted = Talker(Engine(sessions, clock, flows, tz=PEOPLE_TZ), "cadre")
    assert (await restarted.say("1tr")).startswith("Đơn vị hoặc tổ chức hỗ trợ?")
    assert (await restarted.say("🙂🙂")).startswith("Xin chỉ nhập chữ, số")
    assert (await restarted.say("UBND xã")).startswith("Đã ghi hỗ trợ cho hộ TL00001")
    async with sessions() as session:
        records = list(await session.scalars(select(SupportRecord)))
    assert [(r.policy_code, r.amount) for r in records] == [("bhyt", 1_000_000)]


async def test_a_duplicate_sms_delivery_records_the_support_once(
    bot: Engine, sessions: Sessions
) -> None:
    message = Inbound(SMS_CADRE, "HT TL00001 bhyt 500k", update_id="sms-1")
    assert len(await bot.handle(message)) == 1
    assert await bot.handle(message) == []
    async with sessions() as session:
        assert len(list(await session.scalars(select(SupportRecord)))) == 1
