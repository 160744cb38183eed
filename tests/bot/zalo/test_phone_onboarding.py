"""Onboarding by phone on Zalo: a follower is asked to share their number; a number an invite
names, or a known user's, links the Zalo account without a code; typing the code still works;
an unknown number gets a polite note."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.flows import registered_flows
from bot.flows.flow import Flow
from storage.audit import Actor
from storage.invites import create_invite
from storage.models import Identity, Invite, RoleGrant, User
from storage.units import find_unit
from tests.bot.conftest import Area
from tests.bot.zalo.conftest import CADRE, Harness, Sessions, other_event, shared_event

NEWCOMER = "246845883529197931"
MENU = "Anh/chị muốn làm gì?"


@pytest.fixture
def flows() -> list[Flow]:
    return registered_flows()


async def invite(sessions: Sessions, zalo: Harness, role: str, phone: str | None) -> str:
    async with sessions() as session, session.begin():
        unit = await find_unit(session, "Tân Lập")
        created = await create_invite(
            session, role, unit, Actor("test"), zalo.clock.now, timedelta(days=7), phone
        )
    return created.code


async def share(zalo: Harness, user: str, phone: str, name: str = "Hồ Thị Lan") -> list[str]:
    before = len(zalo.fake.to(user))
    assert await zalo.post(shared_event(user, phone, name, zalo.clock.now)) == 200
    await zalo.settle()
    return [sent.text for sent in zalo.fake.to(user)[before:]]


async def zalo_owner(sessions: Sessions, user: str) -> User | None:
    async with sessions() as session:
        return await session.scalar(
            select(User)
            .join(Identity)
            .where(Identity.channel == "zalo", Identity.external_id == user)
        )


async def test_sharing_the_number_an_invite_names_registers_without_a_code(
    zalo: Harness, sessions: Sessions
) -> None:
    await invite(sessions, zalo, "mentor", "0912 000 111")
    assert await zalo.post(other_event("follow", NEWCOMER, zalo.clock.now)) == 200
    await zalo.settle()
    assert zalo.fake.to(NEWCOMER)[-1].template_type == "request_user_info"

    welcome, menu = await share(zalo, NEWCOMER, "84912000111")

    assert welcome == (
        "Chào mừng Hồ Thị Lan! Số điện thoại của anh/chị khớp với lời mời của xã: anh/chị được "
        "cấp quyền người đỡ đầu cho địa bàn Tân Lập. Mọi tra cứu chỉ trong địa bàn này."
    )
    assert menu.startswith(MENU)
    user = await zalo_owner(sessions, NEWCOMER)
    assert user is not None
    assert (user.name, user.phone) == ("Hồ Thị Lan", "+84912000111")
    async with sessions() as session:
        used = await session.scalar(select(Invite.used_by_user_id))
        roles = (
            await session.scalars(select(RoleGrant.role).where(RoleGrant.user_id == user.id))
        ).all()
    assert used == user.id
    assert list(roles) == ["mentor"]


async def test_a_known_user_sharing_their_number_gets_the_zalo_account_linked(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    recognised, menu = await share(zalo, NEWCOMER, "84912345678")

    assert recognised == (
        "Trợ lý đã nhận ra Người dùng phone_cadre qua số điện thoại; tài khoản Zalo này đã được "
        "liên kết."
    )
    assert menu.startswith(MENU)
    user = await zalo_owner(sessions, NEWCOMER)
    assert user is not None
    assert user.id == area.users["phone_cadre"]


async def test_an_unknown_number_gets_a_polite_note_and_no_account(
    zalo: Harness, sessions: Sessions
) -> None:
    [note] = await share(zalo, NEWCOMER, "84987654321")

    assert note.startswith("Cảm ơn anh/chị. Số điện thoại này chưa có trong danh sách của xã.")
    assert "dang ky <mã mời>" in note
    assert await zalo_owner(sessions, NEWCOMER) is None


async def test_a_revoked_users_number_links_nothing(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    async with sessions() as session, session.begin():
        user = await session.get(User, area.users["phone_cadre"])
        assert user is not None
        user.revoked_at = zalo.clock.now

    [note] = await share(zalo, NEWCOMER, "84912345678")

    assert "thu hồi" in note
    assert await zalo_owner(sessions, NEWCOMER) is None


async def test_typing_the_code_still_works_on_zalo(zalo: Harness, sessions: Sessions) -> None:
    code = await invite(sessions, zalo, "cadre", None)

    asked = await zalo.say(NEWCOMER, f"dang ky {code}")
    welcome = await zalo.say(NEWCOMER, "Trần Văn Minh")

    assert "Xin cho biết họ và tên" in asked[0]
    assert welcome[0].startswith("Chào mừng Trần Văn Minh!")
    user = await zalo_owner(sessions, NEWCOMER)
    assert user is not None
    assert user.name == "Trần Văn Minh"


async def test_a_known_follower_is_not_asked_to_share(zalo: Harness) -> None:
    assert await zalo.post(other_event("follow", CADRE, zalo.clock.now)) == 200
    await zalo.settle()

    assert [s.template_type for s in zalo.fake.to(CADRE)] == [None]


async def test_an_identity_of_one_user_is_never_moved_to_another_by_a_number(
    zalo: Harness, sessions: Sessions, area: Area
) -> None:
    [note] = await share(zalo, CADRE, "84912345678")

    assert note.startswith("Cảm ơn anh/chị.")
    owner = await zalo_owner(sessions, CADRE)
    assert owner is not None
    assert owner.id == area.users["cadre"]
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Identity).where(Identity.external_id == CADRE)
        )
    assert count == 1
