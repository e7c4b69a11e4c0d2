"""Texts of the drills and material reserves pages (see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
}
