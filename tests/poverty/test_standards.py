from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest
import yaml

from poverty.errors import InvalidStandardError, UnknownIndicatorError, UnknownStandardError
from poverty.standards import (
    AREAS,
    DEFAULT_STANDARD_ID,
    INDICATOR_BITS,
    all_standards,
    deprivation_from_answers,
    from_mask,
    load_standard,
    parse_standard,
    questions_to_ask,
    standard_for_year,
    to_mask,
)

CODES_2022 = (
    "viec_lam",
    "nguoi_phu_thuoc",
    "dinh_duong",
    "bhyt",
    "giao_duc_nguoi_lon",
    "di_hoc_tre_em",
    "chat_luong_nha_o",
    "dien_tich_nha_o",
    "nuoc_sinh_hoat",
    "nha_tieu",
    "vien_thong",
    "tiep_can_thong_tin",
)


def test_every_standard_file_loads() -> None:
    assert [s.id for s in all_standards()] == ["2016-2020", "2022-2025", "2027-2030"]
    assert load_standard(DEFAULT_STANDARD_ID).id == "2022-2025"


def test_loading_is_cached() -> None:
    assert load_standard("2022-2025") is load_standard("2022-2025")


def test_unknown_standard_id_raises() -> None:
    with pytest.raises(UnknownStandardError):
        load_standard("2010-2015")
    with pytest.raises(UnknownStandardError):
        load_standard("../errors")


def test_2022_standard_has_the_twelve_indicators_in_order_with_bits_0_to_11() -> None:
    standard = load_standard("2022-2025")
    assert standard.codes == CODES_2022
    assert [i.bit for i in standard.indicators] == list(range(12))
    assert standard.min_deprivations == 3
    assert not standard.provisional


def test_2016_standard_has_ten_indicators_including_access_to_health_services() -> None:
    standard = load_standard("2016-2020")
    assert len(standard.codes) == 10
    assert set(standard.codes) == set(CODES_2022[3:]) | {"tiep_can_y_te"}
    assert standard.indicator("tiep_can_y_te").bit == 12
    assert {i.dimension for i in standard.indicators} == {
        "y_te",
        "giao_duc",
        "nha_o",
        "nuoc_ve_sinh",
        "thong_tin",
    }


def test_2027_standard_is_provisional_without_information_devices() -> None:
    standard = load_standard("2027-2030")
    assert standard.provisional
    assert "tiep_can_thong_tin" not in standard.codes
    assert {"dich_vu_so", "xu_ly_rac_thai"} <= set(standard.codes)
    assert INDICATOR_BITS["dich_vu_so"] >= 13
    assert INDICATOR_BITS["xu_ly_rac_thai"] >= 13
    assert not standard.indicator("viec_lam").provisional
    assert not standard.indicator("nguoi_phu_thuoc").provisional
    assert standard.indicator("bhyt").provisional
    assert len({i.dimension for i in standard.indicators}) == 6


@pytest.mark.parametrize(
    ("standard_id", "area", "lines"),
    [
        ("2016-2020", "nong_thon", (700_000, 1_000_000, 1_500_000)),
        ("2016-2020", "thanh_thi", (900_000, 1_300_000, 1_950_000)),
        ("2022-2025", "nong_thon", (None, 1_500_000, 2_250_000)),
        ("2022-2025", "thanh_thi", (None, 2_000_000, 3_000_000)),
        ("2027-2030", "nong_thon", (None, 2_200_000, None)),
        ("2027-2030", "thanh_thi", (None, 2_800_000, None)),
    ],
)
def test_income_lines(standard_id: str, area: str, lines: tuple[int | None, ...]) -> None:
    got = load_standard(standard_id).income_lines[area]  # type: ignore[index]
    assert (got.poor_outright, got.poverty, got.medium_upper) == lines


def test_unverified_rules_stay_flagged() -> None:
    for standard in all_standards():
        assert all(not indicator.verified for indicator in standard.indicators)
        assert "[" not in "".join(indicator.rule for indicator in standard.indicators)
    assert not load_standard("2016-2020").income_lines["nong_thon"].verified


def test_same_code_has_the_same_bit_in_every_standard() -> None:
    for standard in all_standards():
        for indicator in standard.indicators:
            assert INDICATOR_BITS[indicator.code] == indicator.bit
    assert len(set(INDICATOR_BITS.values())) == len(INDICATOR_BITS)
    assert {code: INDICATOR_BITS[code] for code in CODES_2022} == {
        code: bit for bit, code in enumerate(CODES_2022)
    }


def test_every_question_is_plain_vietnamese_ending_with_a_question_mark() -> None:
    for standard in all_standards():
        for indicator in standard.indicators:
            assert indicator.questions
            for question in indicator.questions:
                assert question.text.endswith("?")
                if question.kind == "choice":
                    assert question.choices


@pytest.mark.parametrize(
    ("year", "standard_id"),
    [
        (2016, "2016-2020"),
        (2020, "2016-2020"),
        (2021, "2016-2020"),
        (2022, "2022-2025"),
        (2025, "2022-2025"),
        (2026, "2022-2025"),
        (2027, "2027-2030"),
        (2030, "2027-2030"),
    ],
)
def test_standard_for_year(year: int, standard_id: str) -> None:
    assert standard_for_year(year).id == standard_id


def test_no_standard_after_2030() -> None:
    with pytest.raises(UnknownStandardError):
        standard_for_year(2031)


def test_mask_round_trip_in_bit_order() -> None:
    codes = ("xu_ly_rac_thai", "bhyt", "viec_lam")
    mask = to_mask(codes)
    assert mask == (1 << 14) | (1 << 3) | 1
    assert from_mask(mask) == ("viec_lam", "bhyt", "xu_ly_rac_thai")
    assert to_mask([]) == 0
    assert from_mask(0) == ()


def test_unknown_codes_and_bits_are_refused() -> None:
    with pytest.raises(UnknownIndicatorError):
        to_mask(["khong_co"])
    with pytest.raises(UnknownIndicatorError):
        from_mask(1 << 40)
    with pytest.raises(UnknownIndicatorError):
        from_mask(-1)
    with pytest.raises(UnknownIndicatorError):
        load_standard("2022-2025").indicator("tiep_can_y_te")


def test_gate_questions_the_next_question_answers_are_not_asked() -> None:
    """“No one aged 6 or over” cannot be true, and “no child” is answered by “không” to the
    question about children: each of these indicators asks one question."""
    for standard_id in ("2016-2020", "2022-2025", "2027-2030"):
        standard = load_standard(standard_id)
        for code in ("bhyt", "di_hoc_tre_em", "giao_duc_nguoi_lon"):
            (question,) = standard.indicator(code).questions
            assert question.when is None
    bhyt = load_standard("2022-2025").indicator("bhyt")
    (cards,) = bhyt.questions
    assert cards.text == "Có thành viên nào từ 6 tuổi trở lên chưa có thẻ bảo hiểm y tế không?"
    assert questions_to_ask(bhyt, {}) == [cards]
    assert deprivation_from_answers(bhyt, {cards.key: True}) is True
    assert deprivation_from_answers(bhyt, {cards.key: False}) is False
    (children,) = load_standard("2022-2025").indicator("dinh_duong").questions
    assert children.key == "dinh_duong_tre_suy_dinh_duong"


def test_floor_area_is_divided_by_members() -> None:
    area = load_standard("2022-2025").indicator("dien_tich_nha_o")
    (question,) = area.questions
    assert question.kind == "number"
    assert deprivation_from_answers(area, {question.key: 30, "so_nhan_khau": 5}) is True
    assert deprivation_from_answers(area, {question.key: 40.0, "so_nhan_khau": 5}) is False
    assert deprivation_from_answers(area, {question.key: 30}) is None


def test_employment_stops_asking_once_deprived() -> None:
    employment = load_standard("2022-2025").indicator("viec_lam")
    first, second = employment.questions
    assert questions_to_ask(employment, {}) == [first, second]
    assert questions_to_ask(employment, {first.key: True}) == []
    assert questions_to_ask(employment, {first.key: False}) == [second]


def test_question_answered_as_unknown_is_not_asked_again() -> None:
    bhyt = load_standard("2022-2025").indicator("bhyt")
    assert questions_to_ask(bhyt, {"bhyt_thieu_the": None}) == []
    assert deprivation_from_answers(bhyt, {"bhyt_thieu_the": None}) is None


def test_water_source_choice() -> None:
    water = load_standard("2022-2025").indicator("nuoc_sinh_hoat")
    (question,) = water.questions
    assert "khac" in [choice.key for choice in question.choices]
    assert all("," not in choice.key for choice in question.choices)
    assert deprivation_from_answers(water, {question.key: "khac"}) is True
    assert deprivation_from_answers(water, {question.key: "gieng_khoan"}) is False


def _raw_2022() -> Any:
    path = resources.files("poverty").joinpath("standards", "2022-2025.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


CHANGES: list[tuple[Callable[[Any], object], str]] = [
    (lambda d: d.update(colour="red"), "unknown field"),
    (lambda d: d.pop("min_deprivations"), "missing field"),
    (lambda d: d["indicators"][0].update(bit="0"), "integer"),
    (lambda d: d["indicators"][0].update(extra=1), "unknown field"),
    (lambda d: d["indicators"][1].update(bit=0), "duplicate indicator bit"),
    (lambda d: d["indicators"][0]["questions"][0].update(kind="text"), "unknown kind"),
    (lambda d: d["indicators"][0].update(deprived_if={"khong_hoi": True}), "no question"),
    (lambda d: d["indicators"][0]["questions"][1].update(when={"sau": 1}), "'when'"),
    (lambda d: d["indicators"][0]["questions"][0].pop("meaning"), "missing field"),
    (lambda d: d["indicators"][8]["questions"][0].pop("choices"), "choices"),
    (lambda d: d["income_lines"]["nong_thon"].update(poverty=9_000_000), "rise"),
    (lambda d: d["income_lines"].pop("thanh_thi"), "missing field"),
    (lambda d: d.update(id="2022-2026"), "declares id"),
]


@pytest.mark.parametrize(("change", "detail"), CHANGES)
def test_malformed_standard_files_are_refused_with_a_clear_error(
    change: Callable[[Any], object], detail: str
) -> None:
    raw = _raw_2022()
    change(raw)
    with pytest.raises(InvalidStandardError) as caught:
        parse_standard(raw, "2022-2025")
    assert detail in str(caught.value.params["detail"])


def test_the_packaged_file_itself_parses() -> None:
    assert parse_standard(_raw_2022(), "2022-2025") == load_standard("2022-2025")


def test_areas_are_rural_and_urban() -> None:
    assert AREAS == ("nong_thon", "thanh_thi")
