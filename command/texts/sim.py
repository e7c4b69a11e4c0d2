"""Texts of the sim area (see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
}
