"""Translation tables by area, merged by :mod:`command.i18n`.

Each module here defines ``TABLE: dict[str, tuple[str, str]]`` (key -> (zh, en)) for one
area (dispatch, scenarios, simulator, dashboard pages ...). A key defined in two modules
is a bug and :mod:`command.i18n` refuses to start with it.
"""
