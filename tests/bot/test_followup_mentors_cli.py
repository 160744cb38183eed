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
