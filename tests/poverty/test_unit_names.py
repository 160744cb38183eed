"""Level words in front of a unit's name, with or without tone marks."""

from __future__ import annotations

import pytest

from poverty.unit_names import kind_fits, parse_unit_name, qualified_name, unit_key


@pytest.mark.parametrize(
    ("typed", "kind", "key"),
    [
        ("Huyện Cam Lộ", "huyen", "cam lo"),
        ("huyen cam lo", "huyen", "cam lo"),
        ("Thị trấn Cam Lộ", "thi_tran", "cam lo"),
        ("TT Cam Lộ", "thi_tran", "cam lo"),
        ("Xã Cam Lộ", "xa", "cam lo"),
        ("Đặc khu Côn Đảo", "dac_khu", "con dao"),
        ("dac khu con dao", "dac_khu", "con dao"),
        ("Tổ dân phố 3", "to_dan_pho", "3"),
        ("Thành phố Huế", "thanh_pho", "hue"),
        ("Thị xã Quảng Trị", "thi_xa", "quang tri"),
        ("Ấp Mỹ Hòa", "ap", "my hoa"),
        ("Bản Na Hang", "ban", "na hang"),
    ],
)
def test_a_level_word_gives_the_kind_and_is_dropped_from_the_key(
    typed: str, kind: str, key: str
) -> None:
    parsed = parse_unit_name(typed)

    assert parsed.kind is not None
    assert (parsed.kind.code, parsed.key) == (kind, key)


def test_a_name_without_a_level_word_has_no_kind() -> None:
    assert parse_unit_name("Cam Lộ").kind is None
    assert unit_key("Cam Lộ") == "cam lo"


def test_a_level_word_alone_is_a_name() -> None:
    assert parse_unit_name("Xã") == parse_unit_name("xa")
    assert parse_unit_name("Xã").key == "xa"


def test_a_kind_fits_units_of_that_kind_or_of_unknown_kind_at_its_level() -> None:
    huyen = parse_unit_name("Huyện Cam Lộ").kind
    assert huyen is not None
    assert kind_fits(huyen, "huyen", "district")
    assert kind_fits(huyen, "", "district")
    assert not kind_fits(huyen, "", "commune")
    assert not kind_fits(huyen, "thi_tran", "commune")


def test_qualified_name_adds_the_level_word_once() -> None:
    assert qualified_name("Cam Lộ", "xa") == "Xã Cam Lộ"
    assert qualified_name("Xã Cam Lộ", "xa") == "Xã Cam Lộ"
    assert qualified_name("Cam Lộ", "") == "Cam Lộ"
