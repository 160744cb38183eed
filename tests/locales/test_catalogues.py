"""The gettext catalogues: Vietnamese complete for every string in the code and data, every
translation keeps its placeholders, and the committed .mo files match their .po files."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, _, language

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "__": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")


def _catalogue(lang: str) -> Catalog:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    ids: set[str] = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_string_in_code_and_data_is_in_the_vietnamese_catalogue() -> None:
    catalogue = _catalogue("vi")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.string}
    missing = sorted(_extracted_ids() - translated)
    assert missing == [], "chạy `make i18n` để cập nhật locales/"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_translations_keep_every_placeholder(lang: str) -> None:
    for message in _catalogue(lang):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == expected, message.id


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compiled_catalogue_matches_its_source(lang: str) -> None:
    folder = LOCALES / lang / "LC_MESSAGES"
    compiled = read_mo(BytesIO((folder / "messages.mo").read_bytes()))
    source = _catalogue(lang)
    expected = {m.id: m.string for m in source if m.id and m.string and not m.fuzzy}
    assert {m.id: m.string for m in compiled if m.id} == expected


def test_english_speaker_reads_english_and_vietnamese_speaker_reads_vietnamese() -> None:
    msgid = "Không tìm thấy đơn vị."
    with language("en"):
        english = _(msgid)
    with language("vi"):
        vietnamese = _(msgid)
    assert vietnamese == msgid
    assert english != msgid
    assert english.isascii()
