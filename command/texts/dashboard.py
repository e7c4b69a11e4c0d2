"""Texts of the dashboard area (see :mod:`command.texts`)."""

TABLE: dict[str, tuple[str, str]] = {
}
