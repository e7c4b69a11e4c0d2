"""The scenario library: the YAML files in ``<resources_dir>/scenarios``.

``list_scenarios(directory)`` lists them (sorted by name); ``find_scenario(name,
directory)`` turns a NAME (the file's stem, which is also the scenario's id) or a path to
any YAML file into a path. Must not: validate (``schema``) or compute (``consequences``).
"""

from __future__ import annotations

from pathlib import Path

from command.errors import DataError, Problem

__all__ = ["scenario_dir", "list_scenarios", "find_scenario"]


def scenario_dir(resources_dir: str | Path) -> Path:
    """Where a data set keeps its scenarios."""
    return Path(resources_dir) / "scenarios"


def list_scenarios(directory: str | Path) -> list[Path]:
    """The scenario files (``*.yaml``, ``*.yml``) of ``directory``, sorted by name."""
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted([p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()],
                  key=lambda p: p.name)


def find_scenario(name: str, directory: str | Path) -> Path:
    """The file of scenario ``name`` in ``directory``, or ``name`` itself when it is the
    path of an existing file.

    Raises
    ------
    DataError : no such scenario, naming the ones there are.
    """
    path = Path(name)
    if path.is_file():
        return path
    for p in list_scenarios(directory):
        if p.stem == name:
            return p
    known = ", ".join(p.stem for p in list_scenarios(directory)) or "none"
    raise DataError("No such scenario.", [Problem(
        f"neither a file nor a scenario of {directory} (known: {known})", field="NAME",
        value=name)])
