"""Charts render on the server to accessible SVG (no script needed to read a page or a PDF)."""
from __future__ import annotations

import re

from lrs.charts import bar_chart, grouped_bar_chart, line_chart


def test_bar_chart_is_svg_with_one_bar_per_category() -> None:
    svg = bar_chart([{"model": "workshop", "hours": 3.0}, {"model": "plc", "hours": 5.5},
                     {"model": "coaching", "hours": 1.25}], "model", "hours", title="Hours by delivery model")
    assert svg.startswith('<svg role="img" aria-label="Hours by delivery model"')
    assert len(re.findall(r'<path[^>]*aria-roledescription="bar"', svg)) == 3
    for label in ("workshop", "plc", "coaching", "Hours by delivery model"):
        assert label in svg


def test_grouped_and_line_charts() -> None:
    rows = [{"requirement": r, "building": b, "rate": v} for r, b, v in
            (("suicide-prevention", "Central", 0.9), ("suicide-prevention", "North", 0.5),
             ("seizure", "Central", 1.0))]
    svg = grouped_bar_chart(rows, "requirement", "building", "rate", title="Completion by building")
    assert "Completion by building" in svg and len(re.findall(r'aria-roledescription="bar"', svg)) == 3
    line = line_chart([{"month": "2026-09-01", "level": 2.1}, {"month": "2026-10-01", "level": 2.6}],
                      "month", "level", title="Rubric level")
    assert 'aria-label="Rubric level"' in line and "<path" in line


def test_titles_are_escaped() -> None:
    svg = bar_chart([{"k": "a", "v": 1}], "k", "v", title='<script>"x"</script>')
    assert "<script>" not in svg.split(">", 1)[0]
