"""Checking a table column by column, collecting every problem instead of stopping at the first,
so a cadre sees all the mistakes of a file in one go.

A reader runs once per distinct text of a column (files repeat ``1``, ``0``, ``ngheo`` or the same
commune thousands of times), which keeps a province-sized file fast to check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from exchange.importing.columns import Layout
from exchange.importing.tables import Table
from poverty.i18n import N_
from poverty.import_issues import CellError, Issue

FORMULA = N_("Ô chứa công thức, hãy dán giá trị.")

T = TypeVar("T")


class ColumnChecker:
    """Reads the columns of one table; remembers which rows (by index) have a problem."""

    def __init__(self, table: Table, layout: Layout) -> None:
        self.table = table
        self.layout = layout
        self.size = len(table.numbers)
        self.issues: list[Issue] = []
        self.invalid: set[int] = set()

    def raw(self, name: str) -> tuple[str, ...]:
        """The texts of column ``name`` (empty texts when the file has no such column)."""
        position = self.layout.index.get(name)
        if position is None:
            return ("",) * self.size
        return self.table.column(position)

    def read(
        self, name: str, reader: Callable[[str], T | None], raw: Sequence[str] | None = None
    ) -> list[T | None]:
        """``reader`` applied to every cell of the column (stripped); None where it could not be
        read."""
        texts = self.raw(name) if raw is None else raw
        outcome: dict[str, T | None] = {}
        errors: dict[str, CellError] = {}
        for text in set(texts):
            try:
                outcome[text] = reader(text.strip())
            except CellError as error:
                outcome[text] = None
                errors[text] = error
        if errors:
            for index, text in enumerate(texts):
                problem = errors.get(text)
                if problem is not None:
                    self.fail(index, name, problem.message, problem.params)
        return list(map(outcome.__getitem__, texts))

    def fail(
        self, index: int, name: str, message: str, params: dict[str, object] | None = None
    ) -> None:
        """Record a problem of data row ``index`` in column ``name``."""
        self.issues.append(Issue(message, params or {}, self.table.numbers[index], name))
        self.invalid.add(index)

    def result(self) -> tuple[Issue, ...]:
        """Every issue in row order. A formula cell reads as empty, so its own issue replaces
        whatever else was said about that cell; cells of ignored columns are left alone."""
        formulas: list[Issue] = []
        read = set(self.layout.index.values()) | set(self.layout.indicators.values())
        row_index = {number: index for index, number in enumerate(self.table.numbers)}
        for number, position in self.table.formula_cells:
            if position in read and number in row_index:
                formulas.append(Issue(FORMULA, {}, number, self.layout.header_of(position)))
                self.invalid.add(row_index[number])
        flagged = {(issue.row, issue.column) for issue in formulas}
        others = [i for i in self.issues if (i.row, i.column) not in flagged]
        return tuple(sorted(formulas + others, key=lambda issue: issue.row or 0))
