"""Percentages as the meetings read them: one decimal, rounded half up."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

ONE_DECIMAL = Decimal("0.1")


def rate(numerator, denominator) -> float | None:
    """100 × numerator / denominator, rounded half up to one decimal; None over an empty set."""
    if not denominator:
        return None
    exact = Fraction(Decimal(numerator)) * 100 / Fraction(Decimal(denominator))
    return float((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP))
