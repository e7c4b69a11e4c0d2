"""Texts of the grid roll-up (see :mod:`command.texts`): levels, summary columns, hazard
states as the summaries name them (issue #13, :mod:`command.hazards.rollup`)."""

TABLE: dict[str, tuple[str, str]] = {
    # grid levels (网格化管理: 市级、镇（街道）级、社区网格)
    "grids.level.city": ("市级网格", "City grid"),
    "grids.level.town": ("镇（街道）网格", "Town / district grid"),
    "grids.level.community": ("社区网格", "Community grid"),
    # summary columns
    "grids.col.grid_id": ("网格编号", "Grid cell"),
    "grids.col.level": ("层级", "Level"),
    "grids.col.day": ("日期（北京时间）", "Date (Beijing)"),
    "grids.col.reports_expected": ("应报人数", "Reports expected"),
    "grids.col.reports_received": ("已报人数", "Reports received"),
    "grids.col.reports_missing": ("未报人数", "Reports missing"),
    "grids.col.patrols_done": ("已巡查", "Patrols done"),
    "grids.col.hazards_found": ("上报发现隐患", "Hazards found (reported)"),
    "grids.col.hazards_new": ("当日新登记隐患", "Hazards recorded that day"),
    "grids.col.open": ("未销账隐患", "Open hazards"),
    "grids.col.open_by_state": ("未销账隐患（按状态）", "Open hazards by state"),
    "grids.col.overdue": ("逾期隐患", "Overdue"),
    "grids.col.closed_on_time": ("按期销账", "Closed on time"),
    "grids.col.closed_late": ("逾期销账", "Closed late"),
    "grids.col.on_time_rate": ("按期销账率", "On-time closure rate"),
    "grids.list_sep": ("、", ", "),
    "grids.summary_title": ("网格隐患排查日报汇总", "Grid daily summary"),
}
