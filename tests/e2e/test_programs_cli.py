"""``lrs programs load|show``, ``lrs import outcomes`` and ``lrs report board`` as the installed console script on
the test database; the PDF checked by turning its first pages into images (pdftoppm) and reading its text."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli_audit import lrs
from tests.integration import evaluation_scenario as sc

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_programs_load_show_and_refuse(db_url: str, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", """
programs:
  - id: Reading Initiative
    title: Reading
    activites: [https://x.example/a]
    eligible: {roles: teacher}
  - id: math
""")
    r = lrs(db_url, "programs", "load", bad)
    assert r.returncode == 1
    assert "invalid: programs[0].id: 'Reading Initiative' must be lowercase letters" in r.stderr
    assert "invalid: programs[0].activites: unknown key" in r.stderr
    assert "invalid: programs[0].eligible.roles: must be a list of role names" in r.stderr
    assert "invalid: programs[1].title: is required" in r.stderr
    assert "nothing loaded (the catalog in force stays)" in r.stderr and "Traceback" not in r.stderr
    assert lrs(db_url, "programs", "show").stderr.strip() == "error: no program catalog is loaded (lrs programs load FILE)"
    good = write(tmp_path, "programs.yaml", sc.CATALOG)
    r = lrs(db_url, "programs", "load", good)
    assert r.returncode == 0 and r.stdout.startswith("loaded 1 program(s) at log position ") and "reading" in r.stdout
    again = lrs(db_url, "programs", "load", good)
    assert again.returncode == 0 and again.stdout.startswith("unchanged")
    # An invalid file later leaves the catalog in force as it was.
    assert lrs(db_url, "programs", "load", bad).returncode == 1
    shown = lrs(db_url, "programs", "show")
    assert shown.returncode == 0
    assert "reading: Reading initiative — for teacher, paraprofessional; 1 groupings; cost 5,000 USD" in shown.stdout
    assert '"min_cell": 5' in lrs(db_url, "programs", "show", "--json").stdout


def test_import_outcomes_refuses_student_data_and_is_idempotent(db_url: str, tmp_path: Path) -> None:
    students = write(tmp_path, "students.csv", "student_id,measure,period,group,group_type,cohort,value,n\n"
                                              "S123,Reading,2025-26,G3,grade,others,0.5,1\n")
    r = lrs(db_url, "import", "outcomes", students)
    assert r.returncode == 1 and "looks like student-level data: column(s) 'student_id' identify students" in r.stderr
    small = write(tmp_path, "small.csv", sc.OUTCOMES.replace(",0.47,12,", ",0.47,4,"))
    r = lrs(db_url, "import", "outcomes", small)
    assert r.returncode == 1 and "line 7: n = 4 is below the minimum group size 10 (LRS_OUTCOME_MIN_N)" in r.stderr
    assert "nothing imported" in r.stderr
    ok = write(tmp_path, "outcomes.csv", sc.OUTCOMES)
    r = lrs(db_url, "import", "outcomes", ok)
    assert r.returncode == 0 and "imported 7 aggregate(s) at log position" in r.stdout and "7 new" in r.stdout
    r = lrs(db_url, "import", "outcomes", ok)
    assert r.stdout.strip() == ("imported 7 aggregate(s): 0 new, 0 changed, 7 unchanged "
                                "(Math proficiency, Reading growth)")
    changed = write(tmp_path, "changed.csv", sc.OUTCOMES.replace(",0.47,12,", ",0.49,12,"))
    assert "0 new, 1 changed, 6 unchanged" in lrs(db_url, "import", "outcomes", changed).stdout


@pytest.fixture
def riverside(db_url: str) -> dict[str, Any]:
    from lrs import bootstrap
    from projections.runner import Worker

    svc = bootstrap.build({"DATABASE_URL": db_url})
    loaded = sc.load(svc)
    Worker(svc.engine, settings=svc.settings, poll=0.05).run(once=True)
    loaded["head"] = svc.store.head()
    svc.close()
    return loaded


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdftotext) is not installed; .ci/run installs it")
def test_report_board_pdf_pages_and_text(db_url: str, tmp_path: Path, riverside: dict[str, Any]) -> None:
    out = tmp_path / "report.pdf"
    r = lrs(db_url, "report", "board", "--period", "2026-27-S1", "--output", str(out), timeout=180)
    assert r.returncode == 0, r.stderr
    assert f"for 2026-27-S1 (2026-07-01 to 2026-12-31), 1 program(s), log position {riverside['head']}" in r.stdout
    assert out.read_bytes().startswith(b"%PDF-")
    # The first pages as images: real pages with something drawn on them.
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "3", "-png", str(out), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 5_000 for p in pages)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    flat = " ".join(text.split())
    assert "Professional learning: the efficacy of the program" in flat
    assert "Reading initiative (2026-27-S1): 22 of 27 eligible staff (81%) took part" in flat
    assert "page 1 of" in flat and "Methods" in flat and f"known_at={riverside['head']}" in flat
    assert "Person L01" not in flat and "PRESENTER" not in flat
    # The same report as HTML, by the output's extension; and with --from/--to and --known-at.
    html = tmp_path / "report.html"
    r = lrs(db_url, "report", "board", "--from", "2026-07-01", "--to", "2026-12-31", "--known-at",
            str(riverside["before_w3"]), "--output", str(html), timeout=180)
    assert r.returncode == 0, r.stderr
    page = html.read_text()
    assert "<svg " in page and f"log position {riverside['before_w3']}" in r.stdout
    assert "50% of their 132 hours" not in page and "25% of their 120 hours" in page  # before W3: 119.5 h, 29.5 of them


def test_report_board_errors_are_one_line(db_url: str, tmp_path: Path, riverside: dict[str, Any]) -> None:
    r = lrs(db_url, "report", "board", "--period", "2026-28", "--output", str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and r.stderr.startswith("error: '2026-28': the second year must follow the first")
    r = lrs(db_url, "report", "board", "--from", "2026-07-01", "--output", str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and "give both from and to dates" in r.stderr
    r = lrs(db_url, "report", "board", "--period", "2026-27", "--known-at", "99999", "--output",
            str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and "beyond the log's head" in r.stderr and "Traceback" not in r.stderr
