"""Value formats of xAPI (xAPI-Data 4): IRIs, UUIDs, language tags, durations, and the signature attachment.

Pure predicates over JSON values; the fields (:mod:`lrs.xapi.fields`) raise errors with paths around them.
"""
from __future__ import annotations

import re
from functools import lru_cache

#: usageType of the JWS attachment of a signed statement (xAPI-Data 2.6), and the content type it must have.
SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_CONTENT_TYPE = "application/octet-stream"


# An absolute IRI (RFC 3987): a scheme, ":" and a non-empty rest without characters that may never
# appear in an IRI (whitespace, controls, <>"{}|\^`). Best-effort, as xAPI-Data 2.2 permits.
_IRI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_MBOX_RE = re.compile(r"mailto:[^@\s]+@[^@\s]+")
_SHA1_RE = re.compile(r"[0-9a-fA-F]{40}")
_VERSION_1_0_RE = re.compile(r"1\.0(?:\.\d+)?")
_VERSION_2_0_RE = re.compile(r"2\.0(?:\.\d+)?")

# ISO 8601:2004 4.4.3.2 durations: PnYnMnDTnHnMnS (at least one component, "T" only before a time
# component) or PnW. Fractions are checked separately (only the last component may have one).
_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION_RE = re.compile(
    rf"P(?:{_NUM}W|(?=\d|T\d)(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?)"
)

# RFC 5646 2.1 "Language-Tag" ABNF, case-insensitive.
_LANGTAG_RE = re.compile(
    r"""
    (?:
      (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})
      (?:-[a-z]{4})?                                   # script
      (?:-(?:[a-z]{2}|[0-9]{3}))?                      # region
      (?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)
      (?P<extensions>(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*)
      (?:-x(?:-[a-z0-9]{1,8})+)?                       # private use
    |
      x(?:-[a-z0-9]{1,8})+                             # private use only
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
_GRANDFATHERED = frozenset(
    t.lower()
    for t in (
        "en-GB-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao"
        " i-tay i-tsu sgn-BE-FR sgn-BE-NL sgn-CH-DE art-lojban cel-gaulish no-bok no-nyn zh-guoyu"
        " zh-hakka zh-min zh-min-nan zh-xiang"
    ).split()
)


def is_iri(value: object) -> bool:
    """True if ``value`` is a string holding an absolute IRI (with a scheme)."""
    return isinstance(value, str) and _IRI_RE.fullmatch(value) is not None


def is_uuid(value: object) -> bool:
    """True if ``value`` is a UUID in standard string form (any version/variant, either case)."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _is_language_tag(tag: str) -> bool:
    # Cached: statements repeat a handful of tags, and the duplicate checks below are not free.
    if tag.lower() in _GRANDFATHERED:
        return True
    m = _LANGTAG_RE.fullmatch(tag)
    if m is None:
        return False
    # RFC 5646 2.2.5/2.2.6: a variant or an extension singleton may not appear twice.
    variants = m.group("variants")
    if variants:
        seen = variants.lower().split("-")[1:]
        if len(seen) != len(set(seen)):
            return False
    extensions = m.group("extensions")
    if extensions:
        singletons = [p for p in extensions.lower().split("-")[1:] if len(p) == 1]
        if len(singletons) != len(set(singletons)):
            return False
    return True


def is_language_tag(value: object) -> bool:
    """True if ``value`` is a well-formed RFC 5646 language tag."""
    return isinstance(value, str) and _is_language_tag(value)


def is_duration(value: object) -> bool:
    """True if ``value`` is an ISO 8601 duration in the format xAPI-Data 4.6 requires."""
    if not isinstance(value, str):
        return False
    m = _DURATION_RE.fullmatch(value)
    if m is None:
        return False
    # ISO 8601 allows a decimal fraction only on the lowest-order component present.
    present = [g for g in m.groups() if g is not None]
    return all("." not in g and "," not in g for g in present[:-1])


def is_signature_content_type(content_type: str) -> bool:
    """True for the media type a signature attachment must have (parameters and case ignored)."""
    return content_type.split(";", 1)[0].strip().lower() == SIGNATURE_CONTENT_TYPE
