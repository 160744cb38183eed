"""Invite codes: how a person gets a role over an area without anyone typing their details.

An administrator creates an invite (role + unit + expiry) and passes the code on; whoever sends
it from a chat app becomes a user with that role over that unit's subtree. Codes are 10
characters from an alphabet without look-alikes (no ``0/O``, ``1/I/L``), about 50 bits of
chance, so guessing one in its seven days is hopeless. Only the SHA-256 of a code is stored:
the table never holds a code that still works, and the code is shown once, at creation.

Using a code marks it used in the same transaction that creates the user, the identity and the
role grant (with audit rows), with a conditional UPDATE, so two people racing with one code
cannot both get in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.errors import InvalidInputError
from poverty.i18n import N_
from poverty.text import normalize_phone
from storage.access import PHONE_CHANNELS
from storage.audit import Actor, AuditEntry, record_audit
from storage.models import ROLES, AdminUnit, Identity, Invite, User
from storage.people import add_identity, create_user, grant_role
from storage.units import Unit

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
DEFAULT_VALIDITY = timedelta(days=7)
Role = Literal["admin", "manager", "cadre", "mentor"]
InviteProblem = Literal["unknown", "used", "expired", "revoked"]

UNKNOWN_ROLE = N_("Vai trò “{role}” không có. Chọn một trong: {roles}.")
BAD_PHONE = N_("Số điện thoại “{phone}” không đúng; ví dụ: 0912345678.")


@dataclass(frozen=True)
class CreatedInvite:
    """A new invite with its code in clear, to be shown once."""

    id: int
    code: str
    role: str
    unit: Unit
    expires_at: datetime
    phone: str | None = None


@dataclass(frozen=True)
class PendingInvite:
    """A valid invite found by its code: what the holder would get."""

    id: int
    role: str
    unit_id: int
    unit_name: str
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    """The result of using a code: the user (new or existing) and what was granted."""

    user_id: int
    name: str
    role: str
    unit_name: str
    is_new_user: bool


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What people type or the deep link carries: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("ascii", "ignore")).hexdigest()


def looks_like_code(text: str) -> bool:
    code = normalize_code(text)
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


async def create_invite(
    session: AsyncSession,
    role: str,
    unit: Unit,
    actor: Actor,
    now: datetime,
    validity: timedelta = DEFAULT_VALIDITY,
    phone: str | None = None,
) -> CreatedInvite:
    """A new single-use invite; the audit row names the role and unit, never the code. With
    ``phone`` the invited person can also use it by sharing that number from Zalo
    (:func:`link_by_phone`)."""
    if role not in ROLES:
        raise InvalidInputError(UNKNOWN_ROLE, role=role, roles=", ".join(ROLES))
    number = None
    if phone is not None:
        number = normalize_phone(phone)
        if number is None:
            raise InvalidInputError(BAD_PHONE, phone=phone)
    code = new_code()
    invite = Invite(
        code_hash=code_hash(code),
        role=role,
        unit_id=unit.id,
        created_by_user_id=actor.user_id,
        created_at=now,
        expires_at=now + validity,
        phone=number,
    )
    session.add(invite)
    await session.flush()
    entry = AuditEntry(
        "invite.create", "invite", str(invite.id), {"role": role, "unit_id": unit.id}
    )
    await record_audit(session, actor, [entry], now)
    return CreatedInvite(invite.id, code, role, unit, invite.expires_at, number)


async def find_invite(
    session: AsyncSession, code: str, now: datetime
) -> PendingInvite | InviteProblem:
    """The invite a code opens, or why it does not open one."""
    row = (
        await session.execute(
            select(Invite, AdminUnit.name)
            .join(AdminUnit, AdminUnit.id == Invite.unit_id)
            .where(Invite.code_hash == code_hash(code))
        )
    ).first()
    if row is None:
        return "unknown"
    invite, unit_name = row
    if invite.used_at is not None:
        return "used"
    if invite.expires_at <= now:
        return "expired"
    return PendingInvite(invite.id, invite.role, invite.unit_id, unit_name, invite.expires_at)


async def redeem_invite(
    session: AsyncSession,
    invite_id: int,
    channel: str,
    external_id: str,
    name: str | None,
    now: datetime,
    phone: str | None = None,
) -> Redeemed | InviteProblem:
    """Use the invite ``invite_id`` (found earlier with :func:`find_invite`) for the identity
    ``(channel, external_id)``.

    A stranger becomes a new user named ``name``; an identity that already belongs to a user
    (not revoked) gets the invite's role in addition to the ones it has. On SMS and the console
    the phone number also finds a user created without an identity (an imported mentor). The
    invite is claimed with ``used_at IS NULL`` and the expiry in the WHERE clause, so of two
    concurrent uses only one wins; the caller's transaction then holds everything or nothing.
    ``phone`` is a number the channel vouches for (the one Zalo shares from the person's
    account): it finds a user known by phone like the SMS number does.
    """
    row = (
        await session.execute(
            select(Invite, AdminUnit.name)
            .join(AdminUnit, AdminUnit.id == Invite.unit_id)
            .where(Invite.id == invite_id)
        )
    ).first()
    if row is None:
        return "unknown"
    invite, unit_name = row
    found = PendingInvite(invite.id, invite.role, invite.unit_id, unit_name, invite.expires_at)
    user = await session.scalar(
        select(User)
        .join(Identity, Identity.user_id == User.id)
        .where(Identity.channel == channel, Identity.external_id == external_id)
    )
    if phone is None and channel in PHONE_CHANNELS:
        phone = normalize_phone(external_id)
    by_phone = user is None and phone is not None
    if by_phone:
        # Someone already known by phone (a mentor from an import) joins as that same person.
        user = await session.scalar(select(User).where(User.phone == phone))
    if user is not None and user.revoked_at is not None:
        return "revoked"
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == found.id, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now)
    )
    if not getattr(claimed, "rowcount", 0):
        return "used" if invite.used_at is not None or invite.expires_at > now else "expired"
    actor_label = f"{channel}:invite"
    is_new = user is None
    if user is None:
        person = await create_user(session, name or "", phone, Actor(actor_label), now)
        await add_identity(session, person.id, channel, external_id, now)
        user_id, user_name = person.id, person.name
    else:
        if by_phone:
            await add_identity(session, user.id, channel, external_id, now)
        user_id, user_name = user.id, user.name
    actor = Actor(actor_label, user_id)
    await grant_role(session, user_id, found.role, found.unit_id, actor, now)
    await session.execute(
        update(Invite).where(Invite.id == found.id).values(used_by_user_id=user_id)
    )
    entry = AuditEntry("invite.use", "invite", str(found.id), {"user_id": user_id})
    await record_audit(session, actor, [entry], now)
    return Redeemed(user_id, user_name, found.role, found.unit_name, is_new)


@dataclass(frozen=True)
class Linked:
    """A chat identity linked by a shared phone number: the user, and the roles the invites
    naming that number gave (none when the number was simply a known user's)."""

    user_id: int
    name: str
    granted: tuple[Redeemed, ...]
    is_new_user: bool


async def link_by_phone(
    session: AsyncSession,
    channel: str,
    external_id: str,
    phone: str,
    name: str | None,
    now: datetime,
) -> Linked | Literal["unknown", "revoked"]:
    """Link ``(channel, external_id)`` to the person whose number the channel vouches for.

    Every valid invite naming the number is used (the first creates the user when nobody has
    the number yet); without one, a user already known by the number (an imported mentor, a
    cadre registered by SMS) gets the identity. "unknown" when neither exists, "revoked" when
    the number's user lost access. The identity is never moved away from another user."""
    number = normalize_phone(phone)
    if number is None:
        return "unknown"
    owner = await session.scalar(
        select(User)
        .join(Identity, Identity.user_id == User.id)
        .where(Identity.channel == channel, Identity.external_id == external_id)
    )
    known = await session.scalar(select(User).where(User.phone == number))
    if known is not None and known.revoked_at is not None:
        return "revoked"
    if owner is not None and known is not None and owner.id != known.id:
        return "unknown"
    invites = (
        await session.scalars(
            select(Invite.id)
            .where(Invite.phone == number, Invite.used_at.is_(None), Invite.expires_at > now)
            .order_by(Invite.id)
        )
    ).all()
    granted: list[Redeemed] = []
    for invite_id in invites:
        result = await redeem_invite(session, invite_id, channel, external_id, name, now, number)
        if isinstance(result, Redeemed):
            granted.append(result)
    if granted:
        first = granted[0]
        return Linked(first.user_id, first.name, tuple(granted), first.is_new_user)
    if owner is not None:
        return Linked(owner.id, owner.name, (), False)
    if known is None:
        return "unknown"
    await add_identity(session, known.id, channel, external_id, now)
    entry = AuditEntry("identity.link", "user", str(known.id), {"channel": channel})
    await record_audit(session, Actor(f"{channel}:phone", known.id), [entry], now)
    return Linked(known.id, known.name, (), False)
