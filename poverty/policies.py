"""Support policies as data (``poverty/policies.yaml``) and which of them fit a household.

Each :class:`Policy` says who qualifies (by official status, plus conditions in words), the legal
basis, what to do, and which deprivation indicators it helps with. The facts follow the project
reference (``poverty-standards.md`` §5): for example BHYT is fully state-paid for poor households
and at least 70% for near-poor ones (NĐ 146/2018/NĐ-CP as amended by NĐ 75/2023/NĐ-CP), and public
preschool and general-school tuition is waived for everyone from school year 2025–2026
(NQ 217/2025/QH15). Entries whose facts the reference has not checked against the legal text carry
``verified=False`` and a ``note`` that the bot shows with them.

:func:`policies_for` answers "chính sách cho hộ X": the policies the household's status entitles
it to, those that also address one of its deprivations first. Searching by words lives in
:mod:`poverty.policy_search`.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from types import MappingProxyType
from typing import Literal, get_args

import yaml

from poverty.errors import InvalidStandardError
from poverty.i18n import N_
from poverty.schema import Fields, invalid
from poverty.standards import INDICATOR_BITS

__all__ = [
    "POLICY_STATUSES",
    "STATUS_LABELS",
    "Entitlement",
    "LoanTerms",
    "Policy",
    "PolicyMatch",
    "PolicyStatus",
    "is_entitled",
    "load_policies",
    "parse_policies",
    "policies_for",
    "policy_by_code",
]

PolicyStatus = Literal["ngheo", "can_ngheo", "moi_thoat_ngheo", "trung_binh"]
POLICY_STATUSES: tuple[PolicyStatus, ...] = get_args(PolicyStatus)

STATUS_LABELS: Mapping[PolicyStatus, str] = MappingProxyType(
    {
        "ngheo": N_("Hộ nghèo"),
        "can_ngheo": N_("Hộ cận nghèo"),
        "moi_thoat_ngheo": N_("Hộ mới thoát nghèo"),
        "trung_binh": N_("Hộ có mức sống trung bình"),
    }
)

POLICY_FILE_INVALID = N_("Tệp danh mục chính sách không hợp lệ ({where}): {detail}")

_FILE = "policies.yaml"
_CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Entitlement:
    """Who qualifies, in words. ``status`` is the official status it is tied to, or None for a
    condition that does not depend on the household's status (a province's top-up, an age)."""

    status: PolicyStatus | None
    condition: str


@dataclass(frozen=True)
class LoanTerms:
    """What a loan card says about the loan, each only where a source states it: the ceiling,
    the interest rate and the term, in words. None: ask the lender (see the card)."""

    ceiling: str | None = None
    rate: str | None = None
    term: str | None = None

    @property
    def is_complete(self) -> bool:
        return None not in (self.ceiling, self.rate, self.term)


@dataclass(frozen=True)
class Policy:
    """One support policy of the catalogue.

    ``checked_on``: the day the card was last checked against its sources. ``loan``: set on a
    loan card. ``province``: the province whose own card this is (None: a national card);
    ``top_up_of``: the national policy a province's card adds to.
    """

    code: str
    name: str
    summary: str
    eligible: tuple[Entitlement, ...]
    legal_basis: tuple[str, ...]
    verified: bool
    note: str | None
    how_to: str
    indicators: tuple[str, ...]
    keywords: tuple[str, ...]
    checked_on: date | None = None
    loan: LoanTerms | None = None
    province: str | None = None
    top_up_of: str | None = None

    @property
    def is_local(self) -> bool:
        return self.province is not None

    def entitlements_for(self, statuses: Collection[str]) -> tuple[Entitlement, ...]:
        """The status rows that apply to a household with any of ``statuses``."""
        return tuple(e for e in self.eligible if e.status is not None and e.status in statuses)


@dataclass(frozen=True)
class PolicyMatch:
    """A policy a household qualifies for, and why.

    ``entitlements``: the status rows that entitle it (never empty); ``addresses``: the
    household's deprived indicators the policy helps with, in the policy's order (may be empty).
    """

    policy: Policy
    entitlements: tuple[Entitlement, ...]
    addresses: tuple[str, ...]


def _entitlement(raw: object, where: str) -> Entitlement:
    fields = Fields(raw, where)
    status = fields.optional("status")
    if status is not None and status not in POLICY_STATUSES:
        raise invalid(where, f"unknown status {status!r}; use one of {', '.join(POLICY_STATUSES)}")
    entitlement = Entitlement(status, fields.text("condition"))
    fields.done()
    return entitlement


def _texts(fields: Fields, key: str, *, required: bool = True) -> tuple[str, ...]:
    items = fields.items(key, required=required)
    texts = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise invalid(
                f"{fields.where} > {key}[{i}]", f"expected a non-empty text, got {item!r}"
            )
        texts.append(" ".join(item.split()))
    return tuple(texts)


def _loan(raw: object, where: str) -> LoanTerms:
    fields = Fields(raw if raw is not None else {}, where)
    values: dict[str, str | None] = {}
    for key in ("ceiling", "rate", "term"):
        value = fields.optional(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise invalid(where, f"'{key}' must be a non-empty text, got {value!r}")
        values[key] = " ".join(value.split()) if isinstance(value, str) else None
    fields.done()
    return LoanTerms(**values)


def _checked_on(fields: Fields) -> date:
    value = fields.raw("checked_on")
    if not isinstance(value, date):
        raise invalid(fields.where, f"'checked_on' must be a date (YYYY-MM-DD), got {value!r}")
    return value


def _policy(raw: object, where: str) -> Policy:
    fields = Fields(raw, where)
    code = fields.text("code")
    if not set(code) <= _CODE_CHARACTERS:
        raise invalid(where, f"code {code!r} must be lower-case snake_case")
    fields.where = f"{where} ({code})"
    note = fields.optional("note")
    if note is not None and (not isinstance(note, str) or not note.strip()):
        raise invalid(fields.where, f"'note' must be a non-empty text, got {note!r}")
    indicators = fields.raw("indicators")
    if not isinstance(indicators, list):
        raise invalid(fields.where, f"'indicators' must be a list, got {indicators!r}")
    policy = Policy(
        code=code,
        name=fields.text("name"),
        summary=fields.text("summary"),
        eligible=tuple(
            _entitlement(item, f"{fields.where} > eligible[{i}]")
            for i, item in enumerate(fields.items("eligible"))
        ),
        legal_basis=_texts(fields, "legal_basis"),
        verified=fields.flag("verified"),
        note=" ".join(note.split()) if isinstance(note, str) else None,
        how_to=fields.text("how_to"),
        indicators=_texts(fields, "indicators", required=False),
        keywords=_texts(fields, "keywords"),
        checked_on=_checked_on(fields),
        loan=_loan(fields.raw("loan"), f"{fields.where} > loan") if fields.has("loan") else None,
    )
    fields.done()
    unknown = [code for code in policy.indicators if code not in INDICATOR_BITS]
    if unknown:
        raise invalid(fields.where, f"unknown indicator code(s): {', '.join(unknown)}")
    if len(set(policy.indicators)) != len(policy.indicators):
        raise invalid(fields.where, "an indicator is listed twice")
    if not any(e.status is not None for e in policy.eligible):
        raise invalid(fields.where, "'eligible' needs at least one row with a status")
    if not policy.verified and policy.note is None:
        raise invalid(fields.where, "an unverified policy needs a 'note' saying what to check")
    return policy


def parse_policies(raw: object) -> tuple[Policy, ...]:
    """Validate the YAML content of the catalogue and build the policies, in file order.

    Refuses unknown and missing fields, wrong types, unknown statuses, indicator codes that no
    standard defines, duplicate codes, and unverified entries without a note, with an
    :class:`~poverty.errors.InvalidStandardError` naming the entry.
    """
    try:
        if not isinstance(raw, list) or not raw:
            raise invalid(_FILE, "expected a non-empty list of policies")
        policies = tuple(_policy(item, f"{_FILE} > [{i}]") for i, item in enumerate(raw))
        codes = [policy.code for policy in policies]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise invalid(_FILE, f"duplicate code(s): {', '.join(duplicates)}")
    except InvalidStandardError as error:
        if error.message == POLICY_FILE_INVALID:
            raise
        raise InvalidStandardError(POLICY_FILE_INVALID, **error.params) from None
    return policies


@functools.cache
def load_policies() -> tuple[Policy, ...]:
    """The packaged catalogue, validated once and cached."""
    text = resources.files("poverty").joinpath(_FILE).read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidStandardError(POLICY_FILE_INVALID, where=_FILE, detail=str(error)) from None
    return parse_policies(raw)


def policy_by_code(code: str) -> Policy | None:
    """The catalogue's policy with that code, if any."""
    return next((policy for policy in load_policies() if policy.code == code), None)


def policies_for(
    status: str | None,
    deprived: Iterable[str],
    newly_escaped: bool = False,
    policies: Iterable[Policy] | None = None,
) -> list[PolicyMatch]:
    """What a household qualifies for, from its official status and its deprivations.

    ``status`` is the official status (``ngheo``, ``can_ngheo``, ``trung_binh``, ``khong`` or
    None); ``newly_escaped`` adds the entitlements of a household that recently left the list
    (``moi_thoat_ngheo``). Only policies its status entitles it to are listed: a deprivation
    alone does not make a household eligible. Policies that address one of ``deprived`` come
    first (most addressed indicators first), then the others, each group in catalogue order.
    """
    statuses = {status} if status is not None else set()
    if newly_escaped:
        statuses.add("moi_thoat_ngheo")
    deprived_set = set(deprived)
    matches = []
    for policy in load_policies() if policies is None else policies:
        entitlements = policy.entitlements_for(statuses)
        if entitlements:
            addresses = tuple(code for code in policy.indicators if code in deprived_set)
            matches.append(PolicyMatch(policy, entitlements, addresses))
    return sorted(matches, key=lambda match: -len(match.addresses))


def is_entitled(policy: Policy, status: str | None, newly_escaped: bool = False) -> bool:
    """Whether the catalogue gives ``policy`` to a household of official ``status``: one of its
    status rows applies, or a row is tied to no status (a province's top-up, an age), which
    the catalogue cannot judge, so the household may well qualify."""
    statuses = {status} if status is not None else set()
    if newly_escaped:
        statuses.add("moi_thoat_ngheo")
    return any(e.status is None for e in policy.eligible) or bool(policy.entitlements_for(statuses))
