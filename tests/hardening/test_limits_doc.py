"""docs/limits.md prints the tables of command/limits.py as they are."""

from __future__ import annotations

from pathlib import Path

from command.limits import markdown_budgets, markdown_ranges

DOC = Path(__file__).resolve().parents[2] / "docs" / "limits.md"


def _between(text: str, name: str) -> str:
    return text.split(f"<!-- {name}:start -->\n")[1].split(f"\n<!-- {name}:end -->")[0]


def test_the_doc_shows_the_tables_of_the_module():
    text = DOC.read_text(encoding="utf-8")
    assert _between(text, "ranges") == markdown_ranges()
    assert _between(text, "budgets") == markdown_budgets()
