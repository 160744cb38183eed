"""Manager summaries: ``/tomtat`` (figures, chart, appendices) and ``tiến độ`` (review
progress), on the demo commune, only inside the manager's area."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.flow import ANSWERS
from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.messages import IdentityRef, Inbound, Outbound
from bot.flows.summary import summary_text
from storage.demo import create_demo_data
from storage.models import AdminUnit, RoleGrant, User
from storage.progress import review_period_start
from storage.reports import appendix_1, appendix_2
from tests.bot.conftest import Clock
from tests.conftest import PEOPLE_TZ
from tests.storage.factories import Factory, Spec, as_unit

MANAGER = IdentityRef("console", "manager")


@pytest.fixture
async def demo(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Engine:
    year = clock.now.astimezone(PEOPLE_TZ).year
    async with sessions() as session, session.begin():
        await create_demo_data(session, clock.now, year, households=120, tz=PEOPLE_TZ)
    return Engine(sessions, clock, registered_flows(), tz=PEOPLE_TZ)


async def ask(bot: Engine, text: str, who: IdentityRef = MANAGER) -> list[Outbound]:
    return await bot.handle(Inbound(who, text))


async def test_summary_gives_compact_figures_a_chart_and_both_appendices(demo: Engine) -> None:
    [reply] = await ask(demo, "/tomtat")

    lines = reply.text.splitlines()
    assert lines[0] == "Tóm tắt năm 2026 – Quảng Trị / Tân Lập"
    assert lines[1].startswith("Chuẩn nghèo: ")
    assert lines[2].startswith("• Thôn Tân Hòa: ")
    assert any(line.startswith("Cả địa bàn: 120 hộ, ") for line in lines)
    assert all("hộ cận nghèo (" in line for line in lines[2:] if line.startswith("• Thôn"))
    assert "Hộ nghèo thiếu hụt nhiều nhất:" in lines
    assert all(len(line) < 120 for line in lines)
    chart, first, second = reply.attachments
    assert (chart.kind, chart.filename) == ("photo", "tom-tat-tan-lap-2026.png")
    assert chart.data.startswith(b"\x89PNG")
    assert chart.caption.startswith("Tỷ lệ hộ nghèo và thiếu hụt theo chỉ số")
    assert [a.filename for a in (first, second)] == [
        "phu-luc-1-tan-lap-2026.xlsx",
        "phu-luc-2-tan-lap-2026.xlsx",
    ]
    sheet = load_workbook(io.BytesIO(first.data)).worksheets[0]
    assert any("Thôn Tân Hòa" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    pdfs = [a.version(frozenset({"pdf"})) for a in (first, second)]
    assert [(p.filename, p.render()[:5]) for p in pdfs if p] == [
        ("phu-luc-1-tan-lap-2026.pdf", b"%PDF-"),
        ("phu-luc-2-tan-lap-2026.pdf", b"%PDF-"),
    ]
    assert "gửi kèm" not in reply.text, "the channel, not the flow, says which files follow"


async def test_summary_of_a_village_named_after_the_command(demo: Engine) -> None:
    [reply] = await ask(demo, "/tomtat Tân Hòa")

    assert reply.text.startswith("Tóm tắt năm 2026 – Quảng Trị / Tân Lập / Thôn Tân Hòa")


async def test_summary_outside_the_area_reveals_nothing(
    demo: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    await add_commune(sessions, "Xã Khác")

    replies = await ask(demo, "/tomtat Xã Khác")
    await ask(demo, "/huy")
    missing = await ask(demo, "/tomtat Không Có Đâu")

    assert replies[0].text == "Không tìm thấy đơn vị “Xã Khác” trong địa bàn của anh/chị."
    assert missing[0].text == "Không tìm thấy đơn vị “Không Có Đâu” trong địa bàn của anh/chị."
    assert replies[0].attachments == ()


async def test_summary_is_for_managers_only(demo: Engine) -> None:
    [refused, _menu] = await ask(demo, "/tomtat", IdentityRef("console", "cadre"))

    assert refused.text == "Xin lỗi, việc “Tóm tắt địa bàn” không thuộc vai trò của anh/chị."


async def add_commune(sessions: async_sessionmaker[AsyncSession], name: str) -> int:
    async with sessions() as session, session.begin():
        province = await session.scalar(select(AdminUnit).where(AdminUnit.level == "province"))
        assert province is not None
        other = AdminUnit(
            code=name, name=name, name_key=name.lower(), level="commune", parent_id=province.id,
            path="",
        )  # fmt: skip
        session.add(other)
        await session.flush()
        other.path = f"{province.path}{other.id}/"
        return other.id


async def test_manager_with_two_areas_picks_one_by_button(
    demo: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    other = await add_commune(sessions, "Xã Bên")
    async with sessions() as session, session.begin():
        manager = await session.scalar(select(User).where(User.phone == "+84900000002"))
        assert manager is not None
        session.add(
            RoleGrant(user_id=manager.id, role="manager", unit_id=other, granted_at=clock.now)
        )

    [question] = await ask(demo, "tom tat")
    [reply] = await ask(demo, question.choices[0].key)

    assert question.text.startswith("Anh/chị muốn xem đơn vị nào?")
    assert [o.label for o in question.choices] == ["Tân Lập", "Xã Bên"]
    assert reply.text.startswith("Tóm tắt năm 2026 – Quảng Trị / Tân Lập\n")


async def test_progress_counts_households_checked_and_names_units_late_with_reports(
    demo: Engine, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    cadre = IdentityRef("console", "cadre")
    for text in ("kiem tra TL00001", *ANSWERS):
        last = await ask(demo, text, cadre)
    assert last[0].text.startswith("Đã lưu kết quả kiểm tra hộ TL00001")

    [reply] = await ask(demo, "tiến độ")

    lines = reply.text.splitlines()
    assert lines[0] == "Tiến độ rà soát hộ – Tân Lập"
    assert lines[1] == ("Số hộ đã được kiểm tra từ ngày 01/09/2026 (đầu kỳ rà soát hằng năm):")
    assert lines[2].startswith("• Thôn Tân Hòa: 1/")
    assert lines[-5:] == [
        "Cả địa bàn: 1/120 hộ (0,83%).",
        "Báo cáo quý 3/2026 (hạn 18/09/2026): 1/1 đơn vị chưa nộp.",
        "• Tân Lập",
        "Kết quả rà soát hộ nghèo, cận nghèo năm 2026 (hạn 14/12/2026): 1/1 đơn vị chưa nộp.",
        "• Tân Lập",
    ]


def test_review_period_starts_on_the_first_of_september_before_today() -> None:
    assert str(review_period_start(date(2026, 11, 23))) == "2026-09-01"
    assert str(review_period_start(date(2027, 3, 1))) == "2026-09-01"
    assert str(review_period_start(date(2026, 9, 1))) == "2026-09-01"


async def test_summary_counts_near_poor_households_per_unit_and_in_total(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Xã Cam Thành", "commune", province)
        first = await make.unit("Thôn Tân Hòa", "village", commune)
        second = await make.unit("Thôn Đồng Tâm", "village", commune)
        await make.households(
            first,
            2025,
            [Spec("ngheo", "bao_tro_xa_hoi")] * 33
            + [Spec("can_ngheo", ethnic_minority=True)] * 40
            + [Spec("khong")] * 1014,
        )
        await make.households(second, 2025, [Spec("can_ngheo")] * 3 + [Spec("khong")] * 97)
    async with sessions() as session:
        appendix = await appendix_1(session, as_unit(commune), 2025)
        deprivations = await appendix_2(session, as_unit(commune), 2025)

    lines = summary_text(appendix, deprivations).splitlines()

    assert lines[2] == "• Thôn Tân Hòa: 1.087 hộ, 33 hộ nghèo (3,04%), 40 hộ cận nghèo (3,68%)"
    assert lines[3] == "• Thôn Đồng Tâm: 100 hộ, 0 hộ nghèo (0,00%), 3 hộ cận nghèo (3,00%)"
    assert lines[4] == (
        "Cả địa bàn: 1.187 hộ, trong đó 40 hộ DTTS; 33 hộ nghèo (2,78%), 43 hộ cận nghèo (3,62%)."
    )
