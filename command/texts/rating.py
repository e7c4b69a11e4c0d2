"""Texts of periodic rating (its report and command) and of the enforcement page
(blacklist, inspectors, the double-random draw) (see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
    # --- periodic rating -----------------------------------------------------------------
    "nav.rating": ("定期评级", "Periodic rating"),
    "rating.page.title": ("风险清单定期评级", "Periodic rating of the risk register"),
    "rating.page.run": ("运行评级", "Run the rating"),
    "rating.page.hint": ("选择周期并运行，报告显示在下方", "Choose a period and run: the report shows below"),
    "rating.page.done": ("已复核 {reviewed} 个风险点：{changed} 个等级变化，{overdue} 个自查逾期",
                         "{reviewed} risk points reviewed: {changed} grades changed, "
                         "{overdue} inspections overdue"),
    "rating.period.year": ("年度", "yearly"),
    "rating.period.month": ("月度", "monthly"),
    "rating.period.week": ("每周", "weekly"),
    "rating.list_sep": ("、", ", "),
    "rating.why.recomputed": (
        "按{method}以登记的输入重新计算：{name} = {value}，等级应为{after}（原为{before}）",
        "recomputed by {method} from the stored inputs: {name} = {value}, so {after} "
        "(was {before})"),
    "rating.report.title": ("风险{period}定期评级报告", "Risk register: {period} rating report"),
    "rating.report.meta": (
        "{when}（北京时间）由 {actor} 评级；覆盖等级：{grades}；复核 {reviewed} 处，"
        "等级变化 {changed} 处，自查逾期 {overdue} 处",
        "rated {when} (Beijing time) by {actor}; grades covered: {grades}; {reviewed} points "
        "reviewed, {changed} changed, {overdue} with an overdue inspection"),
    "rating.report.rule": (
        "规则：按各风险点自身的方法（GB 18218、LEC、LS）以登记的输入重新评级；企业自查得出的"
        "等级保持不变，其最近一次自查早于复核周期（红 7 天、橙 30 天、黄 91 天、蓝 365 天，"
        "本系统取值）即列为逾期。每周评级覆盖红色，每月覆盖红、橙、黄，每年覆盖全部。",
        "Rule: each point is graded again by its own method (GB 18218, LEC, LS) from its "
        "stored inputs; a grade from a self-inspection is kept, and listed as overdue when "
        "its last inspection is older than the review interval (red 7, orange 30, yellow 91, "
        "blue 365 days: the project's choice). The weekly job covers red, the monthly red, "
        "orange and yellow, the yearly all."),
    "rating.report.changes": ("等级变化及原因", "What changed, and why"),
    "rating.report.overdue": ("自查逾期", "Overdue inspections"),
    "rating.report.unrated": ("无法重新评级（保持原等级）", "Could not be graded again (grade kept)"),
    "rating.report.no_changes": ("无等级变化", "No grade changed"),
    "rating.report.no_overdue": ("无逾期", "Nothing is overdue"),
    "rating.report.no_unrated": ("无", "None"),
    "rating.col.risk": ("编号", "Id"),
    "rating.col.name": ("名称", "Name"),
    "rating.col.district": ("区", "District"),
    "rating.col.method": ("方法", "Method"),
    "rating.col.from": ("原等级", "From"),
    "rating.col.to": ("新等级", "To"),
    "rating.col.why": ("原因", "Why"),
    "rating.col.grade": ("等级", "Grade"),
    "rating.col.last_inspected": ("最近自查", "Last inspection"),
    "rating.col.review_days": ("复核周期（天）", "Review interval (days)"),
    "rating.col.days_since": ("距今（天）", "Days since"),
    "rating.col.problem": ("问题", "Problem"),
    "rating.cli.report_written": ("报告已写入 {path}", "Report written to {path}"),
    "feeds.cli.weighted": ("事故率按风险登记加权：风险点 {n} 个；工业类事故率倍数 {multipliers}",
                           "rates weighted by the risk register: {n} points; industrial "
                           "rates x {multipliers}"),
    # --- enforcement page ----------------------------------------------------------------
    "nav.enforcement": ("执法检查", "Enforcement"),
    "enfpage.enterprise": ("企业", "Enterprise"),
    "enfpage.reason": ("原因", "Reason"),
    "enfpage.until": ("期限至（日期）", "Until (date)"),
    "enfpage.add": ("列入黑名单", "Add to the blacklist"),
    "enfpage.lift": ("移出", "Lift"),
    "enfpage.lift_reason": ("移出原因", "Why it is lifted"),
    "enfpage.listed_at": ("列入时间", "Listed"),
    "enfpage.draw": ("双随机抽查", "Double-random inspection draw"),
    "enfpage.n": ("抽取企业数", "Enterprises to draw"),
    "enfpage.m": ("每家检查人员数", "Inspectors per enterprise"),
    "enfpage.seed": ("随机种子", "Seed"),
    "enfpage.run": ("抽取", "Draw"),
    "enfpage.history": ("历次抽查", "Previous draws"),
    "enfpage.no_draws": ("尚无抽查记录", "No draw yet"),
    "enfpage.draw_line": ("第 {draw_id} 次 · {when} · 种子 {seed} · 企业 {n} 家 · {actor}",
                          "No. {draw_id} · {when} · seed {seed} · enterprises: {n} · {actor}"),
    "enfpage.drawn": ("已抽取：第 {draw_id} 次", "Drawn: no. {draw_id}"),
}
