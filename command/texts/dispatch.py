"""Texts of the dispatch area (see :mod:`command.texts`): the reasons and explanations
of :mod:`command.dispatch`, as codes with placeholders (:class:`command.dispatch.Reason`).

Placeholders ending in ``_min`` are minutes (floats); ``{capability}`` is a capability
name (``cap.*``), ``{nearer}`` and ``{unit}`` unit names or ids; a ``{next_best}``,
``{aid}``, ``{reason}`` or ``{clauses}`` placeholder holds other reasons of this table.
"""

TABLE: dict[str, tuple[str, str]] = {
    # --- joining rendered parts ------------------------------------------------------
    "dispatch.sep.clause": ("；", "; "),
    "dispatch.sep.list": ("、", ", "),
    "dispatch.unit_name": ("{base}{capability}{unit_id}", "{base} {capability} {unit_id}"),
    # --- why a unit goes to an incident (team assignment) --------------------------------
    "dispatch.assign.nearer_elsewhere": (
        "更近的{nearer}（{nearer_min:.1f} 分钟）需派往 {other_incident}，故派本车，"
        "预计 {eta_min:.1f} 分钟到达；{next_best}",
        "The nearer {nearer} ({nearer_min:.1f} min) is needed at {other_incident}, so this "
        "unit goes, arriving in {eta_min:.1f} min; {next_best}"),
    "dispatch.assign.nearer_keeps_zone": (
        "更近的{nearer}（{nearer_min:.1f} 分钟）留守保障 {zone} 覆盖，故派本车，"
        "预计 {eta_min:.1f} 分钟到达；{next_best}",
        "The nearer {nearer} ({nearer_min:.1f} min) stays to keep zone {zone} covered; "
        "this unit arrives in {eta_min:.1f} min; {next_best}"),
    "dispatch.assign.nearer_in_reserve": (
        "更近的{nearer}（{nearer_min:.1f} 分钟）留作备勤，本车预计 {eta_min:.1f} 分钟到达；"
        "{next_best}",
        "The nearer {nearer} ({nearer_min:.1f} min) is held in reserve; this unit arrives "
        "in {eta_min:.1f} min; {next_best}"),
    "dispatch.assign.nearest": (
        "最近的可用{capability}，预计 {eta_min:.1f} 分钟到达；{next_best}",
        "Nearest available {capability}, arriving in {eta_min:.1f} min; {next_best}"),
    "dispatch.assign.ranked": (
        "本事件需 {demand} 辆{capability}，本车行车时间第 {rank} 短，预计 {eta_min:.1f} 分钟到达；"
        "{next_best}",
        "The incident needs {demand} x {capability}; this one ranks {rank} by travel time, "
        "arriving in {eta_min:.1f} min; {next_best}"),
    "dispatch.assign.next_best": ("次优 {unit} {eta_min:.1f} 分钟",
                                  "next best {unit} {eta_min:.1f} min"),
    "dispatch.assign.no_other": ("无其他可用{capability}", "no other {capability} available"),
    # --- why demand is not met (shortfalls) -----------------------------------------------
    "dispatch.shortfall.unreachable": ("没有能到达的{capability}；{aid}",
                                       "No {capability} can reach it; {aid}"),
    "dispatch.shortfall.committed": (
        "能到达的 {reachable} 辆{capability}均已派出（{incidents}）；{aid}",
        "No {capability} free: all {reachable} that can reach it are committed "
        "({incidents}); {aid}"),
    "dispatch.shortfall.aid": ("最近的增援力量 {unit} {eta_min:.1f} 分钟",
                               "nearest mutual aid {unit} {eta_min:.1f} min"),
    "dispatch.shortfall.no_aid": ("无可用的增援选项", "no mutual-aid option known"),
    # --- plan explanations ----------------------------------------------------------------
    "dispatch.plan.summary": ("{clauses}", "{clauses}"),
    "dispatch.plan.sent": ("共派出 {units} 支力量赴 {incidents} 起事件",
                           "{units} units to {incidents} incidents"),
    "dispatch.plan.missing": ("{missing} 个需求未能满足",
                              "{missing} demanded units cannot be sent"),
    "dispatch.plan.uncovered": ("{pairs} 个网格-力量类型失去覆盖",
                                "{pairs} zone-capability pairs left uncovered"),
    "dispatch.plan.solver": ("求解状态 {status}，用时 {seconds:.2f} 秒",
                             "solver status {status}, {seconds:.2f} s"),
    "dispatch.plan.zone_uncovered": ("网格 {zone} 暂无标准时间内可到达的 {capability} 力量",
                                     "Zone {zone} has no idle {capability} within its "
                                     "standard time"),
    "dispatch.plan.replaced": ("指挥员改派（替换 {old}）：{reason}",
                               "Commander's change (replaces {old}): {reason}"),
    "dispatch.plan.added": ("指挥员增派：{reason}", "Added by the commander: {reason}"),
    # --- why a material demand line is short (materials.UNMET_REASONS) --------------------
    "dispatch.unmet.no_stock": ("各储备库均无此物资", "No depot holds this item"),
    "dispatch.unmet.out_of_reach": ("能按时送达的库存已全部运往此处",
                                    "All the stock that can arrive in time already comes here"),
    "dispatch.unmet.depot_capacity": ("能按时送达的储备库已无装运能力",
                                      "The depots that could deliver in time have no loading "
                                      "capacity left"),
    "dispatch.unmet.taken": ("能按时送达的库存已分配给其他需求点",
                             "The stock that can arrive in time went to other points"),
}
