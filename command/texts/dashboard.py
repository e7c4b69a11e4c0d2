"""Texts of the dashboard area: the live command screen and the duty officer's workflow
(see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
    # --- panels ---------------------------------------------------------------------------
    "dashboard.incidents": ("当前事件", "Open incidents"),
    "dashboard.units": ("力量状态（按单位）", "Units by agency"),
    "dashboard.active_units": ("出动中的力量", "Units on incidents"),
    "dashboard.plan": ("推荐方案", "Recommended plan"),
    "dashboard.ticker": ("动态", "Latest"),
    "dashboard.no_open": ("当前没有事件", "No open incident"),
    "dashboard.no_plan": ("所选事件没有待决方案", "The selected incident has no plan"),
    "dashboard.no_active": ("没有出动中的力量", "No unit is out"),
    "dashboard.more": ("另有 {n} 项", "{n} more"),
    # --- KPIs --------------------------------------------------------------------------------
    "dashboard.kpi.available": ("可用力量", "Units available"),
    "dashboard.kpi.open": ("当前事件", "Open incidents"),
    "dashboard.kpi.standard": ("今日标准时间内到达", "Within standard today"),
    "dashboard.kpi.unmet": ("物资短缺品种", "Materials short"),
    "dashboard.kpi.unknown": ("—", "—"),
    "dashboard.kpi.share": ("{share:.0%}", "{share:.0%}"),  # a number: same in both
    "dashboard.kpi.share_detail": ("{within}/{n} 起", "{within} of {n}"),
    # --- incidents and plans -------------------------------------------------------------
    "dashboard.priority": ("{p}级", "P{p}"),
    "dashboard.plan.status.proposed": ("待批准", "Awaiting decision"),
    "dashboard.plan.status.approved": ("已批准", "Approved"),
    "dashboard.plan.status.modified": ("已调整并批准", "Modified and approved"),
    "dashboard.plan.status.rejected": ("已否决", "Rejected"),
    "dashboard.plan.head": ("{type}（{incident_id}）方案{status}",
                            "{type} ({incident_id}): plan {status}"),
    "dashboard.plan.missing": ("缺少：{what}", "Missing: {what}"),
    "dashboard.plan.eta_unknown": ("—", "—"),
    "dashboard.approve": ("批准", "Approve"),
    "dashboard.modify": ("调整后批准", "Approve with swaps"),
    "dashboard.reject": ("否决", "Reject"),
    "dashboard.swap": ("替换为", "Swap for"),
    "dashboard.swap_none": ("不替换", "Keep"),
    "dashboard.advance": ("下一步", "Next step"),
    "dashboard.advance_all": ("全部下一步", "All next step"),
    "dashboard.close": ("结案", "Close"),
    "dashboard.done": ("已记录：{what}", "Recorded: {what}"),
    "dashboard.failed": ("未能完成：{detail}", "Not done: {detail}"),
    # --- an incident without a plan, and approvals that could not go through ----------
    "dashboard.noplan.off_network": ("事件位置离道路过远，无法推荐力量：请核对坐标后重新推荐",
                                     "The incident is too far from any road to recommend "
                                     "units: check its coordinates, then recommend again"),
    "dashboard.noplan.none_capable": ("全市没有能处置此类事件的力量：请协调外部增援",
                                      "No unit in the city can handle this type of incident: "
                                      "ask for outside help"),
    "dashboard.noplan.all_committed": ("能处置的力量均已出动：有力量返回待命后请重新推荐",
                                       "Every capable unit is committed: recommend again "
                                       "once one is back and available"),
    "dashboard.noplan.unreachable": ("可用的力量均无法经道路到达：请核对道路封闭情况",
                                     "No available capable unit can reach it by road: "
                                     "check the closed roads"),
    "dashboard.noplan.can_recommend": ("暂无待决方案；现有可用力量，可重新推荐",
                                       "No plan to decide; capable units are available now: "
                                       "recommend again"),
    "dashboard.recommend_again": ("重新推荐", "Recommend again"),
    "dashboard.recommended": ("已重新推荐方案 {plan_id}：请核对后批准",
                              "New plan {plan_id} proposed: check it, then approve"),
    "dashboard.reproposed": ("方案 {plan_id} 中的 {units} 已被其他方案调派；"
                             "已重新推荐方案 {new}：请核对后批准",
                             "{units} of plan {plan_id} were dispatched by another plan; "
                             "new plan {new} proposed: check it, then approve"),
    "dashboard.reproposed_none": ("方案 {plan_id} 中的 {units} 已被其他方案调派；{why}",
                                  "{units} of plan {plan_id} were dispatched by another "
                                  "plan. {why}"),
    "dashboard.decided_already": ("方案 {plan_id} 已由 {by} 处理（{status}）：无需再次批准",
                                  "Plan {plan_id} was decided already by {by} ({status}): "
                                  "nothing to approve"),
    "dashboard.incident_closed": ("方案 {plan_id} 的事件 {incidents} 已结案：无法调派",
                                  "Plan {plan_id} cannot be carried out: incident "
                                  "{incidents} is closed"),
    "dashboard.refreshed": ("；另有 {n} 个方案因力量被占用已重新推荐",
                            "; {n} other plan(s) named these units and were proposed anew"),
    # --- the new-incident form's checks ----------------------------------------------
    "screen.out_of_range": ("{field}须在 {lo} 至 {hi} 之间（本市路网范围），输入的是 {value}",
                            "{field} must be between {lo} and {hi} (the city's road "
                            "network), not {value}"),
    "dashboard.reason.swapped": ("值班员替换 {old}（{eta_min:.1f} 分钟）",
                                 "Swapped in for {old} by the duty officer ({eta_min:.1f} min)"),
    "dashboard.reason.swapped_no_eta": ("值班员替换 {old}", "Swapped in for {old} by the "
                                        "duty officer"),
    # --- map ---------------------------------------------------------------------------------
    "dashboard.layer.priority": ("{p}级事件", "Priority {p} incidents"),
    "dashboard.layer.units": ("力量：{status}", "Units: {status}"),
    "dashboard.layer.closed": ("封闭道路", "Closed roads"),
    "dashboard.layer.zones": ("危险区域", "Hazard zones"),
    "dashboard.layer.selected": ("所选事件", "Selected incident"),
    # --- scenario control ------------------------------------------------------------------
    "dashboard.scenario": ("加载情景", "Load a scenario"),
    "dashboard.scenario.load": ("加载", "Load"),
    "dashboard.scenario.clear": ("清除情景", "Clear scenario"),
    "dashboard.scenario.active": ("当前情景：{name}", "Scenario: {name}"),
    # --- the ticker: one line per audit action ------------------------------------------
    "dashboard.audit.incident.created": ("{time} {actor} 新建事件 {subject}",
                                         "{time} {actor} created incident {subject}"),
    "dashboard.audit.incident.closed": ("{time} {actor} 结案 {subject}",
                                        "{time} {actor} closed incident {subject}"),
    "dashboard.audit.plan.proposed": ("{time} {actor} 提出方案 {subject}",
                                      "{time} {actor} proposed plan {subject}"),
    "dashboard.audit.plan.approved": ("{time} {actor} 批准方案 {subject}",
                                      "{time} {actor} approved plan {subject}"),
    "dashboard.audit.plan.modified": ("{time} {actor} 调整并批准方案 {subject}",
                                      "{time} {actor} modified and approved plan {subject}"),
    "dashboard.audit.plan.rejected": ("{time} {actor} 否决方案 {subject}",
                                      "{time} {actor} rejected plan {subject}"),
    "dashboard.audit.unit.status": ("{time} {actor} 将 {subject} 转为{status}",
                                    "{time} {actor} set {subject} to {status}"),
    "dashboard.audit.dataset.loaded": ("{time} {actor} 载入基础数据", "{time} {actor} loaded the data set"),
    "dashboard.audit.scenario.loaded": ("{time} {actor} 加载情景 {subject}",
                                        "{time} {actor} loaded scenario {subject}"),
    "dashboard.audit.scenario.cleared": ("{time} {actor} 清除情景", "{time} {actor} cleared the scenario"),
    "dashboard.audit.other": ("{time} {actor} 记录 {subject}", "{time} {actor} recorded {subject}"),
}
