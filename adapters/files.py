"""Opening an export: its encoding, its delimiter, its rows, and the words that say what was read.

Nothing here is guessed silently. The encoding is a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32), UTF-16 without
a BOM recognised by its NUL bytes, valid UTF-8, or one the caller declares; Latin-1 is a fallback only when the
caller allows it. The delimiter is the one (comma, tab or semicolon) under which a line of the file splits into
the columns the format expects. Each choice is recorded in ``TextSource`` / ``SourceInfo`` so that the import
report can say "read UTF-16LE (BOM), tab-separated, ...".

The file is read once, as a stream: the first 64 KiB are decoded for sniffing, then the whole file is decoded
row by row while a SHA-256 of its bytes is taken on the way (the statements cite it).
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, BinaryIO

from adapters.errors import ImportFileError

HEAD_BYTES = 64 * 1024
DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon"}
_DELIMITER_NAMES = {"comma": ",", "tab": "\t", "semicolon": ";", ",": ",", "\t": "\t", ";": ";", "\\t": "\t"}

# (leading bytes, Python codec, label). UTF-32 before UTF-16: FF FE 00 00 also starts with the UTF-16LE BOM.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (BOM)"),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32LE (BOM)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32BE (BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16LE (BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16BE (BOM)"),
)
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook?); export it as CSV, or read it with --format generic"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls); save it as CSV or .xlsx"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
)


def normalise_header(name: object) -> str:
    """A column title compared loosely: stray BOM removed, whitespace collapsed, case folded."""
    text = "" if name is None else str(name)
    return " ".join(text.replace("\ufeff", "").replace("\u200b", "").split()).casefold()


def delimiter_from_name(value: str) -> str:
    """``","``/``comma``, ``"\\t"``/``tab``, ``";"``/``semicolon`` -> the delimiter character."""
    try:
        return _DELIMITER_NAMES[value if value in ("\t", ",", ";") else value.strip().lower()]
    except KeyError:
        raise ImportFileError(f"delimiter must be comma, tab or semicolon, not {value!r}") from None


@dataclass(frozen=True)
class SourceInfo:
    """What was read: the file's name, size and SHA-256, its encoding and its delimiter (None for XLSX)."""

    name: str
    sha256: str
    size: int
    encoding: str
    delimiter: str | None

    def read_phrase(self) -> str:
        """``read UTF-16LE (BOM), tab-separated`` (or ``read XLSX workbook``)."""
        if self.delimiter is None:
            return f"read {self.encoding}"
        return f"read {self.encoding}, {DELIMITERS.get(self.delimiter, repr(self.delimiter))}-separated"


class _HashingReader(io.RawIOBase):
    """A raw stream over ``prefix`` then ``rest`` that hashes every byte it hands out."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._prefix = memoryview(prefix)
        self._rest = rest
        self.hash = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        else:
            data = self._rest.read(len(view))
            n = len(data)
            view[:n] = data
        self.hash.update(view[:n])
        self.size += n
        return n

    def drain(self) -> None:
        while self.readinto(bytearray(1 << 20)):
            pass


class TextSource:
    """A decoded export, read once: ``head_text``/``head_lines`` for sniffing, ``text()`` for the rows.

    ``encoding`` is the label for reports ("UTF-16LE (BOM)"); ``info(delimiter)`` gives the SourceInfo once
    the file has been read (it finishes hashing whatever the parser did not read).
    """

    def __init__(self, name: str, raw: _HashingReader, codec: str, encoding: str, head_text: str,
                 owned: IO[bytes] | None) -> None:
        self.name = name
        self.codec = codec
        self.encoding = encoding
        self.head_text = head_text
        self.head_lines = head_text.splitlines()
        self._raw = raw
        self._owned = owned
        self._text: io.TextIOWrapper | None = None
        self.escapes_bad_bytes = codec in ("utf-8", "utf-8-sig")

    def text(self) -> io.TextIOWrapper:
        """The whole file as text (from its first byte; may be called once)."""
        if self._text is not None:
            raise RuntimeError("TextSource.text() may be called once")
        # newline="" hands line endings to the csv module, which needs them for quoted multi-line cells.
        # UTF-8 is decoded with surrogateescape so that a bad byte surfaces in the row that holds it (iter_rows
        # refuses the file naming that line) rather than when the decoder reads ahead a whole buffer.
        self._text = io.TextIOWrapper(io.BufferedReader(self._raw, 1 << 16), encoding=self.codec,
                                      errors="surrogateescape" if self.escapes_bad_bytes else "strict",
                                      newline="")
        return self._text

    def info(self, delimiter: str | None) -> SourceInfo:
        """SourceInfo with the SHA-256 of all the file's bytes (reads the rest of the file if need be)."""
        self._raw.drain()
        return SourceInfo(self.name, self._raw.hash.hexdigest(), self._raw.size, self.encoding, delimiter)

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> TextSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the head looks like BOM-less UTF-16 text (NULs in every other byte)."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    # An export is mostly ASCII (digits, delimiters, e-mail addresses): in UTF-16 more than half of its high
    # bytes are NUL and almost none of its low bytes. Random binary data does not look like that.
    if odd_nuls > 0.5 * half and even_nuls < 0.02 * half:
        return "utf-16-le"
    if even_nuls > 0.5 * half and odd_nuls < 0.02 * half:
        return "utf-16-be"
    return None


def detect_encoding(head: bytes, *, declared: str | None = None, allow_latin1: bool = False) -> tuple[str, str]:
    """(Python codec, label) for a file starting with ``head``; raises ImportFileError when it cannot tell."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ImportFileError(f"this is not a text export: it is {what}")
    bom = next(((codec, label) for mark, codec, label in _BOMS if head.startswith(mark)), None)
    if declared:
        try:
            canonical = codecs.lookup(declared).name
        except LookupError:
            raise ImportFileError(f"unknown encoding {declared!r}") from None
        if bom is not None:
            family = {"utf-8-sig": "utf-8", "utf-16": "utf-16", "utf-32": "utf-32"}[bom[0]]
            if not canonical.startswith(family):
                raise ImportFileError(f"encoding {declared!r} is declared but the file starts with a "
                                      f"{bom[1].split(' ')[0]} byte-order mark")
            return bom
        if canonical in ("utf-16", "utf-32"):
            guessed = _utf16_without_bom(head) if canonical == "utf-16" else None
            if guessed is None:
                raise ImportFileError(f"encoding {declared} is declared but the file has no byte-order mark; "
                                      "declare utf-16-le or utf-16-be")
            return guessed, f"{guessed.upper()} (declared {declared}, no BOM)"
        return canonical, f"{canonical} (declared)"
    if bom is not None:
        return bom
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return utf16, ("UTF-16LE" if utf16.endswith("le") else "UTF-16BE") + " (no BOM, recognised by its NUL bytes)"
    if b"\x00" in head:
        raise ImportFileError("this is a binary file (it contains NUL bytes), not a CSV export")
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        decoder.decode(head, final=len(head) < HEAD_BYTES)
    except UnicodeDecodeError as exc:
        if allow_latin1:
            return "latin-1", "Latin-1 (not valid UTF-8; fallback allowed)"
        raise ImportFileError(
            f"the file is not valid UTF-8 (byte 0x{head[exc.start]:02X} at offset {exc.start}); if it was saved "
            "as Latin-1/Windows-1252, declare encoding: latin-1 (or cp1252) in the mapping") from None
    return "utf-8", "UTF-8"


def open_source(file: str | os.PathLike[str] | BinaryIO, *, name: str | None = None, encoding: str | None = None,
                allow_latin1: bool = False) -> TextSource:
    """Open an export (a path, or a binary stream positioned at its start) and work out its encoding."""
    owned: IO[bytes] | None = None
    stream: BinaryIO
    if isinstance(file, (str, os.PathLike)):
        owned = stream = open(file, "rb")
        name = name or os.path.basename(os.fspath(file))
    else:
        stream = file
        name = name or os.path.basename(str(getattr(file, "name", "") or "")) or "<stream>"
    try:
        head = stream.read(HEAD_BYTES)
        if not head:
            raise ImportFileError("the file is empty")
        codec, label = detect_encoding(head, declared=encoding, allow_latin1=allow_latin1)
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        try:
            head_text = decoder.decode(head, final=len(head) < HEAD_BYTES)
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"the file is not valid {label} (offset {exc.start}: {exc.reason})") from None
        head_text = head_text.lstrip("\ufeff")
        if len(head) == HEAD_BYTES and "\n" in head_text:
            head_text = head_text[:head_text.rindex("\n") + 1]  # keep whole lines only
        controls = sum(1 for ch in head_text[:4096] if ch < " " and ch not in "\t\r\n\f")
        if "\x00" in head_text or controls > max(8, len(head_text[:4096]) // 100):
            raise ImportFileError(f"this is a binary file, not a CSV export (it does not read as {label} text)")
        return TextSource(name, _HashingReader(head, stream), codec, label, head_text, owned)
    except BaseException:
        if owned is not None:
            owned.close()
        raise


def split_line(line: str, delimiter: str) -> list[str]:
    """One CSV line split under ``delimiter`` (quotes honoured)."""
    return next(csv.reader([line], delimiter=delimiter), [])


@dataclass(frozen=True)
class HeaderMatch:
    delimiter: str
    index: int          # index in head_lines
    signature: int      # which of the signatures matched
    columns: list[str]  # the header's cells


def find_header(head_lines: Sequence[str], signatures: Sequence[Sequence[str]], *,
                delimiter: str | None = None, max_lines: int = 80) -> HeaderMatch | None:
    """The first line that holds every column of one signature, and the delimiter that splits it so.

    Signatures are normalised column titles. This is how the delimiter is chosen: not by counting characters
    but by finding the format's own header under comma, tab or semicolon (or only ``delimiter`` if declared).
    """
    wanted = [frozenset(normalise_header(c) for c in sig) for sig in signatures]
    candidates = (delimiter,) if delimiter else tuple(DELIMITERS)
    for index, line in enumerate(head_lines[:max_lines]):
        for delim in candidates:
            if delim not in line:
                continue  # a header of two or more columns contains its delimiter
            cells = split_line(line, delim)
            names = {normalise_header(c) for c in cells}
            for number, sig in enumerate(wanted):
                if sig <= names:
                    return HeaderMatch(delim, index, number, cells)
    return None


def iter_rows(source: TextSource, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every row, line numbers counted from 1 as an editor shows them.

    A row's number is the line it starts on (a quoted cell may span lines). Undecodable bytes and CSV errors
    refuse the file with the line they occur on.
    """
    reader = csv.reader(source.text(), delimiter=delimiter)
    check = source.escapes_bad_bytes
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if check:
                joined = "".join(row)
                if not joined.isascii():
                    bad = _ESCAPED.search(joined)
                    if bad is not None:
                        raise ImportFileError(f"line {start}: the file is not valid {source.encoding} (byte "
                                              f"0x{ord(bad.group()) - 0xDC00:02X}); if it was saved as Latin-1/"
                                              "Windows-1252, declare encoding: latin-1 (or cp1252) in the mapping")
            yield start, row
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"line {end + 1}: the file is not valid {source.encoding} "
                              f"({exc.reason}); nothing was imported") from None
    except csv.Error as exc:
        raise ImportFileError(f"line {end + 1}: unreadable CSV ({exc})") from None


_ESCAPED = re.compile("[\udc80-\udcff]")  # undecodable bytes, as surrogateescape writes them


def is_blank(row: Sequence[object]) -> bool:
    """True for a row with no non-empty cell (CSV blank lines, or all-empty spreadsheet rows)."""
    return all(c is None or not str(c).strip() for c in row)


class Columns:
    """Index of a header row: ``find`` a column by any of its aliases (normalised), ``get`` a row's cell."""

    def __init__(self, header: Sequence[object]) -> None:
        self.header = [str(h) if h is not None else "" for h in header]
        self._index: dict[str, int] = {}
        for i, name in enumerate(self.header):
            self._index.setdefault(normalise_header(name), i)

    def find(self, *aliases: str) -> int | None:
        for alias in aliases:
            i = self._index.get(normalise_header(alias))
            if i is not None:
                return i
        return None

    def has(self, *names: str) -> bool:
        return all(normalise_header(n) in self._index for n in names)

    def matching(self, predicate: object) -> list[int]:
        """Indexes of the columns whose normalised title satisfies ``predicate`` (a callable)."""
        assert callable(predicate)
        return [i for i, name in enumerate(self.header) if predicate(normalise_header(name))]

    @staticmethod
    def get(row: Sequence[str], index: int | None) -> str:
        if index is None or index >= len(row):
            return ""
        return row[index].strip()
