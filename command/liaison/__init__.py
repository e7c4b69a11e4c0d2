"""Liaison between agencies (issue #15): each agency's tasks, their acknowledgement and
progress, and mutual aid between agencies, as pure code over plain data.

Layout: ``tasks`` (the task lifecycle issued -> acknowledged -> in progress -> done, and
tasks derived from a decided plan, one per agency), ``aid`` (a mutual-aid request:
requested -> accepted -> en route -> done, or declined).

Owns: the rules of a task's and a request's life and who, by agency, may take each step.
Must not: touch the store, the audit log or the clock (callers pass ``now``), or know
about pages and the CLI.
"""

__all__ = ["tasks", "aid"]
