"""Texts of the hidden-hazard area (see :mod:`command.texts`): kinds, states, actions.

Keys: ``hazard.kind.<id>`` (:data:`command.hazards.kinds.KINDS`), ``hazard.state.<state>``
and ``hazard.action.<action>`` (:mod:`command.hazards.lifecycle`), ``hazard.level.<level>``
(重大/一般隐患) and ``hazard.reject.<reason>``.
"""

TABLE: dict[str, tuple[str, str]] = {
    # kinds
    "hazard.kind.fire_safety": ("消防安全", "Fire safety"),
    "hazard.kind.electrical": ("用电安全", "Electrical"),
    "hazard.kind.gas": ("燃气安全", "Gas"),
    "hazard.kind.hazardous_chemicals": ("危险化学品", "Hazardous chemicals"),
    "hazard.kind.structural": ("建筑结构", "Structural"),
    "hazard.kind.special_equipment": ("特种设备", "Special equipment"),
    "hazard.kind.road_traffic": ("道路交通", "Road traffic"),
    "hazard.kind.flood_control": ("防汛", "Flood control"),
    "hazard.kind.crowd": ("人员密集场所", "Crowds"),
    "hazard.kind.other": ("其他", "Other"),
    # states of the closed loop (排查-登记-评估-报告-监控-治理-销账)
    "hazard.state.found": ("已发现", "Found"),
    "hazard.state.registered": ("已登记", "Registered"),
    "hazard.state.assessed": ("已评估", "Assessed"),
    "hazard.state.reported": ("已报告", "Reported"),
    "hazard.state.monitored": ("监控中", "Monitored"),
    "hazard.state.remediation": ("整改中", "Under remediation"),
    "hazard.state.verified": ("已验收", "Verified"),
    "hazard.state.closed": ("已销账", "Closed"),
    "hazard.state.rejected": ("已驳回", "Rejected"),
    "hazard.state.reopened": ("已重新打开", "Reopened"),
    # actions (the buttons that move a hazard)
    "hazard.action.find": ("上报隐患", "Report a hazard"),
    "hazard.action.register": ("登记", "Register"),
    "hazard.action.assess": ("评估", "Assess"),
    "hazard.action.report": ("报告上级", "Report upwards"),
    "hazard.action.monitor": ("纳入监控", "Monitor"),
    "hazard.action.remediate": ("下达整改", "Order remediation"),
    "hazard.action.verify": ("验收", "Verify"),
    "hazard.action.close": ("销账", "Close"),
    "hazard.action.reject": ("驳回", "Reject"),
    "hazard.action.reopen": ("重新打开", "Reopen"),
    # assessment levels and reasons to reject
    "hazard.level.major": ("重大隐患", "Major hazard"),
    "hazard.level.general": ("一般隐患", "General hazard"),
    "hazard.reject.duplicate": ("重复上报", "Duplicate"),
    "hazard.reject.not_a_hazard": ("不构成隐患", "Not a hazard"),
    # escalation levels (community -> town -> district -> city)
    "hazard.escalation.community": ("社区网格", "community grid"),
    "hazard.escalation.town": ("镇（街道）网格", "town grid"),
    "hazard.escalation.district": ("区级", "district"),
    "hazard.escalation.city": ("市级", "city"),
    # messages (the inbox, SMS, e-mail)
    "notify.hazard.todo": ("隐患 {hazard_id}（{kind}，{cell}）{state}，请您处理下一步",
                           "Hazard {hazard_id} ({kind}, {cell}) is now {state}: "
                           "the next step is yours"),
    "notify.hazard.progress": ("您上报的隐患 {hazard_id}（{kind}，{cell}）现为：{state}",
                               "The hazard you reported, {hazard_id} ({kind}, {cell}), "
                               "is now: {state}"),
    "notify.hazard.responsible": ("您被指定为隐患 {hazard_id}（{kind}，{cell}）的整改责任人，"
                                  "整改期限 {deadline}（北京时间）",
                                  "You are responsible for remediating hazard {hazard_id} "
                                  "({kind}, {cell}) by {deadline} (Beijing time)"),
    "notify.hazard.escalated": ("隐患 {hazard_id}（{kind}，{cell}）已超期（期限 {due}，当前"
                                "{state}），升级至{level}督办",
                                "Hazard {hazard_id} ({kind}, {cell}) is overdue (due {due}, "
                                "now {state}) and escalated to the {level} level"),
}
