"""Follow-ups: one per deprivation of a poor or near-poor household, until it is closed.

:func:`sync_followups` is called after anything that changes what is known about a household
(an assessment saved, an import of official records). It reads the household's latest evidence
and its open follow-ups and applies :func:`poverty.followups.followup_changes`: a new
deprivation opens one, with the catalogue's policies for that indicator and a due date; a later
check that shows the indicator met closes it; a household that is no longer poor or near-poor
has its open follow-ups cancelled. Every change is audited.

A check saved without a conclusion (answers left “không rõ”) opens one follow-up of its own,
:data:`CHECK_TO_COMPLETE`, whatever the household's status: the next check that concludes
closes it (:func:`sync_check_completion`); the indicator rules above leave it alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.followups import (
    POOR_OR_NEAR_POOR,
    Evidence,
    due_date,
    evidence_of,
    followup_changes,
    suggested_policies,
)
from poverty.i18n import N_
from poverty.standards import from_mask
from storage.audit import Actor, AuditEntry, record_audit
from storage.inserts import insert_with_ids
from storage.models import Assessment, Base, FollowUp, Household, OfficialRecord

CHECK_TO_COMPLETE = "bo_sung_kiem_tra"
"""The follow-up of a check saved without a conclusion (not an indicator of any standard)."""
CHECK_TO_COMPLETE_NAME = N_("Bổ sung thông tin kiểm tra hộ")
CHECK_TO_COMPLETE_DAYS = 7
"""Days to complete a check left without a conclusion (the project's default, not a legal rule:
the ongoing review answers a household within 15 days, QĐ 24/2021/QĐ-TTg Art. 5)."""

OPEN_STATES = ("open", "in_progress", "blocked")
UNKNOWN_FOLLOWUP = N_("Không tìm thấy việc cần theo dõi này.")
_CHUNK = 500

ReportState = Literal["done", "in_progress", "blocked"]


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


async def sync_followups(
    session: AsyncSession,
    household_ids: Iterable[int],
    now: datetime,
    actor: Actor,
    *,
    tz: tzinfo,
    due_overrides: Mapping[str, int] | None = None,
    evidence: Mapping[int, Evidence] | None = None,
) -> SyncResult:
    """Open, close or cancel follow-ups so they match each household's latest evidence; due
    dates are days in ``tz``, the people's time zone.
    ``evidence``: what the caller already knows to be the latest of every household given (a
    check it has just saved), so it is not read back."""
    ids = sorted(set(household_ids))
    total = SyncResult()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        result = await _sync_chunk(session, chunk, now, tz, actor, due_overrides, evidence)
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
    tz: tzinfo,
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
        if row.indicator != CHECK_TO_COMPLETE:
            by_household.setdefault(row.household_id, {})[row.indicator] = row
    today = now.astimezone(tz).date()
    opened: list[_Opened] = []
    audit: list[AuditEntry] = []
    closed = cancelled = 0
    for household_id in ids:
        known = evidence.get(household_id)
        if known is None:
            continue
        current = by_household.get(household_id, {})
        changes = followup_changes(known, current.keys())
        for indicator in changes.cancelled:
            row = current[indicator]
            row.state, row.closed_at = "cancelled", now
            cancelled += 1
            audit.append(_entry("followup.cancel", row))
        for indicator in changes.closed:
            row = current[indicator]
            row.state, row.closed_at = "done", now
            closed += 1
            audit.append(_entry("followup.close", row))
        for indicator in changes.opened:
            due_on = due_date(today, indicator, due_overrides)
            policies = suggested_policies(known.status, indicator)
            opened.append((household_id, indicator, policies, "open", due_on, now))
    audit.extend(await _insert_opened(session, opened))
    await record_audit(session, actor, audit, now)
    return SyncResult(len(opened), closed, cancelled)


async def sync_check_completion(
    session: AsyncSession,
    household_id: int,
    concluded: bool,
    now: datetime,
    actor: Actor,
    *,
    tz: tzinfo,
) -> date | None:
    """After a check of the household: open the :data:`CHECK_TO_COMPLETE` follow-up when it
    did not conclude (none is opened twice), close it when it did. Returns the due date of the
    open one, None when none is open."""
    row = await session.scalar(
        select(FollowUp)
        .where(
            FollowUp.household_id == household_id,
            FollowUp.indicator == CHECK_TO_COMPLETE,
            FollowUp.state.in_(OPEN_STATES),
        )
        .order_by(FollowUp.id)
        .limit(1)
        .with_for_update()
    )
    if concluded:
        if row is not None:
            row.state, row.closed_at = "done", now
            await session.flush()
            await record_audit(session, actor, [_entry("followup.close", row)], now)
        return None
    if row is not None:
        return row.due_on
    due_on = now.astimezone(tz).date() + timedelta(days=CHECK_TO_COMPLETE_DAYS)
    opened = [(household_id, CHECK_TO_COMPLETE, (), "open", due_on, now)]
    await record_audit(session, actor, await _insert_opened(session, opened), now)
    return due_on


@dataclass(frozen=True)
class CheckToComplete:
    """A household whose latest check ended without a conclusion, and when to complete it."""

    code: str
    head_name: str
    due_on: date


async def checks_to_complete(
    session: AsyncSession, in_scope: ColumnElement[bool], limit: int
) -> tuple[int, list[CheckToComplete]]:
    """How many households of the scope (a WHERE clause on households) have an open
    :data:`CHECK_TO_COMPLETE` follow-up, and the first ``limit`` of them by due date."""
    where = (
        FollowUp.indicator == CHECK_TO_COMPLETE,
        FollowUp.state.in_(OPEN_STATES),
        in_scope,
    )
    joined = select(FollowUp.id).join(Household, Household.id == FollowUp.household_id)
    total = await session.scalar(select(func.count()).select_from(joined.where(*where).subquery()))
    rows = await session.execute(
        select(Household.code, Household.head_name, FollowUp.due_on)
        .join(Household, Household.id == FollowUp.household_id)
        .where(*where)
        .order_by(FollowUp.due_on, Household.code)
        .limit(limit)
    )
    return int(total or 0), [CheckToComplete(code, name, due) for code, name, due in rows]


async def open_followups_of_new(
    session: AsyncSession,
    households: Iterable[tuple[int, str | None, int]],
    now: datetime,
    actor: Actor,
    *,
    tz: tzinfo,
    due_overrides: Mapping[str, int] | None = None,
) -> SyncResult:
    """:func:`sync_followups` for households created in the caller's transaction, given as
    (id, official status, deprived mask of the official record just written).

    Such a household has no assessment and no follow-up yet, so its evidence is that record:
    a poor or near-poor one gets a follow-up per deprivation, the others get nothing. Nothing is
    read back from the database (an import opens tens of thousands this way).
    """
    today = now.astimezone(tz).date()
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
                    due_on = due_date(today, indicator, due_overrides)
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
