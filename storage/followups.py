"""Follow-ups: one per deprivation of a poor or near-poor household, until it is closed.

:func:`sync_followups` is called after anything that changes what is known about a household
(an assessment saved, an import of official records). It compares the household's latest
evidence with its open follow-ups: a new deprivation opens one, with the catalogue's policies for
that indicator and a due date; a later check that shows the indicator met closes it (``done``);
a household that is no longer poor or near-poor has its open follow-ups cancelled. An indicator
left unanswered changes nothing. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.policies import policies_for
from poverty.standards import from_mask
from storage.audit import Actor, AuditEntry, record_audit
from storage.inserts import insert_with_ids
from storage.models import Assessment, Base, FollowUp, Household, OfficialRecord

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
"""Due dates are calendar days in Vietnam."""

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

OPEN_STATES = ("open", "in_progress", "blocked")
REPORT_STATES = ("done", "in_progress", "blocked")
MAX_POLICIES = 3
"""Suggested policies kept per follow-up: the reminder must stay readable on a phone."""

UNKNOWN_FOLLOWUP = N_("Không tìm thấy việc cần theo dõi này.")
POOR_OR_NEAR_POOR = frozenset({"ngheo", "can_ngheo"})
_CHUNK = 500

ReportState = Literal["done", "in_progress", "blocked"]


@dataclass(frozen=True)
class Evidence:
    """What is known of one household now: its status and deprived/known indicator codes."""

    status: str | None
    deprived: frozenset[str]
    known: frozenset[str]


@dataclass(frozen=True)
class SyncResult:
    opened: int = 0
    closed: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class OpenFollowUp:
    """An open follow-up with what a reminder needs to say."""

    id: int
    household_id: int
    household_code: str
    head_name: str
    unit_id: int
    commune_id: int
    indicator: str
    policy_codes: tuple[str, ...]
    state: str
    due_on: date
    last_report: str | None
    reminded_at: datetime | None
    escalated_at: datetime | None


OPENED_COLUMNS = ("household_id", "indicator", "policy_codes", "state", "due_on", "opened_at")
_Opened = tuple[int, str, tuple[str, ...], str, date, datetime]
"""A follow-up to open, in :data:`OPENED_COLUMNS` order."""


def due_days(indicator: str, overrides: Mapping[str, int] | None = None) -> int:
    if overrides and indicator in overrides:
        return overrides[indicator]
    return DUE_DAYS_BY_INDICATOR.get(indicator, DEFAULT_DUE_DAYS)


@cache
def suggested_policies(status: str | None, indicator: str) -> tuple[str, ...]:
    """Codes of the catalogue's policies the household qualifies for that address ``indicator``
    (cached: an import asks the same few questions thousands of times, and the shared tuple is
    encoded once per distinct value by the bulk insert)."""
    matches = policies_for(status, [indicator])
    return tuple(m.policy.code for m in matches if indicator in m.addresses)[:MAX_POLICIES]


async def household_evidence(
    session: AsyncSession, household_ids: Sequence[int]
) -> dict[int, Evidence]:
    """The newest of each household's latest assessment and latest official record, as
    :func:`evidence_of` reads them."""
    households = await session.execute(
        select(
            Household.id,
            Household.official_status,
            Household.latest_class,
            Household.latest_assessment_id,
        ).where(Household.id.in_(household_ids))
    )
    rows = list(households)
    assessment_ids = [row[3] for row in rows if row[3] is not None]
    assessments: dict[int, tuple[datetime, int, int]] = {}
    if assessment_ids:
        found = await session.execute(
            select(
                Assessment.household_id,
                Assessment.created_at,
                Assessment.deprived_mask,
                Assessment.known_mask,
            ).where(Assessment.id.in_(assessment_ids))
        )
        assessments = {hid: (at, dep, known) for hid, at, dep, known in found}
    newest_year = (
        select(OfficialRecord.household_id, func.max(OfficialRecord.year).label("year"))
        .where(OfficialRecord.household_id.in_(household_ids))
        .group_by(OfficialRecord.household_id)
        .subquery()
    )
    found_records = await session.execute(
        select(
            OfficialRecord.household_id,
            OfficialRecord.updated_at,
            OfficialRecord.deprived_mask,
            OfficialRecord.known_mask,
        ).join(
            newest_year,
            (newest_year.c.household_id == OfficialRecord.household_id)
            & (newest_year.c.year == OfficialRecord.year),
        )
    )
    records = {hid: (at, dep, known) for hid, at, dep, known in found_records}
    evidence: dict[int, Evidence] = {}
    for household_id, official, latest_class, _assessment in rows:
        candidates = [e for e in (assessments.get(household_id), records.get(household_id)) if e]
        _at, deprived, known = max(candidates, key=lambda c: c[0]) if candidates else (None, 0, 0)
        evidence[household_id] = evidence_of(official, latest_class, deprived, known)
    return evidence


def evidence_of(
    official: str | None, latest_class: str | None, deprived_mask: int, known_mask: int
) -> Evidence:
    """The status is the official one when the commune listed the household as poor or
    near-poor, else the class of the latest check, so a check that finds a new poor household
    counts; the indicators are those of the newest evidence (its masks)."""
    status = official if official in POOR_OR_NEAR_POOR else latest_class
    return Evidence(status, frozenset(from_mask(deprived_mask)), frozenset(from_mask(known_mask)))


async def sync_followups(
    session: AsyncSession,
    household_ids: Iterable[int],
    now: datetime,
    actor: Actor,
    *,
    due_overrides: Mapping[str, int] | None = None,
    evidence: Mapping[int, Evidence] | None = None,
) -> SyncResult:
    """Open, close or cancel follow-ups so they match each household's latest evidence.
    ``evidence``: what the caller already knows to be the latest of every household given (a
    check it has just saved), so it is not read back."""
    ids = sorted(set(household_ids))
    total = SyncResult()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        result = await _sync_chunk(session, chunk, now, actor, due_overrides, evidence)
        total = SyncResult(
            total.opened + result.opened,
            total.closed + result.closed,
            total.cancelled + result.cancelled,
        )
    return total


async def _sync_chunk(
    session: AsyncSession,
    ids: Sequence[int],
    now: datetime,
    actor: Actor,
    due_overrides: Mapping[str, int] | None,
    known_evidence: Mapping[int, Evidence] | None,
) -> SyncResult:
    evidence = known_evidence or await household_evidence(session, ids)
    open_rows = await session.scalars(
        select(FollowUp)
        .where(FollowUp.household_id.in_(ids), FollowUp.state.in_(OPEN_STATES))
        .with_for_update()
    )
    by_household: dict[int, dict[str, FollowUp]] = {}
    for row in open_rows:
        by_household.setdefault(row.household_id, {})[row.indicator] = row
    today = now.astimezone(VIETNAM).date()
    opened: list[_Opened] = []
    audit: list[AuditEntry] = []
    closed = cancelled = 0
    for household_id in ids:
        known = evidence.get(household_id)
        if known is None:
            continue
        current = by_household.get(household_id, {})
        is_eligible = known.status in POOR_OR_NEAR_POOR
        for indicator, row in sorted(current.items()):
            if not is_eligible:
                row.state, row.closed_at = "cancelled", now
                cancelled += 1
                audit.append(_entry("followup.cancel", row))
            elif indicator in known.known and indicator not in known.deprived:
                row.state, row.closed_at = "done", now
                closed += 1
                audit.append(_entry("followup.close", row))
        if not is_eligible:
            continue
        for indicator in sorted(known.deprived - current.keys()):
            due_on = today + timedelta(days=due_days(indicator, due_overrides))
            policies = suggested_policies(known.status, indicator)
            opened.append((household_id, indicator, policies, "open", due_on, now))
    audit.extend(await _insert_opened(session, opened))
    await record_audit(session, actor, audit, now)
    return SyncResult(len(opened), closed, cancelled)


async def open_followups_of_new(
    session: AsyncSession,
    households: Iterable[tuple[int, str | None, int]],
    now: datetime,
    actor: Actor,
    *,
    due_overrides: Mapping[str, int] | None = None,
) -> SyncResult:
    """:func:`sync_followups` for households created in the caller's transaction, given as
    (id, official status, deprived mask of the official record just written).

    Such a household has no assessment and no follow-up yet, so its evidence is that record:
    a poor or near-poor one gets a follow-up per deprivation, the others get nothing. Nothing is
    read back from the database (an import opens tens of thousands this way).
    """
    today = now.astimezone(VIETNAM).date()
    by_indicator: dict[tuple[str, str], tuple[tuple[str, ...], date]] = {}
    plans: dict[tuple[str, int], list[tuple[str, tuple[str, ...], date]]] = {}
    opened: list[_Opened] = []
    for household_id, status, deprived in sorted(households):
        if status not in POOR_OR_NEAR_POOR or not deprived:
            continue
        plan = plans.get((status, deprived))
        if plan is None:
            plan = plans[status, deprived] = []
            for indicator in sorted(from_mask(deprived)):
                found = by_indicator.get((status, indicator))
                if found is None:
                    due_on = today + timedelta(days=due_days(indicator, due_overrides))
                    found = by_indicator[status, indicator] = (
                        suggested_policies(status, indicator),
                        due_on,
                    )
                plan.append((indicator, *found))
        opened += [
            (household_id, indicator, policies, "open", due_on, now)
            for indicator, policies, due_on in plan
        ]
    await record_audit(session, actor, await _insert_opened(session, opened), now)
    return SyncResult(opened=len(opened))


async def _insert_opened(session: AsyncSession, opened: Sequence[_Opened]) -> list[AuditEntry]:
    """Insert the new follow-ups in bulk (an import opens thousands) and return their audit
    entries, in the order given."""
    ids = await insert_with_ids(
        session, Base.metadata.tables["followups"], OPENED_COLUMNS, opened, key=None
    )
    return [
        AuditEntry(
            "followup.open",
            "household",
            str(household_id),
            {"followup_id": followup_id, "indicator": indicator, "state": "open"},
        )
        for followup_id, (household_id, indicator, *_rest) in zip(ids, opened, strict=True)
    ]


def _entry(action: str, row: FollowUp) -> AuditEntry:
    details = {"followup_id": row.id, "indicator": row.indicator, "state": row.state}
    return AuditEntry(action, "household", str(row.household_id), details)


async def report_followup(
    session: AsyncSession,
    followup_id: int,
    state: ReportState,
    note: str | None,
    actor: Actor,
    now: datetime,
) -> OpenFollowUp:
    """Record the mentor's answer: done closes the follow-up, the others keep it open."""
    row = await session.get(FollowUp, followup_id, with_for_update=True)
    if row is None or row.state not in OPEN_STATES:
        raise InvalidInputError(UNKNOWN_FOLLOWUP)
    row.state = state
    row.last_report = note
    row.last_report_at = now
    if state == "done":
        row.closed_at = now
    await session.flush()
    await record_audit(session, actor, [_entry("followup.report", row)], now)
    found = await open_followups(session, ids=[row.id], include_closed=True)
    return found[0]


async def open_followups(
    session: AsyncSession,
    *,
    ids: Sequence[int] | None = None,
    household_ids: Sequence[int] | None = None,
    due_by: date | None = None,
    include_closed: bool = False,
) -> list[OpenFollowUp]:
    """Follow-ups still to act on (or the given ones), by due date, household and indicator."""
    query = (
        select(
            FollowUp.id,
            FollowUp.household_id,
            Household.code,
            Household.head_name,
            Household.unit_id,
            Household.commune_id,
            FollowUp.indicator,
            FollowUp.policy_codes,
            FollowUp.state,
            FollowUp.due_on,
            FollowUp.last_report,
            FollowUp.reminded_at,
            FollowUp.escalated_at,
        )
        .join(Household, Household.id == FollowUp.household_id)
        .order_by(FollowUp.due_on, Household.code, FollowUp.indicator)
    )
    if not include_closed:
        query = query.where(FollowUp.state.in_(OPEN_STATES))
    if ids is not None:
        query = query.where(FollowUp.id.in_(ids))
    if household_ids is not None:
        query = query.where(FollowUp.household_id.in_(household_ids))
    if due_by is not None:
        query = query.where(FollowUp.due_on <= due_by)
    rows = await session.execute(query)
    return [
        OpenFollowUp(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            tuple(row[7]),
            row[8],
            row[9],
            row[10],
            row[11],
            row[12],
        )
        for row in rows
    ]
