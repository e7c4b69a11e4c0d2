"""Roles and the role matrix: who may see which page and do which action.

Owns: the roles, the permissions (pages and actions) and the matrix between them, as
data. Must not: know how a request or a session looks (``dashboard/auth.py`` and the
CLI ask :func:`allowed`), or read the store.

The matrix is the one place a permission is granted; docs/access.md prints it, and a
test walks every page and callback with every role against it. A role outside the
command centre (an enterprise's safety officer, a grid member) only sees what concerns
it; the video wall's kiosk account only views the command screen.
"""

from __future__ import annotations

from types import MappingProxyType

from command.model import ROLES

__all__ = ["ROLES", "SCOPED_ROLES", "PAGES", "ACTIONS", "MATRIX", "allowed", "permissions_of",
           "page_permission", "matrix_table"]


#: Roles that belong to something, and what: a liaison to an agency, an enterprise's
#: officer to an enterprise, a grid member to a grid cell.
SCOPED_ROLES: MappingProxyType = MappingProxyType({
    "liaison": "agency", "enterprise": "enterprise", "grid_member": "grid"})

#: Pages by path: the permission that lets a role see it.
PAGES: MappingProxyType = MappingProxyType({
    "/": "page.screen",
    "/materials": "page.materials",
    "/drills": "page.drills",
    "/risk": "page.risk",
    "/inspection": "page.inspection",
    "/enforcement": "page.enforcement",
    "/rating": "page.rating",
    "/report": "page.report",
    "/hazards": "page.hazards",
    "/grids": "page.grids",
    "/inbox": "page.inbox",
    "/account": "page.account",
    "/admin": "page.admin",
    "/cases": "page.cases",
    "/quiz": "page.quiz",
    "/decide": "page.decide",
    "/vote": "page.vote",
    "/decision-screen": "page.decision_screen",
    "/liaison": "page.liaison",
    "/planning": "page.planning",
    "/warning": "page.warning",
})

#: Actions that change state, with what they do.
ACTIONS: MappingProxyType = MappingProxyType({
    "incident.create": "record an incident and its recommended plan",
    "plan.decide": "approve, modify or reject a proposed plan (dispatches units)",
    "unit.advance": "move a unit along dispatched -> en route -> on scene -> returning",
    "incident.close": "close an incident",
    "scenario.load": "put a scenario on the live screen, or clear it",
    "drill.run": "run a drill or what-if comparison in the simulator",
    "inspection.submit": "submit one's own enterprise's self-inspection",
    "inspection.decide": "confirm, regrade or return a self-inspection (it enters the register)",
    "blacklist.manage": "list an enterprise on the blacklist, or lift it",
    "inspection.draw": "run the double-random inspection draw",
    "account.password": "change one's own password",
    "users.manage": "add, disable users and set their passwords",
    "quiz.take": "take a safety-training quiz (one's own score is kept)",
    "risk.rate": "run the periodic re-rating of the risk register",
    "hazard.report": "report a hidden hazard found (with a photo or a document)",
    "hazard.advance": "take a step of a hazard's closed loop (the lifecycle says which role "
                      "takes which step)",
    "grid.daily_report": "file a grid cell's daily report",
    "inbox.read": "read one's own messages and mark them read",
    "decision.chair": "create, open and close a decision session; send its decided plan for "
                      "approval",
    "decision.vote": "join a decision session by its code and vote or give judgements",
    "liaison.ack": "acknowledge one's own agency's tasks and report their progress",
    "liaison.aid": "ask another agency for mutual aid, and answer such requests",
    "liaison.task": "give an agency a task, cancel it, send agencies messages",
    "planning.run": "run a siting of stations, standby posts or depots (nothing is stored)",
    "warning.ack": "acknowledge a sensor alert (stops its escalation)",
    "avoidance.stop": "stop the automatic avoidance chain before its next step",
})

_CENTRE = ("commander", "duty_officer", "staff")
_ALL = tuple(ROLES)
_VOTERS = _CENTRE + ("planner", "expert", "liaison")

#: permission -> the roles that hold it.
MATRIX: MappingProxyType = MappingProxyType({
    "page.screen": frozenset(_CENTRE + ("planner", "expert", "liaison", "admin", "wall")),
    "page.materials": frozenset(_CENTRE + ("planner", "liaison", "admin")),
    "page.drills": frozenset(_CENTRE + ("planner", "admin")),
    "page.risk": frozenset(_CENTRE + ("planner", "expert", "liaison", "admin")),
    "page.inspection": frozenset({"commander", "staff", "enterprise"}),
    "page.enforcement": frozenset({"commander", "staff", "admin"}),
    "page.rating": frozenset(_CENTRE + ("planner", "admin")),
    "page.account": frozenset(r for r in _ALL if r != "wall"),
    "page.admin": frozenset({"admin"}),
    "incident.create": frozenset(_CENTRE),
    "plan.decide": frozenset({"commander", "duty_officer"}),
    "unit.advance": frozenset(_CENTRE),
    "incident.close": frozenset({"commander", "duty_officer"}),
    "scenario.load": frozenset({"commander", "duty_officer"}),
    "drill.run": frozenset({"commander", "staff", "planner"}),
    "inspection.submit": frozenset({"enterprise"}),
    "inspection.decide": frozenset({"commander", "staff"}),
    "blacklist.manage": frozenset({"commander", "staff"}),
    "inspection.draw": frozenset({"commander", "staff"}),
    "account.password": frozenset(r for r in _ALL if r != "wall"),
    "users.manage": frozenset({"admin"}),
    # training is for everyone who works with the system; the kiosk account has no person
    "page.cases": frozenset(r for r in _ALL if r != "wall"),
    "page.quiz": frozenset(r for r in _ALL if r != "wall"),
    "quiz.take": frozenset(r for r in _ALL if r != "wall"),
    "risk.rate": frozenset({"commander", "staff"}),
    # risk control: people in the field report, the centre and its experts run the loop;
    # a grid member or an enterprise sees only the hazards of its own cells or its own
    "page.hazards": frozenset(_CENTRE + ("planner", "expert", "grid_member", "enterprise")),
    "page.report": frozenset({"grid_member", "enterprise", "staff", "duty_officer"}),
    "page.grids": frozenset(_CENTRE + ("planner", "expert", "grid_member")),
    "page.inbox": frozenset(r for r in _ALL if r != "wall"),
    "hazard.report": frozenset({"grid_member", "enterprise", "staff", "duty_officer"}),
    "hazard.advance": frozenset({"commander", "duty_officer", "staff", "expert"}),
    "grid.daily_report": frozenset({"grid_member"}),
    "inbox.read": frozenset(r for r in _ALL if r != "wall"),
    # group decisions: the centre chairs; leaders, experts, staff, planners and agencies'
    # officers vote; the wall shows progress and results
    "page.decide": frozenset(_CENTRE),
    "decision.chair": frozenset(_CENTRE),
    "page.vote": frozenset(_VOTERS),
    "decision.vote": frozenset(_VOTERS),
    "page.decision_screen": frozenset(_CENTRE + ("planner", "expert", "wall")),
    # liaison: each agency's officer its own board; the centre every board
    "page.liaison": frozenset(_CENTRE + ("liaison",)),
    "liaison.ack": frozenset({"liaison"}),
    "liaison.aid": frozenset(_CENTRE + ("liaison",)),
    "liaison.task": frozenset(_CENTRE),
    # siting is planning: the planners and the centre's leaders; administrators may look
    "page.planning": frozenset({"planner", "commander", "staff", "admin"}),
    "planning.run": frozenset({"planner", "commander", "staff"}),
    # early warning: the centre watches and acknowledges; planners and experts read
    "page.warning": frozenset(_CENTRE + ("planner", "expert", "admin")),
    "warning.ack": frozenset(_CENTRE),
    "avoidance.stop": frozenset({"commander", "duty_officer"}),
})


def allowed(role: str | None, permission: str) -> bool:
    """Whether ``role`` holds ``permission``.

    Raises
    ------
    KeyError
        For a permission the matrix does not know (a typo in a page must not silently
        deny or allow).
    """
    roles = MATRIX[permission]
    return role in roles


def permissions_of(role: str) -> frozenset[str]:
    """Every permission ``role`` holds."""
    return frozenset(p for p, roles in MATRIX.items() if role in roles)


def page_permission(path: str) -> str | None:
    """The permission of the page at ``path`` (its first segment), or None for a path
    that is not a page."""
    clean = "/" + path.strip("/").split("/", 1)[0] if path.strip("/") else "/"
    return PAGES.get(clean)


def matrix_table() -> str:
    """The role matrix as the Markdown table of docs/access.md (paste it there when the
    matrix changes; a test checks the two agree)."""
    pages = {perm: path for path, perm in PAGES.items()}
    lines = ["| permission | what | " + " | ".join(ROLES) + " |",
             "|" + "---|" * (len(ROLES) + 2)]
    for perm, roles in MATRIX.items():
        what = f"page `{pages[perm]}`" if perm in pages else ACTIONS[perm]
        lines.append(f"| `{perm}` | {what} | "
                     + " | ".join("✓" if r in roles else "" for r in ROLES) + " |")
    return "\n".join(lines)
