"""Texts of the scenarios area (see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
}
