"""``giamngheo review`` and ``assess --year`` from the command line, on a temporary SQLite
database: the status contract, approval once, the lists workbook, reopening."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.db import create_engine, session_factory
from tests.storage.factories import Factory, Spec

COMMUNE = "Quảng Trị / Cam Tuyên"


async def fill(url: str) -> None:
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        commune = await make.unit("Cam Tuyên", "commune", province)
        village = await make.unit("Bích Giang", "village", commune)
        specs = [Spec("ngheo", "bao_tro_xa_hoi", deprived=("bhyt", "nha_tieu", "viec_lam"))]
        specs += [Spec("can_ngheo"), Spec("can_ngheo"), Spec("khong"), Spec("khong")]
        await make.households(village, 2026, specs)
    await engine.dispose()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> CliRunner:
    url = f"sqlite+aiosqlite:///{tmp_path / 'review.db'}"
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    asyncio.run(fill(url))
    return runner


def review(runner: CliRunner, *args: str, code: int = 0) -> Result:
    result = runner.invoke(app, ["review", *args])
    assert result.exit_code == code, result.output
    return result


def test_the_review_runs_from_opening_to_the_lists_of_the_next_year(
    runner: CliRunner, workdir: Path
) -> None:
    opened = review(runner, "open", "--year", "2026", "--under", COMMUNE)
    assert "áp dụng cho năm 2027, theo chuẩn 2027–2030" in opened.output

    status = json.loads(review(runner, "status", "--under", COMMUNE, "--format", "json").output)
    keys = ("nam", "ap_dung_nam", "chuan", "so_ho_can_ra_soat", "da_kiem_tra")
    assert {k: status[k] for k in keys} == {
        "nam": 2026, "ap_dung_nam": 2027, "chuan": "2027-2030", "so_ho_can_ra_soat": 3,
        "da_kiem_tra": 0,
    }  # fmt: skip
    assert status["thon"] == [{"ten": "Bích Giang", "so_ho_can_ra_soat": 3, "da_kiem_tra": 0}]

    approved = review(runner, "approve", "--under", COMMUNE)
    assert "ghi 5 hộ vào danh sách năm 2027" in approved.output
    assert "Giữ nguyên phân loại (không có kết quả kiểm tra mới): 5 hộ" in approved.output
    again = review(runner, "approve", "--under", COMMUNE, code=1)
    assert "đã được phê duyệt; muốn sửa, hãy mở lại" in again.stderr

    review(runner, "lists", "--under", COMMUNE, "--output", "lists.xlsx")
    book = load_workbook(workdir / "lists.xlsx")
    assert book.sheetnames[:2] == ["Hộ nghèo", "Hộ cận nghèo"]
    poor = book["Hộ nghèo"]
    assert poor["A1"].value == "ỦY BAN NHÂN DÂN CAM TUYÊN"
    assert poor["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert poor["A5"].value == "DANH SÁCH HỘ NGHÈO NĂM 2027"
    assert [cell.value for cell in poor[8]][:5] == [1, poor["B8"].value, poor["C8"].value,
                                                   "Bích Giang", "Hộ nghèo"]  # fmt: skip
    assert "Bảo hiểm y tế" in str(poor["F8"].value)
    assert book["Hộ cận nghèo"]["A10"].value == "Tổng cộng: 2 hộ"
    assert poor.page_setup.orientation == "landscape"

    reopened = review(runner, "reopen", "--under", COMMUNE)
    assert "Đã mở lại rà soát năm 2026" in reopened.output
    review(runner, "approve", "--under", COMMUNE)


def test_a_village_cannot_hold_a_review_and_dates_are_checked(runner: CliRunner) -> None:
    refused = review(runner, "open", "--year", "2026", "--under", f"{COMMUNE} / Bích Giang", code=1)
    assert "không cho thôn" in refused.stderr
    review(runner, "open", "--year", "2026", "--under", COMMUNE)
    bad = review(runner, "posting", "--under", COMMUNE, "--date", "31/02/2026", code=2)
    assert "ngày/tháng/năm" in bad.output


def test_assess_names_the_year_and_the_standard_and_warns_when_it_is_provisional(
    runner: CliRunner, workdir: Path
) -> None:
    (workdir / "hh.csv").write_text(
        "ma_ho,khu_vuc,thu_nhap_binh_quan\nA1,nong_thon,2000000\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["assess", "hh.csv", "--year", "2027"])

    assert result.exit_code == 0, result.output
    assert "Kết quả theo chuẩn 2027–2030, áp dụng năm 2027." in result.output
    assert "chuẩn 2027–2030 còn tạm tính" in result.output
