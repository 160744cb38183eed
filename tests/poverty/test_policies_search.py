"""Searching the policy catalogue the way cadres type: no tone marks, abbreviations, typos."""

from __future__ import annotations

import unicodedata

import pytest

from poverty.policies import load_policies
from poverty.policy_search import (
    MAX_QUERY_LENGTH,
    PolicyIndex,
    is_policy_query,
    rank_policies,
    search_policies,
)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("bao hiem y te", "bhyt"),
        ("Bảo hiểm y tế", "bhyt"),
        ("BHYT", "bhyt"),
        ("bhyt", "bhyt"),
        ("bao hiem", "bhyt"),
        ("bhtyt", "bhyt"),
        ("bao hiem y tee", "bhyt"),
        ("baohiemyte", "bhyt"),
        ("the bhyt", "bhyt"),
        ("health insurance", "bhyt"),
        ("hỏi về bảo hiểm y tế", "bhyt"),
        ("vay von", "vay_ho_ngheo"),
        ("vay vốn hộ cận nghèo", "vay_ho_can_ngheo"),
        ("thoat ngheo", "vay_ho_moi_thoat_ngheo"),
        ("nuoc sach", "vay_nuoc_sach_ve_sinh"),
        ("nha tieu", "vay_nuoc_sach_ve_sinh"),
        ("hoc phi", "hoc_phi"),
        ("hocphi", "hoc_phi"),
        ("hoc phii", "hoc_phi"),
        ("nha o", "nha_o"),
        ("nha o tam", "nha_o"),
        ("xoa nha tam", "nha_o"),
        ("tien dien", "tien_dien"),
        ("tien dienn", "tien_dien"),
        ("chinh sach tien dien", "tien_dien"),
        ("tro giup phap ly", "tro_giup_phap_ly"),
        ("tgpl", "tro_giup_phap_ly"),
        ("hoc nghe", "dao_tao_nghe"),
        ("viec lam", "dao_tao_nghe"),
        ("sinh ke", "sinh_ke"),
        ("tro cap", "tro_cap_xa_hoi"),
        ("internet", "thong_tin"),
        ("ngan hang chinh sach xa hoi", "vay_ho_ngheo"),
    ],
)
def test_query_finds_the_right_policy_first(query: str, first: str) -> None:
    found = search_policies(query)

    assert found, query
    assert found[0].code == first


def test_decomposed_input_is_the_same_as_composed() -> None:
    composed = "Bảo hiểm y tế"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed

    assert search_policies(decomposed) == search_policies(composed)


def test_clear_query_gives_one_policy() -> None:
    assert [p.code for p in search_policies("bao hiem y te")] == ["bhyt"]


def test_loans_all_come_for_vay_von_in_catalogue_order() -> None:
    assert [p.code for p in search_policies("vay von")] == [
        "vay_ho_ngheo",
        "vay_ho_can_ngheo",
        "vay_ho_moi_thoat_ngheo",
        "vay_nuoc_sach_ve_sinh",
    ]


def test_limit_caps_the_results() -> None:
    assert len(search_policies("vay von", limit=2)) == 2
    assert search_policies("vay von", limit=0) == []


def test_hits_are_ranked_best_first() -> None:
    scores = [hit.score for hit in rank_policies("vay von ho can ngheo")]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "asdf qwer",
        "😀😀😀",
        "🏠",
        "!!! ???",
        "TL00012",
        "Nguyễn Văn An",
        "cam on",
        "chinh sach",
        "bao hiem " * 40,
        "x" * (MAX_QUERY_LENGTH + 1),
        "a " * 50,
        "\x00\x01",
    ],
)
def test_garbage_finds_nothing_and_never_crashes(query: str) -> None:
    assert search_policies(query) == []


@pytest.mark.parametrize(
    "query",
    ["bao hiem y te", "bhyt", "bhtyt", "vay von", "hoc phi", "nha o", "tien dien", "tro cap"],
)
def test_plain_policy_words_are_claimed_as_a_policy_question(query: str) -> None:
    assert is_policy_query(query)


@pytest.mark.parametrize(
    "query", ["ho ngheo", "ngheo", "ho tro", "TL00012", "cam on", "ok", "5", "nguyen van an"]
)
def test_other_free_text_is_not_claimed(query: str) -> None:
    assert not is_policy_query(query)


def test_index_works_on_any_catalogue() -> None:
    bhyt = next(p for p in load_policies() if p.code == "bhyt")
    index = PolicyIndex([bhyt])

    assert [hit.policy.code for hit in index.rank("bhyt")] == ["bhyt"]
    assert index.rank("tien dien") == []
