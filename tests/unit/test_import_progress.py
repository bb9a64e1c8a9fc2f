"""``lrs import attendance`` shows a progress bar for a long file when standard error is a terminal, and only then."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

import lrs.cli.imports as cli

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "attendance" / "zoom_participants.csv"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_file_on_a_terminal_moves_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    err = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", err)
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 100)
    with cli._source(str(FILE)) as source:
        assert not isinstance(source, str)
        data = source.read(-1)
    assert data == FILE.read_bytes()
    assert "reading zoom_participants.csv" in err.getvalue() and "100%" in err.getvalue()


def test_no_bar_when_not_a_terminal_or_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 100)
    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    with cli._source(str(FILE)) as source:
        assert source == str(FILE)
    monkeypatch.setattr(cli.sys, "stderr", Terminal())
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 1 << 20)
    with cli._source(str(FILE)) as source:
        assert source == str(FILE)
