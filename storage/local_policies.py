"""A province's own support policies and local top-ups, kept beside the national catalogue
(``poverty/policies.yaml``): saved by ``giamngheo policies import``, read by the policy lookup
for the provinces of the person asking."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.policies import Entitlement, LoanTerms, Policy, PolicyStatus, load_policies
from storage.access import Access
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import AdminUnit, LocalPolicy

_FIELDS = (
    "name",
    "summary",
    "eligible",
    "legal_basis",
    "how_to",
    "note",
    "indicators",
    "keywords",
    "top_up_of",
    "loan_ceiling",
    "loan_rate",
    "loan_term",
    "checked_on",
)


@dataclass(frozen=True)
class SavedPolicies:
    created: int
    updated: int
    unchanged: int


def _columns(policy: Policy) -> dict[str, Any]:
    loan = policy.loan or LoanTerms()
    return {
        "name": policy.name,
        "summary": policy.summary,
        "eligible": [{"status": e.status, "condition": e.condition} for e in policy.eligible],
        "legal_basis": list(policy.legal_basis),
        "how_to": policy.how_to,
        "note": policy.note,
        "indicators": list(policy.indicators),
        "keywords": list(policy.keywords),
        "top_up_of": policy.top_up_of,
        "loan_ceiling": loan.ceiling,
        "loan_rate": loan.rate,
        "loan_term": loan.term,
        "checked_on": policy.checked_on,
    }


def _policy(row: LocalPolicy, province: str) -> Policy:
    has_loan = row.loan_ceiling or row.loan_rate or row.loan_term
    eligible = []
    for item in row.eligible:
        status: PolicyStatus | None = item.get("status")
        eligible.append(Entitlement(status, str(item["condition"])))
    return Policy(
        code=row.code,
        name=row.name,
        summary=row.summary,
        eligible=tuple(eligible),
        legal_basis=tuple(row.legal_basis),
        verified=True,
        note=row.note,
        how_to=row.how_to,
        indicators=tuple(row.indicators),
        keywords=tuple(row.keywords),
        checked_on=row.checked_on,
        loan=LoanTerms(row.loan_ceiling, row.loan_rate, row.loan_term) if has_loan else None,
        province=province,
        top_up_of=row.top_up_of,
    )


async def save_local_policies(
    session: AsyncSession,
    province_id: int,
    policies: Sequence[Policy],
    actor: Actor,
    now: datetime,
) -> SavedPolicies:
    """Create or update the province's policies by code (others it has are kept); one audit
    row per policy created or changed."""
    existing = {
        row.code: row
        for row in await session.scalars(
            select(LocalPolicy).where(LocalPolicy.province_id == province_id)
        )
    }
    created = updated = 0
    entries = []
    for policy in policies:
        values = _columns(policy)
        row = existing.get(policy.code)
        if row is None:
            session.add(
                LocalPolicy(province_id=province_id, code=policy.code, updated_at=now, **values)
            )
            created += 1
            action = "policy.create"
        else:
            changed = [key for key in _FIELDS if getattr(row, key) != values[key]]
            if not changed:
                continue
            for key in changed:
                setattr(row, key, values[key])
            row.updated_at = now
            updated += 1
            action = "policy.update"
        entries.append(
            AuditEntry(
                action, "local_policy", f"{province_id}:{policy.code}", {"code": policy.code}
            )
        )
    await session.flush()
    await record_audit(session, actor, entries, now)
    return SavedPolicies(created, updated, len(policies) - created - updated)


async def local_policies(session: AsyncSession, province_ids: Collection[int]) -> list[Policy]:
    """The provinces' own policies, by province then code."""
    if not province_ids:
        return []
    rows = await session.execute(
        select(LocalPolicy, AdminUnit.name)
        .join(AdminUnit, AdminUnit.id == LocalPolicy.province_id)
        .where(LocalPolicy.province_id.in_(province_ids))
        .order_by(AdminUnit.name, LocalPolicy.code)
    )
    return [_policy(row, name) for row, name in rows.all()]


async def provinces_with_policies(session: AsyncSession) -> list[int]:
    """The provinces that have imported policies of their own."""
    rows = await session.scalars(select(LocalPolicy.province_id).distinct())
    return list(rows)


def provinces_of(access: Access) -> set[int]:
    """The provinces the person's grants lie in (a unit path starts with its province id)."""
    return {int(grant.unit_path.split("/")[1]) for grant in access.grants if grant.unit_path}


async def catalogue_for(session: AsyncSession, access: Access) -> tuple[Policy, ...]:
    """The national catalogue, then the own policies of the person's provinces."""
    return (*load_policies(), *await local_policies(session, provinces_of(access)))
