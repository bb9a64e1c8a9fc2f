"""The value checks of the xAPI schemas, as marshmallow fields shared by both validation engines.

Each :class:`XField` holds its rule in ``check(value, path)``; marshmallow calls it through ``_deserialize`` and the
compiled engine (:mod:`lrs.xapi.checker`) calls it directly.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError as MMValidationError
from marshmallow import fields

from lrs.times import try_parse_timestamp
from lrs.xapi.errors import InvalidField
from lrs.xapi.formats import (_IRI_RE, _MBOX_RE, _SHA1_RE, _UUID_RE, _VERSION_1_0_RE, _VERSION_2_0_RE,
                              _is_language_tag, is_duration)


def _invalid(path: str, detail: str) -> InvalidField:
    return InvalidField(path, detail)


class XField(fields.Field):
    """A marshmallow field whose rule lives in ``check(value, path)``, shared by both engines.

    ``check`` receives a non-null value and the field's full path and raises InvalidField.
    """

    def check(self, value: Any, path: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        try:
            self.check(value, "")
        except InvalidField as exc:
            raise MMValidationError(_relative_message(exc)) from None
        return value


def _relative_message(exc: InvalidField) -> str:
    # In marshmallow mode checks run with an empty base path; whatever path remains is relative.
    path = exc.path.lstrip(".")
    return f"{path}: {exc.detail}" if path else exc.detail


class Str(XField):
    """A JSON string."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")


class NonEmptyStr(XField):
    """A non-empty JSON string."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or not value:
            raise _invalid(path, "must be a non-empty string")


class Bool(XField):
    """A JSON boolean (never a string such as "true")."""

    def check(self, value: Any, path: str) -> None:
        if value is not True and value is not False:
            raise _invalid(path, "must be a boolean")


_INF = float("inf")


class Number(XField):
    """A finite JSON number (never a string or boolean)."""

    def check(self, value: Any, path: str) -> None:
        # type() rather than isinstance(): bool is a subclass of int. NaN/Infinity are not JSON but
        # Python's json module parses them, so they are refused here.
        if type(value) is not int and (type(value) is not float or value != value or value in (_INF, -_INF)):
            raise _invalid(path, "must be a number")


class NonNegativeInteger(XField):
    """A JSON integer >= 0 (an integral float such as 27.0 is accepted)."""

    def check(self, value: Any, path: str) -> None:
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is not int:
            raise _invalid(path, "must be an integer")
        if value < 0:
            raise _invalid(path, "must not be negative")


class IRI(XField):
    """An absolute IRI (xAPI-Data 4.3); ``kind`` names it in messages (IRI, IRL, URI)."""

    def __init__(self, kind: str = "IRI", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = f"not an absolute {kind}"

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _IRI_RE.fullmatch(value) is None:
            raise _invalid(path, f"{self.message}: {value!r}")


class UUIDField(XField):
    """A UUID in standard string form (xAPI-Data 4.4)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _UUID_RE.fullmatch(value) is None:
            raise _invalid(path, f"not a UUID: {value!r}")


class Mbox(XField):
    """A ``mailto:`` IRI holding an e-mail address."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _MBOX_RE.fullmatch(value) is None:
            raise _invalid(path, f"must be a 'mailto:' IRI with an e-mail address: {value!r}")


class Sha1Hex(XField):
    """40 hexadecimal characters (the SHA-1 of a mailto IRI)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or _SHA1_RE.fullmatch(value) is None:
            raise _invalid(path, "must be a hex-encoded SHA-1 (40 hexadecimal characters)")


class LanguageTag(XField):
    """An RFC 5646 language tag."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if not _is_language_tag(value):
            raise _invalid(path, f"not a valid RFC 5646 language tag: {value!r}")


class LanguageMap(XField):
    """A language map (xAPI-Data 4.2): RFC 5646 tags to strings."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _invalid(path, "must be a language map (a JSON object)")
        for tag, text in value.items():
            if not _is_language_tag(tag):
                raise _invalid(path, f"key {tag!r} is not a valid RFC 5646 language tag")
            if not isinstance(text, str):
                raise _invalid(f"{path}[{tag!r}]", "must be a string")


class Extensions(XField):
    """An extensions map (xAPI-Data 4.1): absolute-IRI keys, any JSON value (null included)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _invalid(path, "must be a JSON object")
        for key in value:
            if _IRI_RE.fullmatch(key) is None:
                raise _invalid(path, f"key {key!r} is not an absolute IRI")


class Timestamp(XField):
    """An ISO 8601 timestamp (xAPI-Data 4.5); ``-00:00`` style offsets are rejected."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if try_parse_timestamp(value) is None:
            raise _invalid(path, f"not an ISO 8601 timestamp: {value!r}")


class Duration(XField):
    """An ISO 8601 duration (xAPI-Data 4.6)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if not is_duration(value):
            raise _invalid(path, f"not an ISO 8601 duration: {value!r}")


class Const(XField):
    """Exactly one string value (objectType), compared case-sensitively as xAPI-Data 2.2 requires."""

    def __init__(self, value: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.value = value

    def check(self, value: Any, path: str) -> None:
        if value != self.value or not isinstance(value, str):
            raise _invalid(path, f"must be {self.value!r}")


class OneOf(XField):
    """One string out of a fixed, case-sensitive set."""

    def __init__(self, choices: Iterable[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = tuple(choices)
        self._set = frozenset(self.choices)

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str) or value not in self._set:
            raise _invalid(path, f"must be one of {', '.join(self.choices)}; got {value!r}")


class StrList(XField):
    """An array of strings."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise _invalid(path, "must be an array of strings")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise _invalid(f"{path}[{i}]", "must be a string")


class IRIList(XField):
    """A non-empty array of absolute IRIs (2.0 relevantTypes)."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise _invalid(path, "must be an array of IRIs")
        if not value:
            raise _invalid(path, "must not be empty")
        for i, item in enumerate(value):
            if not isinstance(item, str) or _IRI_RE.fullmatch(item) is None:
                raise _invalid(f"{path}[{i}]", f"not an absolute IRI: {item!r}")


class Version(XField):
    """A statement ``version``: 1.0.x, and under xAPI 2.0 also 2.0.x."""

    def __init__(self, allow_2_0: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_2_0 = allow_2_0

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise _invalid(path, "must be a string")
        if _VERSION_1_0_RE.fullmatch(value) or (self.allow_2_0 and _VERSION_2_0_RE.fullmatch(value)):
            return
        allowed = "1.0.x or 2.0.x" if self.allow_2_0 else "1.0.x"
        raise _invalid(path, f"must be a {allowed} version; got {value!r}")
