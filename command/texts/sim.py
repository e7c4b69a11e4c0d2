"""Texts of the sim area (see :mod:`command.texts`): KPI names, report and CLI texts of
the response simulator and drills."""

TABLE: dict[str, tuple[str, str]] = {
    # KPIs (command.sim.kpis.KPI_NAMES)
    "sim.kpi.calls": ("警情数", "calls"),
    "sim.kpi.response_mean_min": ("首车到场均值(分)", "first unit, mean (min)"),
    "sim.kpi.response_p50_min": ("首车到场中位数(分)", "first unit, median (min)"),
    "sim.kpi.response_p90_min": ("首车到场90分位(分)", "first unit, 90th percentile (min)"),
    "sim.kpi.full_mean_min": ("力量到齐均值(分)", "full complement, mean (min)"),
    "sim.kpi.share_within_standard": ("达标率", "share within standard"),
    "sim.kpi.share_within_fire": ("消防达标率(5分)", "fire within 5 min"),
    "sim.kpi.share_within_ems": ("120达标率(12分)", "EMS within 12 min"),
    "sim.kpi.utilisation": ("力量利用率", "unit utilisation"),
    "sim.kpi.waiting_calls": ("排队警情占比", "calls waiting for a unit"),
    "sim.kpi.unmet_material": ("物资缺口占比", "unmet material lines"),
    "sim.kpi.coverage_fire": ("消防覆盖率", "fire coverage"),
    "sim.kpi.coverage_ems": ("120覆盖率", "EMS coverage"),
    "sim.kpi.bed_wait_mean_min": ("等床均值(分)", "wait for a bed, mean (min)"),
    # report
    "sim.report.title": ("应急响应模拟报告（演练）", "Response simulation report (drill)"),
    "sim.report.meta": ("{days} 天 × {reps} 次重复，种子 {seed}，调度策略 {policy}，来源 {source}",
                        "{days} days x {reps} replications, seed {seed}, policy {policy}, "
                        "source {source}"),
    "sim.report.kpis": ("关键指标（均值与95%置信区间）", "KPIs (mean and 95% interval)"),
    "sim.report.differences": ("与基准方案的配对差值", "Paired differences against the baseline"),
    "sim.report.difference": ("差值", "difference"),
    "sim.report.variant": ("方案", "variant"),
    "sim.report.distribution": ("首车到场时间分布", "First-unit response times"),
    "sim.report.minutes": ("分钟", "minutes"),
    "sim.report.standard_fire": ("消防标准", "fire standard"),
    "sim.report.standard_ems": ("120标准", "EMS standard"),
    "sim.report.confidence": ("指标与95%置信区间", "KPIs with 95% intervals"),
    "sim.report.utilisation": ("各类力量利用率", "Utilisation by capability"),
    "sim.report.coverage": ("覆盖率随时间变化", "Coverage over time"),
    "sim.report.fire_cover": ("消防", "fire"),
    "sim.report.ems_cover": ("120", "EMS"),
    "sim.report.hour": ("小时", "hour"),
    "sim.report.missed": ("未达标警情位置", "Where the standard is missed"),
    # command line
    "sim.cli.header": ("{source}：{days} 天 × {reps} 次重复，种子 {seed}，用时 {seconds} 秒",
                       "{source}: {days} days x {reps} replications, seed {seed}, "
                       "{seconds} s"),
    "sim.cli.variant": ("方案 {name}（策略 {policy}{moveup}）",
                        "variant {name} (policy {policy}{moveup})"),
    "sim.cli.moveup": ("，含动态调防", ", with move-up"),
    "sim.cli.difference": ("{variant} − {baseline}", "{variant} - {baseline}"),
    "sim.cli.report_written": ("报告已写入 {path}", "report written to {path}"),
    "sim.cli.drill": ("演练 {name}", "drill {name}"),
}
