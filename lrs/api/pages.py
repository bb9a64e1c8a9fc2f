"""HTML pages people read (outside /api/v1): the transcript, and the pages later read models add."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from lrs.api.people import transcript_body

bp = Blueprint("pages", __name__)


@bp.get("/people/<path:person>/transcript")
def transcript_page(person: str) -> Response:
    """A printable transcript with a chart of hours by delivery model."""
    body = transcript_body(person)
    by_model = body["totals"]["by_delivery_model"]
    top = max(by_model.values(), default=0.0) or 1.0
    bars = [{"label": k.replace("_", " "), "hours": v, "width": round(300 * v / top, 1)}
            for k, v in sorted(by_model.items(), key=lambda kv: (-kv[1], kv[0]))]
    html = render_template("transcript.html", t=body, bars=bars, school_year=request.args.get("school_year"))
    return Response(html, mimetype="text/html")
