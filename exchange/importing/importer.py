"""Writing a checked household file to the database, all or nothing.

A file with any invalid row is rejected whole unless the caller asks to skip invalid rows: a
half-imported file is harder to correct than one that was refused with a list of its mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.importing.household_rows import HouseholdFile
from poverty.errors import InvalidInputError
from poverty.import_issues import ImportRejectedError, Issue
from storage.audit import Actor
from storage.households import HouseholdColumns, HouseholdSaver
from storage.units import UnitTree

Progress = Callable[[int, int], None]
"""Called with (rows written so far, rows to write)."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import did. ``errors`` lists the skipped rows' problems (``skip_invalid``)."""

    created: int
    updated: int
    unchanged: int
    invalid_rows: int
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    encoding: str


async def import_households(
    session: AsyncSession,
    file: HouseholdFile,
    actor: Actor,
    now: datetime,
    *,
    tz: tzinfo,
    default_year: int,
    skip_invalid: bool = False,
    on_progress: Progress | None = None,
) -> ImportSummary:
    """Write the valid rows of ``file`` inside the caller's transaction.

    Raises :class:`ImportRejectedError` (having written nothing the caller would keep, once it
    rolls back) when a row is invalid and ``skip_invalid`` is False.
    """
    units = UnitTree(session)
    placed, placement_errors = await _check_placements(units, file)
    errors = file.errors + tuple(placement_errors)
    invalid_rows = file.invalid_rows + len(file.households) - len(placed)
    if errors and not skip_invalid:
        raise ImportRejectedError(_by_row(errors), invalid_rows)
    saver = HouseholdSaver(session, actor, now, tz=tz, default_year=default_year, units=units)
    total = len(placed)
    result = await saver.save(
        placed, None if on_progress is None else lambda done: on_progress(done, total)
    )
    return ImportSummary(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        invalid_rows=invalid_rows,
        errors=_by_row(errors),
        warnings=file.warnings,
        encoding=file.encoding,
    )


async def _check_placements(
    tree: UnitTree, file: HouseholdFile
) -> tuple[HouseholdColumns, list[Issue]]:
    """Rows whose units can be found or created, and an issue for each row whose commune is
    given without a province and matches no commune or several. ``tree`` keeps the places found,
    so writing the rows looks none of them up again."""
    paths = file.households.unit_paths
    outcome: dict[tuple[str | None, str | None, str, str | None], InvalidInputError | None] = {}
    for path in dict.fromkeys(paths):
        try:
            await tree.place(*path)
            outcome[path] = None
        except InvalidInputError as error:
            outcome[path] = error
    if not any(outcome.values()):
        return file.households, []
    placed: list[int] = []
    issues: list[Issue] = []
    for index, (number, path) in enumerate(zip(file.numbers, paths, strict=True)):
        failure = outcome[path]
        if failure is None:
            placed.append(index)
        else:
            issues.append(Issue(failure.message, failure.params, number, "xa"))
    return file.households.take(placed), issues


def _by_row(issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    return tuple(sorted(issues, key=lambda issue: issue.row or 0))
