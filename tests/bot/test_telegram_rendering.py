"""How replies take Telegram's shape: 4,096-character pieces, keyboards, 64-byte callbacks."""

from __future__ import annotations

import gc
from typing import Any

from aiogram import methods
from aiogram.methods import Response

from bot.flows.messages import Option
from bot.handlers.telegram.rendering import (
    MAX_TEXT,
    callback_data,
    command_text,
    keyboard,
    pressed_label,
    split_text,
)
from bot.handlers.telegram.setup import CALLED_METHODS, response_models


def test_long_reply_is_cut_between_paragraphs_then_lines_never_losing_text() -> None:
    paragraph = "\n".join(f"• Thôn số {i}: 1.234 hộ, 56 hộ nghèo (4,54%)" for i in range(60))
    text = "\n\n".join([paragraph] * 3)

    pieces = split_text(text)

    assert len(pieces) > 1
    assert all(0 < len(piece) <= MAX_TEXT for piece in pieces)
    assert all(not piece.startswith("\n") and not piece.endswith("\n") for piece in pieces)
    assert "".join(p.replace("\n", "") for p in pieces) == text.replace("\n", "")


def test_a_word_longer_than_the_limit_is_cut_where_it_must_be() -> None:
    pieces = split_text("x" * 10_000)

    assert [len(p) for p in pieces] == [4096, 4096, 1808]


def test_short_text_is_one_piece() -> None:
    assert split_text("Xin chào!") == ["Xin chào!"]


def test_callback_data_is_the_key_unless_too_long_or_a_bare_number() -> None:
    assert callback_data(Option("co", "Có"), 1) == "co"
    assert callback_data(Option("kiem tra", "Kiểm tra hộ"), 1) == "kiem tra"
    assert callback_data(Option("5", "Thôn Tân Hòa"), 2) == "2"
    assert callback_data(Option("đ" * 40, "Dài"), 3) == "3"
    assert len("đ" * 40) <= 64 < len(("đ" * 40).encode())


def test_short_labels_go_two_to_a_row_long_ones_one_each() -> None:
    yes_no = keyboard([Option("co", "Có"), Option("khong", "Không")])
    long = keyboard(
        [Option("TL00001", "TL00001 – Nguyễn Văn An (Thôn Tân Hòa)"), Option("x", "Khác")]
    )

    assert yes_no is not None
    assert long is not None
    assert [[b.text for b in row] for row in yes_no.inline_keyboard] == [["Có", "Không"]]
    assert [len(row) for row in long.inline_keyboard] == [1, 1]
    assert keyboard([]) is None
    assert pressed_label(yes_no, "khong") == "Không"
    assert pressed_label(yes_no, "other") is None


def test_command_addressed_to_the_bot_by_name_is_the_plain_command() -> None:
    assert command_text("/kiemtra@TroLyBot TL00001") == "/kiemtra TL00001"
    assert command_text("/start@TroLyBot") == "/start"
    assert command_text("kiem tra") == "kiem tra"


def test_the_models_bot_api_answers_are_read_into_outlive_garbage_collections() -> None:
    """pydantic keeps ``Response[Message]`` only while something holds it; without the kept
    tuple each collection dropped it and the next answer built it again."""
    kept = response_models()
    gc.collect()
    generic: Any = Response
    for method, model in zip(CALLED_METHODS, kept, strict=True):
        assert generic[method.__returning__] is model
    assert methods.SendMessage in CALLED_METHODS
    assert methods.GetUpdates in CALLED_METHODS
