"""What can be true of a household, and what should be confirmed before it is saved."""

from __future__ import annotations

from poverty.plausibility import (
    AREA_ZERO,
    CHILDREN_BUT_NO_DEPENDANTS,
    INCOME_LOW,
    TOO_MANY_DEPENDANTS,
    answer_problem,
    income_problem,
    unusual,
)


def test_an_income_typed_in_thousands_is_impossible_and_a_real_low_one_is_unusual() -> None:
    problem = income_problem(1_500)
    assert problem is not None
    assert problem.params["guess"] == "1.500.000 đồng"
    assert income_problem(10_000) is None
    assert [p.message for p in unusual({"thu_nhap_binh_quan": 250_000})] == [INCOME_LOW]
    assert unusual({"thu_nhap_binh_quan": 1_200_000, "nha_o_dien_tich_m2": 300}) == []


def test_answers_that_cannot_be_true_of_the_household() -> None:
    family = {"so_nhan_khau": 4}
    cases = [
        ("nguoi_phu_thuoc_so", 9, family, TOO_MANY_DEPENDANTS),
        ("nha_o_dien_tich_m2", 0, family, AREA_ZERO),
        ("dinh_duong_tre_suy_dinh_duong", True, {**family, "nguoi_phu_thuoc_so": 0},
         CHILDREN_BUT_NO_DEPENDANTS),
        ("di_hoc_tre_khong_di_hoc", True, {**family, "nguoi_phu_thuoc_so": 0},
         CHILDREN_BUT_NO_DEPENDANTS),
    ]  # fmt: skip
    for key, value, facts, message in cases:
        problem = answer_problem(key, value, facts)
        assert problem is not None, key
        assert problem.message == message
    assert answer_problem("nguoi_phu_thuoc_so", 4, family) is None
    assert answer_problem("dinh_duong_tre_suy_dinh_duong", True, {"nguoi_phu_thuoc_so": 2}) is None
    assert answer_problem("di_hoc_tre_khong_di_hoc", False, {"nguoi_phu_thuoc_so": 0}) is None
