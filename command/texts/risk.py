"""Texts of the risk area (see :mod:`command.texts`): methods, grades, bands, scales.

Colour names are the shared ``grade.red`` .. ``grade.blue`` keys of :mod:`command.i18n`.
Chinese wording of the LEC scales and bands: the Chinese safety texts cited in
``command/risk/lec.py``; GB 18218 grade names: GB 18218-2018 Table 6.
"""

TABLE: dict[str, tuple[str, str]] = {
    # methods
    "risk.method.ls": ("风险矩阵法（LS）", "Risk matrix (LS)"),
    "risk.method.lec": ("作业条件危险性评价法（LEC）", "Job hazard analysis (LEC)"),
    "risk.method.gb18218": ("危险化学品重大危险源辨识与分级（GB 18218-2018）",
                            "Major hazard installations for hazardous chemicals (GB 18218-2018)"),
    # GB 18218-2018 Table 6
    "risk.gb18218.grade.1": ("一级", "Grade 1 (most severe)"),
    "risk.gb18218.grade.2": ("二级", "Grade 2"),
    "risk.gb18218.grade.3": ("三级", "Grade 3"),
    "risk.gb18218.grade.4": ("四级", "Grade 4 (least severe)"),
    "risk.gb18218.major": ("构成重大危险源", "A major hazard installation"),
    "risk.gb18218.not_major": ("不构成重大危险源", "Not a major hazard installation"),
    # LEC bands
    "risk.lec.band.extreme": ("极其危险，不能继续作业", "Extremely dangerous: stop work"),
    "risk.lec.band.high": ("高度危险，需立即整改", "Highly dangerous: fix at once"),
    "risk.lec.band.significant": ("显著危险，需要整改", "Significantly dangerous: needs fixing"),
    "risk.lec.band.moderate": ("一般危险，需要注意", "Moderately dangerous: needs attention"),
    "risk.lec.band.slight": ("稍有危险，可以接受", "Slightly dangerous: acceptable"),
    # LEC scales: L, likelihood
    "risk.lec.l.10": ("完全可以预料", "To be expected"),
    "risk.lec.l.6": ("相当可能", "Quite possible"),
    "risk.lec.l.3": ("可能，但不经常", "Unusual but possible"),
    "risk.lec.l.1": ("可能性小，完全意外", "Remotely possible"),
    "risk.lec.l.0.5": ("很不可能，可以设想", "Conceivable but very unlikely"),
    "risk.lec.l.0.2": ("极不可能", "Practically impossible"),
    "risk.lec.l.0.1": ("实际不可能", "Virtually impossible"),
    # E, exposure
    "risk.lec.e.10": ("连续暴露", "Continuous"),
    "risk.lec.e.6": ("每天工作时间内暴露", "Daily, in working hours"),
    "risk.lec.e.3": ("每周一次或偶然暴露", "Weekly or occasionally"),
    "risk.lec.e.2": ("每月一次暴露", "Monthly"),
    "risk.lec.e.1": ("每年几次暴露", "A few times a year"),
    "risk.lec.e.0.5": ("非常罕见地暴露", "Very rarely"),
    # C, consequence
    "risk.lec.c.100": ("大灾难，许多人死亡", "Catastrophe, many deaths"),
    "risk.lec.c.40": ("灾难，数人死亡", "Disaster, several deaths"),
    "risk.lec.c.15": ("非常严重，一人死亡", "Very serious, one death"),
    "risk.lec.c.7": ("严重，重伤", "Serious injury"),
    "risk.lec.c.3": ("重大，致残", "Disabling injury"),
    "risk.lec.c.1": ("引人注目，需要救护", "Noticeable, needs first aid"),
    # command line
    "risk.cli.method": ("方法", "Method"),
    "risk.cli.standard": ("依据", "Standard"),
    "risk.cli.substance_line": ("{name}：q = {q:g} t，Q = {Q:g} t，q/Q = {ratio:g}，β = {beta:g}",
                                "{name}: q = {q:g} t, Q = {Q:g} t, q/Q = {ratio:g}, β = {beta:g}"),
    "risk.cli.no_grade": ("无（S < 1）", "none (S < 1)"),
    "risk.cli.grade": ("级别", "Grade"),
    "risk.cli.band": ("危险程度", "Band"),
    "risk.cli.colour": ("风险颜色", "Colour"),
}
