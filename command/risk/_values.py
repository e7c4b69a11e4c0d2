"""Reading the numbers of a grading input: one path for typed values and typed text.

Every grading function accepts a number or its decimal text (as typed on the command line
or in a form) and turns it into an exact :class:`fractions.Fraction` of the decimal the
person wrote, so that boundaries (R = 10, D = 20 ...) fall where hand arithmetic puts
them; ``0.1 * 6 * 7`` in binary floating point is not 4.2. Problems are returned, not
raised, so a caller can report every problem of one input at once.

Must not: know any method's scales (those are in ``ls``, ``lec``, ``gb18218``).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from numbers import Real

from command.errors import Problem

__all__ = ["exact", "whole", "fmt"]


def exact(value: object, field: str) -> tuple[Fraction | None, Problem | None]:
    """``value`` (a real number or its decimal text) as an exact fraction, or the problem.

    Parameters
    ----------
    value
        An ``int``, ``float``, ``Decimal``, ``Fraction`` or a text such as ``"0.5"``.
        A float counts as the decimal it prints as (``0.1`` is one tenth).
    field
        The field's name for the problem, e.g. ``"L"`` or ``"quantity of ammonia"``.
    """
    if isinstance(value, bool) or value is None:
        return None, Problem("must be a number", field=field, value=value)
    if isinstance(value, str | Real | Decimal):
        text = value.strip() if isinstance(value, str) else value
        try:
            number = Fraction(Decimal(str(text))) if not isinstance(text, Fraction) else text
        except (ArithmeticError, ValueError):  # text, NaN, infinity
            return None, Problem("must be a finite number", field=field, value=value)
        return number, None
    return None, Problem("must be a number", field=field, value=value)


def whole(value: object, field: str) -> tuple[int | None, Problem | None]:
    """``value`` as an ``int`` when it is a whole number (``3``, ``"3"``, ``3.0``)."""
    number, problem = exact(value, field)
    if problem is not None:
        return None, problem
    if number.denominator != 1:
        return None, Problem("must be a whole number", field=field, value=value)
    return int(number), None


def fmt(number: Fraction) -> int | float:
    """An exact result for output: ``int`` when whole, else the nearest ``float``."""
    return int(number) if number.denominator == 1 else float(number)
