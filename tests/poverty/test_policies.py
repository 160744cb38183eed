"""The policy catalogue: its content, its validation, and what a household qualifies for."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from poverty.errors import InvalidStandardError
from poverty.policies import (
    POLICY_STATUSES,
    load_policies,
    parse_policies,
    policies_for,
    policy_by_code,
)
from poverty.standards import INDICATOR_BITS

REQUIRED_CODES = {
    "bhyt",
    "hoc_phi",
    "vay_ho_ngheo",
    "vay_ho_can_ngheo",
    "vay_ho_moi_thoat_ngheo",
    "vay_nuoc_sach_ve_sinh",
    "nha_o",
    "tien_dien",
    "tro_giup_phap_ly",
    "dao_tao_nghe",
    "sinh_ke",
    "tro_cap_xa_hoi",
    "thong_tin",
}


def raw_catalogue() -> list[dict[str, Any]]:
    text = resources.files("poverty").joinpath("policies.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    assert isinstance(raw, list)
    return raw


def codes(matches: list[Any]) -> list[str]:
    return [match.policy.code for match in matches]


def test_catalogue_holds_every_policy_of_the_issue() -> None:
    assert {policy.code for policy in load_policies()} >= REQUIRED_CODES


def test_catalogue_is_cached() -> None:
    assert load_policies() is load_policies()


def test_every_indicator_code_is_in_the_bit_registry() -> None:
    for policy in load_policies():
        assert set(policy.indicators) <= set(INDICATOR_BITS), policy.code


def test_every_unverified_policy_carries_a_note() -> None:
    for policy in load_policies():
        assert policy.verified or policy.note, policy.code


def test_every_policy_has_a_status_row_basis_and_keywords() -> None:
    for policy in load_policies():
        assert any(e.status in POLICY_STATUSES for e in policy.eligible), policy.code
        assert policy.legal_basis, policy.code
        assert policy.keywords, policy.code
        assert policy.how_to, policy.code


def test_health_insurance_rows_follow_decree_146_as_amended() -> None:
    bhyt = policy_by_code("bhyt")
    assert bhyt is not None
    rows = {e.status: e.condition for e in bhyt.eligible}
    assert "100%" in rows["ngheo"]
    assert "70%" in rows["can_ngheo"]
    assert "30%" in rows["trung_binh"]
    assert "moi_thoat_ngheo" not in rows
    assert any(
        "NĐ 146/2018/NĐ-CP" in basis and "NĐ 75/2023/NĐ-CP" in basis for basis in bhyt.legal_basis
    )
    assert bhyt.indicators == ("bhyt",)


def test_tuition_says_public_tuition_is_waived_for_everyone_from_2025_2026() -> None:
    tuition = policy_by_code("hoc_phi")
    assert tuition is not None
    assert "NQ 217/2025/QH15" in tuition.legal_basis
    assert "2025–2026" in tuition.summary
    assert "NQ 217/2025/QH15" in tuition.summary
    assert not tuition.verified


def test_water_and_latrine_deprivations_point_to_clean_water_loans() -> None:
    loans = policy_by_code("vay_nuoc_sach_ve_sinh")
    assert loans is not None
    assert set(loans.indicators) == {"nuoc_sinh_hoat", "nha_tieu"}
    assert loans.legal_basis[0].startswith("QĐ 10/2024/QĐ-TTg")


def test_clean_water_loans_are_for_any_rural_household_up_to_25_million_per_works() -> None:
    loans = policy_by_code("vay_nuoc_sach_ve_sinh")
    assert loans is not None
    assert loans.loan is not None
    assert loans.loan.ceiling is not None
    assert "25 triệu đồng" in loans.loan.ceiling
    assert any(e.status is None and "nông thôn" in e.condition for e in loans.eligible)


def test_tuition_cites_decree_238_of_2025_not_the_replaced_81_of_2021() -> None:
    tuition = policy_by_code("hoc_phi")
    assert tuition is not None
    assert tuition.legal_basis[0].startswith("NĐ 238/2025/NĐ-CP")
    assert "03/9/2025" in tuition.legal_basis[0]


def test_no_card_promises_a_poor_district_benefit() -> None:
    for policy in load_policies():
        for entitlement in policy.eligible:
            assert "nếu sống ở huyện nghèo" not in entitlement.condition, policy.code
            assert not entitlement.condition.startswith("Được hỗ trợ nếu ở huyện nghèo")


def test_every_card_says_when_it_was_last_checked() -> None:
    assert all(policy.checked_on is not None for policy in load_policies())


def test_every_loan_card_is_marked_as_a_loan() -> None:
    loans = {p.code for p in load_policies() if p.loan is not None}
    assert loans == {
        "vay_ho_ngheo",
        "vay_ho_can_ngheo",
        "vay_ho_moi_thoat_ngheo",
        "vay_nuoc_sach_ve_sinh",
    }


def test_unknown_code_gives_none() -> None:
    assert policy_by_code("khong_co") is None


def test_poor_household_gets_policies_for_its_deprivations_first() -> None:
    matches = policies_for("ngheo", ["bhyt", "nha_tieu"])

    assert codes(matches)[:2] == ["bhyt", "vay_nuoc_sach_ve_sinh"]
    assert matches[0].addresses == ("bhyt",)
    assert matches[1].addresses == ("nha_tieu",)
    assert {"vay_ho_ngheo", "tien_dien", "tro_giup_phap_ly", "hoc_phi"} <= set(codes(matches))
    assert "vay_ho_can_ngheo" not in codes(matches)
    bhyt = matches[0]
    assert [e.status for e in bhyt.entitlements] == ["ngheo"]


def test_policy_addressing_more_deprivations_comes_first() -> None:
    matches = policies_for("ngheo", ["nha_tieu", "nuoc_sinh_hoat", "bhyt"])

    assert codes(matches)[:2] == ["vay_nuoc_sach_ve_sinh", "bhyt"]
    assert matches[0].addresses == ("nuoc_sinh_hoat", "nha_tieu")


def test_near_poor_household_gets_near_poor_rows_only() -> None:
    matches = policies_for("can_ngheo", ["chat_luong_nha_o"])

    assert codes(matches)[0] == "nha_o"
    assert "vay_ho_can_ngheo" in codes(matches)
    assert "vay_ho_ngheo" not in codes(matches)
    assert "tien_dien" not in codes(matches)
    bhyt = next(m for m in matches if m.policy.code == "bhyt")
    assert "70%" in bhyt.entitlements[0].condition
    assert bhyt.addresses == ()


def test_medium_household_gets_medium_rows_only() -> None:
    matches = policies_for("trung_binh", ["bhyt", "chat_luong_nha_o"])

    assert codes(matches)[0] == "bhyt"
    assert "30%" in matches[0].entitlements[0].condition
    assert "nha_o" not in codes(matches)
    assert "dao_tao_nghe" in codes(matches)


def test_newly_escaped_household_keeps_loans_for_escaped_households() -> None:
    matches = policies_for("khong", ["viec_lam"], newly_escaped=True)

    assert codes(matches)[0] == "dao_tao_nghe"
    assert matches[0].addresses == ("viec_lam",)
    assert "vay_ho_moi_thoat_ngheo" in codes(matches)
    assert "bhyt" not in codes(matches)


def test_deprivations_alone_entitle_to_nothing() -> None:
    assert policies_for("khong", ["bhyt", "nha_tieu"]) == []
    assert policies_for(None, ["bhyt"]) == []


def test_unknown_deprivation_codes_are_ignored() -> None:
    assert codes(policies_for("ngheo", ["khong_co"])) == codes(policies_for("ngheo", []))


def test_catalogue_parses_as_it_is() -> None:
    assert len(parse_policies(raw_catalogue())) == len(load_policies())


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda p: p.update(indicators=["bhyt", "khong_ton_tai"]), "khong_ton_tai"),
        (lambda p: p.update(colour="red"), "colour"),
        (lambda p: p.pop("how_to"), "how_to"),
        (lambda p: p["eligible"].append({"status": "giau", "condition": "x"}), "giau"),
        (lambda p: p.update(verified=False, note=None), "note"),
        (lambda p: p.update(verified="yes"), "verified"),
        (lambda p: p.update(keywords=[]), "keywords"),
        (lambda p: p.update(code="BHYT"), "snake_case"),
        (lambda p: p.update(eligible=[{"condition": "ai cũng được"}]), "status"),
        (lambda p: p.update(indicators=["bhyt", "bhyt"]), "twice"),
        (lambda p: p.pop("checked_on"), "checked_on"),
        (lambda p: p.update(checked_on="hôm qua"), "checked_on"),
        (lambda p: p.update(loan={"ceiling": ""}), "ceiling"),
        (lambda p: p.update(loan={"interest": "6%"}), "interest"),
    ],
)
def test_bad_entry_is_refused_with_a_clear_message(change: Any, detail: str) -> None:
    raw = copy.deepcopy(raw_catalogue())
    change(raw[0])

    with pytest.raises(InvalidStandardError) as caught:
        parse_policies(raw)

    text = caught.value.render()
    assert text.startswith("Tệp danh mục chính sách không hợp lệ")
    assert detail in text
    assert "bhyt" in text.lower()


def test_duplicate_codes_are_refused() -> None:
    raw = raw_catalogue()
    with pytest.raises(InvalidStandardError) as caught:
        parse_policies([*raw, raw[0]])
    assert "duplicate code(s): bhyt" in caught.value.render()


@pytest.mark.parametrize("raw", [None, [], {"code": "bhyt"}, "bhyt"])
def test_catalogue_must_be_a_list_of_policies(raw: object) -> None:
    with pytest.raises(InvalidStandardError):
        parse_policies(raw)
