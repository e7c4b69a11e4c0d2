"""Incident scenarios and their consequences: the scenario schema and library, toxic
plume and puff dispersion, fire thermal radiation, flooding, and the actions a zone
implies (closed roads, population to evacuate, agencies to notify).

Owns: physics and geometry of hazards. Must not: dispatch units or touch the store.
"""
