"""Read a YAML or JSON input file for a pydantic schema, with line numbers in errors.

Situation, scenario and drill files are written by people; when one is wrong the error
must say where: the file, the line, the field (as a dotted path such as
``incidents[2].lat``) and the value. :func:`read_mapping` parses the file and keeps the
line of every value; :func:`validate` runs a pydantic model over it and turns every
validation error into a :class:`~command.errors.Problem` that names them.

The files may also be careless or hostile, so parsing is bounded
(:func:`load_yaml`, limits in :data:`command.limits.BUDGETS`): a file larger than the
budget, nested deeper than the budget, with more aliases than the budget or whose
aliases expand beyond it (the "billion laughs") is refused, and so are a recursive
alias, a key that is a list or a mapping, and a key given twice (with both lines): each
error names the file and the line. Nothing here evaluates tags beyond YAML's safe set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from command.errors import DataError, Problem
from command.limits import budget, over_budget

__all__ = ["Located", "load_yaml", "read_mapping", "validate", "field_path", "load_model"]

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


class _YamlLimitError(yaml.YAMLError):
    """A file that is valid YAML but refused: too deep, too many aliases, a recursive
    alias. Carries the line like PyYAML's own errors, so it is reported the same way."""

    def __init__(self, problem: str, mark) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing with three limits (:data:`command.limits.BUDGETS`):
    nesting depth, the number of aliases, and no alias inside the node it names (a
    recursive alias, which would make the data hold itself)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._open: set[str] = set()

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise _YamlLimitError(f"the alias *{event.anchor} refers to a node that "
                                      "contains it (a recursive alias)", event.start_mark)
            self._aliases += 1
            if self._aliases > budget("yaml_aliases").limit:
                raise _YamlLimitError(over_budget("yaml_aliases", self._aliases,
                                                  what="too many aliases (*name)"),
                                      event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > budget("yaml_depth").limit:
            raise _YamlLimitError(over_budget("yaml_depth", self._depth,
                                              what="nested too deep"), event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)


def _compose(text: str) -> yaml.Node | None:
    loader = _SafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


#: The only tags a list or a mapping may carry (scalars go through the safe constructor,
#: which refuses any other tag itself).
_PLAIN_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


class _Builder:
    """Python values from a composed node, keeping each value's line; refuses non-scalar
    and repeated keys (all of them, with their lines) and stops once aliases have
    expanded the data beyond the ``yaml_nodes`` budget."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        self.nodes = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: tuple) -> Any:
        self.nodes += 1
        if self.nodes > budget("yaml_nodes").limit:
            raise DataError("The file is too large once its aliases are expanded.", [Problem(
                over_budget("yaml_nodes", self.nodes, what="too many values"),
                file=self.file, row=node.start_mark.line + 1, field=field_path(path))])
        self.lines[path] = node.start_mark.line + 1
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            self.problems.append(Problem(f"the tag {node.tag} is not allowed; write plain "
                                         "lists and mappings", file=self.file,
                                         row=node.start_mark.line + 1,
                                         field=field_path(path) or None))
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(
                        "a key must be a plain value (a name), not a list or a mapping",
                        file=self.file, row=line, field=field_path(path) or None))
                    continue
                key = self.scalar(key_node)
                if key in first:
                    self.problems.append(Problem(
                        f"the key appears twice, on lines {first[key]} and {line}; keep one",
                        file=self.file, row=line, field=field_path(path + (key,))))
                    continue
                first[key] = line
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, path + (i,)) for i, v in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        # PyYAML's safe constructor on the one scalar node: the same values as
        # yaml.safe_load (ints, floats, booleans, dates, null), no tags beyond those.
        return self._scalars.construct_object(node, deep=True)


def load_yaml(path: str | Path, *, what: str = "file") -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML (or JSON) file safely: the data and the line of each value.

    The limits of :data:`command.limits.BUDGETS` apply (file size, nesting depth,
    aliases and their expansion); a recursive alias, a key that is a list or a mapping,
    and a key given twice are refused.

    Raises
    ------
    DataError
        Naming the file and the line: missing, unreadable, not YAML, or refused.
    """
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > budget("yaml_bytes").limit:
            raise DataError(f"The {what} is too large.", [Problem(
                over_budget("yaml_bytes", size, what="file size"), file=name)])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"No such {what}.", [Problem("file not found", file=name)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"Cannot read the {what}.", [Problem(str(exc), file=name)]) from None
    try:
        node = _compose(text)
    except RecursionError:
        raise DataError(f"The {what} is nested too deep.", [Problem(
            over_budget("yaml_depth", budget("yaml_depth").limit + 1, what="nesting"),
            file=name)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        refused = isinstance(exc, _YamlLimitError)
        raise DataError(f"The {what} is refused." if refused else
                        f"The {what} is not valid YAML/JSON.", [Problem(
                            str(getattr(exc, "problem", None) or exc), file=name,
                            row=None if mark is None else mark.line + 1)]) from None
    if node is None:
        return None, {}
    builder = _Builder(name)
    try:
        data = builder.build(node, ())
    except (yaml.YAMLError, ValueError) as exc:  # a scalar PyYAML composed but cannot build
        mark = getattr(exc, "problem_mark", None)
        raise DataError(f"The {what} is not valid YAML/JSON.", [Problem(
            str(getattr(exc, "problem", None) or exc), file=name,
            row=None if mark is None else mark.line + 1)]) from None
    if builder.problems:
        raise DataError(f"The {what} {name} is invalid.", builder.problems)
    return data, builder.lines


def read_mapping(path: str | Path, *, what: str = "file") -> Located:
    """Parse a YAML (or JSON, which is YAML) file whose top level is a mapping, with the
    limits and refusals of :func:`load_yaml`.

    Raises :class:`DataError` naming the file and line when it is missing, unreadable,
    not YAML, refused, or not a mapping.
    """
    data, lines = load_yaml(path, what=what)
    name = str(Path(path))
    if not isinstance(data, dict):
        raise DataError(f"The {what} must hold a mapping of fields.", [Problem(
            "the top level must be a mapping (key: value)", file=name,
            row=lines.get(()))])
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
