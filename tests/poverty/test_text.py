import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poverty.text import fold, normalize_phone, slug, strip_marks


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("  Hộ  NGHÈO ", "ho ngheo"),
        ("Đắk Lắk", "dak lak"),
        ("đồng", "dong"),
        ("Có", "co"),
        ("CO", "co"),
        ("Thừa Thiên\tHuế\n", "thua thien hue"),
        ("Người phụ thuộc", "nguoi phu thuoc"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold_removes_case_tone_marks_and_extra_spaces(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_fold_accepts_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Hộ nghèo Đắk Lắk")
    assert decomposed != "Hộ nghèo Đắk Lắk"
    assert fold(decomposed) == "ho ngheo dak lak"


@given(st.text(alphabet=string.printable + "\x1c\x1d\x1e\x1f\x85"))
def test_fold_of_plain_ascii_text_agrees_with_the_full_folding(text: str) -> None:
    """ASCII text takes a short path; a leading ``đ`` sends the same text down the full one."""
    assert fold("đ " + text) == f"d {fold(text)}".strip()


def test_fold_keeps_emoji_and_digits() -> None:
    assert fold("Có 👍 5 NGƯỜI") == "co 👍 5 nguoi"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Mã hộ", "ma_ho"),
        ("Thiếu việc làm", "thieu_viec_lam"),
        ("  Số nhân khẩu (người) ", "so_nhan_khau_nguoi"),
        ("ma_ho", "ma_ho"),
        ("Người đỡ đầu - SĐT", "nguoi_do_dau_sdt"),
        ("Thu nhập bình quân 👍", "thu_nhap_binh_quan"),
    ],
)
def test_slug_matches_file_headers_written_with_tone_marks(header: str, key: str) -> None:
    assert slug(header) == key


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 678",
        "0912345678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0912.345.678",
        "0912-345-678",
        "(+84) 912 345 678",
        "0084912345678",
        "+84 0912 345 678",
        "912345678",
    ],
)
def test_vietnamese_mobile_numbers_normalise_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+84912345678"


def test_fixed_line_with_area_code_normalises_to_e164() -> None:
    assert normalize_phone("024 3825 1234") == "+842438251234"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "12345",
        "0112345678",
        "+1 202 555 0100",
        "09123456789",
        "091234567",
        "0912 345 67a",
        "📞0912345678",
        "0912+345678",
        "١٢٣٤٥٦٧٨٩",
    ],
)
def test_implausible_phone_numbers_give_none(raw: str) -> None:
    assert normalize_phone(raw) is None


def test_strip_marks_keeps_case_and_spacing_and_maps_d_with_stroke() -> None:
    assert strip_marks("Đường Hồ Chí Minh") == "Duong Ho Chi Minh"
    assert strip_marks("Nguyễn Thị Ánh Tuyết") == "Nguyen Thi Anh Tuyet"
    assert strip_marks("quả ổi,  ngã rẽ") == "qua oi,  nga re"
    assert strip_marks(unicodedata.normalize("NFD", "Việt")) == "Viet"
