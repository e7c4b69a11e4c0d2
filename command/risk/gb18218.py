"""GB 18218-2018 危险化学品重大危险源辨识: identification and grading of a unit.

Source: the national standard GB 18218-2018 (SAMR/SAC, in force 2019-03-01, all technical
content mandatory), clauses 4.1.2, 4.2.1 and 4.3, Tables 1-6, kept as data in
``command/risk/data/gb18218_*.csv`` (see the README there for what we added).

- **Q**, critical quantity (t): Table 1 for the 85 named substances; for any other
  substance Table 2 by hazard class, and the lowest Q when it has several (4.1.2 b).
- **Identification** (4.2.1): S = Σ qᵢ/Qᵢ over the unit's substances; the unit is a major
  hazard installation when S >= 1 (for one substance: q >= Q). q is the design maximum
  inventory (4.2.2).
- **Grading** (4.3): R = α Σ βᵢ qᵢ/Qᵢ. β from Table 3 for its 14 toxic gases, else from
  Table 4 by hazard class (the largest β when a substance has several: our rule, the
  standard is silent). α from Table 5 by the resident population within 500 m of the
  site's boundary. Grade by Table 6: 一级 R >= 100, 二级 50 <= R < 100, 三级
  10 <= R < 50, 四级 R < 10; a unit with S < 1 is not a major hazard and has no grade.

All arithmetic is exact on the decimals given (S = 8/5 is 1.6, not 1.6000000000000001),
so R = 10 or R = 50 falls on the side of Table 6 a person computing by hand finds.

Must not: read settings or the data set, or store a grade.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

from command.errors import DataError, Problem
from command.risk._values import exact, fmt, whole
from command.risk.result import RiskGrade

__all__ = [
    "STANDARD",
    "Substance",
    "HazardClass",
    "table1",
    "hazard_classes",
    "toxic_gas_betas",
    "find_substance",
    "alpha_for_people",
    "grade_for_r",
    "parse_holdings",
    "gb18218_grade",
]

STANDARD = "GB 18218-2018 危险化学品重大危险源辨识, 4.1.2, 4.2.1, 4.3, Tables 1-6"
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class HazardClass:
    """A hazard class of Tables 2 and 4 (e.g. ``W2``, flammable gases)."""

    symbol: str
    category_zh: str
    category_en: str
    description_zh: str
    description_en: str
    critical_quantity_t: float  # Table 2
    beta: float  # Table 4


@dataclass(frozen=True)
class Substance:
    """A substance as graded: a Table 1 row, or a substance known only by its class(es).

    Attributes
    ----------
    ref
        ``"T1-12"`` for row 12 of Table 1; the class symbols (``"W5.4"``, ``"J3+W2"``)
        for a substance not in Table 1.
    critical_quantity_t
        Q in t (Table 1, or the lowest Table 2 value of its classes).
    beta
        β: Table 3 when ``beta_table == 3``; the largest Table 4 value of its classes when
        ``beta_table == 4`` (``beta_class`` names the class that gives it); 1 when no
        class of Table 4 applies (``beta_table`` is ``None``).
    """

    ref: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    cas: tuple[str, ...]
    critical_quantity_t: float
    hazard_classes: tuple[str, ...]
    beta: float
    beta_table: int | None
    beta_class: str | None

    @property
    def table(self) -> int:
        """1 when Q comes from Table 1, 2 when from Table 2."""
        return 1 if self.ref.startswith("T1-") else 2


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";") if p.strip())


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


@cache
def hazard_classes() -> dict[str, HazardClass]:
    """Tables 2 and 4 by class symbol, in the standard's order."""
    return {r["symbol"]: HazardClass(r["symbol"], r["category_zh"], r["category_en"],
                                     r["description_zh"], r["description_en"],
                                     _number(r["critical_quantity_t"]), _number(r["beta"]))
            for r in _read("gb18218_classes.csv")}


@cache
def toxic_gas_betas() -> dict[int, tuple[str, str, float]]:
    """Table 3: Table 1 row -> (name_zh, name_en, β)."""
    return {int(r["table1_row"]): (r["name_zh"], r["name_en"], _number(r["beta"]))
            for r in _read("gb18218_table3_toxic_gases.csv")}


def _beta_of_classes(symbols: Sequence[str]) -> tuple[float, int | None, str | None]:
    """The largest Table 4 β of ``symbols`` (1 with no class), its table and class."""
    classes = hazard_classes()
    if not symbols:
        return 1, None, None
    best = max(symbols, key=lambda s: classes[s].beta)
    return classes[best].beta, 4, best


@cache
def table1() -> tuple[Substance, ...]:
    """Table 1 as :class:`Substance` records, row 1 to 85."""
    gases = toxic_gas_betas()
    known = hazard_classes()
    out = []
    for r in _read("gb18218_table1_substances.csv"):
        row = int(r["row"])
        classes = _split(r["hazard_classes"])
        unknown = [c for c in classes if c not in known]
        if unknown:
            raise DataError("the GB 18218 table is damaged", [Problem(
                "unknown hazard class", file="gb18218_table1_substances.csv", row=row,
                field="hazard_classes", value=unknown)])
        if row in gases:
            beta, table, cls = gases[row][2], 3, None
        else:
            beta, table, cls = _beta_of_classes(classes)
        out.append(Substance(
            ref=f"T1-{row}", name_zh=r["name_zh"], name_en=r["name_en"],
            aliases=_split(r["aliases_zh"]) + _split(r["aliases_en"]), cas=_split(r["cas"]),
            critical_quantity_t=_number(r["critical_quantity_t"]), hazard_classes=classes,
            beta=beta, beta_table=table, beta_class=cls))
    return tuple(out)


def _key(text: str) -> str:
    """Lookup form: full-width forms folded (NFKC), case folded, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@cache
def _index() -> dict[str, tuple[Substance, ...]]:
    index: dict[str, list[Substance]] = {}
    for s in table1():
        for name in {s.ref, s.name_zh, s.name_en, *s.aliases, *s.cas}:
            index.setdefault(_key(name), [])
            if s not in index[_key(name)]:
                index[_key(name)].append(s)
    return {k: tuple(v) for k, v in index.items()}


def _class_substance(symbols: tuple[str, ...]) -> Substance:
    classes = hazard_classes()
    beta, table, cls = _beta_of_classes(symbols)
    return Substance(
        ref="+".join(symbols),
        name_zh="、".join(f"{classes[s].category_zh}({s})" for s in symbols),
        name_en=", ".join(f"{classes[s].category_en} ({s})" for s in symbols),
        aliases=(), cas=(),
        critical_quantity_t=min(classes[s].critical_quantity_t for s in symbols),
        hazard_classes=symbols, beta=beta, beta_table=table, beta_class=cls)


def _lookup(query: str) -> tuple[Substance | None, Problem | None]:
    text = query.strip() if isinstance(query, str) else ""
    if not text:
        return None, Problem("name a substance (Chinese or English name, alias, CAS number, "
                             "Table 1 row such as T1-12, or hazard class such as W5.4)",
                             field="substance", value=query)
    found = _index().get(_key(text), ())
    if len(found) == 1:
        return found[0], None
    if len(found) > 1:
        options = "; ".join(f"{s.ref} {s.name_zh}" for s in found)
        return None, Problem(f"several rows of GB 18218 Table 1 match; name one by its row: "
                             f"{options}", field="substance", value=query)
    by_symbol = {_key(s): s for s in hazard_classes()}
    symbols = tuple(by_symbol.get(_key(p)) for p in text.split("+"))
    if all(symbols):
        return _class_substance(tuple(dict.fromkeys(symbols))), None
    return None, Problem("not in GB 18218 Table 1 (by Chinese or English name, alias, CAS "
                         "number or row T1-n) and not a hazard class of Table 2 (J1..J5, "
                         "W1.1..W11, several joined by '+')", field="substance", value=query)


def find_substance(query: str) -> Substance:
    """The substance named by ``query``.

    Parameters
    ----------
    query
        A Chinese name or alias (氨, 液氯), an English name or alias (ammonia, LPG), a CAS
        number (7782-50-5), a Table 1 row (``T1-12``), or for a substance not in Table 1
        its hazard class(es) of Table 2 (``W5.4``; ``J3+W2`` for several). Case,
        full-width characters and spaces do not matter.

    Raises
    ------
    DataError
        When nothing matches, or several Table 1 rows do (nitrocellulose, ammonium
        nitrate: the message lists them with their rows).
    """
    substance, problem = _lookup(query)
    if problem is not None:
        raise DataError("unknown substance", [problem])
    return substance


@cache
def _alpha_rows() -> tuple[tuple[int, int | None, float], ...]:
    return tuple((int(r["people_min"]), int(r["people_max"]) if r["people_max"] else None,
                  float(r["alpha"])) for r in _read("gb18218_table5_alpha.csv"))


def _people(people: object) -> tuple[int | None, Problem | None]:
    count, problem = whole(people, "people")
    if problem is None and count < 0:
        problem = Problem("must not be negative", field="people", value=people)
    return count, problem


def alpha_for_people(people: int) -> float:
    """α of Table 5 for ``people`` residents within 500 m of the site boundary.

    100 or more -> 2.0; 50-99 -> 1.5; 30-49 -> 1.2; 1-29 -> 1.0; nobody -> 0.5.

    Raises
    ------
    DataError
        When ``people`` is not a whole number >= 0.
    """
    count, problem = _people(people)
    if problem is not None:
        raise DataError("the number of people is not valid", [problem])
    return next(a for lo, hi, a in _alpha_rows() if lo <= count and (hi is None or count <= hi))


@cache
def _grade_rows() -> tuple[tuple[int, Fraction | None, Fraction | None], ...]:
    return tuple((int(r["grade"]), Fraction(r["r_min"]) if r["r_min"] else None,
                  Fraction(r["r_max"]) if r["r_max"] else None)
                 for r in _read("gb18218_table6_grades.csv"))


def grade_for_r(r: object) -> int:
    """The grade of Table 6 (1 = 一级 .. 4 = 四级) for R (``r_min`` <= R < ``r_max``)."""
    value, problem = exact(r, "R")
    if problem is None and value < 0:
        problem = Problem("must not be negative", field="R", value=r)
    if problem is not None:
        raise DataError("not a GB 18218 grading value", [problem])
    return next(g for g, lo, hi in _grade_rows()
                if (lo is None or value >= lo) and (hi is None or value < hi))


def parse_holdings(text: str) -> list[tuple[str, str]]:
    """``'ammonia=50,7782-50-5=10'`` as ``[("ammonia", "50"), ("7782-50-5", "10")]``.

    Items are ``name=quantity`` (t) joined by ``,`` or ``;``. A name may itself hold a
    comma (1,3-丁二烯, 甲烷，天然气): only the comma after a quantity separates items.
    Quantities are returned as text; :func:`gb18218_grade` checks them.

    Raises
    ------
    DataError
        Naming the item when the syntax is not ``name=quantity``.
    """
    rule = "write each item as name=quantity (t), items separated by commas"
    parts = unicodedata.normalize("NFKC", text or "").split("=")
    if len(parts) < 2:
        raise DataError("the substances are not written as name=quantity",
                        [Problem(rule, field="substances", value=text)])
    names, quantities = [parts[0]], []
    for middle in parts[1:-1]:
        head, sep, tail = _first_separator(middle)
        if not sep:
            raise DataError("the substances are not written as name=quantity",
                            [Problem(rule, field="substances", value=text)])
        quantities.append(head)
        names.append(tail)
    last, _, rest = _first_separator(parts[-1])
    quantities.append(last)
    items = [(n.strip(), q.strip()) for n, q in zip(names, quantities)]
    bad = [Problem(rule, field="substances", value=f"{n}={q}") for n, q in items if not n or not q]
    if rest.strip(" ,;"):  # an item after the last quantity, without '='
        bad.append(Problem(rule, field="substances", value=rest.strip(" ,;")))
    if bad:
        raise DataError("the substances are not written as name=quantity", bad)
    return items


def _first_separator(text: str) -> tuple[str, str, str]:
    cut = min((i for i in (text.find(","), text.find(";")) if i >= 0), default=-1)
    return (text, "", "") if cut < 0 else (text[:cut], text[cut], text[cut + 1:])


def gb18218_grade(holdings: Iterable[tuple[str | Substance, object]], *,
                  people: object) -> RiskGrade:
    """Identify and grade one unit by GB 18218-2018.

    Parameters
    ----------
    holdings
        ``(substance, quantity_t)`` pairs: a :class:`Substance` or a query for
        :func:`find_substance`, and q, the design maximum inventory in t (a number >= 0
        or its text).
    people
        Residents within 500 m of the site boundary (whole number >= 0), for α.

    Returns
    -------
    RiskGrade
        ``values``: ``S``, ``R``, ``alpha``, ``major`` (S >= 1) and ``substances``, one
        entry per holding with q, Q, q/Q, β and where β comes from; ``grade`` 1-4, or
        ``None`` when S < 1.

    Raises
    ------
    DataError
        Listing every unknown or ambiguous substance, bad quantity and bad number of
        people at once, each with its field and value.
    """
    problems: list[Problem] = []
    resolved: list[tuple[str, Substance, Fraction]] = []
    holdings = list(holdings)
    if not holdings:
        problems.append(Problem("name at least one substance with its quantity",
                                field="substances", value=""))
    for query, quantity in holdings:
        label = query.ref if isinstance(query, Substance) else str(query)
        if isinstance(query, Substance):
            substance, problem = query, None
        else:
            substance, problem = _lookup(query)
        if problem is not None:
            problems.append(problem)
        q, q_problem = exact(quantity, f"quantity of {label}")
        if q_problem is None and q < 0:
            q_problem = Problem("must not be negative (t)", field=f"quantity of {label}",
                                value=quantity)
        if q_problem is not None:
            problems.append(q_problem)
        if problem is None and q_problem is None:
            resolved.append((label, substance, q))
    count, people_problem = _people(people)
    if people_problem is not None:
        problems.append(people_problem)
    if problems:
        raise DataError("GB 18218 cannot grade this unit", problems)

    s_total = Fraction(0)
    weighted = Fraction(0)
    rows = []
    for label, substance, q in resolved:
        ratio = q / Fraction(str(substance.critical_quantity_t))
        beta = Fraction(str(substance.beta))
        s_total += ratio
        weighted += beta * ratio
        rows.append({"substance": label, "ref": substance.ref, "name_zh": substance.name_zh,
                     "name_en": substance.name_en, "cas": list(substance.cas),
                     "hazard_classes": list(substance.hazard_classes),
                     "quantity_t": fmt(q), "critical_quantity_t": substance.critical_quantity_t,
                     "critical_quantity_table": substance.table, "q_over_Q": fmt(ratio),
                     "beta": substance.beta, "beta_table": substance.beta_table,
                     "beta_class": substance.beta_class})
    alpha = alpha_for_people(count)
    r = Fraction(str(alpha)) * weighted
    major = s_total >= 1
    return RiskGrade(
        method="gb18218",
        standard=STANDARD,
        inputs={"substances": [{"substance": row["substance"], "quantity_t": row["quantity_t"]}
                               for row in rows],
                "people": count},
        values={"S": fmt(s_total), "R": fmt(r), "alpha": alpha, "major": major,
                "substances": rows},
        grade=grade_for_r(r) if major else None,
    )
