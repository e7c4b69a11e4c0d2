"""The analytic hierarchy process (AHP): pairwise comparison matrices, their priority
vectors and consistency.

A judgement ``a[i][j]`` says how many times more important (preferred, likely) item ``i``
is than item ``j`` on Saaty's 1-9 scale; a valid matrix is square, positive, has ones on
its diagonal and is reciprocal (``a[j][i] = 1 / a[i][j]``). The priorities are the
principal (Perron) eigenvector of the matrix, normalised to sum to 1; ``lambda_max`` is
its eigenvalue, the consistency index ``CI = (lambda_max - n) / (n - 1)`` and the
consistency ratio ``CR = CI / RI(n)`` with Saaty's random index (1980, the table of
:data:`RANDOM_INDEX`; other tables exist, e.g. Donegan & Dodd 1991, and change CR).
``CR <= 0.10`` is acceptable (:data:`CR_LIMIT`); above it the judge is asked to revise,
starting from the judgement that departs most from the priorities it implies
(:attr:`AHPResult.worst`).

A group's matrix is the weighted geometric mean of its members' matrices, element by
element (aggregation of individual judgements, AIJ: Forman & Peniwati 1998), which keeps
reciprocity, so the same eigenvector method applies.

Owns: checking, computing and reading matrices (text in, numbers out). Must not: read
files or know who judged (callers pass text and weights).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

import numpy as np

from command.errors import DataError, Problem

__all__ = ["RANDOM_INDEX", "CR_LIMIT", "RECIPROCAL_TOLERANCE", "MAX_N", "AHPResult",
           "check_matrix", "ahp", "parse_matrix", "group_matrix", "matrix_from_upper",
           "upper_of"]

#: Saaty's random index RI(n) (Saaty 1980; ../shared/benchmarks/REFERENCE.md section 6):
#: the mean CI of random reciprocal matrices of order n. Some tables give 1.51 for n = 10.
RANDOM_INDEX: Mapping[int, float] = MappingProxyType({
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49})
#: The largest order the random index table covers.
MAX_N = max(RANDOM_INDEX)
#: Saaty's limit of an acceptable consistency ratio.
CR_LIMIT = 0.10
#: How far ``a[i][j] * a[j][i]`` may be from 1: a judgement typed as a decimal with two
#: digits (0.33 for 1/3 gives 0.99) is reciprocal enough; 0.3 for 1/3 (0.9) is not.
RECIPROCAL_TOLERANCE = 0.02


@dataclass(frozen=True)
class AHPResult:
    """The priorities of one matrix and its consistency.

    ``weights`` are in row order and sum to 1; ``ri`` is the random index used (0 for
    n <= 2, where every reciprocal matrix is consistent and CR is 0); ``worst`` is
    (row, column, given, implied) of the judgement furthest (in log ratio) from the
    ratio of the priorities, rows and columns counted from 0, or None for n <= 2.
    """

    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float
    ri: float
    n: int
    worst: tuple[int, int, float, float] | None

    @property
    def consistent(self) -> bool:
        """Whether CR <= :data:`CR_LIMIT`."""
        return self.cr <= CR_LIMIT

    def to_dict(self) -> dict:
        return {"weights": list(self.weights), "lambda_max": self.lambda_max, "ci": self.ci,
                "cr": self.cr, "ri": self.ri, "n": self.n, "consistent": self.consistent,
                "worst": (None if self.worst is None else
                          {"row": self.worst[0], "column": self.worst[1],
                           "given": self.worst[2], "implied": self.worst[3]})}


def check_matrix(matrix: object, *, source: str = "matrix") -> np.ndarray:
    """``matrix`` as a float array, checked.

    Parameters
    ----------
    matrix
        A square sequence of sequences of numbers (or an array).
    source
        Named in the problems (a file name, ``criteria`` ...).

    Returns
    -------
    numpy.ndarray
        n x n, 1 <= n <= :data:`MAX_N`.

    Raises
    ------
    DataError
        Every problem at once, naming row and column (from 1) and the value: not square,
        empty or too large, not a number, zero or negative, a diagonal entry other than
        1, a pair that is not reciprocal (within :data:`RECIPROCAL_TOLERANCE`).
    """
    try:
        rows = [list(r) for r in matrix]  # type: ignore[union-attr]
    except TypeError:
        raise DataError("A pairwise matrix is a list of rows.",
                        [Problem("not a list of rows", file=source, value=matrix)]) from None
    n = len(rows)
    problems: list[Problem] = []
    if n == 0:
        raise DataError("The pairwise matrix is empty.", [Problem("no rows", file=source)])
    if n > MAX_N:
        problems.append(Problem(f"{n} rows: at most {MAX_N} items can be compared (the random "
                                "index table ends there)", file=source, value=n))
    for i, r in enumerate(rows, start=1):
        if len(r) != n:
            problems.append(Problem(f"has {len(r)} entries; a square matrix of {n} rows needs "
                                    f"{n}", file=source, row=i, value=len(r)))
    if problems:
        raise DataError("The pairwise matrix has the wrong shape.", problems)
    a = np.full((n, n), np.nan)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            where = dict(file=source, row=i + 1, field=f"column {j + 1}", value=v)
            if isinstance(v, bool) or not isinstance(v, int | float | Fraction | np.number):
                problems.append(Problem("not a number", **where))
            elif not math.isfinite(float(v)) or float(v) <= 0:
                problems.append(Problem("a judgement must be a positive number (1/9 to 9 on "
                                        "Saaty's scale)", **where))
            else:
                a[i, j] = float(v)
    for i in range(n):
        if not np.isnan(a[i, i]) and abs(a[i, i] - 1.0) > 1e-9:
            problems.append(Problem("the diagonal is 1 (an item against itself)", file=source,
                                    row=i + 1, field=f"column {i + 1}", value=rows[i][i]))
    for i in range(n):
        for j in range(i + 1, n):
            if np.isnan(a[i, j]) or np.isnan(a[j, i]):
                continue
            if abs(a[i, j] * a[j, i] - 1.0) > RECIPROCAL_TOLERANCE:
                problems.append(Problem(
                    f"not reciprocal: row {j + 1}, column {i + 1} is {rows[j][i]!s}, so this "
                    f"should be {_fraction_text(1.0 / a[j, i])}", file=source, row=i + 1,
                    field=f"column {j + 1}", value=rows[i][j]))
    if problems:
        raise DataError("The pairwise matrix is not valid.", problems)
    return a


def _fraction_text(x: float) -> str:
    f = Fraction(x).limit_denominator(9)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def ahp(matrix: object, *, source: str = "matrix") -> AHPResult:
    """Priorities and consistency of a pairwise comparison matrix.

    Parameters
    ----------
    matrix
        As :func:`check_matrix` takes it.
    source
        Named in problems.

    Returns
    -------
    AHPResult
        ``weights`` (principal eigenvector, sums to 1), ``lambda_max``, ``ci``, ``cr``
        (Saaty's RI), ``worst`` judgement.

    Raises
    ------
    DataError
        As :func:`check_matrix`.
    """
    a = check_matrix(matrix, source=source)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ci = max(ci, 0.0)  # lambda_max >= n for a positive reciprocal matrix; rounding aside
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    worst = None
    if n > 2:
        # the judgement furthest from what the priorities imply, in log ratio (a 9 where
        # 1/9 is implied is as far as 1/9 where 9 is)
        dev = np.abs(np.log(a) - np.log(np.outer(w, 1.0 / w)))
        i, j = max(((i, j) for i in range(n) for j in range(i + 1, n)),
                   key=lambda ij: dev[ij])
        worst = (i, j, float(a[i, j]), float(w[i] / w[j]))
    return AHPResult(tuple(float(x) for x in w), lam, float(ci), float(cr), ri, n, worst)


def parse_matrix(text: str, *, source: str = "matrix") -> list[list[float]]:
    """The matrix in CSV ``text``: n rows of n entries, no header; an entry is a decimal
    (``0.5``) or a fraction (``1/3``), spaces around it ignored, blank lines skipped.

    Raises
    ------
    DataError
        Every entry that is not a number, naming its row and column (from 1) and the text.
    """
    rows: list[list[float]] = []
    problems: list[Problem] = []
    line_rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    for i, r in enumerate(line_rows, start=1):
        row = []
        for j, cell in enumerate(r, start=1):
            cell = cell.strip()
            try:
                value = Fraction(cell)
            except (ValueError, ZeroDivisionError):
                problems.append(Problem("not a number (write 3, 0.5 or 1/3)", file=source,
                                        row=i, field=f"column {j}", value=cell))
                continue
            row.append(float(value))
        rows.append(row)
    if problems:
        raise DataError("The pairwise matrix cannot be read.", problems)
    return rows


def group_matrix(matrices: Sequence[object], weights: Sequence[float] | None = None, *,
                 source: str = "matrix") -> np.ndarray:
    """The weighted geometric mean of several judges' matrices of the same order (AIJ).

    Raises
    ------
    DataError
        If there is no matrix, orders differ, a weight is not positive, or a matrix is
        invalid (as :func:`check_matrix`).
    """
    if not matrices:
        raise DataError("No judgements to combine.", [Problem("no matrix", file=source)])
    arrays = [check_matrix(m, source=source) for m in matrices]
    if len({a.shape for a in arrays}) != 1:
        raise DataError("The judges compared different numbers of items.",
                        [Problem("matrices of different orders", file=source,
                                 value=sorted({a.shape[0] for a in arrays}))])
    w = np.ones(len(arrays)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(arrays),) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise DataError("Each judge's weight is a positive number.",
                        [Problem("not positive weights", file=source, field="weights",
                                 value=list(np.atleast_1d(w)))])
    w = w / w.sum()
    return np.exp(np.tensordot(w, np.log(np.stack(arrays)), axes=1))


def matrix_from_upper(n: int, upper: Sequence[float]) -> list[list[float]]:
    """The reciprocal n x n matrix whose upper triangle, row by row, is ``upper``
    (``a[0][1], a[0][2], ..., a[1][2], ...``): what a form of n(n-1)/2 judgements gives.

    Raises
    ------
    DataError
        If ``upper`` has not n(n-1)/2 entries or one is not positive.
    """
    need = n * (n - 1) // 2
    if len(upper) != need:
        raise DataError("Wrong number of judgements.",
                        [Problem(f"{n} items need {need} pairwise judgements",
                                 field="judgements", value=len(upper))])
    a = [[1.0] * n for _ in range(n)]
    k = 0
    problems = []
    for i in range(n):
        for j in range(i + 1, n):
            v = upper[k]
            k += 1
            if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0 \
                    or not math.isfinite(v):
                problems.append(Problem("a judgement must be a positive number", row=i + 1,
                                        field=f"column {j + 1}", value=v))
                continue
            a[i][j], a[j][i] = float(v), 1.0 / float(v)
    if problems:
        raise DataError("The judgements are not valid.", problems)
    return a


def upper_of(matrix: Sequence[Sequence[float]]) -> list[float]:
    """The upper triangle of ``matrix``, row by row (the inverse of
    :func:`matrix_from_upper`)."""
    n = len(matrix)
    return [float(matrix[i][j]) for i in range(n) for j in range(i + 1, n)]
