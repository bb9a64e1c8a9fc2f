"""Encodings, delimiters and line numbers: detected and reported, never guessed silently."""
from __future__ import annotations

import codecs
import hashlib
import io

import pytest

from adapters.errors import ImportFileError
from adapters.files import TextSource, find_header, iter_rows, open_source
from tests.unit.adapters.support import fixture

TEXT = "Name,Email\nAna,ana@x.org\n"


def source(data: bytes, *, encoding: str | None = None, allow_latin1: bool = False) -> TextSource:
    return open_source(io.BytesIO(data), name="f.csv", encoding=encoding, allow_latin1=allow_latin1)


@pytest.mark.parametrize("data, label", [
    (codecs.BOM_UTF8 + TEXT.encode(), "UTF-8 (BOM)"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "UTF-16LE (BOM)"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16BE (BOM)"),
    (TEXT.encode("utf-16-le"), "UTF-16LE (no BOM, recognised by its NUL bytes)"),
    (TEXT.encode(), "UTF-8"),
])
def test_encodings_are_detected_and_the_bom_is_not_part_of_the_first_cell(data: bytes, label: str) -> None:
    src = source(data)
    assert src.encoding == label
    rows = list(iter_rows(src, ","))
    assert rows == [(1, ["Name", "Email"]), (2, ["Ana", "ana@x.org"])]


def test_latin1_is_refused_unless_allowed_or_declared() -> None:
    data = "Name,Email\nJosé,jose@x.org\n".encode("latin-1")
    with pytest.raises(ImportFileError, match=r"not valid UTF-8 \(byte 0xE9 at offset 14\).*encoding: latin-1"):
        source(data)
    allowed = source(data, allow_latin1=True)
    assert allowed.encoding == "Latin-1 (not valid UTF-8; fallback allowed)"
    assert list(iter_rows(allowed, ","))[1] == (2, ["José", "jose@x.org"])
    declared = source(data, encoding="cp1252")
    assert declared.encoding == "cp1252 (declared)"


def test_declared_encoding_that_contradicts_the_bom_is_refused() -> None:
    with pytest.raises(ImportFileError, match="declared but the file starts with a UTF-16LE byte-order mark"):
        source(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), encoding="utf-8")


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04rest-of-a-zip", "ZIP archive"),
    (b"%PDF-1.7\n...", "PDF"),
    (b"\x00\x01\x02\x03\x04\x05binary\x00\xff\x00\x10", "binary file"),
    (b"", "empty"),
])
def test_binary_and_empty_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        source(data)


def test_invalid_utf8_after_the_head_names_its_line() -> None:
    good = "Name,Email\n" + "".join(f"P{i},p{i}@x.org\n" for i in range(8000))  # > 64 KiB of valid UTF-8
    data = good.encode() + b"Bad\xff,bad@x.org\n"
    src = source(data)
    with pytest.raises(ImportFileError, match=r"line 8002: the file is not valid UTF-8 \(byte 0xFF\)"):
        list(iter_rows(src, ","))


def test_line_numbers_follow_physical_lines_with_multiline_cells() -> None:
    src = source(b'Name,Note\nAna,"two\nlines"\nBen,one\n')
    assert [line for line, _ in iter_rows(src, ",")] == [1, 2, 4]


def test_sha256_covers_the_whole_file_whatever_the_parser_read() -> None:
    path = fixture("teams_report_utf16.csv")
    data = path.read_bytes()
    with open_source(path) as src:
        next(iter_rows(src, "\t"))  # read only the first row
        info = src.info("\t")
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    assert info.read_phrase() == "read UTF-16LE (BOM), tab-separated"


@pytest.mark.parametrize("line, delimiter", [
    ("Name,Email,Duration", ","), ("Name\tEmail\tDuration", "\t"), ("Name;Email;Duration", ";"),
    ('"Name, full";Email;Duration', ";"),
])
def test_delimiter_is_the_one_that_yields_the_expected_header(line: str, delimiter: str) -> None:
    found = find_header(["Some title line", line], [("Email", "Duration")])
    assert found is not None and found.delimiter == delimiter and found.index == 1


def test_no_expected_header_means_no_delimiter() -> None:
    assert find_header(["a,b,c", "1,2,3"], [("Email", "Duration")]) is None
