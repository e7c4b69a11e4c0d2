"""Incident scenarios and their consequences: the scenario schema and library, toxic
plume and puff dispersion, fire thermal radiation, flooding, and the actions a zone
implies (closed roads, population to evacuate, agencies to notify).

Layout: ``schema`` (the scenario file, pydantic), ``library`` (the files of a data set),
``dispersion``/``zones`` (toxic plume and puff), ``thermal`` (pool, jet, BLEVE),
``flood`` (inundation over an elevation grid), ``substances`` (levels of concern),
``consequences`` (zones -> closed roads, people, shelters, agencies, demand).
See docs/scenarios.md.

Owns: physics and geometry of hazards. Must not: dispatch units or touch the store.
"""
