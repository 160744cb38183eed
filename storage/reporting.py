"""Periodic reports: which units owe one for a period, who submitted, and the figures shown.

A submission is one row per (unit, period), so a second ``nộp báo cáo`` for the same period
changes nothing and says so. The figures recorded are the unit's counts at the moment of
submitting, so a later import does not change what was reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import Actor, AuditEntry, record_audit
from storage.models import AdminUnit, FollowUp, Household, ReportSubmission

_LEVEL_COLUMNS = {
    "province": Household.province_id,
    "district": Household.district_id,
    "commune": Household.commune_id,
    "village": Household.village_id,
}


@dataclass(frozen=True)
class ReportingUnit:
    id: int
    name: str
    level: str
    path: str


@dataclass(frozen=True)
class Submission:
    unit_id: int
    period: str
    submitted_by_user_id: int | None
    submitted_at: datetime
    figures: dict[str, Any]


async def reporting_units(
    session: AsyncSession, level: str, under_path: str | None = None
) -> list[ReportingUnit]:
    """Units of ``level`` in force (not merged away), optionally inside one subtree."""
    query = (
        select(AdminUnit.id, AdminUnit.name, AdminUnit.level, AdminUnit.path)
        .where(AdminUnit.level == level, AdminUnit.valid_to.is_(None))
        .order_by(AdminUnit.path)
    )
    if under_path is not None:
        query = query.where(AdminUnit.path.startswith(under_path))
    return [ReportingUnit(*row) for row in await session.execute(query)]


async def submitted_unit_ids(
    session: AsyncSession, period: str, unit_ids: Sequence[int] | None = None
) -> set[int]:
    query = select(ReportSubmission.unit_id).where(ReportSubmission.period == period)
    if unit_ids is not None:
        query = query.where(ReportSubmission.unit_id.in_(unit_ids))
    return set(await session.scalars(query))


async def unit_figures(session: AsyncSession, unit: ReportingUnit) -> dict[str, int]:
    """The counts a cadre confirms when submitting: households, poor, near-poor, follow-ups."""
    column = _LEVEL_COLUMNS[unit.level]
    row = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((Household.official_status == "ngheo", 1), else_=0)),
                func.sum(case((Household.official_status == "can_ngheo", 1), else_=0)),
            ).where(column == unit.id)
        )
    ).one()
    followups = (
        await session.execute(
            select(
                func.sum(
                    case((FollowUp.state.in_(("open", "in_progress", "blocked")), 1), else_=0)
                ),
                func.sum(case((FollowUp.state == "done", 1), else_=0)),
            )
            .join(Household, Household.id == FollowUp.household_id)
            .where(column == unit.id)
        )
    ).one()
    return {
        "tong_so_ho": int(row[0] or 0),
        "ho_ngheo": int(row[1] or 0),
        "ho_can_ngheo": int(row[2] or 0),
        "viec_dang_theo_doi": int(followups[0] or 0),
        "viec_da_xong": int(followups[1] or 0),
    }


async def submit_report(
    session: AsyncSession,
    unit: ReportingUnit,
    period: str,
    user_id: int | None,
    figures: dict[str, int],
    actor: Actor,
    now: datetime,
) -> bool:
    """Record the unit's report for ``period``; False when it was already submitted."""
    if unit.id in await submitted_unit_ids(session, period, [unit.id]):
        return False
    session.add(
        ReportSubmission(
            unit_id=unit.id,
            period=period,
            submitted_by_user_id=user_id,
            submitted_at=now,
            figures=dict(figures),
        )
    )
    await session.flush()
    await record_audit(
        session,
        actor,
        [AuditEntry("report.submit", "admin_unit", str(unit.id), {"period": period})],
        now,
    )
    return True


async def submission(session: AsyncSession, unit_id: int, period: str) -> Submission | None:
    row = await session.scalar(
        select(ReportSubmission).where(
            ReportSubmission.unit_id == unit_id, ReportSubmission.period == period
        )
    )
    if row is None:
        return None
    return Submission(
        row.unit_id, row.period, row.submitted_by_user_id, row.submitted_at, dict(row.figures)
    )
