"""The Dash web interface: a thin adapter over ``command``; see ``dashboard.app``."""
