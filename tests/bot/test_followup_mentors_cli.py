"""``giamngheo mentors assign|list|unassign``."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.commands import mentors
from storage.db import create_engine, session_factory, upgrade
from tests.bot.conftest import seed_area
from tests.conftest import FIXED_NOW


@pytest.fixture
async def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mentors.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await seed_area(session_factory(engine), FIXED_NOW)
    await engine.dispose()
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    return CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Root."""

    mentors.register(app)
    return app


def test_assign_list_hand_over_and_unassign(runner: CliRunner, app: typer.Typer) -> None:
    first = runner.invoke(app, ["mentors", "assign", "TL00001", "0912345678"])
    assert first.exit_code == 0, first.output
    assert "Đã giao hộ TL00001 cho người đỡ đầu mới." in first.output
    again = runner.invoke(app, ["mentors", "assign", "TL00001", "0912 345 678"])
    assert "đã do người này đỡ đầu" in again.output
    runner.invoke(app, ["mentors", "assign", "TL00001", "0987654321"])

    listed = runner.invoke(app, ["mentors", "list"])
    assert listed.output.count("TL00001") == 1
    assert "+84987654321" in listed.output
    history = runner.invoke(app, ["mentors", "list", "--household", "TL00001", "--history"])
    assert history.output.count("TL00001") == 2
    assert " đến " in history.output

    gone = runner.invoke(app, ["mentors", "unassign", "TL00001"])
    assert "Đã thôi giao hộ TL00001." in gone.output
    assert "Chưa có phân công nào." in runner.invoke(app, ["mentors", "list"]).output


def test_helpers_are_added_listed_and_ended(runner: CliRunner, app: typer.Typer) -> None:
    added = runner.invoke(app, ["mentors", "helper-add", "TL00001", "Hộ ông Lê Văn Ba"])
    assert added.exit_code == 0, added.output
    assert "Đã ghi người giúp đỡ số 1 cho hộ TL00001." in added.output
    org = ["--kind", "doan_the", "--org", "hoi phu nu"]
    runner.invoke(app, ["mentors", "helper-add", "TL00001", "Chị Hoa", *org])

    listed = runner.invoke(app, ["mentors", "helpers", "--household", "TL00001"]).output
    assert "#1  TL00001  →  Hộ ông Lê Văn Ba (ho_kha_gia)" in listed
    assert "#2  TL00001  →  Chị Hoa (doan_the:hoi_phu_nu)" in listed

    ended = runner.invoke(app, ["mentors", "helper-end", "1"])
    assert "Đã thôi ghi người giúp đỡ số 1 của hộ TL00001." in ended.output
    assert "Lê Văn Ba" not in runner.invoke(app, ["mentors", "helpers"]).output
