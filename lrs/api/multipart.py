"""``multipart/mixed`` for statements with attachments (xAPI 1.0.3 Communication 1.5.2): parse and build."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from werkzeug.datastructures import Headers

from lrs.xapi.errors import BadRequest

_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


@dataclass
class Part:
    """One body part: its headers and raw bytes."""

    headers: Headers
    body: bytes


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart Content-Type; 400 if missing."""
    m = _BOUNDARY.search(content_type or "")
    if not m:
        raise BadRequest("multipart/mixed request without a boundary parameter")
    boundary = m.group(1) or m.group(2)
    # RFC 2046 5.1.1: 1-70 characters from a small ASCII set (we allow any printable ASCII).
    if not (0 < len(boundary) <= 70 and boundary.isascii() and boundary.isprintable()):
        raise BadRequest("the multipart boundary must be 1-70 printable ASCII characters (RFC 2046)")
    return boundary


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart body into parts (RFC 2046); 400 when it is malformed."""
    delim = b"--" + boundary_of(content_type).encode("ascii")
    segments = body.split(delim)
    if len(segments) < 3:
        raise BadRequest("multipart/mixed body has no parts delimited by its boundary")
    parts: list[Part] = []
    for seg in segments[1:]:
        if seg.startswith(b"--"):
            break  # close delimiter
        # Each part starts after the delimiter line's CRLF and ends before the CRLF preceding the next delimiter.
        if seg.startswith(b"\r\n"):
            seg = seg[2:]
        elif seg.startswith(b"\n"):
            seg = seg[1:]
        if seg.endswith(b"\r\n"):
            seg = seg[:-2]
        elif seg.endswith(b"\n"):
            seg = seg[:-1]
        sep = seg.find(b"\r\n\r\n")
        skip = 4
        if sep < 0:
            sep, skip = seg.find(b"\n\n"), 2
        if sep < 0:
            if seg.startswith(b"\r\n"):
                head, data = b"", seg[2:]
            else:
                raise BadRequest("a multipart part has no blank line between its headers and its body")
        else:
            head, data = seg[:sep], seg[sep + skip:]
        headers = Headers()
        for line in head.decode("latin-1").splitlines():
            if not line.strip():
                continue
            if ":" not in line:
                raise BadRequest(f"malformed multipart part header {line!r}")
            k, v = line.split(":", 1)
            headers.add(k.strip(), v.strip())
        parts.append(Part(headers, data))
    if not parts:
        raise BadRequest("multipart/mixed body has no parts")
    return parts


def build_multipart(first_json: bytes, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed body: the statements first, then (sha2, content type, data) parts. Returns (body, type)."""
    boundary = "lrs-" + uuid.uuid4().hex
    b = boundary.encode()
    out = [b"--" + b + b"\r\nContent-Type: application/json\r\n\r\n" + first_json + b"\r\n"]
    for sha2, ctype, data in attachments:
        out.append(b"--" + b + b"\r\nContent-Type: " + ctype.encode() + b"\r\nContent-Transfer-Encoding: binary\r\n"
                   + b"X-Experience-API-Hash: " + sha2.encode() + b"\r\n\r\n" + data + b"\r\n")
    out.append(b"--" + b + b"--\r\n")
    return b"".join(out), f"multipart/mixed; boundary={boundary}"
