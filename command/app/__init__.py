"""The application layer: the product's use cases, the only code that writes the store
and the audit log together.

Owns: the steps that join the store to the decision core (record an incident with its
recommended plan, decide a plan, move units through their cycle, put a scenario on the
live screen, record a situation's plan) and what the live screen reads (one snapshot,
its KPIs, routes and scenario overlays). Dashboard pages and CLI commands call these
and nothing lower that writes. Must not: know about Dash, Flask or the command line, or
read the clock behind a caller's back ("now" is an argument with the clock as default).

Modules, one per use:

- :mod:`command.app.incidents`: incidents and their plans (the duty officer's workflow)
- :mod:`command.app.screen`: the live screen's snapshot, KPIs, routes and overlays
- :mod:`command.app.scenarios`: scenarios on the live screen
- :mod:`command.app.situations`: situations from the store, materials, recorded plans
- :mod:`command.app.optimise`: a situation solved (assignment, materials, deliveries,
  move-up, the whole plan) as JSON-ready data
- :mod:`command.app.drills`: drills and what-if comparisons from the planners' page
- :mod:`command.app.access`: log-in, sessions, refusals, users
- :mod:`command.app.risk`: the risk register, self-inspections and their confirmation
- :mod:`command.app.enforcement`: the blacklist, inspectors and the double-random draw
- :mod:`command.app.rating`: periodic re-rating of the register and its report
- :mod:`command.app.training`: the accident case library and the safety quiz
"""

__all__ = ["incidents", "screen", "scenarios", "situations", "optimise", "drills", "access",
           "risk", "enforcement", "rating", "training"]
