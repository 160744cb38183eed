"""``giamngheo report``: every output format, from a temporary SQLite database."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from bot.cli import app
from storage.db import create_engine, session_factory
from tests.storage.factories import Factory, Spec

DEPRIVED = ("viec_lam", "bhyt", "nha_tieu")
PHU_LUC_1_KEYS = [
    "don_vi",
    "tong_so_ho",
    "ho_dtts",
    "ho_ngheo",
    "ty_le_ngheo",
    "ho_ngheo_dtts",
    "ho_ngheo_btxh",
    "ho_ngheo_csgn",
]


def cam_tuyen() -> list[Spec]:
    """1.087 households, 33 poor (3,04%): 20 BTXH, 10 CSGN, 3 without a group; 40 near-poor
    (3,68%), 4 of them of an ethnic minority; 9 ethnic-minority households in all."""
    poor = [
        Spec("ngheo", "bao_tro_xa_hoi" if i < 20 else "chinh_sach_giam_ngheo" if i < 30 else None,
             ethnic_minority=i < 5, deprived=DEPRIVED)
        for i in range(33)
    ]  # fmt: skip
    near_poor = [Spec("can_ngheo", ethnic_minority=i < 4) for i in range(40)]
    return poor + near_poor + [Spec("khong") for _ in range(1087 - 33 - 40)]


async def fill(url: str) -> None:
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        make = Factory(session)
        province = await make.unit("Quảng Trị", "province")
        district = await make.unit("Cam Lộ", "district", province)
        first = await make.unit("Cam Tuyên", "commune", district)
        second = await make.unit("Cam Hiếu", "commune", district)
        await make.households(first, 2025, cam_tuyen())
        await make.households(second, 2025, [Spec("khong")] * 9 + [Spec("ngheo", "bao_tro_xa_hoi")])
    await engine.dispose()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> CliRunner:
    url = f"sqlite+aiosqlite:///{tmp_path / 'report.db'}"
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    asyncio.run(fill(url))
    return runner


def report(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 0, result.output
    return result


def test_json_has_the_contract_keys_the_total_row_and_the_warnings(runner: CliRunner) -> None:
    result = report(runner, "phu-luc-1", "--under", "cam lo", "--year", "2025", "--format", "json")

    document = json.loads(result.stdout)
    assert list(document) == ["rows", "canh_bao"]
    assert [list(row) for row in document["rows"]] == [PHU_LUC_1_KEYS] * 3
    assert document["rows"][0] == {
        "don_vi": "Cam Tuyên",
        "tong_so_ho": 1087,
        "ho_dtts": 9,
        "ho_ngheo": 33,
        "ty_le_ngheo": 3.04,
        "ho_ngheo_dtts": 5,
        "ho_ngheo_btxh": 20,
        "ho_ngheo_csgn": 10,
    }
    assert document["rows"][2]["don_vi"] == "Tổng cộng"
    assert document["rows"][2]["tong_so_ho"] == 1097
    assert document["canh_bao"] == [
        {
            "don_vi": "Cam Tuyên",
            "noi_dung": (
                "Hộ BTXH (20) + hộ CSGN (10) khác số hộ nghèo (33): 3 hộ nghèo chưa ghi nhóm."
            ),
        },
        {
            "don_vi": "Cam Hiếu",
            "noi_dung": "1 hộ nghèo có ít hơn 3 chỉ số thiếu hụt theo chuẩn 2022-2025.",
        },
    ]


def test_json_of_phu_luc_2_has_one_key_per_indicator(runner: CliRunner) -> None:
    result = report(runner, "phu-luc-2", "--under", "Cam Lộ", "--year", "2025", "--format", "json")

    rows = json.loads(result.stdout)["rows"]
    assert list(rows[0])[:3] == ["don_vi", "ho_ngheo", "viec_lam"]
    assert len(rows[0]) == 14
    assert rows[-1] | {"don_vi": None} == {
        "don_vi": None,
        "ho_ngheo": 34,
        **dict.fromkeys(list(rows[0])[2:], 0),
        **dict.fromkeys(DEPRIVED, 33),
    }


def test_csv_starts_with_a_bom_and_has_the_keys_as_header(runner: CliRunner, workdir: Path) -> None:
    target = workdir / "bao-cao.csv"
    args = ["phu-luc-1", "--under", "Cam Lộ", "--year", "2025", "--format", "csv"]
    report(runner, *args, "--output", str(target))

    content = target.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(PHU_LUC_1_KEYS)
    assert lines[1] == "Cam Tuyên,1087,9,33,3.04,5,20,10"
    assert lines[3] == "Tổng cộng,1097,9,34,3.10,5,21,10"


def test_table_shows_vietnamese_numbers_and_the_warnings(runner: CliRunner) -> None:
    result = report(runner, "phu-luc-1", "--under", "Quảng Trị / Cam Lộ", "--year", "2025")

    assert "BIỂU TỔNG HỢP HỘ NGHÈO, CẬN NGHÈO NĂM 2025" in result.stdout
    assert "1.087" in result.stdout
    assert "3,04" in result.stdout
    assert "Tổng cộng" in result.stdout
    assert "Cảnh báo" in result.stdout
    assert "3 hộ nghèo chưa ghi nhóm" in result.stdout


def test_table_of_phu_luc_1_shows_the_near_poor_households(runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["report", "phu-luc-1", "--under", "Cam Lộ", "--year", "2025"],
        env={"COLUMNS": "220"},
    )

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = [c.strip() for c in next(line for line in lines if "Đơn vị" in line).split("┃")]
    cam_tuyen = [c.strip() for c in next(line for line in lines if "Cam Tuyên" in line).split("│")]
    assert header[-4:-1] == ["Hộ cận nghèo", "Tỷ lệ cận nghèo %", "Hộ cận nghèo DTTS"]
    # 40 near-poor of 1.087 households, 4 of them of an ethnic minority.
    assert cam_tuyen[-4:-1] == ["40", "3,68", "4"]


def test_xlsx_looks_like_the_official_appendix(runner: CliRunner, workdir: Path) -> None:
    result = report(runner, "phu-luc-1", "--under", "Cam Lộ", "--year", "2025", "--format", "xlsx")

    path = workdir / "phu-luc-1-cam-lo-2025.xlsx"
    assert str(path.name) in result.output
    book = load_workbook(path)
    sheet = book["Phụ lục 1"]
    assert sheet["A4"].value == "BIỂU TỔNG HỢP HỘ NGHÈO, CẬN NGHÈO NĂM 2025"
    assert sheet["A5"].value == "Đơn vị: Quảng Trị / Cam Lộ"
    assert "G8:L8" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert sheet["G8"].value == "Trong đó"
    assert [sheet.cell(9, c).value for c in range(7, 13)] == [
        "DTTS", "Tỷ lệ %", "Hộ BTXH", "Tỷ lệ %", "CSGN", "Tỷ lệ %",
    ]  # fmt: skip
    assert [sheet.cell(10, c).value for c in range(1, 7)] == [1, "Cam Tuyên", 1087, 9, 33, 3.04]
    assert sheet["C10"].number_format == "#,##0"
    assert sheet["F10"].number_format == "0.00"
    assert sheet["B12"].value == "Tổng cộng"
    assert sheet["B12"].font.bold
    assert sheet["C12"].value == 1097
    assert sheet.freeze_panes == "C10"
    warnings = book["Cảnh báo"]
    assert warnings["A2"].value == "Cam Tuyên"
    assert "3 hộ nghèo chưa ghi nhóm" in str(warnings["B2"].value)


def test_xlsx_has_the_national_heading_and_the_issuing_unit(
    runner: CliRunner, workdir: Path
) -> None:
    report(runner, "phu-luc-1", "--under", "Cam Lộ", "--year", "2025", "--format", "xlsx")

    sheet = load_workbook(workdir / "phu-luc-1-cam-lo-2025.xlsx")["Phụ lục 1"]
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert (sheet["A1"].value, sheet["A2"].value) == ("ỦY BAN NHÂN DÂN", "CAM LỘ")
    assert (sheet["I1"].value, sheet["I2"].value) == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    )
    assert {"A1:H1", "A2:H2", "I1:P1", "I2:P2"} <= merged
    assert sheet["I1"].font.bold


def test_xlsx_numbers_the_rows_and_shows_the_near_poor_households(
    runner: CliRunner, workdir: Path
) -> None:
    report(runner, "phu-luc-1", "--under", "Cam Lộ", "--year", "2025", "--format", "xlsx")

    sheet = load_workbook(workdir / "phu-luc-1-cam-lo-2025.xlsx")["Phụ lục 1"]
    assert sheet["A8"].value == "STT"
    assert [sheet.cell(r, 1).value for r in (10, 11, 12)] == [1, 2, None]
    assert [sheet.cell(8, c).value for c in (13, 14, 15)] == ["Hộ cận nghèo", "Tỷ lệ %", "Trong đó"]
    assert [sheet.cell(9, c).value for c in (15, 16)] == ["DTTS", "Tỷ lệ %"]
    assert "O8:P8" in {str(cells) for cells in sheet.merged_cells.ranges}
    # Cam Tuyên: 40 near-poor of 1.087 households, 4 of them ethnic minority.
    assert [sheet.cell(10, c).value for c in range(13, 17)] == [40, 3.68, 4, 0.37]
    assert [sheet.cell(11, c).value for c in range(13, 17)] == [0, 0, 0, 0]
    assert [sheet.cell(12, c).value for c in range(13, 17)] == [40, 3.65, 4, 0.36]
    assert sheet["M10"].number_format == "#,##0"
    assert sheet["N10"].number_format == "0.00"


def test_xlsx_closes_with_the_date_and_the_signatures(runner: CliRunner, workdir: Path) -> None:
    report(runner, "phu-luc-1", "--under", "Cam Lộ", "--year", "2025", "--format", "xlsx")

    sheet = load_workbook(workdir / "phu-luc-1-cam-lo-2025.xlsx")["Phụ lục 1"]
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert sheet["I14"].value == "……, ngày …… tháng …… năm 2025"
    assert (sheet["A15"].value, sheet["I15"].value) == ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ")
    assert (sheet["A16"].value, sheet["I16"].value) == ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)")
    assert {"I14:P14", "A15:H15", "I15:P15"} <= merged
    assert sheet.max_row == 16


def test_xlsx_prints_on_a4_landscape_with_the_header_rows_on_every_page(
    runner: CliRunner, workdir: Path
) -> None:
    for kind in ("phu-luc-1", "phu-luc-2"):
        report(runner, kind, "--under", "Cam Lộ", "--year", "2025", "--format", "xlsx")

        sheet = load_workbook(workdir / f"{kind}-cam-lo-2025.xlsx").worksheets[0]
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) == 9  # A4 in OOXML
        assert sheet.print_title_rows == "$8:$9"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_xlsx_of_phu_luc_2_numbers_the_indicators_with_a_legend(
    runner: CliRunner, workdir: Path
) -> None:
    target = workdir / "pl2.xlsx"
    args = ["phu-luc-2", "--under", "Cam Lộ", "--year", "2025", "--format", "xlsx"]
    report(runner, *args, "--output", str(target))

    sheet = load_workbook(target)["Phụ lục 2"]
    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN"
    assert sheet["A8"].value == "STT"
    assert sheet["D8"].value == "Chỉ số thiếu hụt DVXH cơ bản"
    assert "D8:O8" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert [sheet.cell(9, c).value for c in (4, 15)] == ["1", "12"]
    assert [sheet.cell(10, c).value for c in (1, 2, 3, 4, 5)] == [1, "Cam Tuyên", 33, 33, 0]
    assert sheet["B12"].value == "Tổng cộng"
    texts = [sheet.cell(r, 2).value for r in range(13, sheet.max_row + 1)]
    assert "1: Việc làm" in texts
    signers = [sheet.cell(r, 1).value for r in range(13, sheet.max_row + 1)]
    assert "NGƯỜI LẬP BIỂU" in signers


def test_pdf_is_written_under_its_own_name_in_the_official_layout(
    runner: CliRunner, workdir: Path
) -> None:
    for kind in ("phu-luc-1", "phu-luc-2"):
        result = report(runner, kind, "--under", "Cam Lộ", "--year", "2025", "--format", "pdf")

        path = workdir / f"{kind}-cam-lo-2025.pdf"
        assert path.name in result.output
        pdf = path.read_bytes()
        assert pdf.startswith(b"%PDF-")
        assert b"/MediaBox [ 0 0 841.8897637795 595.2755905512 ]" in pdf
        assert b"/FontFile2" in pdf


def test_year_defaults_to_this_year_in_vietnam_and_empty_data_gives_zeros_and_a_note(
    runner: CliRunner,
) -> None:
    year = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).year
    result = report(runner, "phu-luc-1", "--under", "Cam Lộ", "--format", "json")

    rows = json.loads(result.stdout)["rows"]
    assert [row["tong_so_ho"] for row in rows] == [0, 0, 0]
    table = report(runner, "phu-luc-1", "--under", "Cam Lộ").stdout
    assert f"Chưa có số liệu hộ năm {year} của Quảng Trị / Cam Lộ." in table


def test_unknown_unit_exits_1_with_a_vietnamese_message(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", "phu-luc-1", "--under", "Hà Tĩnh", "--year", "2025"])

    assert result.exit_code == 1
    assert "Không tìm thấy đơn vị “Hà Tĩnh”." in result.stderr


def test_xlsx_of_a_year_without_records_keeps_the_note_above_the_signatures(
    runner: CliRunner, workdir: Path
) -> None:
    report(runner, "phu-luc-1", "--under", "Cam Lộ", "--year", "2024", "--format", "xlsx")

    sheet = load_workbook(workdir / "phu-luc-1-cam-lo-2024.xlsx")["Phụ lục 1"]
    column = [sheet.cell(r, 1).value for r in range(13, sheet.max_row + 1)]
    assert column[:2] == [None, "Chưa có số liệu hộ năm 2024 của Quảng Trị / Cam Lộ."]
    assert column[-2:] == ["NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"]
    assert sheet.cell(sheet.max_row - 2, 9).value == "……, ngày …… tháng …… năm 2024"
