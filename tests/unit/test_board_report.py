"""The Board report's pure parts: required-training tables with suppression, the chart series (published points
only), the PDF's charts as images."""
from __future__ import annotations

import base64
import re

from lrs.board import compliance_section, level_panels
from lrs.charts import bar_chart, rasterize


def test_compliance_by_building_is_suppressed_per_requirement() -> None:
    rows = [{"requirement": "bbp", "title": "Bloodborne pathogens", "building": b, "people": n, "complete": c,
             "overdue": o} for b, n, c, o in (("North", 40, 38, 1), ("South", 25, 20, 4), ("West", 6, 6, 0))]
    rows.append({"requirement": "sp", "title": "Suicide prevention", "building": "North", "people": 40, "complete": 40,
                 "overdue": 0})
    out = compliance_section(rows, 10)
    bbp, sp = out["tables"]
    cells = {c["building"]: c for c in bbp["cells"]}
    # West (6 staff) is hidden, and South (25) with it, so 71 - 40 - 25 cannot give West back; the district stays.
    assert cells["West"] == {"building": "West", "suppressed": True} and cells["South"]["suppressed"] is True
    assert (cells["North"]["people"], cells["North"]["complete"], cells["North"]["rate"]) == (40, 38, 0.95)
    assert (bbp["total"]["people"], bbp["total"]["complete"], bbp["total"]["overdue"]) == (71, 64, 5)
    assert sp["cells"] == [{"building": "North", "people": 40, "complete": 40, "overdue": 0, "rate": 1.0,
                            "suppressed": False}]
    assert out["available"] and "<svg" in out["chart"]
    assert compliance_section([], 10) == {"available": False, "tables": [], "chart": None}


def test_level_panels_draw_published_points_only() -> None:
    ev = {"trends": {"reactions": [{"period": "2026-09", "agree_share": 0.8, "suppressed": False},
                                   {"period": "2026-10", "suppressed": True}],
                     "coaching": [{"period": "2026-10", "suppressed": True}]},
          "levels": {"use": {"participants": {"by_period": [{"period": "2026-11", "proficient_share": 0.5,
                                                            "suppressed": False}]},
                             "non_participants": {"suppressed": True, "by_period": []}},
                     "outcomes": {"label": "correlation, not causation", "measures": [
                         {"measure": "Reading", "trend": [{"period": "2025-26",
                                                          "participants": {"value": 0.6, "n": 40, "suppressed": False},
                                                          "others": {"suppressed": True}}]}]}}}
    panels = {p["title"]: p["rows"] for p in level_panels(ev)}
    assert panels == {"L1 Reactions: answers agreeing": [{"period": "2026-09", "value": 0.8}],
                      "L4 Use: observed practice at proficient": [{"period": "2026-11", "value": 0.5,
                                                                   "cohort": "participants"}],
                      "L5 Outcomes: Reading": [{"period": "2025-26", "value": 0.6, "cohort": "participants' cohorts"}]}


def test_the_pdf_gets_each_chart_as_an_image() -> None:
    svg = bar_chart([{"model": "plc", "hours": 3.0}], "model", "hours", title="Hours <by> model")
    html = f"<p>before</p><figure>{svg}</figure><p>after</p>"
    out = rasterize(html)
    (img,) = re.findall(r"<img [^>]*>", out)
    assert "<svg" not in out and out.startswith("<p>before</p><figure><img") and out.endswith("</figure><p>after</p>")
    assert 'alt="Hours &lt;by&gt; model"' in img and re.search(r'style="width: \d+px"', img)
    png = base64.b64decode(re.search(r'base64,([^"]+)"', img).group(1))  # type: ignore[union-attr]
    assert png.startswith(b"\x89PNG")
