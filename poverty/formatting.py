"""Vietnamese forms of numbers, money and dates.

Vietnamese writes ``.`` between thousands and ``,`` before decimals
(``1.087``; ``3,04%``) and dates day first (``20/12/2025``). Rounding is half
up on the decimal value people see, so ``2,345`` becomes ``2,35``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def _swap_separators(english: str) -> str:
    return english.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_int(value: int) -> str:
    """``1087`` → ``"1.087"``."""
    return _swap_separators(f"{value:,d}")


def format_decimal(value: float, digits: int = 2) -> str:
    """``3.0396`` → ``"3,04"`` (``digits`` places after the comma, half up)."""
    exponent = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP)
    return _swap_separators(f"{rounded:,.{digits}f}")


def format_money(value: int) -> str:
    """``1500000`` → ``"1.500.000 đồng"``."""
    return f"{format_int(value)} đồng"


def format_date(value: date) -> str:
    """``date(2025, 12, 20)`` → ``"20/12/2025"``."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
