"""HTML pages people read (outside /api/v1): the transcript, and the pages later read models add.

Pages read the same queries as the API and go through the same access rules and disclosure record; their charts
are rendered on the server (:mod:`lrs.charts`), so a page needs no script to be read or printed.
"""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from lrs.api.people import transcript_body
from lrs.charts import bar_chart

bp = Blueprint("pages", __name__)


@bp.get("/people/<path:person>/transcript")
def transcript_page(person: str) -> Response:
    """A printable transcript with a chart of hours by delivery model."""
    body = transcript_body(person)
    by_model = body["totals"]["by_delivery_model"]
    rows = [{"delivery model": k.replace("_", " "), "hours": v} for k, v in by_model.items()]
    chart = bar_chart(rows, "delivery model", "hours", title="Hours by delivery model",
                      value_title="hours") if rows else None
    html = render_template("transcript.html", t=body, chart=chart, school_year=request.args.get("school_year"))
    return Response(html, mimetype="text/html")
