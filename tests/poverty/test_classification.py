import pytest

from poverty.classification import CLASS_LABELS, Classification, classify
from poverty.errors import AppError, InvalidInputError, UnknownIndicatorError
from poverty.standards import AREAS, Area, Standard, load_standard

STANDARD_2016 = load_standard("2016-2020")
STANDARD_2022 = load_standard("2022-2025")
STANDARD_2027 = load_standard("2027-2030")


def known(standard: Standard, *deprived: str) -> dict[str, bool | None]:
    return {code: code in deprived for code in standard.codes}


def texts(result: Classification) -> list[str]:
    return [reason.message.format(**reason.params) for reason in result.reasons]


def test_household_with_three_deprivations_under_the_line_is_poor() -> None:
    deprivations = known(STANDARD_2022, "bhyt", "nha_tieu", "viec_lam")
    result = classify(STANDARD_2022, "nong_thon", 1_200_000, deprivations)
    assert result.result == "ngheo"
    assert result.decided
    assert result.possible == {"ngheo"}
    assert result.deprived == ("viec_lam", "bhyt", "nha_tieu")
    assert result.unknown == ()
    assert texts(result)[0] == (
        "Thu nhập bình quân 1.200.000 đồng/người/tháng, không vượt chuẩn 1.500.000 đồng "
        "(nông thôn)."
    )
    assert texts(result)[1].startswith("Thiếu hụt 3 chỉ số (từ 3 chỉ số trở lên): Việc làm")


def test_household_with_two_deprivations_under_the_line_is_near_poor() -> None:
    result = classify(
        STANDARD_2022, "nong_thon", 1_000_000, known(STANDARD_2022, "bhyt", "nha_tieu")
    )
    assert result.result == "can_ngheo"
    assert "dưới 3 chỉ số" in texts(result)[1]


def test_income_exactly_on_the_2022_rural_line_can_be_poor() -> None:
    deprived = known(STANDARD_2022, "bhyt", "nha_tieu", "viec_lam")
    assert classify(STANDARD_2022, "nong_thon", 1_500_000, deprived).result == "ngheo"
    assert classify(STANDARD_2022, "nong_thon", 1_500_000, known(STANDARD_2022)).result == (
        "can_ngheo"
    )


def test_one_dong_above_the_2022_rural_line_is_medium_whatever_the_deprivations() -> None:
    everything = known(STANDARD_2022, *STANDARD_2022.codes)
    assert classify(STANDARD_2022, "nong_thon", 1_500_001, everything).result == "trung_binh"


@pytest.mark.parametrize(
    ("area", "income", "expected"),
    [
        ("nong_thon", 2_250_000, "trung_binh"),
        ("nong_thon", 2_250_001, "khong"),
        ("thanh_thi", 2_000_000, "ngheo"),
        ("thanh_thi", 2_000_001, "trung_binh"),
        ("thanh_thi", 3_000_000, "trung_binh"),
        ("thanh_thi", 3_000_001, "khong"),
    ],
)
def test_2022_lines_per_area(area: Area, income: int, expected: str) -> None:
    deprived = known(STANDARD_2022, "bhyt", "nha_tieu", "viec_lam")
    assert classify(STANDARD_2022, area, income, deprived).result == expected


def test_2016_household_under_the_lower_line_is_poor_even_with_no_deprivation() -> None:
    result = classify(STANDARD_2016, "nong_thon", 699_999, known(STANDARD_2016))
    assert result.result == "ngheo"
    assert "không phụ thuộc số chỉ số thiếu hụt" in texts(result)[0]
    assert classify(STANDARD_2016, "nong_thon", 700_000, {}).result == "ngheo"


def test_2016_household_between_the_lines_needs_three_deprivations_to_be_poor() -> None:
    three = known(STANDARD_2016, "bhyt", "nha_tieu", "tiep_can_y_te")
    assert classify(STANDARD_2016, "nong_thon", 700_001, three).result == "ngheo"
    assert classify(STANDARD_2016, "nong_thon", 1_000_000, known(STANDARD_2016)).result == (
        "can_ngheo"
    )
    assert classify(STANDARD_2016, "nong_thon", 1_500_000, three).result == "trung_binh"
    assert classify(STANDARD_2016, "thanh_thi", 900_000, {}).result == "ngheo"
    assert classify(STANDARD_2016, "thanh_thi", 1_950_001, three).result == "khong"


@pytest.mark.parametrize(
    ("area", "income", "expected"),
    [
        ("nong_thon", 2_200_000, "ngheo"),
        ("nong_thon", 2_200_001, "khong"),
        ("thanh_thi", 2_800_000, "ngheo"),
        ("thanh_thi", 2_800_001, "khong"),
    ],
)
def test_2027_lines_have_no_medium_band(area: Area, income: int, expected: str) -> None:
    deprived = known(STANDARD_2027, "viec_lam", "nguoi_phu_thuoc", "xu_ly_rac_thai")
    result = classify(STANDARD_2027, area, income, deprived)
    assert result.result == expected


def test_2027_household_above_the_line_is_recorded_as_above_it_with_a_reason() -> None:
    result = classify(STANDARD_2027, "thanh_thi", 2_900_000, known(STANDARD_2027))
    assert result.result == "khong"
    assert any("không quy định mức sống trung bình" in text for text in texts(result))


def test_unknown_income_leaves_the_result_open() -> None:
    result = classify(STANDARD_2022, "nong_thon", None, known(STANDARD_2022, "bhyt"))
    assert result.result is None
    assert not result.decided
    assert result.possible == {"can_ngheo", "trung_binh", "khong"}
    assert texts(result)[-1] == (
        "Chưa đủ thông tin để kết luận: cần biết thu nhập bình quân đầu người."
    )


def test_unknown_deprivations_that_could_reach_three_leave_the_result_open() -> None:
    deprivations: dict[str, bool | None] = {**known(STANDARD_2022, "bhyt", "nha_tieu")}
    deprivations["viec_lam"] = None
    result = classify(STANDARD_2022, "nong_thon", 1_000_000, deprivations)
    assert result.result is None
    assert result.possible == {"ngheo", "can_ngheo"}
    assert result.unknown == ("viec_lam",)
    assert texts(result)[-1] == "Chưa đủ thông tin để kết luận: cần biết các chỉ số Việc làm."


def test_codes_missing_from_the_mapping_are_unknown() -> None:
    result = classify(STANDARD_2022, "nong_thon", 1_000_000, {"bhyt": True})
    assert result.result is None
    assert len(result.unknown) == 11


def test_both_income_and_deprivations_can_be_needed() -> None:
    result = classify(STANDARD_2022, "nong_thon", None, {})
    assert result.possible == {"ngheo", "can_ngheo", "trung_binh", "khong"}
    assert texts(result)[-1].startswith(
        "Chưa đủ thông tin để kết luận: cần biết thu nhập bình quân đầu người và các chỉ số"
    )


def test_income_above_the_medium_band_is_not_poor_whatever_the_deprivations() -> None:
    result = classify(STANDARD_2022, "nong_thon", 2_500_000, {"bhyt": True})
    assert result.result == "khong"
    assert result.unknown
    assert not any("Chưa đủ thông tin" in text for text in texts(result))


def test_three_known_deprivations_under_the_line_is_poor_despite_unknowns() -> None:
    result = classify(
        STANDARD_2022, "thanh_thi", 1_900_000, {"bhyt": True, "nha_tieu": True, "viec_lam": True}
    )
    assert result.result == "ngheo"
    assert len(result.unknown) == 9


def test_too_few_possible_deprivations_is_near_poor_despite_unknowns() -> None:
    deprivations = known(STANDARD_2022)
    deprivations["bhyt"] = None
    result = classify(STANDARD_2022, "nong_thon", 1_000_000, deprivations)
    assert result.result == "can_ngheo"
    assert "dù có thiếu hụt cả thì vẫn dưới 3 chỉ số" in texts(result)[1]


def test_negative_income_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError) as caught:
        classify(STANDARD_2022, "nong_thon", -1, {})
    assert isinstance(caught.value, AppError)


def test_indicator_of_another_standard_is_refused() -> None:
    with pytest.raises(UnknownIndicatorError):
        classify(STANDARD_2022, "nong_thon", 1_000_000, {"tiep_can_y_te": True})


def test_unknown_area_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError):
        classify(STANDARD_2022, "mien_nui", 1_000_000, {})  # type: ignore[arg-type]


def test_class_labels_are_vietnamese() -> None:
    assert CLASS_LABELS == {
        "ngheo": "Hộ nghèo",
        "can_ngheo": "Hộ cận nghèo",
        "trung_binh": "Hộ có mức sống trung bình",
        "khong": "Hộ không nghèo",
    }


def test_every_reason_formats_without_missing_placeholders() -> None:
    for standard in (STANDARD_2016, STANDARD_2022, STANDARD_2027):
        for income in (None, 0, 800_000, 1_200_000, 1_600_000, 2_500_000, 5_000_000):
            for deprivations in ({}, known(standard), known(standard, *standard.codes[:4])):
                for area in AREAS:
                    result = classify(standard, area, income, deprivations)
                    assert all(texts(result))
