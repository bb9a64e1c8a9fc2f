"""Charts for the pages and reports: Vega-Lite specifications built with Altair, rendered to SVG on the server.

Server-side SVG (vl-convert, which runs the Vega renderer itself) means a page needs no JavaScript to show its charts,
prints as it displays, and the same markup goes into the PDF report. The rendered SVG carries an accessible title and
``role="img"``; the data is also shown as a table beside each chart by the templates, so nothing is only in a picture.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import altair as alt
import vl_convert as vlc
from markupsafe import Markup

#: One colour scheme for every chart, readable in print and for common colour-vision deficiencies.
SCHEME: Literal["tableau10"] = "tableau10"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
# vl-convert keeps one JavaScript runtime per process; serialise renders from web threads onto it.
_LOCK = threading.Lock()


def _config(chart: alt.TopLevelMixin) -> Any:
    return chart.configure(font=_FONT).configure_axis(labelFontSize=11, titleFontSize=12) \
        .configure_title(fontSize=14, anchor="start").configure_view(stroke=None)


def render_svg(chart: alt.TopLevelMixin, title: str) -> Markup:
    """The chart as inline SVG markup, with ``title`` as its accessible name."""
    spec = _config(chart).to_json()
    with _LOCK:
        svg = vlc.vegalite_to_svg(spec)
    label = Markup.escape(title)
    svg = re.sub(r"^<svg ", f'<svg role="img" aria-label="{label}" ', svg, count=1)
    svg = svg.replace('class="marks"', 'class="marks chart"', 1)
    return Markup(svg)


def bar_chart(rows: Sequence[Mapping[str, Any]], category: str, value: str, *, title: str,
              category_title: str | None = None, value_title: str | None = None, color: str | None = None,
              value_format: str = ",.1f", width: int = 420, domain_max: float | None = None) -> Markup:
    """Horizontal bars of ``value`` per ``category`` (optionally coloured/stacked by ``color``), sorted by value."""
    data = alt.Data(values=[dict(r) for r in rows])
    x = alt.X(f"{value}:Q", title=value_title or value, axis=alt.Axis(format=value_format),
              scale=alt.Scale(domain=[0, domain_max]) if domain_max is not None else alt.Undefined)
    # No axis title by default: the chart's title already says what the categories are.
    y = alt.Y(f"{category}:N", title=category_title, sort="-x")
    enc: dict[str, Any] = {"x": x, "y": y, "tooltip": [alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=value_format)]}
    if color:
        enc["color"] = alt.Color(f"{color}:N", scale=alt.Scale(scheme=SCHEME), title=color.replace("_", " "))
    height = max(60, 22 * max(1, len({r.get(category) for r in rows})))
    chart = alt.Chart(data, title=title, width=width, height=height).mark_bar().encode(**enc)
    return render_svg(chart, title)


def grouped_bar_chart(rows: Sequence[Mapping[str, Any]], category: str, group: str, value: str, *, title: str,
                      value_title: str | None = None, value_format: str = ".0%", domain_max: float | None = 1.0,
                      width: int = 420) -> Markup:
    """Bars of ``value`` per ``category``, one row of bars per ``group`` (e.g. completion rate by requirement and
    building)."""
    data = alt.Data(values=[dict(r) for r in rows])
    chart = alt.Chart(data, title=title, width=width).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=value_title or value, axis=alt.Axis(format=value_format),
                scale=alt.Scale(domain=[0, domain_max]) if domain_max is not None else alt.Undefined),
        y=alt.Y(f"{group}:N", title=None),
        color=alt.Color(f"{group}:N", scale=alt.Scale(scheme=SCHEME), legend=None),
        row=alt.Row(f"{category}:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{group}:N"),
                 alt.Tooltip(f"{value}:Q", format=value_format)],
    )
    return render_svg(chart, title)


def line_chart(rows: Sequence[Mapping[str, Any]], x: str, y: str, *, title: str, series: str | None = None,
               x_type: str = "T", y_title: str | None = None, y_format: str = ",.2f",
               width: int = 460) -> Markup:
    """A line per ``series`` of ``y`` over ``x`` (a time by default), with points."""
    data = alt.Data(values=[dict(r) for r in rows])
    enc: dict[str, Any] = {"x": alt.X(f"{x}:{x_type}", title=x.replace("_", " ")),
                           "y": alt.Y(f"{y}:Q", title=y_title or y, axis=alt.Axis(format=y_format)),
                           "tooltip": [alt.Tooltip(f"{x}:{x_type}"), alt.Tooltip(f"{y}:Q", format=y_format)]}
    if series:
        enc["color"] = alt.Color(f"{series}:N", scale=alt.Scale(scheme=SCHEME), title=series.replace("_", " "))
        enc["tooltip"].append(alt.Tooltip(f"{series}:N"))
    chart = alt.Chart(data, title=title, width=width, height=220).mark_line(point=True).encode(**enc)
    return render_svg(chart, title)
