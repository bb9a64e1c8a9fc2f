"""The mapping documentation covers every key, and its example mapping works on the file it describes."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.options import COLUMN_KEYS, STATUS_KEYS, TOP_LEVEL_KEYS, load_mapping, options_from_mapping
from adapters.plan import plan_import
from tests.unit.adapters.support import make_roster, read_text

REPO = Path(__file__).resolve().parents[3]
DOC = (REPO / "docs" / "import-mapping.md").read_text(encoding="utf-8")
EXAMPLE = REPO / "examples" / "attendance-mapping.yaml"


def documented_keys() -> set[str]:
    """Keys named in the first column of the doc's tables (`key`, `a.b`, `a.b`, `.c` forms)."""
    keys: set[str] = set()
    for cell in re.findall(r"^\| ([^|]+) \|", DOC, flags=re.M):
        for key in re.findall(r"`([a-z0-9_.]+)`", cell):
            keys.add(key)
            if "." in key:
                keys.add(key.split(".")[0])
    return keys


def test_every_mapping_key_is_documented() -> None:
    keys = documented_keys()
    assert set(TOP_LEVEL_KEYS) <= keys, set(TOP_LEVEL_KEYS) - keys
    assert set(COLUMN_KEYS) <= keys, set(COLUMN_KEYS) - keys
    assert {"activity.iri", "activity.base", "activity.type", "activity.name", "session.start", "session.end",
            "session.minutes", "status_values.attended"} <= keys
    assert all(f".{k}" in keys or f"status_values.{k}" in keys for k in STATUS_KEYS)


def test_example_mapping_reads_the_file_it_describes() -> None:
    opts = options_from_mapping(load_mapping(EXAMPLE))
    header, row = [line.strip("# ").rstrip() for line in EXAMPLE.read_text().splitlines()[4:6]]
    text = (header + "\n" + row + "\n"
            "E1002,ben.okafor@district.example,Ben Okafor,NLC-101,Keynote: Reading Science,10/02/2026,8:30 AM,"
            "9:30 AM,60,Late,Central\n"
            "E1003,chloe.park@district.example,Chloe Park,NLC-101,Keynote: Reading Science,10/02/2026,,,0,Absent,\n")
    plan = plan_import(read_text(text, "generic", opts), make_roster())
    assert plan.valid and [s.line for s in plan.skipped] == [4]
    ana = next(p.statement for p in plan.store if p.person_key == "E1001")
    assert ana["object"]["id"] == "https://district.example/xapi/activities/conference/nlc-2026/sessions/NLC-101"
    assert ana["result"] == {"duration": "PT1H30M"}
    assert ana["timestamp"] == datetime(2026, 10, 2, 8, 30, tzinfo=ZoneInfo("America/Chicago")).isoformat()
    assert ana["context"]["contextActivities"]["parent"][0]["id"] == \
        "https://district.example/xapi/activities/conference/nlc-2026"
    assert ana["context"]["extensions"]["https://district.example/xapi/ext/import"]["fields"] == {"building": "Lincoln"}
