"""``giamngheo chat --as <user>``: the flows in a terminal (see :mod:`bot.handlers.console`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.handlers.console import run_console_chat
from bot.runtime import open_runtime, run
from bot.settings import Settings


def register(app: typer.Typer) -> None:
    app.command(
        "chat",
        help="Trò chuyện với trợ lý từ dòng lệnh; đọc từng dòng khi đầu vào không phải terminal.",
    )(chat)


def chat(
    as_user: Annotated[
        str,
        typer.Option(
            "--as",
            help="Người dùng: admin, manager, cadre, mentor hoặc số điện thoại.",
        ),
    ],
    files: Annotated[
        Path | None,
        typer.Option(
            "--files",
            help="Thư mục lưu tệp trợ lý gửi (biểu đồ, bảng xlsx); mặc định thư mục hiện tại.",
        ),
    ] = None,
) -> None:
    lines = None if sys.stdin.isatty() else sys.stdin

    async def go() -> None:
        async with open_runtime(Settings()) as runtime:
            await run_console_chat(runtime, as_user, lines, sys.stdout, files)

    run(go())
