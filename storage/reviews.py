"""The annual review of an area in the database: opening it, who is to be reviewed, progress,
requests, meetings and complaints, and the approval that writes the next year's official
records (rules in :mod:`poverty.review`).

Households to review in a review of year Y (QĐ 24/2021 step 1): those officially poor or
near-poor, those whose request a cadre recorded for Y, and those flagged at risk, that is whose
latest check says poor or near-poor while their official class does not, or with a follow-up
reported as blocked. A household counts as checked once it has a check that applies to Y+1,
made since the review opened and after any complaint about it, and that concluded (a check
saved with answers left “không rõ” leaves the household on the list to check).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from poverty.errors import InvalidInputError, NotFoundError
from poverty.i18n import N_
from poverty.review import (
    POOR_CLASSES,
    applies_to_year,
    approved_class,
    class_of_year,
    kept_group,
    movement_rules,
    result_year,
)
from poverty.standards import standard_for_year
from storage.access import Access, households_in_scope, households_in_unit
from storage.audit import Actor, AuditEntry, record_audit
from storage.db import chunks
from storage.models import (
    AdminUnit,
    Assessment,
    FollowUp,
    Household,
    OfficialRecord,
    Review,
    ReviewNote,
    ReviewRequest,
)
from storage.units import Unit, as_unit, get_unit

ALREADY_OPEN = N_("Rà soát năm {year} của {unit} đã được mở.")
ALREADY_APPROVED = N_(
    "Kết quả rà soát năm {year} của {unit} đã được phê duyệt; muốn sửa, hãy mở lại."
)
NO_REVIEW = N_("Chưa mở rà soát cho {unit}.")
NOT_APPROVED = N_("Rà soát năm {year} của {unit} chưa được phê duyệt.")
NOT_IN_REVIEW = N_("Hộ {code} không thuộc địa bàn đang rà soát.")
REVIEW_LEVELS = ("province", "district", "commune")


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    unit: Unit
    year: int
    state: str
    opened_at: datetime
    posted_on: date | None
    approved_at: datetime | None

    @property
    def applies_year(self) -> int:
        return result_year(self.year)

    @property
    def standard_id(self) -> str:
        return standard_for_year(self.applies_year).id


@dataclass(frozen=True)
class ReviewHousehold:
    id: int
    code: str
    head_name: str
    village: str
    village_path: str
    checked: bool


@dataclass(frozen=True)
class VillageProgress:
    name: str
    total: int
    checked: int
    path: str = ""
    """The village's unit path ("" for households outside any village)."""

    @property
    def share(self) -> float:
        return self.checked / self.total if self.total else 1.0


@dataclass(frozen=True)
class ReviewStatus:
    review: ReviewInfo
    total: int
    checked: int
    villages: tuple[VillageProgress, ...]
    meetings: int
    complaints: int

    def as_json(self) -> dict[str, Any]:
        return {
            "nam": self.review.year,
            "ap_dung_nam": self.review.applies_year,
            "chuan": self.review.standard_id,
            "trang_thai": self.review.state,
            "so_ho_can_ra_soat": self.total,
            "da_kiem_tra": self.checked,
            "thon": [
                {"ten": v.name, "so_ho_can_ra_soat": v.total, "da_kiem_tra": v.checked}
                for v in self.villages
            ],
        }


@dataclass
class Approval:
    """What approving wrote: records per class, households carried over without a check, the
    movements by code, and poor households whose group (BTXH/CSGN) is still to be set."""

    written: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    carried: list[str] = field(default_factory=list)
    movements: dict[str, list[str]] = field(default_factory=dict)
    ungrouped: list[str] = field(default_factory=list)


def _info(row: Review, unit: Unit) -> ReviewInfo:
    return ReviewInfo(
        row.id, unit, row.year, row.state, row.opened_at, row.posted_on, row.approved_at
    )


async def open_review(
    session: AsyncSession, unit: Unit, year: int, actor: Actor, now: datetime
) -> ReviewInfo:
    """Open the review of ``year`` over ``unit``; refused when it exists already."""
    if unit.level not in REVIEW_LEVELS:
        raise InvalidInputError(N_("Rà soát được mở cho xã, phường hoặc tỉnh, không cho thôn."))
    existing = await session.scalar(
        select(Review).where(Review.unit_id == unit.id, Review.year == year)
    )
    if existing is not None:
        message = ALREADY_OPEN if existing.state == "open" else ALREADY_APPROVED
        raise InvalidInputError(message, year=year, unit=unit.name)
    row = Review(
        unit_id=unit.id, year=year, state="open", opened_at=now, opened_by_user_id=actor.user_id
    )
    session.add(row)
    await session.flush()
    details = {"year": year, "unit_id": unit.id}
    await record_audit(
        session, actor, [AuditEntry("review.open", "review", str(row.id), details)], now
    )
    return _info(row, unit)


async def review_of(session: AsyncSession, unit: Unit, year: int | None = None) -> ReviewInfo:
    """The review over ``unit`` or the nearest unit above it that has one (of ``year``, or the
    latest)."""
    ids = [int(i) for i in unit.path.strip("/").split("/")]
    query = select(Review).where(Review.unit_id.in_(ids))
    if year is not None:
        query = query.where(Review.year == year)
    rows = (await session.scalars(query.order_by(Review.year.desc()))).all()
    if not rows:
        raise NotFoundError(NO_REVIEW, unit=unit.name)
    row = max(rows, key=lambda r: (r.year, ids.index(r.unit_id)))
    return _info(row, await get_unit(session, row.unit_id))


async def open_reviews(session: AsyncSession, year: int) -> list[ReviewInfo]:
    rows = await session.execute(
        select(Review, AdminUnit)
        .join(AdminUnit, AdminUnit.id == Review.unit_id)
        .where(Review.state == "open", Review.year == year)
        .order_by(Review.id)
    )
    return [_info(review, as_unit(unit)) for review, unit in rows]


async def open_review_for(session: AsyncSession, access: Access) -> ReviewInfo | None:
    """The open review over the user's area: one whose area contains a unit they cover, or
    lies inside it. None when no review is open there."""
    paths = [grant.unit_path for grant in access.scope()]
    if not paths:
        return None
    covering = [literal(path).startswith(AdminUnit.path) for path in paths]
    inside = [AdminUnit.path.startswith(path) for path in paths]
    row = await session.execute(
        select(Review, AdminUnit)
        .join(AdminUnit, AdminUnit.id == Review.unit_id)
        .where(Review.state == "open", or_(*covering, *inside))
        .order_by(Review.year.desc(), func.length(AdminUnit.path).desc())
        .limit(1)
    )
    found = row.first()
    if found is None:
        return None
    review, unit = found
    return _info(review, as_unit(unit))


async def record_request(
    session: AsyncSession,
    household_id: int,
    year: int,
    requested_on: date,
    note: str,
    actor: Actor,
    now: datetime,
) -> int:
    row = ReviewRequest(
        household_id=household_id,
        year=year,
        requested_on=requested_on,
        note=note,
        user_id=actor.user_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    entry = AuditEntry("review.request", "household", str(household_id), {"year": year})
    await record_audit(session, actor, [entry], now)
    return row.id


async def record_note(
    session: AsyncSession,
    review: ReviewInfo,
    kind: str,
    on_date: date,
    details: dict[str, Any],
    actor: Actor,
    now: datetime,
    *,
    unit_id: int | None = None,
    household_id: int | None = None,
) -> int:
    """A village meeting or a complaint (which reopens the household's check)."""
    _require_open(review)
    row = ReviewNote(
        review_id=review.id,
        kind=kind,
        unit_id=unit_id,
        household_id=household_id,
        on_date=on_date,
        details=details,
        user_id=actor.user_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    entity, entity_id = (
        ("household", str(household_id)) if household_id else ("review", str(review.id))
    )
    entry = AuditEntry(f"review.{kind}", entity, entity_id, {"review_id": review.id, **details})
    await record_audit(session, actor, [entry], now)
    return row.id


async def record_posting(
    session: AsyncSession, review: ReviewInfo, on_date: date, actor: Actor, now: datetime
) -> None:
    _require_open(review)
    row = await session.get(Review, review.id, with_for_update=True)
    assert row is not None
    row.posted_on = on_date
    entry = AuditEntry("review.posting", "review", str(review.id), {"on": on_date.isoformat()})
    await record_audit(session, actor, [entry], now)


def _require_open(review: ReviewInfo) -> None:
    if review.state != "open":
        raise InvalidInputError(ALREADY_APPROVED, year=review.year, unit=review.unit.name)


async def household_id(session: AsyncSession, code: str) -> int:
    found = await session.scalar(select(Household.id).where(Household.code == code.strip().upper()))
    if found is None:
        raise NotFoundError(N_("Không có hộ mã “{code}”."), code=code.strip())
    return int(found)


async def household_unit(session: AsyncSession, household_id: int) -> int:
    """The unit a household sits in (its village, or its commune)."""
    unit_id = await session.scalar(select(Household.unit_id).where(Household.id == household_id))
    if unit_id is None:
        raise NotFoundError(N_("Không tìm thấy hộ này nữa."))
    return unit_id


async def household_in_review(session: AsyncSession, review: ReviewInfo, code: str) -> Household:
    household = await session.scalar(
        select(Household).where(
            Household.code == code.strip().upper(),
            households_in_unit(review.unit.level, review.unit.id),
        )
    )
    if household is None:
        raise InvalidInputError(NOT_IN_REVIEW, code=code.strip())
    return household


async def households_to_review(
    session: AsyncSession, review: ReviewInfo, scope: Access | None = None
) -> list[ReviewHousehold]:
    """The review's list, in village then code order (within the user's area when given)."""
    in_area = households_in_unit(review.unit.level, review.unit.id)
    if scope is not None:
        in_area = and_(in_area, households_in_scope(scope))
    requested = select(ReviewRequest.household_id).where(ReviewRequest.year == review.year)
    blocked = select(FollowUp.household_id).where(FollowUp.state == "blocked")
    at_risk = and_(
        Household.latest_class.in_(POOR_CLASSES),
        or_(Household.official_status.is_(None), Household.official_status.not_in(POOR_CLASSES)),
    )
    village = aliased(AdminUnit)
    rows = (
        await session.execute(
            select(
                Household.id,
                Household.code,
                Household.head_name,
                func.coalesce(village.name, ""),
                func.coalesce(village.path, ""),
            )
            .outerjoin(village, village.id == Household.village_id)
            .where(
                in_area,
                or_(
                    Household.official_status.in_(POOR_CLASSES),
                    Household.id.in_(requested),
                    Household.id.in_(blocked),
                    at_risk,
                ),
            )
            .order_by(village.name, Household.code)
        )
    ).all()
    checked = await _checked(session, review, [row[0] for row in rows])
    return [
        ReviewHousehold(hid, code, name, village_name, path, hid in checked)
        for hid, code, name, village_name, path in rows
    ]


async def _checked(session: AsyncSession, review: ReviewInfo, ids: Sequence[int]) -> set[int]:
    """Households with a concluded check applying to Y+1 since the review opened and after
    their latest complaint."""
    if not ids:
        return set()
    complaints = (
        select(ReviewNote.household_id, func.max(ReviewNote.created_at).label("at"))
        .where(ReviewNote.review_id == review.id, ReviewNote.kind == "complaint")
        .group_by(ReviewNote.household_id)
        .subquery()
    )
    found: set[int] = set()
    for chunk in chunks(ids):
        rows = await session.scalars(
            select(Assessment.household_id)
            .outerjoin(complaints, complaints.c.household_id == Assessment.household_id)
            .where(
                Assessment.household_id.in_(chunk),
                Assessment.applies_year == review.applies_year,
                Assessment.created_at >= review.opened_at,
                Assessment.computed_class.is_not(None),
                or_(complaints.c.at.is_(None), Assessment.created_at > complaints.c.at),
            )
            .distinct()
        )
        found.update(rows)
    return found


async def review_status(session: AsyncSession, review: ReviewInfo) -> ReviewStatus:
    listed = await households_to_review(session, review)
    villages: dict[str, list[ReviewHousehold]] = defaultdict(list)
    for household in listed:
        villages[household.village].append(household)
    notes = dict(
        (
            await session.execute(
                select(ReviewNote.kind, func.count())
                .where(ReviewNote.review_id == review.id)
                .group_by(ReviewNote.kind)
            )
        ).all()
    )
    return ReviewStatus(
        review,
        len(listed),
        sum(h.checked for h in listed),
        tuple(
            VillageProgress(
                name, len(members), sum(h.checked for h in members), members[0].village_path
            )
            for name, members in villages.items()
        ),
        int(notes.get("meeting", 0)),
        int(notes.get("complaint", 0)),
    )


async def approve_review(
    session: AsyncSession, review: ReviewInfo, actor: Actor, now: datetime
) -> Approval:
    """Write the official records of Y+1 for every household of the area: the class of its
    latest check for Y+1 where one was made, else its current class carried over. The
    records of Y are not touched; the household's current status becomes that of Y+1."""
    row = await session.get(Review, review.id, with_for_update=True)
    assert row is not None
    if row.state != "open":
        raise InvalidInputError(ALREADY_APPROVED, year=review.year, unit=review.unit.name)
    year, target = review.year, review.applies_year
    households = (
        await session.scalars(
            select(Household)
            .where(households_in_unit(review.unit.level, review.unit.id))
            .order_by(Household.code)
            .with_for_update()
        )
    ).all()
    ids = [h.id for h in households]
    checks = await _latest_checks(session, review, ids)
    before = await _records(session, ids, year, latest_up_to=True)
    poor_earlier = await _poor_before(session, ids, year)
    existing = {r.household_id: r for r in (await _records(session, ids, target)).values()}
    rules = movement_rules()
    approval = Approval()
    audit: list[AuditEntry] = []
    for household in households:
        check = checks.get(household.id)
        previous = before.get(household.id)
        was = (
            previous.status
            if previous is not None
            else class_of_year(household.official_status, household.official_year, year)
        )
        approved = approved_class(check.computed_class if check is not None else None, was)
        if approved is None:
            continue
        status = approved.status
        if not approved.carried and check is not None:
            income = check.income_per_person
            deprived, known = check.deprived_mask, check.known_mask
        else:
            income = previous.income_per_person if previous else None
            deprived = previous.deprived_mask if previous else 0
            known = previous.known_mask if previous else 0
            approval.carried.append(household.code)
        group = kept_group(status, was, household.official_group)
        if status == "ngheo" and group is None:
            approval.ungrouped.append(household.code)
        record = existing.get(household.id) or OfficialRecord(
            household_id=household.id, year=target
        )
        record.province_id = household.province_id
        record.district_id = household.district_id
        record.commune_id = household.commune_id
        record.village_id = household.village_id
        record.ethnic_minority = household.ethnic_minority
        record.area = household.area
        record.status = status
        record.poor_group = group if status == "ngheo" else None
        record.income_per_person = income
        record.deprived_mask = deprived
        record.known_mask = known
        record.standard_id = review.standard_id
        record.updated_at = now
        session.add(record)
        household.official_status = status
        household.official_group = record.poor_group
        household.official_year = target
        household.updated_at = now
        approval.written += 1
        approval.by_class[status] = approval.by_class.get(status, 0) + 1
        moved = rules.movement_of(was, status, household.id in poor_earlier)
        if moved is not None:
            approval.movements.setdefault(moved, []).append(household.code)
        details = {"year": target, "status": status, "from": was, "movement": moved}
        audit.append(AuditEntry("official.approve", "household", str(household.id), details))
    row.state = "approved"
    row.approved_at = now
    row.approved_by_user_id = actor.user_id
    summary = {"year": year, "written": approval.written, "carried": len(approval.carried)}
    audit.append(AuditEntry("review.approve", "review", str(review.id), summary))
    await session.flush()
    await record_audit(session, actor, audit, now)
    return approval


async def reopen_review(
    session: AsyncSession, review: ReviewInfo, actor: Actor, now: datetime
) -> ReviewInfo:
    """Reopen an approved review; the records it wrote stay until it is approved again."""
    row = await session.get(Review, review.id, with_for_update=True)
    assert row is not None
    if row.state != "approved":
        raise InvalidInputError(NOT_APPROVED, year=review.year, unit=review.unit.name)
    row.state = "open"
    row.approved_at = None
    row.approved_by_user_id = None
    entry = AuditEntry("review.reopen", "review", str(review.id), {"year": review.year})
    await record_audit(session, actor, [entry], now)
    await session.flush()
    return _info(row, review.unit)


async def _latest_checks(
    session: AsyncSession, review: ReviewInfo, ids: Sequence[int]
) -> dict[int, Assessment]:
    latest: dict[int, Assessment] = {}
    for chunk in chunks(ids):
        rows = await session.scalars(
            select(Assessment)
            .where(
                Assessment.household_id.in_(chunk),
                Assessment.applies_year == review.applies_year,
                Assessment.created_at >= review.opened_at,
                Assessment.computed_class.is_not(None),
            )
            .order_by(Assessment.created_at, Assessment.id)
        )
        latest.update({row.household_id: row for row in rows})
    return latest


async def _records(
    session: AsyncSession, ids: Sequence[int], year: int, *, latest_up_to: bool = False
) -> dict[int, OfficialRecord]:
    """Each household's record of ``year``; with ``latest_up_to``, its latest record of that
    year or before (the class it had when the review of ``year`` began)."""
    found: dict[int, OfficialRecord] = {}
    for chunk in chunks(ids):
        condition = OfficialRecord.year <= year if latest_up_to else OfficialRecord.year == year
        rows = await session.scalars(
            select(OfficialRecord)
            .where(OfficialRecord.household_id.in_(chunk), condition)
            .order_by(OfficialRecord.year)
        )
        found.update({row.household_id: row for row in rows})
    return found


async def _poor_before(session: AsyncSession, ids: Sequence[int], year: int) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(ids):
        rows = await session.scalars(
            select(OfficialRecord.household_id)
            .where(
                OfficialRecord.household_id.in_(chunk),
                OfficialRecord.year < year,
                OfficialRecord.status == "ngheo",
            )
            .distinct()
        )
        found.update(rows)
    return found


@dataclass(frozen=True)
class ListedHousehold:
    code: str
    head_name: str
    village: str
    status: str
    deprived_mask: int


async def approved_lists(
    session: AsyncSession, review: ReviewInfo
) -> dict[str, list[ListedHousehold]]:
    """The lists the commune sends after approval: poor and near-poor households of Y+1, and
    the households of each movement, in village then code order."""
    if review.state != "approved":
        raise InvalidInputError(NOT_APPROVED, year=review.year, unit=review.unit.name)
    village = aliased(AdminUnit)
    current = aliased(OfficialRecord)
    rows = (
        await session.execute(
            select(
                Household.id,
                Household.code,
                Household.head_name,
                func.coalesce(village.name, ""),
                current.status,
                current.deprived_mask,
            )
            .join(
                current,
                and_(current.household_id == Household.id, current.year == review.applies_year),
            )
            .outerjoin(village, village.id == Household.village_id)
            .where(households_in_unit(review.unit.level, review.unit.id))
            .order_by(village.name, Household.code)
        )
    ).all()
    ids = [row[0] for row in rows]
    before = await _records(session, ids, review.year, latest_up_to=True)
    poor_earlier = await _poor_before(session, ids, review.year)
    rules = movement_rules()
    lists: dict[str, list[ListedHousehold]] = {"ngheo": [], "can_ngheo": []}
    lists.update({code: [] for code in rules.movements})
    for hid, code, name, village_name, status, mask in rows:
        entry = ListedHousehold(code, name, village_name, status, mask)
        if status in lists:
            lists[status].append(entry)
        was = before[hid].status if hid in before else None
        moved = rules.movement_of(was, status, hid in poor_earlier)
        if moved is not None:
            lists[moved].append(entry)
    return lists


async def result_year_for(session: AsyncSession, access: Access, today: date) -> int:
    """The year a check made today by this user applies to (:func:`poverty.review.
    applies_to_year`): the next year while a review is open over their area."""
    review = await open_review_for(session, access)
    return applies_to_year(today, review.year if review is not None else None)
