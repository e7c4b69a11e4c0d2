"""Reasons for an assignment plan, computed from the numbers (private).

Every figure in a reason is read off the ETA matrix for the plan that was chosen: the
unit's ETA, the nearest unit of the same capability that is left idle (the next best),
and, when a nearer unit was not sent, where that unit goes instead or which zone it
keeps covered. Texts are short enough for a table cell on the command screen.
"""

from __future__ import annotations

import numpy as np

from command.dispatch._assign_core import Prepared
from command.i18n import t


def _min(eta_s: float) -> str:
    return f"{eta_s / 60.0:.1f}"


def _cap(capability: str, lang: str) -> str:
    text = t(f"cap.{capability}", lang)
    return text if lang == "zh" else text[0].lower() + text[1:]


def _name(prep: Prepared, u: int, lang: str) -> str:
    p = prep.problem
    names = p.unit_names_zh if lang == "zh" else p.unit_names_en
    return names[u] if names else p.unit_ids[u]


def _nearest(units: np.ndarray, eta_col: np.ndarray) -> int | None:
    """The unit of ``units`` with the smallest ETA (ties: lowest index)."""
    if units.size == 0:
        return None
    return int(units[np.argsort(eta_col[units], kind="stable")[0]])


def _zone_kept(prep: Prepared, to_inc: np.ndarray, v: int, capability: str) -> str | None:
    """A zone that idle unit ``v`` keeps covered: preferably one it alone covers."""
    idle = to_inc < 0
    zones = [(j, z) for j, (z, c) in enumerate(prep.pairs) if c == capability
             and prep.cover[v, j]]
    for j, z in zones:
        if (prep.cover[:, j] & idle).sum() == 1:
            return prep.problem.zone_ids[z]
    return prep.problem.zone_ids[zones[0][1]] if zones else None


def explain_assignments(prep: Prepared, to_inc: np.ndarray) -> list[dict]:
    """One mapping of :class:`Assignment` fields per unit sent, by incident then
    capability then ETA."""
    p = prep.problem
    rows = []
    sent = np.flatnonzero(to_inc >= 0)
    order = sorted(sent, key=lambda u: (int(to_inc[u]), int(prep.capk[u]),
                                        float(prep.eta[u, to_inc[u]]), int(u)))
    for u in order:
        i, c = int(to_inc[u]), p.unit_capability[u]
        col = prep.eta[:, i]
        e = float(col[u])
        same = (np.array(p.unit_capability, dtype=object) == c) & prep.reach[:, i]
        idle = same & (to_inc < 0)
        nb = _nearest(np.flatnonzero(idle), col)
        # nearer units of the capability that are not part of this incident's package
        nearer = np.flatnonzero(same & (col < e) & (to_inc != i))
        x = _nearest(nearer, col)
        d = int(p.demand.get((i, c), 0))
        # rank among the units of the package: nearer ones first, ties by unit order
        ahead = (col < e) | ((col == e) & (np.arange(prep.n) < u))
        rank = 1 + int((same & (to_inc == i) & ahead).sum())
        zh_cap, en_cap = _cap(c, "zh"), _cap(c, "en")
        if x is not None and to_inc[x] >= 0:
            y = p.incident_ids[int(to_inc[x])]
            zh = (f"更近的{_name(prep, x, 'zh')}（{_min(col[x])} 分钟）需派往 {y}，"
                  f"故派本车，预计 {_min(e)} 分钟到达")
            en = (f"The nearer {_name(prep, x, 'en')} ({_min(col[x])} min) is needed at {y}, "
                  f"so this unit goes, arriving in {_min(e)} min")
        elif x is not None:
            z = _zone_kept(prep, to_inc, x, c)
            if z is not None:
                zh = (f"更近的{_name(prep, x, 'zh')}（{_min(col[x])} 分钟）留守保障 {z} 覆盖，"
                      f"故派本车，预计 {_min(e)} 分钟到达")
                en = (f"The nearer {_name(prep, x, 'en')} ({_min(col[x])} min) stays to keep "
                      f"zone {z} covered; this unit arrives in {_min(e)} min")
            else:
                zh = (f"更近的{_name(prep, x, 'zh')}（{_min(col[x])} 分钟）留作备勤，"
                      f"本车预计 {_min(e)} 分钟到达")
                en = (f"The nearer {_name(prep, x, 'en')} ({_min(col[x])} min) is held in "
                      f"reserve; this unit arrives in {_min(e)} min")
        elif rank == 1:
            zh = f"最近的可用{zh_cap}，预计 {_min(e)} 分钟到达"
            en = f"Nearest available {en_cap}, arriving in {_min(e)} min"
        else:
            zh = f"本事件需 {d} 辆{zh_cap}，本车行车时间第 {rank} 短，预计 {_min(e)} 分钟到达"
            en = (f"The incident needs {d} x {en_cap}; this one ranks {rank} by travel time, "
                  f"arriving in {_min(e)} min")
        if nb is not None:
            zh += f"；次优 {_name(prep, nb, 'zh')} {_min(col[nb])} 分钟"
            en += f"; next best {_name(prep, nb, 'en')} {_min(col[nb])} min"
        else:
            zh += f"；无其他可用{zh_cap}"
            en += f"; no other {en_cap} available"
        rows.append(dict(unit_id=p.unit_ids[u], incident_id=p.incident_ids[i], capability=c,
                         eta_s=e,
                         next_best_unit_id=None if nb is None else p.unit_ids[nb],
                         next_best_eta_s=None if nb is None else float(col[nb]),
                         reason_zh=zh, reason_en=en))
    return rows


def explain_shortfalls(prep: Prepared, to_inc: np.ndarray) -> list[dict]:
    """One mapping of :class:`Shortfall` fields per incident and capability not met in
    full, with the nearest mutual-aid options when the problem lists outside units."""
    p = prep.problem
    caps = np.array(p.unit_capability, dtype=object)
    aid_caps = np.array(p.aid_capability, dtype=object)
    aid_eta = (np.asarray(p.aid_eta_s, dtype=float).reshape(len(p.aid_unit_ids), prep.m)
               if p.aid_unit_ids else np.zeros((0, prep.m)))
    rows = []
    for i in range(prep.m):
        for k in np.flatnonzero(prep.demand[i]):
            c = prep.caps[k]
            d = int(prep.demand[i, k])
            got = int(((to_inc == i) & (caps == c)).sum())
            if got >= d:
                continue
            missing = d - got
            reach = np.flatnonzero((caps == c) & prep.reach[:, i])
            zh_cap, en_cap = _cap(c, "zh"), _cap(c, "en")
            if reach.size == 0:
                zh = f"没有能到达的{zh_cap}"
                en = f"No {en_cap} can reach it"
            else:
                where = sorted({p.incident_ids[int(j)] for j in to_inc[reach] if j >= 0})
                zh = f"能到达的 {reach.size} 辆{zh_cap}均已派出（{'、'.join(where)}）"
                en = (f"No {en_cap} free: all {reach.size} that can reach it are committed "
                      f"({', '.join(where)})")
            options = []
            if aid_eta.shape[0]:
                cand = np.flatnonzero((aid_caps == c) & np.isfinite(aid_eta[:, i]))
                cand = cand[np.argsort(aid_eta[cand, i], kind="stable")][:missing]
                options = [(p.aid_unit_ids[a], float(aid_eta[a, i])) for a in cand]
            if options:
                a_id, a_eta = options[0]
                zh += f"；最近的增援力量 {a_id} {_min(a_eta)} 分钟"
                en += f"; nearest mutual aid {a_id} {_min(a_eta)} min"
            else:
                zh += "；无可用的增援选项"
                en += "; no mutual-aid option known"
            rows.append(dict(incident_id=p.incident_ids[i], capability=c, missing=missing,
                             aid_options=tuple(options), reason_zh=zh, reason_en=en))
    return rows
