"""Hidden hazards (隐患, issue #13): the closed loop as pure code over plain data.

Layout: ``kinds`` (the hazard kinds), ``lifecycle`` (the states, the table of allowed
transitions with their roles and data, :func:`~command.hazards.lifecycle.advance`),
``duplicates`` (open hazards of the same kind near a new report), ``rollup`` (the
three-level grid and its daily summaries, each level the exact sum of its children).

Owns: the rules of a hazard's life. Must not: touch the store, pages or the CLI, or read
the clock (callers pass ``now``).
"""

__all__ = ["kinds", "lifecycle", "duplicates", "rollup"]
