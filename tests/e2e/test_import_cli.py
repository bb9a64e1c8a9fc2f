"""``lrs import attendance`` and ``lrs pull`` as the installed console script: one-line errors, never a traceback,
and an import that stores (the subprocess sees the real terminal-less standard streams)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from lrs.roster.importer import import_roster
from tests.e2e.live import lrs
from tests.integration.import_helpers import ROSTER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "attendance"


def test_one_line_errors_and_an_import(engine: Any, db_url: str, tmp_path: Path) -> None:
    from lrs.eventlog.store import EventStore

    assert import_roster(EventStore(engine), ROSTER, effective_date="2024-07-01").ok
    for args, text in [
        (("import", "attendance", str(FIXTURES / "zoom_participants.csv"), "--format", "webex"), "unknown format"),
        (("import", "attendance", str(tmp_path / "nope.csv"), "--format", "zoom"), "no such file"),
        (("import", "attendance", str(FIXTURES / "teams_report_utf16.csv"), "--format", "zoom"), "--format teams"),
        (("pull", "--all"), "no pull-sources file"),
    ]:
        r = lrs(db_url, *args)
        assert r.returncode == 1, r
        assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1 and text in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    r = lrs(db_url, "import", "attendance", str(FIXTURES / "teams_report_utf16.csv"), "--format", "teams",
            "--skip-invalid")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("read UTF-16LE (BOM), tab-separated, Teams attendance report with 3 sections")
    assert "stored 3 statements, voided 0, 0 unchanged; 1 rejected row left out" in r.stdout
