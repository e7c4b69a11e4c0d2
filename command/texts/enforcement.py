"""Texts of enforcement: the blacklist, inspectors and the double-random inspection draw
(see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
    "enforcement.draw.title": ("双随机抽查 第 {draw_id} 次", "Double-random draw no. {draw_id}"),
    "enforcement.draw.summary": (
        "随机种子 {seed}；抽取企业 {n} 家，每家检查人员 {m} 名；{when}（北京时间）由 {actor} 抽取",
        "seed {seed}; {n} enterprises drawn, {m} inspectors each; drawn {when} (Beijing "
        "time) by {actor}"),
    "enforcement.draw.enterprise": ("企业", "Enterprise"),
    "enforcement.draw.inspectors": ("检查人员", "Inspectors"),
    "enforcement.draw.unstaffed": ("未能派员", "Not staffed"),
    "enforcement.draw.replay": ("复核：以相同随机种子和输入重新抽取，结果{same}",
                                "Check: drawn again from the same seed and input, the result "
                                "{same}"),
    "enforcement.draw.replay_same": ("一致", "is the same"),
    "enforcement.draw.replay_differs": ("不一致", "differs"),
    "enforcement.unstaffed.too_few_inspectors": (
        "无利益冲突的检查人员仅 {eligible} 名，少于所需 {needed} 名",
        "only {eligible} inspectors without a conflict of interest, {needed} needed"),
    "enforcement.unstaffed.inspectors_taken": (
        "可派的 {eligible} 名检查人员已被先抽中的企业占满（每人抽查次数有上限）",
        "the {eligible} inspectors it could have are taken by enterprises drawn before it "
        "(each inspector has a limit)"),
    "enforcement.blacklist.title": ("黑名单", "Blacklist"),
    "enforcement.blacklist.empty": ("黑名单中没有企业", "No enterprise is on the blacklist"),
    "enforcement.blacklist.listed": ("企业 {enterprise} 已列入黑名单，至 {until}（北京时间）",
                                     "Enterprise {enterprise} listed until {until} "
                                     "(Beijing time)"),
    "enforcement.blacklist.lifted": ("企业 {enterprise} 已移出黑名单",
                                     "Enterprise {enterprise} lifted from the blacklist"),
    "enforcement.blacklist.reason": ("原因", "Reason"),
    "enforcement.blacklist.until": ("期限至", "Until"),
    "enforcement.blacklist.decided_by": ("决定人", "Decided by"),
    "enforcement.blacklist.state": ("状态", "State"),
    "enforcement.state.pending": ("待生效", "Pending"),
    "enforcement.state.active": ("生效中", "In force"),
    "enforcement.state.expired": ("已到期", "Expired"),
    "enforcement.state.lifted": ("已移出", "Lifted"),
    "enforcement.inspectors.title": ("执法检查人员", "Inspectors"),
    "enforcement.inspectors.empty": ("尚无检查人员", "No inspectors yet"),
    "enforcement.inspectors.added": ("检查人员 {inspector} 已添加（{agency}），回避企业 {n} 家",
                                     "Inspector {inspector} added ({agency}), excluded from "
                                     "{n} enterprises"),
    "enforcement.inspectors.name": ("姓名", "Name"),
    "enforcement.inspectors.agency": ("单位", "Agency"),
    "enforcement.inspectors.active": ("在岗", "Active"),
    "enforcement.inspectors.inactive": ("不参与抽取", "Not drawn"),
    "enforcement.inspectors.excluded": ("回避企业", "Excluded from"),
}
