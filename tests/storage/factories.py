"""Test data for reports: admin units and households with their official records, inserted as
ORM/Core rows directly (no importer), plus the Cam Lộ district of the 2022–2025 plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from poverty.standards import INDICATOR_BITS, standard_for_year
from poverty.text import fold
from poverty.unit_names import kind_for_new_unit, unit_key
from storage.models import AdminUnit, Household, OfficialRecord
from storage.units import Unit

CREATED = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Spec:
    """One household and its official record for a year."""

    status: str = "khong"
    group: str | None = None
    ethnic_minority: bool = False
    deprived: tuple[str, ...] = ()
    income: int | None = None
    area: str = "nong_thon"
    latest_class: str | None = None


def mask(codes: Sequence[str]) -> int:
    result = 0
    for code in codes:
        result |= 1 << INDICATOR_BITS[code]
    return result


def as_unit(row: AdminUnit) -> Unit:
    return Unit(row.id, row.code, row.name, row.level, row.parent_id, row.path, row.urban)


class Factory:
    """Builds units and households in one session; codes are unique within the factory."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._units: dict[int, AdminUnit] = {}
        self._households = 0

    async def unit(
        self,
        name: str,
        level: str,
        parent: AdminUnit | None = None,
        *,
        official_code: str | None = None,
    ) -> AdminUnit:
        code = f"{parent.code}/{fold(name)}" if parent else fold(name)
        row = AdminUnit(
            code=code.replace(" ", "_"),
            name=name,
            name_key=unit_key(name),
            kind=kind_for_new_unit(name, level),
            official_code=official_code,
            level=level,
            parent_id=parent.id if parent else None,
            path="",
            urban=False,
        )
        self.session.add(row)
        await self.session.flush()
        row.path = f"{parent.path if parent else '/'}{row.id}/"
        await self.session.flush()
        self._units[row.id] = row
        return row

    def _placement(self, unit: AdminUnit) -> dict[str, int | None]:
        ids = [int(part) for part in unit.path.strip("/").split("/")]
        levels = {self._units[i].level: i for i in ids}
        return {
            "province_id": levels["province"],
            "district_id": levels.get("district"),
            "commune_id": levels["commune"],
            "village_id": levels.get("village"),
        }

    async def households(
        self,
        unit: AdminUnit,
        year: int,
        specs: Sequence[Spec],
        *,
        placement: dict[str, int | None] | None = None,
    ) -> list[int]:
        """Households in ``unit`` (a commune or village) with official records for ``year``.

        ``placement`` overrides the unit ids copied to the records (a unit moved since)."""
        if not specs:
            return []
        where = self._placement(unit)
        standard = standard_for_year(year)
        known = mask(standard.codes)
        households = []
        for spec in specs:
            self._households += 1
            households.append(
                {
                    "code": f"HO-{self._households:07d}",
                    "head_name": f"Chủ hộ {self._households}",
                    "head_name_key": f"chu ho {self._households}",
                    "unit_id": unit.id,
                    **where,
                    "area": spec.area,
                    "members": 4,
                    "ethnic_minority": spec.ethnic_minority,
                    "official_status": spec.status,
                    "official_group": spec.group,
                    "official_year": year,
                    "latest_class": spec.latest_class,
                    "created_at": CREATED,
                    "updated_at": CREATED,
                }
            )
        result = await self.session.execute(
            insert(Household).returning(Household.id, sort_by_parameter_order=True), households
        )
        ids = list(result.scalars())
        record_where = placement or where
        await self.session.execute(
            insert(OfficialRecord),
            [
                {
                    "household_id": household_id,
                    "year": year,
                    **record_where,
                    "ethnic_minority": spec.ethnic_minority,
                    "area": spec.area,
                    "status": spec.status,
                    "poor_group": spec.group,
                    "income_per_person": spec.income,
                    "deprived_mask": mask(spec.deprived),
                    "known_mask": known,
                    "standard_id": standard.id,
                    "updated_at": CREATED,
                }
                for household_id, spec in zip(ids, specs, strict=True)
            ],
        )
        return ids


@dataclass(frozen=True)
class SeedCommune:
    """One line of the Cam Lộ appendices (Kế hoạch 23/KH-UBND, 18/02/2022)."""

    name: str
    households: int
    ethnic: int
    poor: int
    rate: str
    poor_ethnic: int
    btxh: int
    csgn: int
    deprived: tuple[int, ...]


CAM_LO_YEAR = 2022
CAM_LO = (
    SeedCommune("Thanh An", 2693, 0, 106, "3.94", 0, 100, 6,
                (24, 69, 3, 70, 1, 1, 4, 4, 6, 18, 82, 31)),
    SeedCommune("TT Cam Lộ", 2095, 0, 36, "1.72", 0, 25, 11,
                (11, 22, 4, 36, 2, 3, 5, 5, 5, 9, 14, 5)),
    SeedCommune("Cam Thành", 2223, 0, 37, "1.66", 0, 33, 4,
                (8, 18, 1, 23, 3, 2, 0, 5, 0, 18, 28, 14)),
    SeedCommune("Cam Thủy", 1489, 0, 57, "3.83", 0, 50, 7,
                (31, 18, 3, 36, 5, 0, 5, 3, 14, 17, 29, 11)),
    SeedCommune("Cam Nghĩa", 1667, 0, 46, "2.76", 0, 36, 10,
                (0, 42, 0, 28, 1, 0, 2, 2, 0, 43, 33, 10)),
    SeedCommune("Cam Tuyên", 1481, 101, 109, "3.76", 42, 53, 48,
                (37, 24, 5, 65, 32, 2, 8, 39, 8, 75, 60, 31)),
    SeedCommune("Cam Chính", 1466, 0, 18, "1.23", 0, 18, 0,
                (5, 4, 1, 3, 0, 0, 2, 0, 1, 7, 18, 10)),
    SeedCommune("Cam Hiếu", 1791, 0, 44, "2.46", 0, 30, 14,
                (18, 34, 2, 29, 2, 0, 0, 2, 1, 11, 30, 18)),
)  # fmt: skip
CAM_LO_DEPRIVED_TOTAL = (134, 231, 19, 290, 46, 8, 26, 60, 35, 198, 294, 130)


def seed_specs(seed: SeedCommune, codes: Sequence[str]) -> list[Spec]:
    """Households matching one seed line. Deprivations of each indicator go to consecutive poor
    households, continuing round the list from where the previous indicator stopped, so every
    indicator count is exact and deprivations spread evenly over the poor households."""
    deprived: list[list[str]] = [[] for _ in range(seed.poor)]
    start = 0
    for code, count in zip(codes, seed.deprived, strict=True):
        for offset in range(count):
            deprived[(start + offset) % seed.poor].append(code)
        start = (start + count) % seed.poor
    specs = []
    for index in range(seed.poor):
        if index < seed.btxh:
            group: str | None = "bao_tro_xa_hoi"
        elif index < seed.btxh + seed.csgn:
            group = "chinh_sach_giam_ngheo"
        else:
            group = None
        specs.append(
            Spec("ngheo", group, index < seed.poor_ethnic, tuple(deprived[index]), 1_200_000)
        )
    others = seed.households - seed.poor
    specs += [
        Spec("khong", ethnic_minority=index < seed.ethnic - seed.poor_ethnic)
        for index in range(others)
    ]
    return specs


async def build_cam_lo(factory: Factory) -> tuple[AdminUnit, list[list[Spec]]]:
    """Quảng Trị / Cam Lộ with its 8 communes and the 2022 households of the plan's appendices;
    returns the district and the specs of each commune."""
    province = await factory.unit("Quảng Trị", "province")
    district = await factory.unit("Cam Lộ", "district", province)
    codes = standard_for_year(CAM_LO_YEAR).codes
    built = []
    for seed in CAM_LO:
        commune = await factory.unit(seed.name, "commune", district)
        specs = seed_specs(seed, codes)
        await factory.households(commune, CAM_LO_YEAR, specs)
        built.append(specs)
    return district, built
