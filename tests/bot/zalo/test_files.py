"""Files on Zalo: the summary's chart uploaded and sent as a media message, the appendices as PDF
files, and nothing announced that was not uploaded."""

from __future__ import annotations

import pytest

from bot.flows import registered_flows
from bot.flows.flow import Flow
from bot.flows.messages import Attachment
from bot.handlers.zalo.files import announcement, upload
from tests.bot.conftest import Area
from tests.bot.fake_zalo import FakeZalo, Sent
from tests.bot.zalo.conftest import Harness, Sessions, link_zalo

MANAGER = "246845883529197925"


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def summary(zalo: Harness, sessions: Sessions, manager: int, text: str) -> list[Sent]:
    await link_zalo(sessions, manager, MANAGER, zalo.clock.now)
    await zalo.say(MANAGER, text)
    return zalo.fake.to(MANAGER)


def uploaded(fake: FakeZalo, sent: Sent) -> bytes:
    return fake.upload_of(sent.image_id or sent.file_token).data


async def test_a_manager_gets_the_chart_as_an_image_and_both_appendices_as_pdf_files(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    text, chart, first, second = await summary(zalo, sessions, area.users["manager"], "tom tat")

    lines = text.text.splitlines()
    assert lines[0].startswith("Tóm tắt năm ")
    following = lines[lines.index("Gửi kèm bên dưới:") + 1 :]
    assert [line.rsplit(" (", 1)[1] for line in following] == ["PNG)", "PDF)", "PDF)"]
    assert chart.template_type == "media"
    assert chart.text.startswith("Tỷ lệ hộ nghèo và thiếu hụt theo chỉ số")
    assert uploaded(zalo.fake, chart).startswith(b"\x89PNG")
    files = [zalo.fake.upload_of(sent.file_token) for sent in (first, second)]
    assert [f.filename for f in files] == [
        "phu-luc-1-tan-lap-2026.pdf",
        "phu-luc-2-tan-lap-2026.pdf",
    ]
    assert all(f.data.startswith(b"%PDF") and f.content_type == "application/pdf" for f in files)
    assert not zalo.fake.refused_uploads


async def test_a_refused_upload_is_said_with_where_to_get_the_file_and_never_announced(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    zalo.fake.fail_next_upload(-210, kind="file")

    text, chart, second = await summary(zalo, sessions, area.users["manager"], "tom tat")

    lines = text.text.splitlines()
    following = lines[lines.index("Gửi kèm bên dưới:") + 1 :]
    assert following[0].startswith("• Tỷ lệ hộ nghèo")
    assert following[1].startswith("• Phụ lục 2 – ")
    assert following[2] == (
        "Không gửi được “Phụ lục 1 – Quảng Trị / Tân Lập, năm 2026” qua Zalo: Zalo chưa nhận "
        "tệp tải lên. Quản trị viên có thể xuất tệp này bằng lệnh: giamngheo report phu-luc-1 "
        '--under "Quảng Trị / Tân Lập" --year 2026 --format pdf'
    )
    assert chart.image_id is not None
    assert zalo.fake.upload_of(second.file_token).filename == "phu-luc-2-tan-lap-2026.pdf"


async def test_an_upload_zalo_cannot_be_reached_for_is_said_and_the_text_still_goes(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    zalo.fake.fail_next_upload(502, kind="image")

    text, *files = await summary(zalo, sessions, area.users["manager"], "tom tat")

    assert "Không gửi được “Tỷ lệ hộ nghèo và thiếu hụt theo chỉ số" in text.text
    assert "Các số liệu của biểu đồ đã có trong tin nhắn phía trên." in text.text
    assert [sent.file_token is not None for sent in files] == [True, True]


async def test_the_support_plan_summary_goes_as_a_pdf_in_the_official_layout(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    text, file = await summary(zalo, sessions, area.users["manager"], "ke hoach")

    assert text.text.splitlines()[-1].startswith("• Kế hoạch hỗ trợ – Quảng Trị / Tân Lập")
    pdf = zalo.fake.upload_of(file.file_token)
    assert pdf.filename == "ke-hoach-tan-lap-2026.pdf"
    assert pdf.data.startswith(b"%PDF-")


async def test_a_file_in_a_format_zalo_does_not_take_or_too_large_is_not_uploaded(
    zalo: Harness,
) -> None:
    workbook = Attachment("document", "bang.xlsx", b"PK", "Bảng", elsewhere="Xem trên máy tính.")
    big = Attachment("photo", "bieu-do.png", b"\x89PNG" + bytes(1024 * 1024), "Biểu đồ")

    results = [await upload(zalo.zalo.client, a) for a in (workbook, big)]

    assert announcement("Tóm tắt", results).splitlines() == [
        "Tóm tắt",
        "Không gửi được “Bảng” qua Zalo: Zalo không nhận tệp dạng XLSX. Xem trên máy tính.",
        "Không gửi được “Biểu đồ” qua Zalo: tệp lớn hơn 1 MB, mức Zalo cho phép. "
        "Xin gửi lại yêu cầu sau ít phút.",
    ]
    assert zalo.fake.uploads == []
    assert zalo.fake.refused_uploads == []


async def test_when_zalo_refuses_an_announced_file_a_note_says_it_was_not_sent(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    zalo.fake.fail_next_attachment(-32)

    text, note = await summary(zalo, sessions, area.users["manager"], "tom tat")

    assert "Gửi kèm bên dưới:" in text.text
    assert [code for _user, code in zalo.fake.refused] == [-32]
    lines = note.text.splitlines()
    assert [line.split(" qua Zalo: ")[1][:25] for line in lines] == [
        "Zalo chưa nhận tệp tải lê"
    ] * 3
    assert lines[0].startswith("Không gửi được “Tỷ lệ hộ nghèo")
