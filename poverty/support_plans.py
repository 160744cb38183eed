"""The lists of household support plans as data (``poverty/support_plans.yaml``).

Groups of poor households (a, b, c) with the support each suggests, causes of poverty, the mass
organisations that mentor households, kinds of mentor, categories of people with merit, and the
rules of the watch over newly escaped households. The groups follow the Cam Lộ directive
596/UBND-LĐTBXH (2018) §9(b); the merit categories the Thái Nguyên plan 2019–2020 §I.2.1. The
36-month watch and its quarterly check are the project's defaults, not a legal rule: a province
changes them in the file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from importlib import resources

import yaml

from poverty.errors import InvalidStandardError
from poverty.i18n import N_
from poverty.policies import policy_by_code
from poverty.schema import Fields, invalid
from poverty.text import fold

__all__ = [
    "Cause",
    "EscapeWatch",
    "Named",
    "Organisation",
    "PlanGroup",
    "SupportLists",
    "load_support_lists",
    "parse_support_lists",
]

LISTS_FILE_INVALID = N_("Tệp danh mục kế hoạch hỗ trợ không hợp lệ ({where}): {detail}")
_FILE = "support_plans.yaml"


@dataclass(frozen=True)
class Named:
    """A coded entry of a list: a mentor kind, a merit category."""

    code: str
    name: str


@dataclass(frozen=True)
class PlanGroup:
    """A group of poor households and the support it suggests (shown, never imposed)."""

    code: str
    name: str
    description: str
    support: str
    policies: tuple[str, ...]


@dataclass(frozen=True)
class Cause:
    code: str
    name: str
    needs_note: bool


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class EscapeWatch:
    """How long a household stays "newly escaped" and how often its mentor checks on it.

    The watch starts on ``start_month``/``start_day`` of the first official year showing the
    household above near-poor, plus ``start_year_offset`` years.
    """

    months: int
    check_every_months: int
    start_year_offset: int
    start_month: int
    start_day: int

    def start_for(self, escape_year: int) -> date:
        return date(escape_year + self.start_year_offset, self.start_month, self.start_day)


@dataclass(frozen=True)
class SupportLists:
    groups: tuple[PlanGroup, ...]
    causes: tuple[Cause, ...]
    organisations: tuple[Organisation, ...]
    mentor_kinds: tuple[Named, ...]
    merit_categories: tuple[Named, ...]
    escape_watch: EscapeWatch

    def group(self, code: str) -> PlanGroup | None:
        return next((g for g in self.groups if g.code == code), None)

    def cause(self, code: str) -> Cause | None:
        return next((c for c in self.causes if c.code == code), None)

    def merit(self, code: str) -> Named | None:
        return next((m for m in self.merit_categories if m.code == code), None)

    def mentor_kind(self, code: str) -> Named | None:
        return next((k for k in self.mentor_kinds if k.code == code), None)

    def organisation(self, text: str) -> Organisation | None:
        """The organisation a person means by its code, name or an alias (folded)."""
        wanted = fold(text).replace("_", " ")
        for organisation in self.organisations:
            spellings = (organisation.code.replace("_", " "), organisation.name)
            if wanted in {fold(s) for s in (*spellings, *organisation.aliases)}:
                return organisation
        return None


def _code(fields: Fields, seen: set[str]) -> str:
    code = fields.text("code")
    if not code.replace("_", "").isalnum() or code != code.lower() or not code.isascii():
        raise invalid(fields.where, f"code {code!r} must be lower-case snake_case")
    if code in seen:
        raise invalid(fields.where, f"duplicate code {code!r}")
    seen.add(code)
    return code


def _entries(root: Fields, key: str) -> list[Fields]:
    return [Fields(item, f"{_FILE} > {key}[{i}]") for i, item in enumerate(root.items(key))]


def _group(fields: Fields, seen: set[str]) -> PlanGroup:
    code = _code(fields, seen)
    policies = tuple(str(p) for p in fields.items("policies", required=False))
    unknown = [p for p in policies if policy_by_code(p) is None]
    if unknown:
        raise invalid(fields.where, f"unknown policy code(s): {', '.join(unknown)}")
    group = PlanGroup(
        code, fields.text("name"), fields.text("description"), fields.text("support"), policies
    )
    fields.done()
    return group


def _named(fields: Fields, seen: set[str]) -> Named:
    named = Named(_code(fields, seen), fields.text("name"))
    fields.done()
    return named


def _watch(raw: object) -> EscapeWatch:
    fields = Fields(raw, f"{_FILE} > escape_watch")
    start = Fields(fields.raw("start"), f"{_FILE} > escape_watch > start")
    watch = EscapeWatch(
        months=fields.integer("months"),
        check_every_months=fields.integer("check_every_months"),
        start_year_offset=start.integer("year_offset"),
        start_month=start.integer("month"),
        start_day=start.integer("day"),
    )
    start.done()
    fields.done()
    if watch.months < 1 or not 1 <= watch.check_every_months <= watch.months:
        raise invalid(fields.where, "months ≥ 1 and 1 ≤ check_every_months ≤ months")
    try:
        watch.start_for(2000)
    except ValueError:
        raise invalid(start.where, "month/day is not a date") from None
    return watch


def parse_support_lists(raw: object) -> SupportLists:
    """Validate the YAML content and build the lists; errors name the entry."""
    try:
        root = Fields(raw, _FILE)
        seen: set[str] = set()
        groups = tuple(_group(f, seen) for f in _entries(root, "groups"))
        causes = []
        for fields in _entries(root, "causes"):
            causes.append(
                Cause(_code(fields, seen), fields.text("name"), fields.flag("needs_note"))
            )
            fields.done()
        organisations = []
        for fields in _entries(root, "organisations"):
            aliases = tuple(str(a) for a in fields.items("aliases", required=False))
            organisations.append(Organisation(_code(fields, seen), fields.text("name"), aliases))
            fields.done()
        lists = SupportLists(
            groups=groups,
            causes=tuple(causes),
            organisations=tuple(organisations),
            mentor_kinds=tuple(_named(f, seen) for f in _entries(root, "mentor_kinds")),
            merit_categories=tuple(_named(f, seen) for f in _entries(root, "merit_categories")),
            escape_watch=_watch(root.raw("escape_watch")),
        )
        root.done()
    except InvalidStandardError as error:
        raise InvalidStandardError(LISTS_FILE_INVALID, **error.params) from None
    if "doan_the" not in {k.code for k in lists.mentor_kinds}:
        raise InvalidStandardError(LISTS_FILE_INVALID, where=_FILE, detail="need doan_the")
    return lists


@functools.cache
def load_support_lists() -> SupportLists:
    """The packaged lists, validated once and cached."""
    text = resources.files("poverty").joinpath(_FILE).read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidStandardError(LISTS_FILE_INVALID, where=_FILE, detail=str(error)) from None
    return parse_support_lists(raw)
