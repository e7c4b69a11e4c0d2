"""Risk assessment (issue #12): grading methods as pure functions over plain data.

Layout: ``result`` (:class:`RiskGrade`, the one result shape), ``ls`` (LS matrix),
``lec`` (LEC, D = L x E x C), ``gb18218`` (GB 18218-2018 identification and grading,
with its tables in ``data/``). See docs/risk.md.

Owns: the methods, their scales, bands and sources. Must not: touch the store, read
settings or the data set (callers pass values in).
"""

from command.risk.gb18218 import find_substance, gb18218_grade, parse_holdings
from command.risk.lec import DEFAULT_LEC_COLOURS, LECColours, lec_band, lec_grade
from command.risk.ls import LS_BAND_SETS, PRD_BANDS, SHANDONG_BANDS, LSBands, ls_grade
from command.risk.result import COLOURS, RiskGrade

__all__ = [
    "COLOURS",
    "RiskGrade",
    "LSBands",
    "PRD_BANDS",
    "SHANDONG_BANDS",
    "LS_BAND_SETS",
    "ls_grade",
    "LECColours",
    "DEFAULT_LEC_COLOURS",
    "lec_band",
    "lec_grade",
    "find_substance",
    "parse_holdings",
    "gb18218_grade",
]
