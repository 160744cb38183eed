"""The Cam Lộ clash of issue 15 on the command line: a district, its seat town and a new
commune all named Cam Lộ, reached through ``report phu-luc-1 --under`` and
``invite create --unit``; every suggestion printed for the bare name works when typed back."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from poverty.errors import AppError
from storage.db import create_engine, session_factory
from tests.storage.factories import Factory, Spec


async def fill(url: str) -> None:
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Tỉnh Quảng Trị", "province")
        district = await make.unit("Huyện Cam Lộ", "district", province)
        town = await make.unit("Thị trấn Cam Lộ", "commune", district)
        neighbour = await make.unit("Xã Cam Hiếu", "commune", district)
        commune = await make.unit("Xã Cam Lộ", "commune", province)
        await make.households(town, 2025, [Spec("khong")] * 3 + [Spec("ngheo", "bao_tro_xa_hoi")])
        await make.households(neighbour, 2025, [Spec("khong")] * 2)
        await make.households(commune, 2025, [Spec("khong")] * 5)
    await engine.dispose()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> CliRunner:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cam_lo.db'}"
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    monkeypatch.delenv("GIAMNGHEO_TELEGRAM_TOKEN", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    asyncio.run(fill(url))
    return runner


def phu_luc_1(runner: CliRunner, under: str) -> Result:
    return runner.invoke(
        app, ["report", "phu-luc-1", "--under", under, "--year", "2025", "--format", "json"]
    )


def invite(runner: CliRunner, unit: str) -> Result:
    return runner.invoke(
        app, ["invite", "create", "--role", "manager", "--unit", unit, "--bot", "@MyBot"]
    )


def test_report_under_the_district_by_its_level_word(runner: CliRunner) -> None:
    result = phu_luc_1(runner, "Huyện Cam Lộ")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [(r["don_vi"], r["tong_so_ho"]) for r in rows] == [
        ("Thị trấn Cam Lộ", 4),
        ("Xã Cam Hiếu", 2),
        ("Tổng cộng", 6),
    ]


def test_report_under_the_town_and_under_the_new_commune(runner: CliRunner) -> None:
    town = phu_luc_1(runner, "thi tran cam lo")
    commune = phu_luc_1(runner, "Tỉnh Quảng Trị / Xã Cam Lộ")

    assert town.exit_code == 0, town.output
    assert commune.exit_code == 0, commune.output
    assert json.loads(town.stdout)["rows"][-1]["tong_so_ho"] == 4
    assert json.loads(commune.stdout)["rows"][-1]["tong_so_ho"] == 5


def test_every_suggestion_for_the_bare_name_gives_a_report(runner: CliRunner) -> None:
    result = phu_luc_1(runner, "Cam Lộ")

    assert result.exit_code == 1
    suggestions = re.findall(r"“([^”]+)”", result.output.split("một trong:")[1])
    assert len(suggestions) == 3
    totals = set()
    for suggestion in suggestions:
        again = phu_luc_1(runner, suggestion)
        assert again.exit_code == 0, (suggestion, again.output)
        totals.add(json.loads(again.stdout)["rows"][-1]["tong_so_ho"])
    assert totals == {6, 4, 5}


def test_invite_for_the_district_town_and_commune(runner: CliRunner) -> None:
    for unit, label in (
        ("Huyện Cam Lộ", "Tỉnh Quảng Trị / Huyện Cam Lộ"),
        ("Thị trấn Cam Lộ", "Tỉnh Quảng Trị / Huyện Cam Lộ / Thị trấn Cam Lộ"),
        ("Xã Cam Lộ", "Tỉnh Quảng Trị / Xã Cam Lộ"),
    ):
        result = invite(runner, unit)
        assert result.exit_code == 0, result.output
        assert f"địa bàn {label};" in result.output


def test_every_suggestion_of_an_ambiguous_invite_unit_creates_an_invite(
    runner: CliRunner,
) -> None:
    result = invite(runner, "Quảng Trị / Cam Lộ")

    assert result.exit_code == 1
    assert isinstance(result.exception, AppError)
    message = result.exception.render()
    suggestions = re.findall(r"“([^”]+)”", message.split("một trong:")[1])
    assert len(suggestions) == 3
    for suggestion in suggestions:
        again = invite(runner, suggestion)
        assert again.exit_code == 0, (suggestion, again.output)


def test_after_the_merge_reports_group_by_today_and_former_units_on_request(
    runner: CliRunner, workdir: Path
) -> None:
    (workdir / "sap_xep.csv").write_text(
        "don_vi_cu,don_vi_moi,ngay_hieu_luc\n"
        "Thị trấn Cam Lộ,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n"
        "Xã Cam Hiếu,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["units", "reorganise", "sap_xep.csv"]).exit_code == 0

    today = phu_luc_1(runner, "Cam Lộ")
    refused = phu_luc_1(runner, "Huyện Cam Lộ")
    former = runner.invoke(
        app,
        ["report", "phu-luc-1", "--under", "Huyện Cam Lộ", "--year", "2025", "--format", "json",
         "--former-units"],
    )  # fmt: skip

    assert today.exit_code == 0, today.output
    assert json.loads(today.stdout)["rows"][-1]["tong_so_ho"] == 11
    assert refused.exit_code == 1
    assert (
        "“Huyện Cam Lộ” không còn là đơn vị hành chính từ ngày 01/07/2025. "
        "Thêm --former-units để xem số liệu theo đơn vị cũ." in refused.output
    )
    assert former.exit_code == 0, former.output
    rows = json.loads(former.stdout)["rows"]
    assert [(r["don_vi"], r["tong_so_ho"]) for r in rows] == [
        ("Thị trấn Cam Lộ", 4),
        ("Xã Cam Hiếu", 2),
        ("Tổng cộng", 6),
    ]
    assert "không còn là đơn vị hành chính" in former.stderr


def test_no_invite_is_created_for_a_former_unit(runner: CliRunner, workdir: Path) -> None:
    (workdir / "sap_xep.csv").write_text(
        "don_vi_cu,don_vi_moi,ngay_hieu_luc\n"
        "Thị trấn Cam Lộ,Tỉnh Quảng Trị / Xã Cam Lộ,01/07/2025\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["units", "reorganise", "sap_xep.csv"]).exit_code == 0

    result = invite(runner, "Thị trấn Cam Lộ")

    assert result.exit_code == 1
    assert isinstance(result.exception, AppError)
    assert result.exception.render() == (
        "“Thị trấn Cam Lộ” đã được sáp nhập vào “Tỉnh Quảng Trị / Xã Cam Lộ” từ ngày 01/07/2025. "
        "Hãy tạo mã mời cho đơn vị hiện nay."
    )
