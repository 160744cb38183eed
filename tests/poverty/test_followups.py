"""What a follow-up needs: opened per deprivation of a poor or near-poor household, closed when
the indicator is met, cancelled when the household leaves the lists."""

from __future__ import annotations

from datetime import date

from poverty.followups import (
    DEFAULT_DUE_DAYS,
    Evidence,
    FollowUpChanges,
    due_date,
    evidence_of,
    followup_changes,
    suggested_policies,
)
from poverty.policies import policies_for
from poverty.standards import to_mask


def evidence(status: str | None, deprived: set[str], known: set[str]) -> Evidence:
    return Evidence(status, frozenset(deprived), frozenset(known | deprived))


def test_each_new_deprivation_of_a_poor_household_opens_a_followup() -> None:
    found = evidence("ngheo", {"bhyt", "nha_tieu"}, set())
    assert followup_changes(found, set()) == FollowUpChanges(opened=("bhyt", "nha_tieu"))


def test_a_deprivation_already_followed_opens_nothing_more() -> None:
    found = evidence("can_ngheo", {"bhyt"}, set())
    assert followup_changes(found, {"bhyt"}) == FollowUpChanges()


def test_an_indicator_shown_met_closes_its_followup() -> None:
    found = evidence("ngheo", set(), {"bhyt"})
    assert followup_changes(found, {"bhyt"}) == FollowUpChanges(closed=("bhyt",))


def test_an_unanswered_indicator_leaves_its_followup_open() -> None:
    found = evidence("ngheo", set(), {"nha_tieu"})
    assert followup_changes(found, {"bhyt"}) == FollowUpChanges()


def test_a_household_off_the_lists_has_every_followup_cancelled() -> None:
    found = evidence("trung_binh", {"bhyt"}, set())
    assert followup_changes(found, {"nha_tieu", "bhyt"}) == FollowUpChanges(
        cancelled=("bhyt", "nha_tieu")
    )


def test_a_check_that_finds_a_new_poor_household_counts_over_a_non_poor_official_status() -> None:
    found = evidence_of("khong", "ngheo", to_mask(["bhyt"]), to_mask(["bhyt", "nha_tieu"]))
    assert found == Evidence("ngheo", frozenset({"bhyt"}), frozenset({"bhyt", "nha_tieu"}))
    assert evidence_of("can_ngheo", "khong", 0, 0).status == "can_ngheo"


def test_due_dates_follow_the_indicator_unless_overridden() -> None:
    opened = date(2026, 12, 7)
    assert due_date(opened, "bhyt") == date(2026, 12, 22)
    assert due_date(opened, "chat_luong_nha_o") == date(2027, 3, 7)
    assert due_date(opened, "viec_lam") == date(2027, 1, 6)
    assert DEFAULT_DUE_DAYS == 30
    assert due_date(opened, "bhyt", {"bhyt": 5}) == date(2026, 12, 12)


def test_at_most_three_policies_are_suggested_and_each_addresses_the_indicator() -> None:
    suggested = suggested_policies("ngheo", "bhyt")
    assert 1 <= len(suggested) <= 3
    addressing = {m.policy.code for m in policies_for("ngheo", ["bhyt"]) if "bhyt" in m.addresses}
    assert set(suggested) <= addressing
