"""Views: pure functions from what the application layer returns (snapshots, plans,
experiment results) to rows, texts and figures in the page's language.

Owns: everything a page shows, as plain data (JSON-able dicts and Plotly figures),
tested without Dash. Must not: call the application layer, write anything, or build
Dash components (the pages render).
"""

__all__ = ["screen", "materials", "drills"]
