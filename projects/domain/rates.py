"""Percentages as the meetings read them: one decimal, rounded half up."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ONE_DECIMAL = Decimal("0.1")


def half_up(exact: Fraction) -> float:
    """An exact figure rounded half up to one decimal."""
    return float((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP))


def rate(numerator, denominator) -> float | None:
    """100 × numerator / denominator, rounded half up to one decimal; None over an empty set."""
    if not denominator:
        return None
    return half_up(Fraction(Decimal(numerator)) * 100 / Fraction(Decimal(denominator)))
