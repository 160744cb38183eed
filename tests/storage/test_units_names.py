"""Names always resolve: level words, paths, official codes, current before former units, and
suggestions that each name exactly one unit (the Cam Lộ clash of issue 15)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from poverty.errors import NotFoundError
from storage.models import AdminUnit
from storage.units import AmbiguousUnitError, find_unit, former_note, unit_reference
from tests.storage.factories import Factory, as_unit


def identity(text: str) -> str:
    return text


async def cam_lo(
    sessions: async_sessionmaker[AsyncSession], *, level_words: bool = True
) -> dict[str, int]:
    """Tỉnh Quảng Trị / Huyện Cam Lộ / Thị trấn Cam Lộ, and the new Xã Cam Lộ under the
    province; with ``level_words`` False the names are stored bare, as old imports did."""
    word = (lambda w, n: f"{w} {n}") if level_words else (lambda w, n: n)
    async with sessions() as session, session.begin():
        make = Factory(session)
        province = await make.unit(word("Tỉnh", "Quảng Trị"), "province", official_code="45")
        district = await make.unit(word("Huyện", "Cam Lộ"), "district", province)
        town = await make.unit(word("Thị trấn", "Cam Lộ"), "commune", district)
        commune = await make.unit("Xã Cam Lộ", "commune", province, official_code="19459")
        village = await make.unit(word("Thôn", "Cam Lộ"), "village", town)
    return {
        "province": province.id,
        "district": district.id,
        "town": town.id,
        "commune": commune.id,
        "village": village.id,
    }


async def resolve(sessions: async_sessionmaker[AsyncSession], text: str) -> int:
    async with sessions() as session:
        return (await find_unit(session, text)).id


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Huyện Cam Lộ", "district"),
        ("huyen cam lo", "district"),
        ("Thị trấn Cam Lộ", "town"),
        ("thi tran cam lo", "town"),
        ("TT Cam Lộ", "town"),
        ("Xã Cam Lộ", "commune"),
        ("xa cam lo", "commune"),
        ("Thôn Cam Lộ", "village"),
        ("Tỉnh Quảng Trị / Huyện Cam Lộ", "district"),
        ("Quảng Trị > Huyện Cam Lộ > Thị trấn Cam Lộ", "town"),
        ("Quảng Trị, Cam Lộ, Cam Lộ, Cam Lộ", "village"),
        ("Quảng Trị / Xã Cam Lộ", "commune"),
        ("Quảng Trị / Thị trấn Cam Lộ / Cam Lộ", "village"),
        ("19459", "commune"),
        ("45 / Huyện Cam Lộ", "district"),
    ],
)
async def test_level_words_paths_and_codes_name_one_of_the_three_cam_lo(
    sessions: async_sessionmaker[AsyncSession], typed: str, expected: str
) -> None:
    units = await cam_lo(sessions)

    assert await resolve(sessions, typed) == units[expected]


@pytest.mark.parametrize("level_words", [True, False])
async def test_every_suggestion_for_an_ambiguous_name_resolves_to_its_own_unit(
    sessions: async_sessionmaker[AsyncSession], level_words: bool
) -> None:
    units = await cam_lo(sessions, level_words=level_words)

    for typed in ("Cam Lộ", "Quảng Trị / Cam Lộ"):
        with pytest.raises(AmbiguousUnitError) as raised:
            await resolve(sessions, typed)
        choices = str(raised.value.params["choices"]).split("; ")
        found = {await resolve(sessions, choice.strip("“”")) for choice in choices}
        assert len(found) == len(choices) == raised.value.params["count"]
        assert found <= set(units.values())


async def test_the_ambiguity_message_names_the_choices(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await cam_lo(sessions)

    with pytest.raises(AmbiguousUnitError) as raised:
        await resolve(sessions, "Cam Lộ")

    assert raised.value.render(identity) == (
        "Có 4 đơn vị tên “Cam Lộ”; hãy ghi rõ một trong: “Tỉnh Quảng Trị / Huyện Cam Lộ”; "
        "“Tỉnh Quảng Trị / Huyện Cam Lộ / Thị trấn Cam Lộ”; "
        "“Tỉnh Quảng Trị / Huyện Cam Lộ / Thị trấn Cam Lộ / Thôn Cam Lộ”; "
        "“Tỉnh Quảng Trị / Xã Cam Lộ”."
    )


async def test_a_current_unit_wins_over_former_ones_of_the_same_name(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    units = await cam_lo(sessions)
    async with sessions() as session, session.begin():
        for key in ("district", "town", "village"):
            row = await session.get(AdminUnit, units[key])
            assert row is not None
            row.valid_to = date(2025, 7, 1)
            row.replaced_by_id = units["commune"] if key == "town" else None

    assert await resolve(sessions, "Cam Lộ") == units["commune"]
    assert await resolve(sessions, "Quảng Trị / Cam Lộ") == units["commune"]
    assert await resolve(sessions, "Huyện Cam Lộ") == units["district"]


async def test_a_former_unit_says_into_which_unit_it_was_merged_and_since_when(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    units = await cam_lo(sessions)
    async with sessions() as session, session.begin():
        town = await session.get(AdminUnit, units["town"])
        district = await session.get(AdminUnit, units["district"])
        assert town is not None
        assert district is not None
        town.valid_to = district.valid_to = date(2025, 7, 1)
        town.replaced_by_id = units["commune"]

    async with sessions() as session:
        town_unit = await find_unit(session, "Thị trấn Cam Lộ")
        district_unit = await find_unit(session, "Huyện Cam Lộ")
        current = await find_unit(session, "Xã Cam Lộ")
        town_note = await former_note(session, town_unit)
        district_note = await former_note(session, district_unit)
        assert await former_note(session, current) is None

    assert town_note is not None
    assert district_note is not None
    assert town_note.render(identity) == (
        "“Thị trấn Cam Lộ” đã được sáp nhập vào “Tỉnh Quảng Trị / Xã Cam Lộ” từ ngày 01/07/2025."
    )
    assert district_note.render(identity) == (
        "“Huyện Cam Lộ” không còn là đơn vị hành chính từ ngày 01/07/2025."
    )


async def test_unknown_and_empty_names_are_not_found(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await cam_lo(sessions)

    for typed in ("Phường Cam Lộ", "Cam Tuyền", "  ", "Huyện Cam Lộ / Xã Cam Lộ"):
        with pytest.raises(NotFoundError):
            await resolve(sessions, typed)


async def test_the_reference_of_every_unit_resolves_back_to_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    units = await cam_lo(sessions, level_words=False)

    async with sessions() as session:
        for unit_id in units.values():
            row = await session.get(AdminUnit, unit_id)
            assert row is not None
            reference = await unit_reference(session, as_unit(row))
            assert (await find_unit(session, reference)).id == unit_id
