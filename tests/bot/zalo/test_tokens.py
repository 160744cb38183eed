"""The OA access token: refreshed before it runs out, on -216, once across workers, and the
``giamngheo zalo token`` command that stores the first pair."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession
from typer.testing import CliRunner

from bot.cli import app
from bot.commands.zalo import BAD_EXPIRY, BAD_INPUT
from bot.handlers.zalo.client import ZaloClient, ZaloUnavailable
from bot.handlers.zalo.tokens import MissingTokensError, TokenKeeper, TokenRefreshError
from poverty.errors import InvalidInputError
from storage.channel_tokens import Tokens, load_tokens
from storage.db import create_engine, session_factory, upgrade
from tests.bot.conftest import Clock
from tests.bot.fake_zalo import APP_ID, APP_SECRET, FakeZalo
from tests.bot.zalo.conftest import CADRE, Sessions, store_fake_tokens


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


def keeper(
    sessions: Sessions, http: ClientSession, fake: FakeZalo, clock: Clock, secret: str = APP_SECRET
) -> TokenKeeper:
    return TokenKeeper(
        sessions, http, oauth_url=fake.oauth_url, app_id=APP_ID, app_secret=secret, clock=clock
    )


async def stored(sessions: Sessions) -> Tokens | None:
    async with sessions() as session:
        return await load_tokens(session, "zalo")


async def test_a_216_refreshes_stores_the_new_pair_and_retries_once(
    sessions: Sessions, http: ClientSession, fake: FakeZalo, clock: Clock
) -> None:
    await store_fake_tokens(sessions, fake, clock.now)
    fake.revoke_access()
    client = ZaloClient(http, fake.url, keeper(sessions, http, fake, clock))

    answer = await client.send(CADRE, {"text": "Xin chào"})

    assert answer.ok
    assert fake.refused == [(CADRE, -216)]
    assert len(fake.refreshes) == 1
    assert fake.refreshes[0].form == {
        "refresh_token": "refresh-0",
        "app_id": APP_ID,
        "grant_type": "refresh_token",
    }
    assert fake.refreshes[0].secret_key == APP_SECRET
    [sent] = fake.to(CADRE)
    assert sent.token == fake.access_token
    tokens = await stored(sessions)
    assert tokens is not None
    assert (tokens.access_token, tokens.refresh_token) == (fake.access_token, fake.refresh_token)
    assert tokens.refresh_token != "refresh-0"
    assert tokens.expires_at == clock.now + timedelta(seconds=90000)


async def test_a_second_216_after_the_refresh_is_not_retried_again(
    sessions: Sessions, http: ClientSession, fake: FakeZalo, clock: Clock
) -> None:
    await store_fake_tokens(sessions, fake, clock.now)
    fake.fail_next(-216)
    fake.fail_next(-216)
    client = ZaloClient(http, fake.url, keeper(sessions, http, fake, clock))
    answer = await client.send(CADRE, {"text": "Xin chào"})
    assert answer.error == -216
    assert len(fake.refused) == 2
    assert len(fake.refreshes) == 1


async def test_the_token_is_refreshed_before_it_runs_out(
    sessions: Sessions, http: ClientSession, fake: FakeZalo, clock: Clock
) -> None:
    await store_fake_tokens(sessions, fake, clock.now, valid_for=timedelta(minutes=50))
    client = ZaloClient(http, fake.url, keeper(sessions, http, fake, clock))
    assert (await client.send(CADRE, {"text": "Một"})).ok
    assert fake.refused == []
    assert len(fake.refreshes) == 1
    assert fake.to(CADRE)[0].token == fake.access_token != "access-0"

    clock.advance(timedelta(hours=2))
    assert (await client.send(CADRE, {"text": "Hai"})).ok
    assert len(fake.refreshes) == 1, "a token with 23 hours left is used as it is"


async def test_two_workers_refreshing_at_once_call_the_oauth_server_once(
    sessions: Sessions, fake: FakeZalo, clock: Clock
) -> None:
    await store_fake_tokens(sessions, fake, clock.now, valid_for=timedelta(minutes=10))
    fake.refresh_delay = 0.3
    async with ClientSession() as first_http, ClientSession() as second_http:
        first = keeper(sessions, first_http, fake, clock)
        second = keeper(sessions, second_http, fake, clock)
        tokens = await asyncio.gather(first.access_token(), second.access_token())
    assert len(fake.refreshes) == 1
    assert all(refresh.accepted for refresh in fake.refreshes)
    assert tokens[0] == tokens[1] == fake.access_token
    saved = await stored(sessions)
    assert saved is not None
    assert saved.refresh_token == fake.refresh_token


async def test_a_refused_refresh_keeps_the_stored_tokens(
    sessions: Sessions, http: ClientSession, fake: FakeZalo, clock: Clock
) -> None:
    await store_fake_tokens(sessions, fake, clock.now, valid_for=timedelta(minutes=10))
    before = await stored(sessions)
    tokens = keeper(sessions, http, fake, clock, secret="wrong-app-secret")
    with pytest.raises(TokenRefreshError):
        await tokens.access_token()
    assert await stored(sessions) == before
    client = ZaloClient(http, fake.url, tokens)
    with pytest.raises(ZaloUnavailable):
        await client.send(CADRE, {"text": "Xin chào"})


async def test_without_stored_tokens_sending_says_so(
    sessions: Sessions, http: ClientSession, fake: FakeZalo, clock: Clock
) -> None:
    tokens = keeper(sessions, http, fake, clock)
    with pytest.raises(MissingTokensError):
        await tokens.access_token()
    with pytest.raises(ZaloUnavailable):
        await ZaloClient(http, fake.url, tokens).send(CADRE, {"text": "Xin chào"})
    assert fake.sent == []


# --- giamngheo zalo token ----------------------------------------------------------------


@pytest.fixture
async def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'zalo.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    monkeypatch.setenv("GIAMNGHEO_DATABASE_URL", url)
    monkeypatch.delenv("GIAMNGHEO_ZALO_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("GIAMNGHEO_ZALO_REFRESH_TOKEN", raising=False)
    return url


def tokens_in(url: str) -> Tokens | None:
    async def read() -> Tokens | None:
        engine = create_engine(url)
        try:
            return await stored(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_token_command_stores_the_oauth_answer_from_stdin_without_printing_it(
    cli_db: str,
) -> None:
    answer = {"access_token": "AT-first", "refresh_token": "RT-first", "expires_in": "3600"}
    result = CliRunner().invoke(app, ["zalo", "token"], input=json.dumps(answer))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Đã lưu token Zalo OA; access token còn hạn đến ")
    assert "AT-first" not in result.output
    assert "RT-first" not in result.output
    tokens = tokens_in(cli_db)
    assert tokens is not None
    assert (tokens.access_token, tokens.refresh_token) == ("AT-first", "RT-first")
    status = CliRunner().invoke(app, ["zalo", "status"])
    assert status.exit_code == 0
    assert status.output.startswith("Token Zalo OA còn hạn đến ")
    assert "AT-first" not in status.output


def test_token_command_reads_the_environment_and_replaces_old_tokens(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = CliRunner().invoke(app, ["zalo", "token"], input="AT-old\nRT-old\n")
    assert first.exit_code == 0, first.output
    monkeypatch.setenv("GIAMNGHEO_ZALO_ACCESS_TOKEN", "AT-env")
    monkeypatch.setenv("GIAMNGHEO_ZALO_REFRESH_TOKEN", "RT-env")
    result = CliRunner().invoke(app, ["zalo", "token", "--expires-in", "7200"])
    assert result.exit_code == 0, result.output
    tokens = tokens_in(cli_db)
    assert tokens is not None
    assert (tokens.access_token, tokens.refresh_token) == ("AT-env", "RT-env")


@pytest.mark.parametrize(
    "given", ["", "only-one-line", '{"access_token": "x"}', "{not json", "a b\nc"]
)
def test_token_command_explains_unreadable_input_and_stores_nothing(
    cli_db: str, given: str
) -> None:
    result = CliRunner().invoke(app, ["zalo", "token"], input=given)
    assert isinstance(result.exception, InvalidInputError)
    assert result.exception.message == BAD_INPUT
    assert tokens_in(cli_db) is None


def test_status_without_tokens_says_how_to_store_them(cli_db: str) -> None:
    result = CliRunner().invoke(app, ["zalo", "status"])
    assert result.exit_code == 1
    assert "giamngheo zalo token" in result.output


def test_token_command_refuses_a_lifetime_that_is_not_positive(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIAMNGHEO_ZALO_ACCESS_TOKEN", "AT-env")
    monkeypatch.setenv("GIAMNGHEO_ZALO_REFRESH_TOKEN", "RT-env")
    result = CliRunner().invoke(app, ["zalo", "token", "--expires-in", "0"])
    assert isinstance(result.exception, InvalidInputError)
    assert result.exception.message == BAD_EXPIRY
    assert tokens_in(cli_db) is None
