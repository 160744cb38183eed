"""Zalo first, proven through ``giamngheo run`` as a process against the fake Zalo API (on the
test database: SQLite, or PostgreSQL when the run is pointed at it)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.bot.zalo.process import ZALO_IDS, ZaloProcess, zalo_process

pytestmark = [pytest.mark.db, pytest.mark.slow]

MANAGER = ZALO_IDS["manager"]


@pytest.fixture(scope="module")
async def server(
    engine: AsyncEngine, database_url: str, test_schema: str | None
) -> AsyncIterator[ZaloProcess]:
    async with zalo_process(engine, database_url, test_schema) as running:
        yield running


async def test_a_manager_on_zalo_receives_the_summary_chart_and_pdf_appendices(
    server: ZaloProcess,
) -> None:
    [text, chart, first, second] = await server.say(MANAGER, "tóm tắt", count=4)

    assert text.startswith("Tóm tắt năm ")
    assert "Gửi kèm bên dưới:" in text
    sent = server.fake.to(MANAGER)[-3:]
    image = server.fake.upload_of(sent[0].image_id)
    assert (image.kind, image.data[:4]) == ("image", b"\x89PNG")
    assert chart.startswith("Tỷ lệ hộ nghèo và thiếu hụt theo chỉ số")
    files = [server.fake.upload_of(s.file_token) for s in sent[1:]]
    assert [f.filename.split("-")[:3] for f in files] == [
        ["phu", "luc", "1"],
        ["phu", "luc", "2"],
    ]
    assert all(f.filename.endswith(".pdf") and f.data.startswith(b"%PDF-") for f in files)
    assert (first, second) == ("", "")
