"""Texts of the dispatch area (see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
}
