"""What a follow-up needs: one per deprivation of a poor or near-poor household, until the
newest evidence shows the indicator met (``done``) or the household leaves the lists
(``cancelled``). An indicator left unanswered changes nothing.

Pure rules; :mod:`storage.followups` reads the evidence and writes the follow-ups.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType

from poverty.policies import policies_for
from poverty.standards import from_mask

POOR_OR_NEAR_POOR = frozenset({"ngheo", "can_ngheo"})

DEFAULT_DUE_DAYS = 30
"""Days a mentor has to act on a deprivation when the indicator has no default of its own."""

DUE_DAYS_BY_INDICATOR: Mapping[str, int] = MappingProxyType(
    {
        # A health-insurance card or a school place is paperwork the commune can settle quickly.
        "bhyt": 15,
        "di_hoc_tre_em": 15,
        "tiep_can_thong_tin": 15,
        # Housing, water and sanitation need funding and building work.
        "chat_luong_nha_o": 90,
        "dien_tich_nha_o": 90,
        "nuoc_sinh_hoat": 60,
        "nha_tieu": 60,
    }
)
"""Per-indicator default of days from opening to due date (Decree 07/2021/NĐ-CP indicators)."""

MAX_POLICIES = 3
"""Suggested policies kept per follow-up: the reminder must stay readable on a phone."""


@dataclass(frozen=True)
class Evidence:
    """What is known of one household now: its status and deprived/known indicator codes."""

    status: str | None
    deprived: frozenset[str]
    known: frozenset[str]

    @property
    def needs_followups(self) -> bool:
        return self.status in POOR_OR_NEAR_POOR


@dataclass(frozen=True)
class FollowUpChanges:
    """Indicators whose follow-up opens, closes (met) or is cancelled, each sorted."""

    opened: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()


def evidence_of(
    official: str | None, latest_class: str | None, deprived_mask: int, known_mask: int
) -> Evidence:
    """The status is the official one when the commune listed the household as poor or
    near-poor, else the class of the latest check, so a check that finds a new poor household
    counts; the indicators are those of the newest evidence (its masks)."""
    status = official if official in POOR_OR_NEAR_POOR else latest_class
    return Evidence(status, frozenset(from_mask(deprived_mask)), frozenset(from_mask(known_mask)))


def followup_changes(evidence: Evidence, open_indicators: Collection[str]) -> FollowUpChanges:
    """How the open follow-ups (by indicator) must change to match ``evidence``."""
    if not evidence.needs_followups:
        return FollowUpChanges(cancelled=tuple(sorted(open_indicators)))
    closed = sorted(
        i for i in open_indicators if i in evidence.known and i not in evidence.deprived
    )
    opened = sorted(evidence.deprived - set(open_indicators))
    return FollowUpChanges(opened=tuple(opened), closed=tuple(closed))


def due_days(indicator: str, overrides: Mapping[str, int] | None = None) -> int:
    if overrides and indicator in overrides:
        return overrides[indicator]
    return DUE_DAYS_BY_INDICATOR.get(indicator, DEFAULT_DUE_DAYS)


def due_date(opened_on: date, indicator: str, overrides: Mapping[str, int] | None = None) -> date:
    """The day a follow-up opened on ``opened_on`` (a day in Vietnam) is due."""
    return opened_on + timedelta(days=due_days(indicator, overrides))


@cache
def suggested_policies(status: str | None, indicator: str) -> tuple[str, ...]:
    """Codes of the catalogue's policies the household qualifies for that address ``indicator``
    (cached: an import asks the same few questions thousands of times, and the shared tuple is
    encoded once per distinct value by the bulk insert)."""
    matches = policies_for(status, [indicator])
    return tuple(m.policy.code for m in matches if indicator in m.addresses)[:MAX_POLICIES]
