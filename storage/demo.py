"""Fictional demo data: one commune with villages, a few thousand households in every status
in the proportions of a real district's plan, two years of official records, a few support
plans and support records, and one demo user of each role. Deterministic, so a demo always
shows the same figures.

Names and numbers are invented; no real household is described.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.classification import PovertyClass
from poverty.standards import Standard, standard_for_year
from storage.audit import Actor
from storage.households import HouseholdRow, SaveResult, save_households
from storage.models import Household
from storage.people import add_identity, create_user, grant_role
from storage.support_ledger import NewSupport, record_support
from storage.support_plans import check_plan, save_plan
from storage.units import find_unit

PROVINCE = "Quảng Trị"
COMMUNE = "Tân Lập"
# (village, share of households, how much poorer than average). Ethnic-minority households
# live in Bản Khe Su.
VILLAGES: tuple[tuple[str, float, float], ...] = (
    ("Thôn Tân Hòa", 0.18, 0.0),
    ("Thôn Phú Hải", 0.16, 0.1),
    ("Thôn An Bình", 0.15, 0.0),
    ("Thôn Đồng Tâm", 0.14, 0.2),
    ("Thôn Xuân Lộc", 0.13, 0.1),
    ("Thôn Cồn Trung", 0.12, 0.3),
    ("Thôn Hưng Phú", 0.10, 0.2),
    ("Bản Khe Su", 0.02, 0.8),
)
MINORITY_VILLAGE = "Bản Khe Su"
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

# The proportions of the Cam Lộ plan (KH 23/KH-UBND of 18/02/2022, Phụ lục 1–2): 14.905
# households, 101 of an ethnic minority, 453 poor (42 of them of an ethnic minority, 345 in the
# BTXH group), 634 near-poor. The demo commune is smaller and keeps these shares.
PLAN_HOUSEHOLDS = 14_905
PLAN_MINORITY = 101
PLAN_POOR = 453
PLAN_MINORITY_POOR = 42
PLAN_POOR_BTXH = 345
PLAN_NEAR_POOR = 634
# Poor households deprived in each indicator (Phụ lục 2, totals), except health insurance: the
# state pays the card of every member of a poor household, so the demo keeps a missing card
# rare (BHYT_MISSING_AMONG_POOR) instead of the plan's census-day figure.
PLAN_POOR_DEPRIVED = {
    "viec_lam": 134,
    "nguoi_phu_thuoc": 231,
    "dinh_duong": 19,
    "giao_duc_nguoi_lon": 46,
    "di_hoc_tre_em": 8,
    "chat_luong_nha_o": 26,
    "dien_tich_nha_o": 60,
    "nuoc_sinh_hoat": 35,
    "nha_tieu": 198,
    "vien_thong": 294,
    "tiep_can_thong_tin": 130,
}
BHYT_MISSING_AMONG_POOR = 0.03
MEDIUM_SHARE = 0.06
"""Households of medium living standard (invented: the plan gives no figure)."""
ESCAPED_SHARE = 0.15
"""Of this year's poor-sized group, how many households were poor last year and left the list."""
FELL_SHARE = 0.08
"""Of this year's poor households, how many were near-poor last year."""

Facts = tuple[int, dict[str, bool]]


def _share(count: int, plan_count: int) -> int:
    return round(count * plan_count / PLAN_HOUSEHOLDS)


def _village_sizes(count: int) -> list[int]:
    """Households per village, adding up to ``count`` exactly."""
    sizes, done, total = [], 0, 0.0
    for _village, share, _hardship in VILLAGES:
        total += share
        upto = round(count * total)
        sizes.append(upto - done)
        done = upto
    return sizes


def _pick(
    rng: random.Random, candidates: Sequence[int], weights: Sequence[float], k: int
) -> set[int]:
    """``k`` of ``candidates`` drawn without replacement, more likely the heavier ones."""
    keyed = sorted(
        ((rng.random() ** (1 / w), c) for c, w in zip(candidates, weights, strict=True)),
        reverse=True,
    )
    return {c for _key, c in keyed[:k]}


def _deprivations(
    rng: random.Random, standard: Standard, status: PovertyClass, hardship: float
) -> dict[str, bool]:
    """Deprivations that fit ``status``: at least the standard's minimum for a poor
    household, fewer for a near-poor one, a few here and there for the others."""
    minimum = standard.min_deprivations
    scale = {"ngheo": 1.0, "can_ngheo": 0.6}.get(status, 0.15) * (1 + hardship / 2)
    rates = {code: n / PLAN_POOR * scale for code, n in PLAN_POOR_DEPRIVED.items()}
    rates["bhyt"] = BHYT_MISSING_AMONG_POOR if status == "ngheo" else 0.02
    while True:
        # An indicator the plan does not count (a later standard's) is drawn at 10 %.
        found = {
            code: rng.random() < min(rates.get(code, 0.1 * scale), 0.95) for code in standard.codes
        }
        count = sum(found.values())
        if (status == "ngheo") == (count >= minimum):
            return found


def _income(rng: random.Random, standard: Standard, status: PovertyClass) -> int:
    """Income per person per month (đồng) inside the band of ``status``, in steps of 10.000."""
    lines = standard.income_lines["nong_thon"]
    medium = lines.medium_upper or lines.poverty
    bands = {
        "ngheo": (500_000, lines.poverty),
        "can_ngheo": (800_000, lines.poverty),
        "trung_binh": (lines.poverty + 10_000, medium),
    }
    if status in bands:
        low, high = bands[status]
        return rng.randrange(low, high + 1, 10_000) // 10_000 * 10_000
    # Above the medium band: skewed, most a little above it, a few well off.
    income = medium + int(rng.lognormvariate(14.6, 0.7))
    return min(income, 15_000_000) // 10_000 * 10_000


def _facts(rng: random.Random, standard: Standard, status: PovertyClass, hardship: float) -> Facts:
    return _income(rng, standard, status), _deprivations(rng, standard, status, hardship)


def _statuses(
    rng: random.Random, villages: Sequence[str], minority: Sequence[bool]
) -> list[PovertyClass]:
    """This year's status of each household, in the plan's proportions; poorer villages and
    ethnic-minority households are more likely to be poor."""
    count = len(villages)
    hardship = {name: h for name, _share, h in VILLAGES}
    weights = [1 + 3 * hardship[v] for v in villages]
    statuses: list[PovertyClass] = ["khong"] * count
    minority_ids = [i for i in range(count) if minority[i]]
    poor = _pick(rng, minority_ids, [1.0] * len(minority_ids), _share(count, PLAN_MINORITY_POOR))
    others = [i for i in range(count) if not minority[i]]
    poor |= _pick(rng, others, [weights[i] for i in others], _share(count, PLAN_POOR) - len(poor))
    rest = [i for i in range(count) if i not in poor]
    near = _pick(rng, rest, [weights[i] for i in rest], _share(count, PLAN_NEAR_POOR))
    rest = [i for i in rest if i not in near]
    medium = _pick(rng, rest, [weights[i] for i in rest], round(count * MEDIUM_SHARE))
    for i in poor:
        statuses[i] = "ngheo"
    for i in near:
        statuses[i] = "can_ngheo"
    for i in medium:
        statuses[i] = "trung_binh"
    return statuses


def demo_households(count: int, year: int, seed: int = 2026) -> list[HouseholdRow]:
    """``count`` households of the demo commune with their official status of ``year``, in the
    Cam Lộ plan's proportions; the facts of each (income, deprivations) fit its status."""
    return demo_years(count, (year,), seed)[year]


def demo_years(count: int, years: Sequence[int], seed: int = 2026) -> dict[int, list[HouseholdRow]]:
    """The demo commune's official records for each of ``years`` (ascending): the last year in
    the plan's proportions; in each earlier year some of its poor households were poor one year
    before (newly escaped since), and some of its poor were near-poor."""
    rng = random.Random(seed)
    villages = [
        v
        for (v, _s, _h), size in zip(VILLAGES, _village_sizes(count), strict=True)
        for _ in range(size)
    ]
    in_minority_village = [i for i, v in enumerate(villages) if v == MINORITY_VILLAGE]
    minority_ids = set(in_minority_village[: _share(count, PLAN_MINORITY)])
    minority = [i in minority_ids for i in range(count)]
    hardship = {name: h for name, _share, h in VILLAGES}
    members = [max(1, min(12, round(rng.gauss(3.8 + hardship[v], 1.4)))) for v in villages]
    names = [rng.choice(MINORITY_NAMES) if m else _name(rng) for m in minority]
    by_year: dict[int, list[HouseholdRow]] = {}
    statuses = _statuses(rng, villages, minority)
    for position, year in enumerate(sorted(years, reverse=True)):
        if position:
            statuses = _year_before(rng, statuses)
        standard = standard_for_year(year)
        rows = []
        has_medium = standard.income_lines["nong_thon"].medium_upper is not None
        for i, status in enumerate(statuses):
            if status == "trung_binh" and not has_medium:
                status = "khong"  # a standard without a medium-living band
            income, deprivations = _facts(rng, standard, status, hardship[villages[i]])
            rows.append(
                HouseholdRow(
                    code=f"TL{i + 1:05d}",
                    head_name=names[i],
                    province=PROVINCE,
                    commune=COMMUNE,
                    village=villages[i],
                    members=members[i],
                    ethnic_minority=minority[i],
                    status=status,
                    poor_group=_group(rng, status, members[i]),
                    year=year,
                    income_per_person=income,
                    deprivations=deprivations,
                    mentor_phone=None,
                )
            )
        by_year[year] = rows
    return dict(sorted(by_year.items()))


def _year_before(rng: random.Random, statuses: Sequence[PovertyClass]) -> list[PovertyClass]:
    """The statuses one year earlier: some of today's near-poor and medium households were
    poor (they escaped since), some of today's poor were near-poor (they fell)."""
    before = list(statuses)
    poor = [i for i, s in enumerate(statuses) if s == "ngheo"]
    climbed = [i for i, s in enumerate(statuses) if s in ("can_ngheo", "trung_binh")]
    for i in rng.sample(climbed, min(len(climbed), round(len(poor) * ESCAPED_SHARE))):
        before[i] = "ngheo"
    for i in rng.sample(poor, round(len(poor) * FELL_SHARE)):
        before[i] = "can_ngheo"
    return before


def _group(rng: random.Random, status: PovertyClass, members: int) -> str | None:
    """BTXH (no labour capacity) or CSGN, in the plan's share of BTXH among poor households."""
    if status not in ("ngheo", "can_ngheo"):
        return None
    btxh = PLAN_POOR_BTXH / PLAN_POOR
    if members <= 2:
        btxh = min(1.0, btxh + 0.15)
    return "bao_tro_xa_hoi" if rng.random() < btxh else "chinh_sach_giam_ngheo"


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


# Support plans for the first poor households: (group, causes, escape target years ahead).
PLANS: tuple[tuple[str, tuple[str, ...], int | None], ...] = (
    ("b", ("thieu_von", "thieu_phuong_tien"), 1),
    ("a", ("om_dau", "thieu_lao_dong"), None),
    ("b", ("thieu_ky_nang",), 2),
    ("c", ("te_nan",), None),
    ("b", ("thieu_dat", "dong_nguoi_phu_thuoc"), 2),
    ("a", ("thieu_lao_dong",), None),
)
# Support given this year: (policy code, amount in đồng or None, day of the year's month).
SUPPORT: tuple[tuple[str, int | None, int], ...] = (
    ("bhyt", None, 1),
    ("vay_ho_ngheo", 50_000_000, 3),
    ("tien_dien", None, 2),
    ("nha_o", 40_000_000, 6),
    ("vay_nuoc_sach_ve_sinh", 20_000_000, 5),
    ("sinh_ke", 5_000_000, 4),
)


async def _add_plans_and_support(
    session: AsyncSession, rows: Sequence[HouseholdRow], year: int, now: datetime
) -> None:
    """A few support plans and support records for the first poor households."""
    poor = [row.code for row in rows if row.status == "ngheo"][: 2 * len(SUPPORT) + 1]
    found = await session.execute(
        select(Household.code, Household.id).where(Household.code.in_(poor))
    )
    ids = {code: household_id for code, household_id in found.all()}
    for code, (group, causes, ahead) in zip(poor, PLANS, strict=False):
        changes: dict[str, object] = {"group_code": group, "causes": list(causes)}
        if ahead is not None:
            changes["target_year"] = year + ahead
        await save_plan(session, ids[code], check_plan(changes, "ngheo"), DEMO_ACTOR, now)
    for code, (policy, amount, month) in zip(poor[1:], SUPPORT * 2, strict=False):
        support = NewSupport(ids[code], date(year, month, 15), policy_code=policy, amount=amount)
        await record_support(session, support, DEMO_ACTOR, "console", now)


async def create_demo_data(
    session: AsyncSession, now: datetime, year: int, households: int = 3000, *, tz: tzinfo
) -> SaveResult:
    """Households with the official records of last year and ``year``, units, demo users, a
    few support plans and support records, in one transaction (the caller commits); ``tz`` is
    the people's time zone."""
    by_year = demo_years(households, (year - 1, year))
    mentor = next(u for u in DEMO_USERS if u.role == "mentor")
    rows = with_mentor(by_year[year], mentor.phone, 20)
    people = {}
    for user in DEMO_USERS:
        people[user.key] = await create_user(session, user.name, user.phone, DEMO_ACTOR, now)
        await add_identity(session, people[user.key].id, "console", user.key, now)
    result = await save_households(
        session, by_year[year - 1], DEMO_ACTOR, now, tz=tz, default_year=year - 1
    )
    result += await save_households(session, rows, DEMO_ACTOR, now, tz=tz, default_year=year)
    await _add_plans_and_support(session, rows, year, now)
    commune = await find_unit(session, f"{PROVINCE} / {COMMUNE}")
    province = await find_unit(session, PROVINCE)
    for user in DEMO_USERS:
        scope = province if user.role == "admin" else commune
        await grant_role(session, people[user.key].id, user.role, scope.id, DEMO_ACTOR, now)
    return result
