"""The one translation table: every string a person sees, in Simplified Chinese and English.

The core uses it for texts it produces (reasons of a recommendation, error hints); the
dashboard for every label. ``t(key, lang)`` looks a key up; a missing key is a bug, so it
raises ``KeyError`` rather than showing the key. Interpolation uses ``str.format``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

import command.texts as _texts

__all__ = ["LANGUAGES", "TABLE", "t", "keys_with_prefix"]

LANGUAGES = ("zh", "en")

TABLE: dict[str, tuple[str, str]] = {
    # --- application shell --------------------------------------------------------
    "app.title": ("鄂州市应急指挥辅助决策系统", "Ezhou Emergency Command Decision Support"),
    # the top bar shares its width with every page's link: the short English name there
    "app.topbar": ("鄂州市应急指挥辅助决策系统", "Ezhou Emergency Command"),
    "app.short_title": ("应急指挥", "Emergency command"),
    "app.lang_toggle": ("English", "中文"),
    "nav.screen": ("指挥大屏", "Command screen"),
    "clock.label": ("北京时间", "Beijing time"),
    # --- command screen ------------------------------------------------------------
    "screen.map": ("态势图", "Situation map"),
    "screen.new_incident": ("新建事件", "New incident"),
    "screen.click_hint": ("在地图上点击选取事发地点，或直接输入经纬度",
                          "Click the map to pick the place, or type the coordinates"),
    "screen.lat": ("纬度", "Latitude"),
    "screen.lon": ("经度", "Longitude"),
    "screen.type": ("事件类型", "Incident type"),
    "screen.priority": ("优先级", "Priority"),
    "screen.create": ("创建事件并推荐力量", "Create incident and recommend units"),
    "screen.recommendation": ("推荐出动力量", "Recommended units"),
    "screen.no_incident": ("尚无事件：请在地图上选点并创建事件",
                           "No incident yet: pick a place on the map and create one"),
    "screen.incident_created": ("事件 {incident_id} 已创建：{type}，{n} 支可用力量",
                                "Incident {incident_id} created: {type}, {n} capable units available"),
    "screen.none_capable": ("没有可调派的对应力量", "No capable unit is available"),
    "screen.open_incidents": ("当前事件", "Open incidents"),
    "screen.units_available": ("可用力量", "Units available"),
    "screen.layers": ("图层", "Layers"),
    "col.rank": ("序", "#"),
    "col.unit": ("力量", "Unit"),
    "col.capability": ("类型", "Capability"),
    "col.base": ("驻地", "Base"),
    "col.agency": ("单位", "Agency"),
    "col.eta": ("预计到达", "ETA"),
    "col.distance": ("路程", "Distance"),
    "col.reason": ("理由", "Reason"),
    "unit.min": ("分钟", "min"),
    "unit.km": ("公里", "km"),
    # --- map layers --------------------------------------------------------------
    "layer.roads": ("道路", "Roads"),
    "layer.bases": ("救援力量驻地", "Bases"),
    "layer.depots": ("物资储备库", "Reserve depots"),
    "layer.hospitals": ("医院", "Hospitals"),
    "layer.shelters": ("避难场所", "Shelters"),
    "layer.hazards": ("重大危险源", "Major hazard sources"),
    "layer.incident": ("事发地点", "Incident"),
    "layer.routes": ("出动路线", "Routes"),
    "layer.picked": ("选取位置", "Picked place"),
    # --- incident types -------------------------------------------------------------
    "incident.fire": ("火灾", "Fire"),
    "incident.highrise_fire": ("高层建筑火灾", "High-rise fire"),
    "incident.industrial_fire": ("工业火灾", "Industrial fire"),
    "incident.hazmat_leak": ("危化品泄漏", "Hazmat leak"),
    "incident.gas_leak": ("燃气泄漏", "Gas leak"),
    "incident.traffic_accident": ("交通事故", "Traffic accident"),
    "incident.medical": ("急救", "Medical emergency"),
    "incident.mass_casualty": ("群体伤亡", "Mass casualty"),
    "incident.flood": ("洪涝", "Flood"),
    "incident.water_rescue": ("水域救援", "Water rescue"),
    "incident.collapse": ("建筑坍塌", "Building collapse"),
    "incident.mine_accident": ("矿山事故", "Mine accident"),
    "incident.power_outage": ("大面积停电", "Power outage"),
    "incident.crowd": ("人员聚集事件", "Crowd incident"),
    "incident.aviation": ("航空器事故", "Aviation accident"),
    # --- capabilities ----------------------------------------------------------------
    "cap.engine": ("水罐/泡沫消防车", "Fire engine"),
    "cap.ladder": ("登高平台车", "Aerial ladder"),
    "cap.rescue": ("抢险救援车", "Heavy rescue"),
    "cap.hazmat": ("危化品处置车", "Hazmat unit"),
    "cap.ambulance": ("救护车", "Ambulance"),
    "cap.police": ("公安巡警", "Police patrol"),
    "cap.traffic": ("交警", "Traffic police"),
    "cap.water_rescue": ("水上救援队", "Water rescue"),
    "cap.mine_rescue": ("矿山救护队", "Mine rescue"),
    "cap.power_repair": ("电力抢修队", "Power repair"),
    "cap.gas_repair": ("燃气抢修队", "Gas repair"),
    "cap.medical_team": ("医疗救援队", "Medical team"),
    # --- unit statuses ---------------------------------------------------------------
    "status.available": ("待命", "Available"),
    "status.dispatched": ("已调派", "Dispatched"),
    "status.en_route": ("途中", "En route"),
    "status.on_scene": ("到场", "On scene"),
    "status.returning": ("返回", "Returning"),
    "status.out_of_service": ("停用", "Out of service"),
    # --- risk grades (national colours) --------------------------------------------
    "grade.red": ("红", "Red"),
    "grade.orange": ("橙", "Orange"),
    "grade.yellow": ("黄", "Yellow"),
    "grade.blue": ("蓝", "Blue"),
    # --- reasons -----------------------------------------------------------------------
    "reason.nearest": ("{capability}中行车时间最短（{eta_min:.1f} 分钟）",
                       "Shortest drive among {capability} units ({eta_min:.1f} min)"),
    "reason.next": ("比最近的同类力量慢 {delta_min:.1f} 分钟",
                    "{delta_min:.1f} min slower than the nearest unit of its kind"),
    # --- errors shown to people -------------------------------------------------------
    "error.off_network": ("该位置离道路太远（{distance_m:.0f} 米），请在路网附近选点",
                          "That place is too far from any road ({distance_m:.0f} m); "
                          "pick a place near the network"),
    "error.bad_number": ("请输入有效的{field}", "Please enter a valid {field}"),
    "error.unknown_type": ("未知的事件类型：{value}", "Unknown incident type: {value}"),
}


def _merge_area_tables() -> None:
    """Add every ``command.texts.<area>.TABLE``; a key defined twice is refused."""
    for info in sorted(pkgutil.iter_modules(_texts.__path__), key=lambda m: m.name):
        area = importlib.import_module(f"{_texts.__name__}.{info.name}")
        twice = sorted(set(area.TABLE) & set(TABLE))
        if twice:
            raise RuntimeError(f"translation keys defined twice ({info.name}): {twice}")
        TABLE.update(area.TABLE)


_merge_area_tables()


def t(key: str, lang: str = "zh", /, **values) -> str:
    """The text for ``key`` in ``lang`` ('zh' or 'en'), formatted with ``values``."""
    zh, en = TABLE[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def keys_with_prefix(prefix: str) -> Iterable[str]:
    return (k for k in TABLE if k.startswith(prefix))
