"""Who may see what: the admin-unit subtrees a user's role grants cover.

A grant (not revoked) on a unit covers that unit and everything below it. Every query that
shows households or units to a person filters by :func:`households_in_scope` or
:func:`units_in_scope`, so a cadre of one commune never finds a household of another.
Households carry the id of each ancestor level, so the household filter is a plain indexed
comparison per grant rather than a join on the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from poverty.text import normalize_phone
from storage.models import AdminUnit, Household, Identity, RoleGrant, User

PHONE_CHANNELS = ("sms", "console")
"""Channels whose external id may be a phone number matched against ``users.phone``."""


@dataclass(frozen=True)
class Grant:
    """One role over one unit's subtree."""

    role: str
    unit_id: int
    unit_name: str
    unit_level: str
    unit_path: str


@dataclass(frozen=True)
class Access:
    """A user and the grants in force for them."""

    user_id: int
    name: str
    grants: tuple[Grant, ...]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)

    def covers(self, unit_path: str) -> bool:
        """Whether the unit with ``unit_path`` lies in a granted subtree."""
        return any(unit_path.startswith(g.unit_path) for g in self.grants)

    def scope(self) -> tuple[Grant, ...]:
        """The grants whose subtree is not already inside another grant's subtree."""
        ordered = sorted(self.grants, key=lambda g: (len(g.unit_path), g.unit_path))
        kept: list[Grant] = []
        for grant in ordered:
            if not any(grant.unit_path.startswith(k.unit_path) for k in kept):
                kept.append(grant)
        return tuple(kept)


@dataclass(frozen=True)
class IdentityLookup:
    """Who writes from a channel identity: their access, or whether they were revoked."""

    access: Access | None
    revoked: bool = False


async def lookup_identity(session: AsyncSession, channel: str, external_id: str) -> IdentityLookup:
    """The user behind ``(channel, external_id)`` with their grants, in one query (every inbound
    message starts here). On SMS and the console a phone number also finds its user."""
    return await session.run_sync(lookup_identity_in, channel, external_id)


def lookup_identity_in(session: Session, channel: str, external_id: str) -> IdentityLookup:
    """:func:`lookup_identity` in a synchronous session."""
    params = {"channel": channel, "external_id": external_id}
    rows = session.execute(_BY_IDENTITY, params).all()
    return lookup_from_rows_in(session, channel, external_id, rows)


def lookup_from_rows_in(
    session: Session, channel: str, external_id: str, rows: Sequence[Any]
) -> IdentityLookup:
    """The sender, from the rows of :func:`grants_query` for their identity (none when it is
    unknown); on SMS and the console a phone number also finds its user."""
    found = _lookup(rows)
    if found is None and channel in PHONE_CHANNELS:
        phone = normalize_phone(external_id)
        if phone is not None:
            found = _lookup(session.execute(grants_query(_USERS.c.phone == phone)).all())
    return found or IdentityLookup(None)


async def access_for_identity(
    session: AsyncSession, channel: str, external_id: str
) -> Access | None:
    """The access of whoever writes from ``(channel, external_id)``; None for strangers and
    revoked users."""
    return (await lookup_identity(session, channel, external_id)).access


async def access_for_user(session: AsyncSession, user_id: int) -> Access | None:
    """The user's name and grants in force; None when the user is unknown or revoked."""
    found = await _user_with_grants(session, _USERS.c.id == user_id)
    return found.access if found else None


_USERS = cast(Table, User.__table__)
IDENTITIES = cast(Table, Identity.__table__)
GRANTS = cast(Table, RoleGrant.__table__)
_UNITS = cast(Table, AdminUnit.__table__)


def grants_query(
    condition: ColumnElement[bool], *, via_identity: bool = False
) -> Select[*tuple[Any, ...]]:
    """One row per grant in force (one row with no grant when there is none): the user's id,
    name and revocation, then the grant's role and unit (id, name, level, path). Core columns
    of the tables, not ORM attributes: no ORM loading for a query every message runs."""
    query = select(
        _USERS.c.id, _USERS.c.name, _USERS.c.revoked_at, GRANTS.c.role,
        _UNITS.c.id, _UNITS.c.name, _UNITS.c.level, _UNITS.c.path,
    ).select_from(_USERS)  # fmt: skip
    if via_identity:
        query = query.join(IDENTITIES, IDENTITIES.c.user_id == _USERS.c.id)
    return (
        query.outerjoin(
            GRANTS, and_(GRANTS.c.user_id == _USERS.c.id, GRANTS.c.revoked_at.is_(None))
        )
        .outerjoin(_UNITS, _UNITS.c.id == GRANTS.c.unit_id)
        .where(condition)
        .order_by(GRANTS.c.id)
    )


_BY_IDENTITY = grants_query(
    and_(
        IDENTITIES.c.channel == bindparam("channel"),
        IDENTITIES.c.external_id == bindparam("external_id"),
    ),
    via_identity=True,
)
"""Built once: it runs on every inbound message."""


async def _user_with_grants(
    session: AsyncSession, condition: ColumnElement[bool]
) -> IdentityLookup | None:
    return _lookup((await session.execute(grants_query(condition))).all())


def _lookup(rows: Sequence[Any]) -> IdentityLookup | None:
    if not rows:
        return None
    user_id, name, revoked_at = rows[0][:3]
    if revoked_at is not None:
        return IdentityLookup(None, revoked=True)
    grants = tuple(
        Grant(role, unit_id, unit_name, level, path)
        for _, _, _, role, unit_id, unit_name, level, path in rows
        if role is not None
    )
    return IdentityLookup(Access(user_id, name, grants))


_LEVEL_COLUMNS = {
    "province": Household.province_id,
    "district": Household.district_id,
    "commune": Household.commune_id,
    "village": Household.village_id,
}


def households_in_unit(level: str, unit_id: int) -> ColumnElement[bool]:
    """A WHERE clause keeping the households of one unit's subtree."""
    return _LEVEL_COLUMNS[level] == unit_id


def households_in_scope(access: Access) -> ColumnElement[bool]:
    """A WHERE clause keeping only households inside the user's granted subtrees."""
    clauses = [_LEVEL_COLUMNS[g.unit_level] == g.unit_id for g in access.scope()]
    return or_(*clauses) if clauses else false()


def units_in_scope(access: Access) -> ColumnElement[bool]:
    """A WHERE clause keeping only admin units inside the user's granted subtrees."""
    clauses = [AdminUnit.path.startswith(g.unit_path) for g in access.scope()]
    return or_(*clauses) if clauses else false()
