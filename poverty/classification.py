"""Classifying a household under a poverty standard.

The generic rule, with I the income per person per month, D the number of
deprived indicators and the lines of :class:`~poverty.standards.IncomeLines`:

- I ≤ ``poor_outright`` → poor, whatever D (2016–2020 only: QĐ 59/2015 Art. 1.1,
  structure of the QĐ 1614/QĐ-TTg conversion scheme);
- I ≤ ``poverty`` → poor if D ≥ ``min_deprivations``, otherwise near-poor
  (NĐ 07/2021 Art. 3.2; NĐ 351/2025 for 2027–2030);
- I ≤ ``medium_upper`` → medium living standard, whatever D;
- otherwise not poor. Income is the gate: deprivations alone never make a
  household poor.

When the income or some deprivations are not known yet, :func:`classify` works
out every class the household could still end up in; it decides only when all
of them agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from poverty.errors import InvalidInputError
from poverty.formatting import format_int, format_money
from poverty.i18n import N_
from poverty.standards import Area, IncomeLines, Standard

PovertyClass = Literal["ngheo", "can_ngheo", "trung_binh", "khong"]

CLASS_LABELS: Mapping[PovertyClass, str] = MappingProxyType(
    {
        "ngheo": N_("Hộ nghèo"),
        "can_ngheo": N_("Hộ cận nghèo"),
        "trung_binh": N_("Hộ có mức sống trung bình"),
        "khong": N_("Hộ không nghèo"),
    }
)
SEVERITY: Mapping[PovertyClass, int] = MappingProxyType(
    {"ngheo": 3, "can_ngheo": 2, "trung_binh": 1, "khong": 0}
)
"""How poor each class is; a larger number is poorer."""
AREA_LABELS: Mapping[Area, str] = MappingProxyType(
    {"nong_thon": N_("nông thôn"), "thanh_thi": N_("thành thị")}
)

NEGATIVE_INCOME = N_("Thu nhập bình quân không được là số âm.")
UNKNOWN_AREA = N_("Khu vực “{area}” không hợp lệ.")
INCOME_POOR_OUTRIGHT = N_(
    "Thu nhập bình quân {income}/người/tháng, không vượt chuẩn nghèo {line} ({area}): "
    "là hộ nghèo, không phụ thuộc số chỉ số thiếu hụt."
)
INCOME_BETWEEN_LINES = N_(
    "Thu nhập bình quân {income}/người/tháng, cao hơn chuẩn nghèo {outright} nhưng không "
    "vượt chuẩn cận nghèo {line} ({area})."
)
INCOME_UNDER_LINE = N_("Thu nhập bình quân {income}/người/tháng, không vượt chuẩn {line} ({area}).")
INCOME_MEDIUM = N_(
    "Thu nhập bình quân {income}/người/tháng, cao hơn chuẩn {line} nhưng không vượt mức "
    "sống trung bình {upper} ({area})."
)
INCOME_ABOVE_MEDIUM = N_(
    "Thu nhập bình quân {income}/người/tháng, cao hơn mức sống trung bình {upper} ({area})."
)
INCOME_ABOVE_LINE = N_("Thu nhập bình quân {income}/người/tháng, cao hơn chuẩn {line} ({area}).")
NO_MEDIUM_BAND = N_(
    "Chuẩn {standard} không quy định mức sống trung bình, nên hộ được ghi nhận là hộ trên "
    "chuẩn (không nghèo)."
)
DEPRIVED_ENOUGH = N_("Thiếu hụt {count} chỉ số (từ {min} chỉ số trở lên): {names}.")
DEPRIVED_NONE = N_("Không thiếu hụt chỉ số nào (dưới {min} chỉ số).")
DEPRIVED_FEW = N_("Thiếu hụt {count} chỉ số (dưới {min} chỉ số): {names}.")
DEPRIVED_FEW_EVEN_IF_UNKNOWN = N_(
    "Thiếu hụt {count} chỉ số, còn {unknown_count} chỉ số chưa rõ; dù có thiếu hụt cả thì "
    "vẫn dưới {min} chỉ số."
)
DEPRIVED_SO_FAR = N_("Đã xác định thiếu hụt {count} chỉ số; còn {unknown_count} chỉ số chưa rõ.")
DEPRIVED_ABOVE_LINE = N_(
    "Hộ thiếu hụt {count} chỉ số ({names}) nhưng thu nhập cao hơn chuẩn nên không thuộc diện "
    "hộ nghèo hay cận nghèo."
)
NEED_INCOME = N_("Chưa đủ thông tin để kết luận: cần biết thu nhập bình quân đầu người.")
NEED_INDICATORS = N_("Chưa đủ thông tin để kết luận: cần biết các chỉ số {names}.")
NEED_BOTH = N_(
    "Chưa đủ thông tin để kết luận: cần biết thu nhập bình quân đầu người và các chỉ số {names}."
)


@dataclass(frozen=True)
class Reason:
    """One sentence of explanation: ``_(message).format(**params)``; numbers come formatted."""

    message: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class Classification:
    """Outcome of :func:`classify`.

    ``result`` is None while the missing answers could still change it; then
    ``possible`` lists the classes still open (it always holds ``result`` when
    decided). ``deprived`` and ``unknown`` are indicator codes in the order of
    the standard.
    """

    result: PovertyClass | None
    possible: frozenset[PovertyClass]
    deprived: tuple[str, ...]
    unknown: tuple[str, ...]
    income_per_person: int | None
    standard_id: str
    reasons: tuple[Reason, ...]

    @property
    def decided(self) -> bool:
        """Whether the answers given are enough for a result."""
        return self.result is not None

    @property
    def deprivation_count(self) -> int:
        """Number of indicators known to be deprived."""
        return len(self.deprived)


def poverty_class(
    lines: IncomeLines, min_deprivations: int, income: int, deprived_count: int
) -> PovertyClass:
    """The class for a known income and deprivation count (the rule in the module docstring)."""
    if lines.poor_outright is not None and income <= lines.poor_outright:
        return "ngheo"
    if income <= lines.poverty:
        return "ngheo" if deprived_count >= min_deprivations else "can_ngheo"
    if lines.medium_upper is not None and income <= lines.medium_upper:
        return "trung_binh"
    return "khong"


def _income_samples(lines: IncomeLines) -> tuple[int, ...]:
    """One income inside every band of ``lines`` (each line and one đồng above it)."""
    edges = (lines.poor_outright, lines.poverty, lines.medium_upper)
    return (0, *(value + step for value in edges if value is not None for step in (0, 1)))


def _income_reasons(
    standard: Standard, area: Area, lines: IncomeLines, income: int
) -> list[Reason]:
    params: dict[str, object] = {
        "income": format_money(income),
        "line": format_money(lines.poverty),
        "area": AREA_LABELS[area],
    }
    if lines.poor_outright is not None:
        params["outright"] = format_money(lines.poor_outright)
        if income <= lines.poor_outright:
            return [Reason(INCOME_POOR_OUTRIGHT, {**params, "line": params["outright"]})]
        if income <= lines.poverty:
            return [Reason(INCOME_BETWEEN_LINES, params)]
    if income <= lines.poverty:
        return [Reason(INCOME_UNDER_LINE, params)]
    if lines.medium_upper is None:
        return [
            Reason(INCOME_ABOVE_LINE, params),
            Reason(NO_MEDIUM_BAND, {"standard": standard.id}),
        ]
    params["upper"] = format_money(lines.medium_upper)
    if income <= lines.medium_upper:
        return [Reason(INCOME_MEDIUM, params)]
    return [Reason(INCOME_ABOVE_MEDIUM, params)]


def _names(standard: Standard, codes: tuple[str, ...]) -> str:
    return ", ".join(standard.indicator(code).name for code in codes)


def _deprivation_reason(
    standard: Standard, deprived: tuple[str, ...], unknown: tuple[str, ...]
) -> Reason:
    minimum = standard.min_deprivations
    params: dict[str, object] = {
        "count": format_int(len(deprived)),
        "min": format_int(minimum),
        "names": _names(standard, deprived),
        "unknown_count": format_int(len(unknown)),
    }
    if len(deprived) >= minimum:
        return Reason(DEPRIVED_ENOUGH, params)
    if not unknown:
        return Reason(DEPRIVED_FEW if deprived else DEPRIVED_NONE, params)
    if len(deprived) + len(unknown) < minimum:
        return Reason(DEPRIVED_FEW_EVEN_IF_UNKNOWN, params)
    return Reason(DEPRIVED_SO_FAR, params)


def classify(
    standard: Standard,
    area: Area,
    income_per_person: int | None,
    deprivations: Mapping[str, bool | None],
) -> Classification:
    """Classify a household under ``standard``, explaining why.

    ``deprivations`` maps indicator codes to True (deprived), False (not) or
    None (not known); codes of the standard missing from it are unknown too.
    Raises :class:`UnknownIndicatorError` for a code the standard does not
    have and :class:`InvalidInputError` for a negative income or unknown area.
    """
    if area not in standard.income_lines:
        raise InvalidInputError(UNKNOWN_AREA, area=area)
    if income_per_person is not None and income_per_person < 0:
        raise InvalidInputError(NEGATIVE_INCOME, income=income_per_person)
    for code in deprivations:
        standard.indicator(code)
    lines = standard.income_lines[area]
    deprived = tuple(code for code in standard.codes if deprivations.get(code))
    unknown = tuple(code for code in standard.codes if deprivations.get(code) is None)
    counts = (len(deprived), len(deprived) + len(unknown))
    minimum = standard.min_deprivations

    def classes(incomes: tuple[int, ...], deprived_counts: tuple[int, ...]) -> set[PovertyClass]:
        return {poverty_class(lines, minimum, i, d) for i in incomes for d in deprived_counts}

    incomes = (income_per_person,) if income_per_person is not None else _income_samples(lines)
    possible = frozenset(classes(incomes, counts))
    income_matters = income_per_person is None and any(
        len(classes(incomes, (count,))) > 1 for count in counts
    )
    deprivations_matter = any(len(classes((income,), counts)) > 1 for income in incomes)

    reasons: list[Reason] = []
    if income_per_person is not None:
        reasons.extend(_income_reasons(standard, area, lines, income_per_person))
    gated_by_income = income_per_person is not None and (
        income_per_person > lines.poverty
        or (lines.poor_outright is not None and income_per_person <= lines.poor_outright)
    )
    if not gated_by_income:
        reasons.append(_deprivation_reason(standard, deprived, unknown))
    elif deprived and income_per_person is not None and income_per_person > lines.poverty:
        reasons.append(
            Reason(
                DEPRIVED_ABOVE_LINE,
                {"count": format_int(len(deprived)), "names": _names(standard, deprived)},
            )
        )
    names = {"names": _names(standard, unknown)}
    if income_matters and deprivations_matter:
        reasons.append(Reason(NEED_BOTH, names))
    elif income_matters:
        reasons.append(Reason(NEED_INCOME, {}))
    elif deprivations_matter:
        reasons.append(Reason(NEED_INDICATORS, names))

    return Classification(
        result=next(iter(possible)) if len(possible) == 1 else None,
        possible=possible,
        deprived=deprived,
        unknown=unknown,
        income_per_person=income_per_person,
        standard_id=standard.id,
        reasons=tuple(reasons),
    )
