"""Attendance import benchmark: parse + plan rate and peak memory of the pure importers (not a test).

    python bench/import_bench.py            # 100,000-row Zoom file, 10,000-row generic CSV
    python bench/import_bench.py --json     # the same, as JSON

Generates, in a temporary directory:

* a Zoom participant report (meeting header block + participant table) of ``--zoom-rows`` rows for
  ``--people`` attendees, each leaving and rejoining many times (rows add up per person);
* a generic CSV of ``--generic-rows`` rows (5 sessions, durations written like ``1h 30m``) with its mapping;

and a roster with all of them. For each file it times ``read_attendance`` (decode, sniff, parse, aggregate) and
``plan_import`` (roster match, statements, validation, ids) and reports rows/s end to end. Peak memory is taken
in a second run under tracemalloc (which slows Python down, so it is not timed), and again for a file a tenth of
the size with the same attendees: the two peaks should be about equal, since only the per-person aggregate and
the planned statements are kept, never the rows.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.options import load_mapping, options_from_mapping  # noqa: E402
from adapters.people import InMemoryRoster  # noqa: E402
from adapters.plan import ImportPlan, plan_import  # noqa: E402
from adapters.registry import read_attendance  # noqa: E402

START = datetime(2026, 9, 15, 8, 0)
GENERIC_MAPPING = """\
format: generic
timezone: America/Chicago
columns: {email: Email, name: Name, session: Session ID, session_name: Session, date: Date, duration: Duration}
activity: {base: "https://district.example/xapi/activities/conference/bench/sessions/"}
"""


def _email(i: int) -> str:
    return f"person{i:06d}@district.example"


def write_zoom(path: Path, rows: int, people: int) -> None:
    """A Zoom report with ``rows`` participant rows: person i's k-th stint is 1-30 minutes."""
    end = START + timedelta(hours=8)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        f.write("Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n")
        f.write(f"812 3456 7890,Bench institute,{START:%m/%d/%Y %I:%M:%S %p},{end:%m/%d/%Y %I:%M:%S %p},"
                f"host@district.example,480,{people}\n\n")
        f.write("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,"
                "In Waiting Room\n")
        for r in range(rows):
            person, stint = r % people, r // people
            join = START + timedelta(minutes=stint * 2 + person % 7)
            minutes = 1 + (person + stint) % 30
            leave = join + timedelta(minutes=minutes)
            f.write(f"Person {person},{_email(person)},{join:%m/%d/%Y %I:%M:%S %p},{leave:%m/%d/%Y %I:%M:%S %p},"
                    f"{minutes},No,Y,No\n")


def write_generic(path: Path, rows: int, people: int) -> None:
    """A generic CSV: person i at session s, durations like ``1h 30m`` or ``45m``."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Email,Name,Session ID,Session,Date,Duration\n")
        for r in range(rows):
            person, session = r % people, (r // people) % 5
            duration = "1h 30m" if (person + session) % 3 else "45m"
            f.write(f"{_email(person)},Person {person},S-{session},Session {session},2026-10-02,{duration}\n")


def roster(people: int) -> InMemoryRoster:
    return InMemoryRoster({"employee_id": f"E{i:06d}", "name": f"Person {i}", "email": _email(i),
                           "account_homepage": "https://idp.district.example", "account_name": f"E{i:06d}"}
                          for i in range(people))


def run_once(read: Callable[[], Any], lookup: InMemoryRoster) -> tuple[float, float, ImportPlan]:
    t0 = time.perf_counter()
    parsed = read()
    t1 = time.perf_counter()
    plan = plan_import(parsed, lookup)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, plan


def peak_mib(read: Callable[[], Any], lookup: InMemoryRoster) -> float:
    tracemalloc.start()
    try:
        plan_import(read(), lookup)
        return tracemalloc.get_traced_memory()[1] / (1 << 20)
    finally:
        tracemalloc.stop()


def measure(name: str, rows: int, read: Callable[[], Any], lookup: InMemoryRoster,
            other_sizes: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    parse_s, plan_s, plan = run_once(read, lookup)
    return {
        "file": name, "rows": rows, "statements": len(plan.store), "rejected": len(plan.rejected),
        "parse_s": round(parse_s, 3), "plan_s": round(plan_s, 3), "rows_per_s": round(rows / (parse_s + plan_s)),
        "peak_mib": round(peak_mib(read, lookup), 1),
        "peak_mib_other_sizes": {label: round(peak_mib(other, lookup), 1) for label, other in other_sizes.items()},
        "description": plan.description,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zoom-rows", type=int, default=100_000)
    ap.add_argument("--generic-rows", type=int, default=10_000)
    ap.add_argument("--people", type=int, default=2_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    lookup = roster(args.people)
    zoom_opts = options_from_mapping({"timezone": "America/Chicago"})
    generic_opts = options_from_mapping(load_mapping(GENERIC_MAPPING))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        zoom_sizes = {"1/10": args.zoom_rows // 10, "x2": args.zoom_rows * 2}
        write_zoom(d / "zoom.csv", args.zoom_rows, args.people)
        for label, n in zoom_sizes.items():
            write_zoom(d / f"zoom-{n}.csv", n, args.people)
        write_generic(d / "generic.csv", args.generic_rows, args.people)
        write_generic(d / "generic-tenth.csv", args.generic_rows // 10, args.people)

        def zoom_file(path: Path) -> Callable[[], Any]:
            return lambda: read_attendance(path, "zoom", zoom_opts)

        results.append(measure("zoom", args.zoom_rows, zoom_file(d / "zoom.csv"), lookup,
                               {label: zoom_file(d / f"zoom-{n}.csv") for label, n in zoom_sizes.items()}))
        results.append(measure("generic", args.generic_rows,
                               lambda: read_attendance(d / "generic.csv", "generic", generic_opts), lookup,
                               {"1/10": lambda: read_attendance(d / "generic-tenth.csv", "generic", generic_opts)}))
    if args.json:
        print(json.dumps({"people": args.people, "results": results}, indent=2))
        return
    print(f"{'file':8} {'rows':>8} {'stmts':>6} {'parse s':>8} {'plan s':>7} {'rows/s':>8} {'peak MiB':>9}  "
          "peak MiB at other sizes (same attendees)")
    for r in results:
        others = ", ".join(f"{label} rows: {mib}" for label, mib in r["peak_mib_other_sizes"].items())
        print(f"{r['file']:8} {r['rows']:>8} {r['statements']:>6} {r['parse_s']:>8} {r['plan_s']:>7} "
              f"{r['rows_per_s']:>8} {r['peak_mib']:>9}  {others}")
    for r in results:
        print(f"  {r['file']}: {r['description']}")


if __name__ == "__main__":
    main()
