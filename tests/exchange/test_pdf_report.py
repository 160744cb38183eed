"""The appendices as PDF in the official layout: national heading, issuing unit, STT, signature
block, A4 landscape, the Vietnamese font embedded, long tables over several pages."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.exporting.pdf_document import OfficialTable, TableColumn, official_pdf
from exchange.exporting.pdf_report import appendix_table, report_pdf
from tests.storage.test_report_cam_lo import cam_lo_reports, identity

A4_LANDSCAPE = (841.89, 595.28)


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def media_box(pdf: bytes) -> tuple[float, float]:
    found = re.search(rb"/MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", pdf)
    assert found is not None
    return round(float(found[1]), 2), round(float(found[2]), 2)


async def test_appendix_1_has_the_national_heading_the_unit_stt_and_the_signatures(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, _second, _specs = await cam_lo_reports(sessions)

    table = appendix_table(first, identity)

    assert table.national == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    assert table.issuer == ("ỦY BAN NHÂN DÂN", first.unit.name.upper())
    assert table.title[0] == "PHỤ LỤC 1"
    assert [c.title for c in table.columns[:3]] == ["STT", "Đơn vị", "Dân cư (Hộ)"]
    assert [c.title for c in table.columns[-4:]] == ["Hộ cận nghèo", "Tỷ lệ %", "DTTS", "Tỷ lệ %"]
    assert table.columns[-2].group == "Trong đó"
    assert [row[0] for row in table.rows] == [str(n) for n in range(1, len(first.rows) + 1)] + [""]
    assert table.rows[-1][1] == "Tổng cộng"
    assert table.rows[-1][2] == "14.905"
    assert table.bold_rows == {len(table.rows) - 1}
    assert [title for title, _hint in table.signers] == ["NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"]
    assert table.place_date.endswith(f"năm {first.year}")


async def test_appendix_2_keeps_its_own_stt_and_explains_the_indicator_numbers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    _first, second, _specs = await cam_lo_reports(sessions)

    table = appendix_table(second, identity)

    assert [c.title for c in table.columns[:3]] == ["STT", "Đơn vị", "Tổng số hộ nghèo"]
    assert {c.group for c in table.columns[3:]} == {"Chỉ số thiếu hụt DVXH cơ bản"}
    assert table.notes[0].startswith("Ghi chú: 1: ")


async def test_the_pdf_is_a4_landscape_with_the_truetype_font_embedded(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, _second, _specs = await cam_lo_reports(sessions)

    pdf = report_pdf(first, identity)

    assert pdf.startswith(b"%PDF-")
    assert media_box(pdf) == A4_LANDSCAPE
    assert b"/FontFile2" in pdf, "the TrueType font program is in the file"
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSans\b", pdf)
    assert pages(pdf) == 1


def test_a_long_table_goes_on_over_pages_and_the_signature_closes_it() -> None:
    table = OfficialTable(
        issuer=("ỦY BAN NHÂN DÂN", "XÃ TÂN LẬP"),
        national=("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
        title=("PHỤ LỤC 1",),
        columns=(TableColumn("STT", 1, align="center"), TableColumn("Đơn vị", 5, align="left")),
        rows=tuple((str(n), f"Thôn số {n}") for n in range(1, 61)),
        signers=(("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),),
    )

    pdf = official_pdf(table)

    assert pages(pdf) == 3  # 22 rows under the heading, 26 on the next page, 12 and the signature
    assert media_box(pdf) == A4_LANDSCAPE
