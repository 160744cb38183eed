"""The figures of the support-plan summary for one unit and year.

Households by group and by cause (poor and near-poor ones), support delivered by policy in the
year (households and amounts), mentored vs unmentored households and the kinds of mentor,
escape targets of the year vs actual escapes, newly escaped households under watch (and those
whose last check shows a risk), and re-poverty in the year. Optional filters keep only the
households of an ethnic group or with people with merit. Everything is limited to the unit's
subtree, which the caller has already checked against the user's grants.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, String, and_, cast, extract, select
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.escape_watch import watch_on
from poverty.support_plans import load_support_lists
from poverty.text import fold
from storage.access import Access, Grant, households_in_scope
from storage.escape_watch import histories
from storage.models import (
    EscapeCheck,
    Household,
    HouseholdHelper,
    HouseholdPlan,
    MentorAssignment,
    OfficialRecord,
    SupportRecord,
)
from storage.units import Unit

POOR = ("ngheo", "can_ngheo")
OTHER_PROGRAMME = "khac"
"""Key of support recorded by name outside the catalogue."""
ANY_MERIT = "*"


def unit_households(unit: Unit) -> ColumnElement[bool]:
    """Households inside ``unit``'s subtree (the same filter a grant on it gives)."""
    grant = Grant("manager", unit.id, unit.name, unit.level, unit.path)
    return households_in_scope(Access(0, "", (grant,)))


@dataclass(frozen=True)
class Filters:
    """``ethnic_group`` matched after folding; ``merit`` a category code or ``*`` for any."""

    ethnic_group: str | None = None
    merit: str | None = None

    @property
    def active(self) -> bool:
        return self.ethnic_group is not None or self.merit is not None

    def keeps(self, plan: HouseholdPlan | None) -> bool:
        if not self.active:
            return True
        if plan is None:
            return False
        if self.ethnic_group is not None and fold(plan.ethnic_group or "") != fold(
            self.ethnic_group
        ):
            return False
        if self.merit is not None:
            merits = plan.merit_categories or []
            return bool(merits) if self.merit == ANY_MERIT else self.merit in merits
        return True


@dataclass(frozen=True)
class PolicyLine:
    key: str
    """A policy code, or :data:`OTHER_PROGRAMME`."""
    households: int
    records: int
    amount: int


@dataclass
class SupportSummary:
    year: int
    today: date
    filters: Filters = field(default_factory=Filters)
    poor: int = 0
    near_poor: int = 0
    by_group: dict[str | None, int] = field(default_factory=dict)
    by_cause: dict[str, int] = field(default_factory=dict)
    support: list[PolicyLine] = field(default_factory=list)
    supported_households: int = 0
    support_amount: int = 0
    mentored: int = 0
    unmentored: int = 0
    by_mentor_kind: dict[str, int] = field(default_factory=dict)
    """Kind code (``doan_the:<organisation>`` for a mass organisation; ``""`` not recorded)."""
    helped: int = 0
    """Poor and near-poor households with at least one helper beside the mentor."""
    helpers: int = 0
    """Helpers of those households (several may help one)."""
    targets: int = 0
    targets_met: int = 0
    escaped: int = 0
    under_watch: int = 0
    at_risk: int = 0
    repoverty: int = 0
    poor_ethnic: dict[str, int] = field(default_factory=dict)
    poor_with_merit: int = 0
    unmentored_codes: list[str] = field(default_factory=list)


async def support_summary(
    session: AsyncSession, unit: Unit, year: int, today: date, filters: Filters | None = None
) -> SupportSummary:
    filters = filters or Filters()
    lists = load_support_lists()
    in_unit = unit_households(unit)
    households = {
        hid: (code, status)
        for hid, code, status in await session.execute(
            select(Household.id, Household.code, Household.official_status).where(in_unit)
        )
    }
    plans = {
        plan.household_id: plan
        for plan in await session.scalars(
            select(HouseholdPlan)
            .join(Household, Household.id == HouseholdPlan.household_id)
            .where(in_unit)
        )
    }
    kept = {hid for hid in households if filters.keeps(plans.get(hid))}
    poor = sorted(
        (hid for hid in kept if households[hid][1] in POOR), key=lambda h: households[h][0]
    )
    summary = SupportSummary(year, today, filters)
    summary.poor = sum(1 for hid in poor if households[hid][1] == "ngheo")
    summary.near_poor = len(poor) - summary.poor
    groups: Counter[str | None] = Counter()
    causes: Counter[str] = Counter()
    ethnic: Counter[str] = Counter()
    for hid in poor:
        plan = plans.get(hid)
        groups[plan.group_code if plan else None] += 1
        for cause in plan.causes if plan else ():
            causes[cause] += 1
        if plan and plan.ethnic_group:
            ethnic[plan.ethnic_group] += 1
        if plan and plan.merit_categories:
            summary.poor_with_merit += 1
    summary.targets = sum(
        1 for hid in kept if (plan := plans.get(hid)) is not None and plan.target_year == year
    )
    order = [g.code for g in lists.groups]
    summary.by_group = {g: groups[g] for g in [*order, None] if groups[g]}
    cause_order = [c.code for c in lists.causes]
    summary.by_cause = {c: causes[c] for c in cause_order if causes[c]}
    summary.poor_ethnic = dict(sorted(ethnic.items(), key=lambda item: (-item[1], item[0])))
    await _mentors(session, in_unit, poor, households, summary)
    await _support(session, in_unit, year, kept, summary)
    await _escapes(session, in_unit, year, today, kept, plans, summary)
    return summary


async def _mentors(
    session: AsyncSession,
    in_unit: ColumnElement[bool],
    poor: list[int],
    households: dict[int, tuple[str, str | None]],
    summary: SupportSummary,
) -> None:
    rows = await session.execute(
        select(
            MentorAssignment.household_id,
            MentorAssignment.mentor_kind,
            MentorAssignment.organisation,
        )
        .join(Household, Household.id == MentorAssignment.household_id)
        .where(in_unit, MentorAssignment.valid_to.is_(None))
    )
    kinds = {
        household_id: f"{kind}:{organisation}" if organisation else kind
        for household_id, kind, organisation in rows
    }
    mentored = [hid for hid in poor if hid in kinds]
    summary.mentored = len(mentored)
    summary.unmentored = len(poor) - len(mentored)
    summary.unmentored_codes = [households[hid][0] for hid in poor if hid not in kinds]
    counted: Counter[str] = Counter(kinds[hid] or "" for hid in mentored)
    summary.by_mentor_kind = dict(sorted(counted.items()))
    helped: Counter[int] = Counter(
        await session.scalars(
            select(HouseholdHelper.household_id)
            .join(Household, Household.id == HouseholdHelper.household_id)
            .where(in_unit, HouseholdHelper.valid_to.is_(None))
        )
    )
    summary.helped = sum(1 for hid in poor if hid in helped)
    summary.helpers = sum(helped[hid] for hid in poor)


async def _support(
    session: AsyncSession,
    in_unit: ColumnElement[bool],
    year: int,
    kept: set[int],
    summary: SupportSummary,
) -> None:
    rows = await session.execute(
        select(SupportRecord.household_id, SupportRecord.policy_code, SupportRecord.amount)
        .join(Household, Household.id == SupportRecord.household_id)
        .where(and_(in_unit, extract("year", SupportRecord.given_on) == year))
    )
    households: dict[str, set[int]] = defaultdict(set)
    records: Counter[str] = Counter()
    amounts: Counter[str] = Counter()
    everyone: set[int] = set()
    for hid, code, amount in rows:
        if hid not in kept:
            continue
        key = code or OTHER_PROGRAMME
        households[key].add(hid)
        records[key] += 1
        amounts[key] += amount or 0
        everyone.add(hid)
    summary.support = sorted(
        (PolicyLine(k, len(households[k]), records[k], amounts[k]) for k in households),
        key=lambda line: (-line.amount, -line.households, line.key),
    )
    summary.supported_households = len(everyone)
    summary.support_amount = sum(amounts.values())


async def _escapes(
    session: AsyncSession,
    in_unit: ColumnElement[bool],
    year: int,
    today: date,
    kept: set[int],
    plans: dict[int, HouseholdPlan],
    summary: SupportSummary,
) -> None:
    watch = load_support_lists().escape_watch
    watched: list[int] = []
    for history in await histories(session, in_unit):
        if history.household_id not in kept:
            continue
        if history.escape_year == year:
            summary.escaped += 1
            plan = plans.get(history.household_id)
            if plan is not None and plan.target_year == year:
                summary.targets_met += 1
        if year in history.repoverty_years:
            summary.repoverty += 1
        if watch_on(history, watch, today) is not None:
            watched.append(history.household_id)
    summary.under_watch = len(watched)
    if watched:
        latest: dict[int, tuple[date, bool]] = {}
        rows = await session.execute(
            select(
                EscapeCheck.household_id,
                EscapeCheck.period_start,
                EscapeCheck.deprivation_back,
                EscapeCheck.income_fell,
            ).where(EscapeCheck.household_id.in_(watched))
        )
        for hid, start, back, fell in rows:
            if hid not in latest or latest[hid][0] < start:
                latest[hid] = (start, bool(back or fell))
        summary.at_risk = sum(1 for _start, risk in latest.values() if risk)


async def record_filter(session: AsyncSession, filters: Filters) -> ColumnElement[bool] | None:
    """A condition on official records keeping the households the filters keep (for the
    appendix tables); None when no filter is set. Ethnic-group names are matched after
    folding, so ``khmer`` finds ``Khmer``."""
    if not filters.active:
        return None
    plans = select(HouseholdPlan.household_id)
    if filters.ethnic_group is not None:
        names = await session.scalars(
            select(HouseholdPlan.ethnic_group)
            .where(HouseholdPlan.ethnic_group.is_not(None))
            .distinct()
        )
        wanted = fold(filters.ethnic_group)
        plans = plans.where(
            HouseholdPlan.ethnic_group.in_([n for n in names if fold(n or "") == wanted])
        )
    if filters.merit is not None:
        merits = cast(HouseholdPlan.merit_categories, String)
        if filters.merit == ANY_MERIT:
            plans = plans.where(merits.not_in(["[]", ""]))
        else:
            plans = plans.where(merits.like(f'%"{filters.merit}"%'))
    return OfficialRecord.household_id.in_(plans)
