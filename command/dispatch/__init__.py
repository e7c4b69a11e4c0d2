"""Dispatch decisions with OR-Tools: recommendations, team assignment, material
allocation, delivery routes, siting of posts and depots, and move-up.

Owns: turning a situation (units, incidents, stocks, travel times) into plans with ETAs
and reasons. Must not: read files (except the benchmark readers in
:mod:`command.dispatch.instances`), touch the store or know about the web; every model
is built, solved with a time limit and copied back into plain data inside one function.
Every solver's result carries a :class:`SolverRun` as ``.run``; every sentence a person
reads is a :class:`Reason` (a code with parameters) rendered through the translation
tables.
"""

from command.dispatch._result import RUN_STATUSES, SolverRun
from command.dispatch.reasons import Reason

__all__ = ["RUN_STATUSES", "SolverRun", "Reason"]
