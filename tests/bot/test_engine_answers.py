"""Answer types: what people type becomes a value, or a short Vietnamese explanation."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from bot.flows.answers import (
    Choice,
    Date,
    Integer,
    Money,
    Number,
    Phone,
    Text,
    YesNo,
    error_text,
)
from bot.flows.messages import Option
from poverty.errors import InvalidInputError, ParseError


@pytest.mark.parametrize(
    "text", ["Có", "co", "CO", "c", "1", " có. ", "Vâng", "yes", "dạ có", "Dạ vâng", "đúng rồi"]
)
def test_yes_forms_answer_a_yes_no_step(text: str) -> None:
    assert YesNo().parse(text) is True


@pytest.mark.parametrize(
    "text", ["Không", "khong", "k", "ko", "0", "2", "KHÔNG", "no", "dạ không", "không ạ"]
)
def test_no_forms_answer_a_yes_no_step(text: str) -> None:
    assert YesNo().parse(text) is False


def test_nfd_yes_is_read_like_nfc() -> None:
    assert YesNo().parse(unicodedata.normalize("NFD", "Có")) is True


@pytest.mark.parametrize("text", ["", "có lẽ", "3", "😀", "c o"])
def test_other_text_is_not_a_yes_or_no(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        YesNo().parse(text)
    assert error_text(caught.value) == "Xin trả lời Có hoặc Không (gõ 1 là Có, 2 là Không)."


WATER = Choice(
    (
        Option("nuoc_may", "Nước máy"),
        Option("gieng_khoan", "Giếng khoan"),
        Option("gieng_dao", "Giếng đào được bảo vệ"),
    )
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1", "nuoc_may"),
        ("3", "gieng_dao"),
        ("gieng_khoan", "gieng_khoan"),
        ("Giếng khoan", "gieng_khoan"),
        ("GIENG KHOAN", "gieng_khoan"),
        ("nuoc", "nuoc_may"),
    ],
)
def test_choice_by_number_key_label_or_unique_beginning(text: str, key: str) -> None:
    assert WATER.parse(text) == key


@pytest.mark.parametrize("text", ["0", "4", "sông", "-1"])
def test_choice_refuses_numbers_out_of_range_and_unknown_words(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        WATER.parse(text)
    assert error_text(caught.value) == "Xin chọn một số từ 1 đến 3 trong danh sách."


def test_choice_lists_just_the_options_an_ambiguous_word_matches() -> None:
    with pytest.raises(ParseError) as caught:
        WATER.parse("gieng")
    assert error_text(caught.value) == (
        "“gieng” khớp với nhiều lựa chọn: 2. Giếng khoan; 3. Giếng đào được bảo vệ. "
        "Xin gõ số thứ tự."
    )


@pytest.mark.parametrize(("text", "key"), [("dao", "gieng_dao"), ("duoc bao ve", "gieng_dao")])
def test_choice_by_whole_words_of_one_label(text: str, key: str) -> None:
    assert WATER.parse(text) == key


@pytest.mark.parametrize("text", ["0", "300", "-2", "31"])
def test_integer_out_of_range_names_the_range(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Integer(1, 30).parse(text)
    assert error_text(caught.value) == "Xin nhập một số từ 1 đến 30."


def test_integer_accepts_unit_words() -> None:
    assert Integer(1, 30).parse("5 người") == 5


def test_integer_range_uses_vietnamese_thousands() -> None:
    with pytest.raises(ParseError) as caught:
        Integer(0, 10_000).parse("20000")
    assert error_text(caught.value) == "Xin nhập một số từ 0 đến 10.000."


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,2 triệu", 1_200_000), ("1tr2", 1_200_000), ("1.200.000", 1_200_000), ("1200k", 1_200_000)],
)
def test_money_reads_what_people_type(text: str, value: int) -> None:
    assert Money().parse(text) == value


def test_money_refuses_negative_amounts() -> None:
    with pytest.raises(ParseError) as caught:
        Money().parse("-500.000")
    assert error_text(caught.value) == "Số tiền không được là số âm."


@pytest.mark.parametrize(("text", "value"), [("25", 25), ("25,5", 25.5), ("40 m2", 40)])
def test_number_reads_decimals_with_a_comma(text: str, value: float) -> None:
    assert Number(0, 10_000).parse(text) == value


def test_text_is_stored_nfc_with_single_spaces() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn   Văn An")
    assert Text(50).parse(nfd) == "Nguyễn Văn An"


@pytest.mark.parametrize("text", ["An 😀", "\x00An", "An\u200d"])
def test_text_refuses_emoji_and_control_characters(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        Text(50).parse(text)
    assert error_text(caught.value) == "Xin chỉ nhập chữ, số và dấu câu thông thường."


def test_text_refuses_more_than_its_length() -> None:
    with pytest.raises(ParseError) as caught:
        Text(10).parse("x" * 11)
    assert error_text(caught.value) == "Xin nhập ngắn gọn, không quá 10 ký tự."


def test_phone_is_stored_in_international_form() -> None:
    assert Phone().parse("0912.345.678") == "+84912345678"
    assert Phone().describe("+84912345678") == "0912345678"


def test_phone_refuses_other_text() -> None:
    with pytest.raises(ParseError):
        Phone().parse("12345")


def test_date_day_first_with_or_without_year() -> None:
    assert Date().parse("20/12/2025") == "2025-12-20"
    assert Date().parse("5-1-26") == "2026-01-05"
    assert Date().parse("20/12", today=date(2026, 11, 23)) == "2026-12-20"
    assert Date().describe("2025-12-20") == "20/12/2025"


def test_date_that_is_not_on_the_calendar_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        Date().parse("31/02/2026")
    assert error_text(caught.value) == "Không có ngày 31/02/2026 trên lịch, xin kiểm tra lại."


@pytest.mark.parametrize("text", ["không", "khong", "Ko", "chưa có"])
def test_none_words_count_as_zero_when_zero_is_allowed(text: str) -> None:
    assert Integer(min=0, max=3).parse(text) == 0


def test_none_words_are_refused_when_zero_is_not_allowed() -> None:
    with pytest.raises(ParseError):
        Integer(min=1, max=30).parse("không")
