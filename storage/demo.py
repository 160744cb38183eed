"""Fictional demo data: one commune with villages, a few thousand households in every status,
and one demo user of each role. Deterministic, so a demo always shows the same figures.

Names and numbers are invented; no real household is described.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.classification import PovertyClass, classify
from poverty.standards import Standard, standard_for_year
from storage.audit import Actor
from storage.households import HouseholdRow, SaveResult, save_households
from storage.models import Household
from storage.people import add_identity, create_user, grant_role
from storage.units import find_unit

PROVINCE = "Quảng Trị"
COMMUNE = "Tân Lập"
# (village, share of households, ethnic-minority share, how much poorer than average)
VILLAGES: tuple[tuple[str, float, float, float], ...] = (
    ("Thôn Tân Hòa", 0.17, 0.0, 0.0),
    ("Thôn Phú Hải", 0.15, 0.0, 0.1),
    ("Thôn An Bình", 0.14, 0.0, 0.0),
    ("Thôn Đồng Tâm", 0.13, 0.02, 0.2),
    ("Thôn Xuân Lộc", 0.12, 0.0, 0.1),
    ("Thôn Cồn Trung", 0.11, 0.0, 0.3),
    ("Bản Khe Su", 0.10, 0.85, 0.7),
    ("Bản Ra Ly", 0.08, 0.9, 0.8),
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Xuân")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hòa",
    "Hùng",
    "Lan",
    "Linh",
    "Lộc",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quế",
    "Sơn",
    "Tâm",
    "Thảo",
    "Tuấn",
    "Vân",
    "Xuân",
    "Yến",
)
MINORITY_NAMES = (
    "Hồ Văn Pả",
    "Hồ Thị Xoan",
    "Pả Kiêng",
    "Quỳnh Vinh",
    "Hồ Văn Liêm",
    "Pi Ra Ly",
    "Hồ Thị Đạo",
    "Kăn Tr",
    "Hồ Văn Bòn",
    "Ăm Sơn",
)
# How often each indicator is deprived among households at or below the income line (share).
DEPRIVATION_RATES = {
    "viec_lam": 0.30,
    "nguoi_phu_thuoc": 0.45,
    "dinh_duong": 0.05,
    "bhyt": 0.55,
    "giao_duc_nguoi_lon": 0.10,
    "di_hoc_tre_em": 0.03,
    "chat_luong_nha_o": 0.08,
    "dien_tich_nha_o": 0.12,
    "nuoc_sinh_hoat": 0.10,
    "nha_tieu": 0.40,
    "vien_thong": 0.55,
    "tiep_can_thong_tin": 0.28,
}


@dataclass(frozen=True)
class DemoUser:
    key: str
    name: str
    phone: str
    role: str


DEMO_USERS = (
    DemoUser("admin", "Quản trị tỉnh (mẫu)", "+84900000001", "admin"),
    DemoUser("manager", "Lãnh đạo xã (mẫu)", "+84900000002", "manager"),
    DemoUser("cadre", "Cán bộ thôn (mẫu)", "+84900000003", "cadre"),
    DemoUser("mentor", "Người đỡ đầu (mẫu)", "+84900000004", "mentor"),
)
DEMO_ACTOR = Actor("cli:demo-data")


def demo_households(count: int, year: int, seed: int = 2026) -> list[HouseholdRow]:
    """``count`` believable households of the demo commune, classified with the year's standard."""
    rng = random.Random(seed)
    standard = standard_for_year(year)
    rows: list[HouseholdRow] = []
    number = 0
    for village, share, minority_share, hardship in VILLAGES:
        for _ in range(round(count * share)):
            number += 1
            rows.append(_household(rng, standard, year, number, village, minority_share, hardship))
    return rows


def _household(
    rng: random.Random,
    standard: Standard,
    year: int,
    number: int,
    village: str,
    minority_share: float,
    hardship: float,
) -> HouseholdRow:
    minority = rng.random() < minority_share
    members = max(1, min(12, round(rng.gauss(3.8 + hardship, 1.4))))
    # Income per person, skewed: most households well above the line, a poorer tail.
    income = int(rng.lognormvariate(15.05 - 0.55 * hardship, 0.55) // 10_000 * 10_000)
    line = standard.income_lines["nong_thon"].poverty
    is_low = income <= line
    deprivations = {
        code: rng.random() < rate * (1.6 if is_low else 0.3) * (1 + hardship)
        for code, rate in DEPRIVATION_RATES.items()
        if code in standard.codes
    }
    computed = classify(standard, "nong_thon", income, deprivations).result
    status: PovertyClass = computed or "khong"
    # A few households whose approved status differs from the figures (for the warnings).
    if status == "can_ngheo" and rng.random() < 0.04:
        status = "ngheo"
    group = None
    if status in ("ngheo", "can_ngheo"):
        no_labour = (members <= 2 and rng.random() < 0.7) or rng.random() < 0.45
        group = "bao_tro_xa_hoi" if no_labour else "chinh_sach_giam_ngheo"
        if rng.random() < 0.02:
            group = None
    name = rng.choice(MINORITY_NAMES) if minority else _name(rng)
    return HouseholdRow(
        code=f"TL{number:05d}",
        head_name=name,
        province=PROVINCE,
        commune=COMMUNE,
        village=village,
        members=members,
        ethnic_minority=minority,
        status=status,
        poor_group=group,
        year=year,
        income_per_person=income,
        deprivations=deprivations,
        mentor_phone=None,
    )


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def with_mentor(rows: Sequence[HouseholdRow], phone: str, how_many: int) -> list[HouseholdRow]:
    """Give the demo mentor the first ``how_many`` poor households."""
    result: list[HouseholdRow] = []
    left = how_many
    for row in rows:
        if left and row.status == "ngheo":
            row = HouseholdRow(**{**row.__dict__, "mentor_phone": phone})
            left -= 1
        result.append(row)
    return result


async def has_households(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Household)))


async def create_demo_data(
    session: AsyncSession, now: datetime, year: int, households: int = 3000, *, tz: tzinfo
) -> SaveResult:
    """Households, units and demo users in one transaction (the caller commits); ``tz`` is
    the people's time zone."""
    rows = demo_households(households, year)
    mentor = next(u for u in DEMO_USERS if u.role == "mentor")
    rows = with_mentor(rows, mentor.phone, 20)
    people = {}
    for user in DEMO_USERS:
        people[user.key] = await create_user(session, user.name, user.phone, DEMO_ACTOR, now)
        await add_identity(session, people[user.key].id, "console", user.key, now)
    result = await save_households(session, rows, DEMO_ACTOR, now, tz=tz, default_year=year)
    commune = await find_unit(session, f"{PROVINCE} / {COMMUNE}")
    province = await find_unit(session, PROVINCE)
    for user in DEMO_USERS:
        scope = province if user.role == "admin" else commune
        await grant_role(session, people[user.key].id, user.role, scope.id, DEMO_ACTOR, now)
    return result
