"""Impossible answers are refused with the reason and unusual ones are shown before saving, in
the guided check and in the ``KT`` code (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from bot.flows import registered_flows
from bot.flows.engine import Engine
from bot.flows.flow import Flow
from bot.flows.messages import IdentityRef
from poverty.standards import standard_for_year
from storage.models import Assessment
from tests.bot.codes_helpers import ask
from tests.bot.conftest import Area, Talker

SMS_CADRE = IdentityRef("sms", "+84912345678")


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def assessments(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Assessment)) or 0)


async def test_an_income_typed_in_thousands_is_refused_with_a_guess(
    cadre: Talker, area: Area
) -> None:
    await cadre.script(["kiem tra", "TL00001"])
    refused = await cadre.say("1.500")
    assert refused.startswith(
        "Thu nhập 1.500 đồng/người/tháng là quá thấp để đúng. Có phải 1.500.000 đồng?"
    )
    assert (await cadre.say("1.500.000")).startswith("Có thành viên nào trong độ tuổi lao động")


async def test_answers_that_contradict_the_household_are_refused_with_the_reason(
    cadre: Talker, area: Area
) -> None:
    # TL00001 has 4 members.
    await cadre.script(["kiem tra", "TL00001", "1tr2", "khong", "khong"])
    assert (await cadre.say("9")).startswith(
        "Hộ có 4 nhân khẩu nên không thể có 9 người phụ thuộc."
    )
    await cadre.say("0")
    assert (await cadre.say("co")).startswith(
        "Trước đó anh/chị nhập 0 người phụ thuộc, nhưng trẻ em dưới 16 tuổi được tính là người "
        "phụ thuộc."
    )
    await cadre.script(["khong", "khong", "khong"])  # nutrition, insurance, adult education
    assert (await cadre.say("co")).startswith(  # a child out of school
        "Trước đó anh/chị nhập 0 người phụ thuộc"
    )
    await cadre.script(["khong", "0"])
    assert (await cadre.say("0")).startswith("Diện tích nhà ở phải lớn hơn 0 m².")


async def test_an_unusual_income_and_house_are_shown_on_the_save_screen(
    cadre: Talker, area: Area, sessions: async_sessionmaker[AsyncSession]
) -> None:
    answers = ["250k", "khong", "khong", "0", "khong", "khong", "khong", "khong", "0",
               "400", "nuoc may", "co", "co", "co"]  # fmt: skip
    replies = await cadre.script(["kiem tra", "TL00001", *answers])

    summary = replies[-1]
    assert "Lưu ý: Thu nhập 250.000 đồng/người/tháng thấp bất thường (dưới 300.000 đồng)" in summary
    assert "Lưu ý: Diện tích nhà ở 400 m² lớn bất thường (trên 300 m²)" in summary
    assert summary.endswith("Lưu kết quả kiểm tra này?\n  1. Có\n  2. Không")
    assert (await cadre.say("co")).startswith("Đã lưu kết quả kiểm tra hộ TL00001")
    assert await assessments(sessions) == 1


async def test_kt_refuses_an_impossible_income_and_asks_to_confirm_an_unusual_one(
    bot: Engine, area: Area, sessions: async_sessionmaker[AsyncSession]
) -> None:
    digits = "0" * len(standard_for_year(2026).indicators)

    impossible = await ask(bot, SMS_CADRE, f"KT TL00001 {digits} 15")
    unusual = await ask(bot, SMS_CADRE, f"KT TL00001 {digits} 250k")
    assert await assessments(sessions) == 0
    confirmed = await ask(bot, SMS_CADRE, f"KT TL00001 {digits} 250k DUNG")

    assert impossible.startswith("Thu nhập 15 đồng/người/tháng là quá thấp để đúng.")
    assert unusual.startswith(
        "Thu nhập 250.000 đồng/người/tháng thấp bất thường (dưới 300.000 đồng); xin chắc chắn "
        f"đã nhập đúng. Nếu đúng, gửi lại tin kèm chữ DUNG ở cuối: KT TL00001 {digits} 250k DUNG"
    )
    assert confirmed.startswith("Đã lưu kiểm tra hộ TL00001")
    assert await assessments(sessions) == 1


def test_assess_refuses_an_income_typed_in_thousands_row_by_row(workdir: Path) -> None:
    (workdir / "hh.csv").write_text(
        "ma_ho,khu_vuc,thu_nhap_binh_quan\nA1,nong_thon,1500\nA2,nong_thon,1500000\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["assess", "hh.csv", "--year", "2026"])

    assert result.exit_code == 1
    assert "Thu nhập 1.500 đồng/người/tháng là quá thấp để đúng." in result.stderr
    assert "Tệp có 1 dòng không hợp lệ nên chưa phân loại." in result.stderr
