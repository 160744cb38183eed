"""Whether an answer about a household can be true, and whether it is unusual enough to be
confirmed before it is saved. Common sense about households, not law: the same rules serve the
guided check, the ``KT`` code, imports and ``assess``.

- **Impossible** answers are refused with the reason: an income per person under
  :data:`INCOME_IMPOSSIBLE_BELOW` a month (``1.500`` typed for 1.500.000), more dependants
  than members, a floor area of 0 m², and a child under 16 (malnourished, or out of school)
  after “0 dependants” (the dependants question counts every child under 16).
- **Unusual** answers are possible and shown for confirmation: an income per person under
  :data:`INCOME_UNUSUAL_BELOW` or over :data:`INCOME_UNUSUAL_ABOVE` a month, a house over
  :data:`AREA_UNUSUAL_ABOVE` m².

Keys are the question keys of the standards (``poverty/standards/*.yaml``) and the facts the
check knows (``so_nhan_khau``, ``thu_nhap_binh_quan``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from poverty.formatting import format_int, format_money
from poverty.i18n import N_

INCOME_IMPOSSIBLE_BELOW = 10_000
INCOME_UNUSUAL_BELOW = 300_000
INCOME_UNUSUAL_ABOVE = 20_000_000
AREA_UNUSUAL_ABOVE = 300

INCOME_TOO_LOW = N_(
    "Thu nhập {income}/người/tháng là quá thấp để đúng. Có phải {guess}? Xin nhập lại, ví dụ "
    "{guess} hoặc 1tr5."
)
TOTAL_TOO_LOW = N_(
    "Tổng thu nhập {income}/tháng của cả hộ là quá thấp để đúng. Có phải {guess}? Xin nhập lại."
)
TOO_MANY_DEPENDANTS = N_(
    "Hộ có {members} nhân khẩu nên không thể có {count} người phụ thuộc. Xin nhập lại (từ 0 "
    "đến {members})."
)
AREA_ZERO = N_("Diện tích nhà ở phải lớn hơn 0 m². Xin nhập lại, ví dụ: 40.")
CHILDREN_BUT_NO_DEPENDANTS = N_(
    "Trước đó anh/chị nhập 0 người phụ thuộc, nhưng trẻ em dưới 16 tuổi được tính là người phụ "
    "thuộc. Nếu hộ có trẻ dưới 16 tuổi, gõ /quaylai để sửa số người phụ thuộc; nếu không, trả "
    "lời “không”."
)
INCOME_LOW = N_(
    "Thu nhập {income}/người/tháng thấp bất thường (dưới {limit}); xin chắc chắn đã nhập đúng."
)
INCOME_HIGH = N_(
    "Thu nhập {income}/người/tháng cao bất thường (trên {limit}); xin chắc chắn đã nhập đúng."
)
AREA_LARGE = N_("Diện tích nhà ở {area} m² lớn bất thường (trên {limit} m²); xin chắc chắn.")

DEPENDANTS = "nguoi_phu_thuoc_so"
MEMBERS = "so_nhan_khau"
INCOME = "thu_nhap_binh_quan"
AREA = "nha_o_dien_tich_m2"
CHILDREN_UNDER_16 = ("dinh_duong_tre_suy_dinh_duong", "di_hoc_tre_khong_di_hoc")
"""Questions whose “có” means the household has a child under 16 (2022–2025 and later)."""
RULED_KEYS = frozenset({DEPENDANTS, AREA, *CHILDREN_UNDER_16})
"""Question keys with a rule here (income has its own functions)."""


@dataclass(frozen=True)
class Problem:
    """Why an answer is refused or should be confirmed: a msgid and its parameters."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


def _guess(value: int) -> str:
    return format_money(value * 1000)


def income_problem(income: int) -> Problem | None:
    """An income per person per month that cannot be right (likely typed in thousands)."""
    if income < INCOME_IMPOSSIBLE_BELOW:
        return Problem(INCOME_TOO_LOW, {"income": format_money(income), "guess": _guess(income)})
    return None


def total_income_problem(total: int) -> Problem | None:
    """A household's total income per month that cannot be right."""
    if total < INCOME_IMPOSSIBLE_BELOW:
        return Problem(TOTAL_TOO_LOW, {"income": format_money(total), "guess": _guess(total)})
    return None


def answer_problem(key: str, value: Any, facts: Mapping[str, Any]) -> Problem | None:
    """Why the answer ``value`` to question ``key`` cannot be true, given what is known."""
    members = facts.get(MEMBERS)
    too_many = isinstance(members, int) and isinstance(value, int) and value > members
    if key == DEPENDANTS and too_many:
        return Problem(TOO_MANY_DEPENDANTS, {"members": members, "count": value})
    if key == AREA and isinstance(value, int | float) and value <= 0:
        return Problem(AREA_ZERO)
    if key in CHILDREN_UNDER_16 and value is True and facts.get(DEPENDANTS) == 0:
        return Problem(CHILDREN_BUT_NO_DEPENDANTS)
    return None


def unusual(facts: Mapping[str, Any]) -> list[Problem]:
    """Possible but unusual answers, to show before saving."""
    found: list[Problem] = []
    income = facts.get(INCOME)
    if isinstance(income, int) and income < INCOME_UNUSUAL_BELOW:
        found.append(
            Problem(
                INCOME_LOW,
                {"income": format_money(income), "limit": format_money(INCOME_UNUSUAL_BELOW)},
            )
        )
    if isinstance(income, int) and income > INCOME_UNUSUAL_ABOVE:
        found.append(
            Problem(
                INCOME_HIGH,
                {"income": format_money(income), "limit": format_money(INCOME_UNUSUAL_ABOVE)},
            )
        )
    area = facts.get(AREA)
    if isinstance(area, int | float) and area > AREA_UNUSUAL_ABOVE:
        found.append(
            Problem(AREA_LARGE, {"area": format_int(round(area)), "limit": AREA_UNUSUAL_ABOVE})
        )
    return found
