"""The one result shape of every grading method: method, inputs, working, grade, standard.

A :class:`RiskGrade` lets every grade be traced back to the method that made it, the
inputs it was given, the intermediate values (S, R, α, β; D; R of the matrix) and the
standard or guide that defines the method. Labels in Chinese and English come from the
translation table (:mod:`command.texts.risk`), never from f-strings here.

Must not: compute a grade (the methods do) or store one (the register does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from command.i18n import t

__all__ = ["COLOURS", "METHODS", "RiskGrade"]

# The four colours of 安委办〔2016〕11号, most severe first: 重大 红, 较大 橙, 一般 黄, 低 蓝.
COLOURS = ("red", "orange", "yellow", "blue")
METHODS = ("ls", "lec", "gb18218")


@dataclass(frozen=True)
class RiskGrade:
    """A grade with its working.

    Attributes
    ----------
    method
        ``"ls"``, ``"lec"`` or ``"gb18218"``.
    standard
        The source that defines the method and its bands, named so a reader can find it.
    inputs
        The inputs as given, after validation (numbers; substances with their quantity).
    values
        The intermediate and final numbers by name: ``R`` (LS); ``D`` (LEC); ``S``, ``R``,
        ``alpha``, ``major`` and one entry per substance (GB 18218).
    grade
        GB 18218 grade 1 (一级, most severe) .. 4 (四级), or ``None`` (other methods, or
        not a major hazard).
    band
        LEC band key (``"extreme"`` .. ``"slight"``), else ``None``.
    colour
        One of :data:`COLOURS` for LS and LEC, else ``None``.
    """

    method: str
    standard: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    grade: int | None = None
    band: str | None = None
    colour: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}")
        if self.colour is not None and self.colour not in COLOURS:
            raise ValueError(f"unknown colour {self.colour!r}")
        if self.grade is not None and self.grade not in (1, 2, 3, 4):
            raise ValueError(f"GB 18218 grade out of 1..4: {self.grade!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the working at the top level, labels in zh and en.

        Keys: ``method`` (+ ``method_zh``/``_en``), ``standard``, ``inputs``, every entry
        of ``values``, then ``grade``, ``band`` and ``colour`` each with ``_zh`` and
        ``_en`` labels (``None`` where the method has none), so every method's result has
        the same keys for these.
        """
        out: dict[str, Any] = {
            "method": self.method,
            "method_zh": t(f"risk.method.{self.method}", "zh"),
            "method_en": t(f"risk.method.{self.method}", "en"),
            "standard": self.standard,
            "inputs": _plain(self.inputs),
            **_plain(self.values),
        }
        for name, key in (("grade", "risk.gb18218.grade."), ("band", "risk.lec.band."),
                          ("colour", "grade.")):
            value = getattr(self, name)
            out[name] = value
            out[f"{name}_zh"] = None if value is None else t(f"{key}{value}", "zh")
            out[f"{name}_en"] = None if value is None else t(f"{key}{value}", "en")
        return out


def _plain(value: Any) -> Any:
    """Mappings and sequences copied into dicts and lists (the result stays immutable)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
