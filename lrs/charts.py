"""Charts for the pages and reports: Vega-Lite specifications built with Altair, rendered to SVG on the server.

Server-side SVG (vl-convert, which runs the Vega renderer itself) means a page needs no JavaScript to show its charts,
prints as it displays, and the same markup goes into the PDF report. The rendered SVG carries an accessible title and
``role="img"``; the data is also shown as a table beside each chart by the templates, so nothing is only in a picture.
"""
from __future__ import annotations

import base64
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
    # Left padding: the renderer measures labels in its own font; a browser's or the PDF's sans-serif can be wider,
    # and a long axis label would otherwise start outside the SVG.
    return chart.configure(font=_FONT).configure_axis(labelFontSize=11, titleFontSize=12) \
        .configure_title(fontSize=14, anchor="start").configure_view(stroke=None) \
        .properties(padding={"left": 18, "top": 5, "right": 5, "bottom": 5})


_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S)
_ATTR = re.compile(r'\b(aria-label|width)="([^"]*)"')


def rasterize(html: str, scale: float = 2.0) -> str:
    """``html`` with every inline SVG chart replaced by the same chart as a PNG ``<img>`` (``scale`` times its
    size, its accessible name as ``alt``), for the PDF report: WeasyPrint draws an inline SVG chart in about 90 ms
    (its SVG renderer lays out every tick label), places an image in under 5 ms, and a 2x image prints sharply."""
    def one(m: re.Match[str]) -> str:
        svg = m.group(0)
        attrs = dict(_ATTR.findall(svg[:svg.index(">")]))
        with _LOCK:
            png = vlc.svg_to_png(svg, scale=scale)
        data = base64.b64encode(png).decode()
        width = attrs.get("width", "")
        style = f' style="width: {width}px"' if width.replace(".", "").isdigit() else ""
        return (f'<img class="chart" role="img" alt="{attrs.get("aria-label", "chart")}"{style} '
                f'src="data:image/png;base64,{data}">')
    return _SVG.sub(one, html)


def render_svg(chart: alt.TopLevelMixin, title: str) -> Markup:
    """The chart as inline SVG markup, with ``title`` as its accessible name."""
    # Altair's JSON-schema validation of the finished spec costs ~20 ms a chart; vl-convert rejects a bad spec anyway.
    spec = _config(chart).to_json(validate=False)
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


def small_multiples(panels: Sequence[Mapping[str, Any]], *, title: str, x: str = "period",
                    x_domain: Sequence[str] | None = None, columns: int = 2, width: int = 250,
                    height: int = 90) -> Markup:
    """Several small line charts in a grid, one kind of x axis shared by all (e.g. each Guskey level by month, with
    ``x_domain`` the months of the period), each with its own y scale: ``panels`` are ``{"title", "rows", "y",
    "y_format" (default ".0%"), "series" (optional), "domain" (optional [min, max]), "x_domain" (optional, the panel's
    own)}``. Rendered as one SVG (one render, one accessible name)."""
    charts = []
    for p in panels:
        data = alt.Data(values=[dict(r) for r in p["rows"]])
        y_format = p.get("y_format", ".0%")
        domain = p.get("domain")
        xs: list[Any] = list(p.get("x_domain") or x_domain or [])
        enc: dict[str, Any] = {
            "x": alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=0 if len(xs) <= 4 else -40, labelFontSize=9),
                       scale=alt.Scale(domain=xs) if xs else alt.Undefined),
            "y": alt.Y(f"{p['y']}:Q", title=None, axis=alt.Axis(format=y_format, tickCount=4),
                       scale=alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False)),
            "tooltip": [alt.Tooltip(f"{x}:O"), alt.Tooltip(f"{p['y']}:Q", format=y_format)]}
        if p.get("series"):
            s = p["series"]
            enc["color"] = alt.Color(f"{s}:N", scale=alt.Scale(scheme=SCHEME), title=None,
                                     legend=alt.Legend(orient="bottom", direction="horizontal"))
            enc["tooltip"].append(alt.Tooltip(f"{s}:N"))
        charts.append(alt.Chart(data, title=alt.TitleParams(p["title"], fontSize=11), width=width, height=height)
                      .mark_line(point=True).encode(**enc))
    chart = alt.concat(*charts, columns=columns, title=title, spacing=24).resolve_scale(color="independent")
    return render_svg(chart, title)
