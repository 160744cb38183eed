"""Household files in and out: reading CSV/XLSX imports, checking every row, writing them through
:func:`storage.households.save_households`, and the empty template.

Typical use (the CLI does exactly this)::

    file = read_households(path, default_year=2025)       # no database yet
    async with sessions() as session, session.begin():
        summary = await import_households(session, file, Actor("cli:import"), now,
                                          default_year=2025, skip_invalid=False)
"""

from exchange.importing.assessment_rows import (
    AssessmentFile,
    AssessmentInput,
    read_assessment_inputs,
)
from exchange.importing.columns import BASE_COLUMNS, Column, all_columns
from exchange.importing.household_rows import HouseholdFile, read_households
from exchange.importing.importer import ImportSummary, Progress, import_households
from exchange.importing.template import write_template
from poverty.import_issues import ImportFileError, ImportRejectedError, Issue

__all__ = [
    "BASE_COLUMNS",
    "AssessmentFile",
    "AssessmentInput",
    "Column",
    "HouseholdFile",
    "ImportFileError",
    "ImportRejectedError",
    "ImportSummary",
    "Issue",
    "Progress",
    "all_columns",
    "import_households",
    "read_assessment_inputs",
    "read_households",
    "write_template",
]
