"""Amounts in one Swedish format everywhere (issue 12 item 8): pages, letters, the BOSAM agenda and its PDF.

"24 600 kr": digits grouped by three with a no-break space, a no-break space before "kr" (an amount never
breaks over two lines); öre only where there are any ("24 600,50 kr"). Django-free: templates use the
``kronor`` filter (cases/templatetags/case_tags.py), Python code calls ``format_kronor``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"


def format_kronor(amount: Decimal | int | float | str | None) -> str:
    """24600 -> '24 600 kr', Decimal('24600.50') -> '24 600,50 kr', None -> ''."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    sign = "\u2212" if value < 0 else ""  # the minus sign, not a hyphen
    value = abs(value)
    kronor, ore = divmod(value, 1)
    text = f"{int(kronor):,}".replace(",", NBSP)
    if ore:
        text += "," + f"{int(ore * 100):02d}"
    return f"{sign}{text}{NBSP}kr"
