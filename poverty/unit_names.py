"""Names of administrative units as people type them: the level word in front (``Xã``,
``Huyện``, ``Thị trấn``…) tells the kind of unit, the rest is the name.

Since 1 July 2025 local government has two levels: provinces (tỉnh, thành phố) and communes
(xã, phường, đặc khu). Districts (huyện, quận, thị xã, thành phố thuộc tỉnh) and towns
(thị trấn) remain in older data, which is why their words are still understood.
"""

from __future__ import annotations

from dataclasses import dataclass

from poverty.i18n import N_
from poverty.text import fold


@dataclass(frozen=True)
class UnitKind:
    """A kind of unit: its code, the word written before its name, the folded words people
    type for it (full and abbreviated), and the levels of the tree it can sit at."""

    code: str
    label: str
    words: tuple[str, ...]
    levels: tuple[str, ...]


KINDS: tuple[UnitKind, ...] = (
    UnitKind("tinh", N_("Tỉnh"), ("tinh",), ("province",)),
    UnitKind("thanh_pho", N_("Thành phố"), ("thanh pho", "tp"), ("province", "district")),
    UnitKind("huyen", N_("Huyện"), ("huyen",), ("district",)),
    UnitKind("quan", N_("Quận"), ("quan",), ("district",)),
    UnitKind("thi_xa", N_("Thị xã"), ("thi xa",), ("district",)),
    UnitKind("xa", N_("Xã"), ("xa",), ("commune",)),
    UnitKind("phuong", N_("Phường"), ("phuong",), ("commune",)),
    UnitKind("thi_tran", N_("Thị trấn"), ("thi tran", "tt"), ("commune",)),
    UnitKind("dac_khu", N_("Đặc khu"), ("dac khu",), ("commune",)),
    UnitKind("thon", N_("Thôn"), ("thon",), ("village",)),
    UnitKind("ban", N_("Bản"), ("ban",), ("village",)),
    UnitKind("ap", N_("Ấp"), ("ap",), ("village",)),
    UnitKind("khu_pho", N_("Khu phố"), ("khu pho",), ("village",)),
    UnitKind("to_dan_pho", N_("Tổ dân phố"), ("to dan pho",), ("village",)),
)
KIND_BY_CODE: dict[str, UnitKind] = {kind.code: kind for kind in KINDS}
_WORDS: tuple[tuple[str, UnitKind], ...] = tuple(
    sorted(((word, kind) for kind in KINDS for word in kind.words), key=lambda p: -len(p[0]))
)


@dataclass(frozen=True)
class UnitName:
    """A typed unit name split into its kind (None when no level word was typed) and the
    matching key of the name proper (folded, without the level word)."""

    kind: UnitKind | None
    key: str


def parse_unit_name(text: str) -> UnitName:
    """``Thị trấn Cam Lộ`` → kind ``thi_tran``, key ``cam lo``; ``cam lo`` → no kind.

    A level word alone (``Xã``) is a name, not a kind: nothing would be left to match."""
    folded = fold(text)
    for word, kind in _WORDS:
        if folded.startswith(word + " ") and len(folded) > len(word) + 1:
            return UnitName(kind, folded[len(word) + 1 :])
    return UnitName(None, folded)


def unit_key(name: str) -> str:
    """Matching key of a unit name: folded, with the level word dropped."""
    return parse_unit_name(name).key


def kind_of_name(name: str) -> str:
    """The kind code a stored name carries in its level word, or ``""``."""
    kind = parse_unit_name(name).kind
    return kind.code if kind else ""


def kind_fits(kind: UnitKind, unit_kind: str, level: str) -> bool:
    """Whether a unit of ``unit_kind`` (``""``: not recorded) at ``level`` can be what a name
    with ``kind``'s level word means."""
    if unit_kind:
        return unit_kind == kind.code
    return level in kind.levels


def qualified_name(name: str, kind: str) -> str:
    """The name with its level word in front, unless it already has one or none is known.

    The level word is the Vietnamese form (a unit's name is a proper name, not translated)."""
    known = KIND_BY_CODE.get(kind)
    if known is None or parse_unit_name(name).kind is not None:
        return name
    return f"{known.label} {name}"


def kind_for_new_unit(name: str, level: str) -> str:
    """The kind of a unit about to be created: its level word, else nothing."""
    parsed = parse_unit_name(name).kind
    if parsed is not None and level in parsed.levels:
        return parsed.code
    return ""
