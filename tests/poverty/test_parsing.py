import pytest

from poverty.errors import AppError, ParseError
from poverty.parsing import MAX_MONEY, MONEY_TOO_LARGE, parse_int, parse_money


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,2 triệu", 1_200_000),
        ("1tr2", 1_200_000),
        ("1.200.000", 1_200_000),
        ("1,200,000", 1_200_000),
        ("1200000", 1_200_000),
        ("1 200 000", 1_200_000),
        ("1200k", 1_200_000),
        ("1,2tr", 1_200_000),
        ("1.5 triệu", 1_500_000),
        ("1 triệu 2", 1_200_000),
        ("1 triệu 200 nghìn", 1_200_000),
        ("1tr200k", 1_200_000),
        ("1tr25", 1_250_000),
        ("1 triệu rưỡi", 1_500_000),
        ("800 nghìn", 800_000),
        ("800 ngàn", 800_000),
        ("800k", 800_000),
        ("800K", 800_000),
        ("1.200 nghìn", 1_200_000),
        ("1,2 trieu", 1_200_000),
        ("800 nghin", 800_000),
        ("1 TRIỆU", 1_000_000),
        ("1.200.000đ", 1_200_000),
        ("1.200.000 đồng", 1_200_000),
        ("1200000 VND", 1_200_000),
        ("1.200.000 vnđ", 1_200_000),
        ("1,5 triệu đồng/người/tháng", 1_500_000),
        ("  2 triệu  ", 2_000_000),
        ("0", 0),
        ("1 tỷ", 1_000_000_000),
    ],
)
def test_money_is_read_the_way_people_type_it(text: str, amount: int) -> None:
    assert parse_money(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "không biết",
        "💰",
        "1 triệu 💰",
        "1.2.3",
        "1,5",
        "1tr2tr",
        "1 triệu 2000 nghìn",
        "5 hoặc 6 triệu",
        "1" * 200,
        "١٢٣",
    ],
)
def test_garbage_money_raises_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_money(text)
    assert isinstance(caught.value, AppError)
    assert caught.value.message


def test_negative_money_raises_parse_error() -> None:
    with pytest.raises(ParseError, match="âm"):
        parse_money("-500.000")


def test_absurd_money_raises_parse_error_with_formatted_amount() -> None:
    with pytest.raises(ParseError) as caught:
        parse_money("2 tỷ")
    assert caught.value.params["value"] == "2.000.000.000 đồng"
    assert parse_money(str(MAX_MONEY)) == MAX_MONEY


def test_amount_with_more_digits_than_decimal_precision_is_too_large_not_a_crash() -> None:
    with pytest.raises(ParseError) as caught:
        parse_money("1" + "0" * 28)
    assert caught.value.message == MONEY_TOO_LARGE


@pytest.mark.parametrize(
    ("text", "value"),
    [("5", 5), (" 5 ", 5), ("5 người", 5), ("5 nguoi", 5), ("30 m2", 30), ("0", 0)],
)
def test_integers_accept_trailing_unit_words(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["", "năm", "5 hoặc 6", "5,5", "👍", "5 👍"])
def test_text_without_a_whole_number_raises_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_int(text)


def test_integer_out_of_range_raises_parse_error_with_bounds() -> None:
    with pytest.raises(ParseError) as caught:
        parse_int("31", min=1, max=30)
    assert caught.value.params == {"min": 1, "max": 30}
    assert caught.value.render() == "Xin nhập một số từ 1 đến 30."


def test_integer_below_minimum_names_the_minimum() -> None:
    with pytest.raises(ParseError) as caught:
        parse_int("0", min=1)
    assert caught.value.render() == "Xin nhập một số từ 1 trở lên."


def test_integer_at_bounds_is_accepted() -> None:
    assert parse_int("1", min=1, max=30) == 1
    assert parse_int("30", min=1, max=30) == 30
