"""Read a YAML or JSON input file for a pydantic schema, with line numbers in errors.

Situation, scenario and drill files are written by people; when one is wrong the error
must say where: the file, the line, the field (as a dotted path such as
``incidents[2].lat``) and the value. :func:`read_mapping` parses the file and keeps the
line of every value; :func:`validate` runs a pydantic model over it and turns every
validation error into a :class:`~command.errors.Problem` that names them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from command.errors import DataError, Problem

__all__ = ["Located", "read_mapping", "validate", "field_path", "load_model"]

M = TypeVar("M", bound=BaseModel)


class Located:
    """A parsed file and the line (1-based) of each value, by path of keys and indices."""

    def __init__(self, file: str, data: Any, lines: dict[tuple, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line(self, path: tuple) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def problem(self, path: tuple, rule: str, value: Any = None) -> Problem:
        return Problem(rule, file=self.file, row=self.line(path), field=field_path(path),
                       value=value)


def field_path(path: tuple) -> str:
    """``("incidents", 2, "lat")`` -> ``"incidents[2].lat"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _construct(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            out[key] = _construct(value_node, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), lines) for i, v in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return yaml.safe_load(yaml.serialize(node))


def read_mapping(path: str | Path, *, what: str = "file") -> Located:
    """Parse a YAML (or JSON, which is YAML) file whose top level is a mapping.

    Raises :class:`DataError` naming the file and line when it is missing, unreadable,
    not YAML, or not a mapping.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"No such {what}.", [Problem("file not found", file=name)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"Cannot read the {what}.", [Problem(str(exc), file=name)]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(f"The {what} is not valid YAML/JSON.", [Problem(
            str(getattr(exc, "problem", None) or exc), file=name,
            row=None if mark is None else mark.line + 1)]) from None
    if node is None or not isinstance(node, yaml.MappingNode):
        raise DataError(f"The {what} must hold a mapping of fields.", [Problem(
            "the top level must be a mapping (key: value)", file=name,
            row=None if node is None else node.start_mark.line + 1)])
    lines: dict[tuple, int] = {}
    try:
        data = _construct(node, (), lines)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:  # pragma: no cover - composed above
        raise DataError(f"The {what} is not valid YAML/JSON.",
                        [Problem(str(exc), file=name)]) from None
    return Located(name, data, lines)


def _value_at(data: Any, path: tuple) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def validate(model: type[M], located: Located, *, what: str = "file") -> M:
    """``model`` validated from ``located.data``; every error becomes a Problem with its
    line, field path and value, all reported at once in one :class:`DataError`."""
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p
                                                       and p.endswith("]")))
            value = err.get("input") if err["type"] != "missing" else None
            if isinstance(value, (dict, list)):
                value = _value_at(located.data, loc) if not isinstance(value, dict) else None
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            problems.append(located.problem(loc, msg, value if not isinstance(value, (dict, list))
                                            else None))
        raise DataError(f"The {what} {located.file} is invalid.", problems) from None


def load_model(model: type[M], path: str | Path, *, what: str = "file") -> tuple[M, Located]:
    """Read and validate in one step; returns the model and the located data."""
    located = read_mapping(path, what=what)
    return validate(model, located, what=what), located
