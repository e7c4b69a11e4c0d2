"""Reasons as data: a code from the translation tables and its parameters, rendered in
zh or en only at the edge.

A :class:`Reason` is what dispatch says about a decision ("nearest available engine,
arriving in 4.2 min"); ``code`` is a key of :mod:`command.texts.dispatch` (or of
:mod:`command.i18n`) and ``params`` its placeholders. Results keep the rendered
``reason_zh`` / ``reason_en`` (what the screen shows and stored plans hold) beside
``reason_code`` and ``reason_params`` (JSON data), so a reason can be rendered again in
another language or tested without parsing sentences.

Parameter values are JSON data, rendered by kind:

- a number or a string: as is (the template formats numbers, e.g. ``{eta_min:.1f}``);
- ``{"code": ..., "params": {...}}``: a nested reason, rendered in the same language;
- ``{"term": key}``: the text of a translation key, e.g. ``cap.engine``; with
  ``"inline": true`` English starts in lower case (mid-sentence use);
- ``{"zh": ..., "en": ...}``: a name given in both languages by the data (unit names);
- a list: its items rendered and joined, nested reasons as clauses (``；`` / ``; ``),
  anything else as a list of names (``、`` / ``, ``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from command.i18n import t

__all__ = ["Reason", "reason", "render"]


@dataclass(frozen=True)
class Reason:
    """A translation key and the values of its placeholders (JSON data)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def render(self, lang: str) -> str:
        """The sentence in ``lang`` ('zh' or 'en')."""
        return render(self.code, self.params, lang)

    def to_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}

    def fields(self, prefix: str = "reason") -> dict:
        """``{prefix}_zh``, ``{prefix}_en``, ``{prefix}_code``, ``{prefix}_params``: the
        fields a result carries."""
        return {f"{prefix}_zh": self.render("zh"), f"{prefix}_en": self.render("en"),
                f"{prefix}_code": self.code, f"{prefix}_params": dict(self.params)}


def reason(code: str, **params: Any) -> Reason:
    """A :class:`Reason`; nested :class:`Reason` values become JSON data."""
    return Reason(code, {k: _data(v) for k, v in params.items()})


def _data(value: Any) -> Any:
    if isinstance(value, Reason):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_data(v) for v in value]
    return value


def _value(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping):
        if "code" in value:
            return render(value["code"], value.get("params", {}), lang)
        if "term" in value:
            text = t(value["term"], lang)
            return text[0].lower() + text[1:] if value.get("inline") and lang == "en" else text
        return value[lang]
    if isinstance(value, list):
        clauses = any(isinstance(v, Mapping) and "code" in v for v in value)
        sep = t("dispatch.sep.clause" if clauses else "dispatch.sep.list", lang)
        return sep.join(str(_value(v, lang)) for v in value)
    return value


def render(code: str, params: Mapping[str, Any], lang: str) -> str:
    """The text of ``code`` in ``lang`` with ``params`` rendered (see the module
    docstring). Raises ``KeyError`` for an unknown code or a missing placeholder."""
    return t(code, lang, **{k: _value(v, lang) for k, v in params.items()})
