"""Self-inspection checklists by industry (自查清单), as data.

Owns: reading and validating the checklist files (``command/risk/checklists/*.yaml``,
see the README there for their fields and sources) and the map from an enterprise's
industry in the data set to its checklist. Must not: score answers (see
:mod:`command.risk.inspection`) or touch the store.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field

from command._schema import Name, StrictModel
from command.yamlfile import load_model

__all__ = ["Checklist", "ChecklistItem", "CHECKLIST_DIR", "INDUSTRY_OF", "load_checklists",
           "checklist_for", "industry_of"]

CHECKLIST_DIR = Path(__file__).resolve().parent / "checklists"

#: The checklist of each industry named in the data set's ``enterprises.csv`` (lower case).
INDUSTRY_OF: dict[str, str] = {
    "chemicals": "hazardous_chemicals",
    "pharmaceuticals": "hazardous_chemicals",
    "gas supply": "hazardous_chemicals",
    "fuel retail": "hazardous_chemicals",
    "iron and steel": "metallurgy",
    "metallurgy": "metallurgy",
    "mining": "mining",
    "fireworks": "fireworks",
    "construction": "construction",
    "aviation and logistics": "crowded_places",
    "retail": "crowded_places",
    "crowded places": "crowded_places",
    "industry": "hazardous_chemicals",
    "power generation": "hazardous_chemicals",
}

Score = Annotated[int, Field(ge=1, le=5)]


class Text(StrictModel):
    zh: Name
    en: Name


class ChecklistItem(StrictModel):
    """One control to check: what it is, how bad its failure is, how much it weighs in
    the likelihood, what to do when it fails, and the rule behind it."""

    id: Name
    text: Text
    severity: Score
    weight: Annotated[int, Field(ge=1, le=3)]
    measure: Text
    basis: Name


class Checklist(StrictModel):
    industry: Name
    name: Text
    inherent_severity: Score
    items: Annotated[list[ChecklistItem], Field(min_length=1)]

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)


@cache
def load_checklists(folder: Path = CHECKLIST_DIR) -> dict[str, Checklist]:
    """Every checklist of ``folder`` by industry id.

    Raises
    ------
    DataError
        For a file that does not validate (file, line, field and value), or two files
        for one industry, or an item id used twice.
    """
    from command.errors import DataError, Problem

    out: dict[str, Checklist] = {}
    problems = []
    for path in sorted(Path(folder).glob("*.yaml")):
        checklist, _located = load_model(Checklist, path, what="checklist")
        if checklist.industry in out:
            problems.append(Problem("a second checklist for this industry", file=path.name,
                                    field="industry", value=checklist.industry))
        ids = [i.id for i in checklist.items]
        for twice in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(Problem("item id used twice", file=path.name, field="items.id",
                                    value=twice))
        out[checklist.industry] = checklist
    if problems:
        raise DataError("the self-inspection checklists are not valid", problems)
    return out


def industry_of(enterprise_industry: str) -> str | None:
    """The checklist industry of an enterprise's ``industry`` (None when unknown)."""
    return INDUSTRY_OF.get(enterprise_industry.strip().lower())


def checklist_for(industry: str) -> Checklist:
    """The checklist of ``industry`` (a checklist id).

    Raises
    ------
    DataError
        Naming the industry and the known ones.
    """
    from command.errors import DataError, Problem

    lists = load_checklists()
    if industry not in lists:
        raise DataError("no checklist for this industry",
                        [Problem(f"unknown industry; one of: {', '.join(sorted(lists))}",
                                 field="industry", value=industry)])
    return lists[industry]
