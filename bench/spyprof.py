"""py-spy profiles of the server while a phase runs, and a summary of their top frames.

``py-spy record --subprocesses --idle --nonblocking --format raw`` samples the gunicorn master and its workers
without pausing them; ``--idle`` keeps samples of threads waiting (on the database, on the writer lock), which
is where much of a request's time goes. The summary keeps only samples inside a request (a stack through
Flask/werkzeug or the product, or the empty app), so a worker's idle threads waiting for connections do not
drown the rest, and reports the top frames by self time and by inclusive time.

    python bench/spyprof.py summarize bench/results/profiles/<file>.txt.gz
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
# A request is a stack through Flask (the LRS) or the empty app; CLI processes (worker, replay) through projections.
REQUEST_MARKERS = ("flask/app.py", "empty_app.py", "(projections/", "/projections/")


def available() -> bool:
    return os.path.exists(PY_SPY)


def start(pid: int, out: Path, duration: float, rate: int = 200) -> subprocess.Popen[bytes]:
    """Start sampling ``pid`` and its children for ``duration`` seconds into the collapsed-stack file ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [PY_SPY, "record", "--pid", str(pid), "--subprocesses", "--idle", "--nonblocking", "--rate", str(rate),
            "--format", "raw", "--duration", str(max(1, int(duration))), "--output", str(out)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def stop(p: subprocess.Popen[bytes], timeout: float = 30) -> str:
    """Wait for py-spy to write its file (SIGINT makes it stop early and still write)."""
    import signal

    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return (p.stderr.read() if p.stderr else b"").decode(errors="replace")[-500:]


def _short(frame: str) -> str:
    """``func (path/to/file.py:123)`` -> ``func (file.py-relative-to-site-packages)`` without the line."""
    name, _, loc = frame.partition(" (")
    path = loc.rstrip(")").rsplit(":", 1)[0]
    for cut in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if cut in path:
            path = path.split(cut, 1)[1]
            break
    return f"{name} ({path})"


def compress(path: Path) -> Path:
    """Gzip a collapsed-stack file in place (they are large and compress ~25x); returns the new path."""
    import gzip

    gz = path.with_name(path.name + ".gz")
    gz.write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    return gz


def _read(path: Path) -> str:
    if path.name.endswith(".gz"):
        import gzip

        return gzip.decompress(path.read_bytes()).decode(errors="replace")
    return path.read_text(errors="replace")


def summarize(path: Path, top: int = 15) -> dict[str, Any]:
    """Top frames by self and inclusive share of the in-request samples of a collapsed-stack file (or .gz)."""
    self_c: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    waits: Counter[str] = Counter()
    total = kept = 0
    for line in _read(path).splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        count = int(n)
        total += count
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not any(m in f for f in frames for m in REQUEST_MARKERS):
            continue
        kept += count
        short = [_short(f) for f in frames]
        self_c[short[-1]] += count
        for f in set(short):
            incl[f] += count
        # The innermost product frame, with its line: which line of ours the time (or the wait) is under.
        inner = next((f for f in reversed(frames) if any(m in f for m in ("(lrs/", "/lrs/", "(projections/", "/projections/"))), None)
        if inner is not None:
            where = _short(inner).rstrip(")") + ":" + inner.rstrip(")").rsplit(":", 1)[-1] + ")"
            lines[where] += count
            if "psycopg" in frames[-1] or "sqlite" in frames[-1].lower() or frames[-1].startswith("wait "):
                waits[where] += count
    if not kept:
        return {"samples": total, "in_request_samples": 0}

    def pct(c: Counter[str]) -> list[list[Any]]:
        return [[f, round(100 * n / kept, 1)] for f, n in c.most_common(top)]

    product = Counter({f: n for f, n in incl.items() if "(lrs/" in f or "(projections/" in f})
    return {"samples": total, "in_request_samples": kept, "top_self_pct": pct(self_c),
            "top_product_lines_pct": pct(lines), "waiting_on_database_by_product_line_pct": pct(waits),
            "top_inclusive_product_pct": pct(product), "top_inclusive_pct": pct(incl)}


if __name__ == "__main__":
    import json

    if len(sys.argv) == 3 and sys.argv[1] == "summarize":
        print(json.dumps(summarize(Path(sys.argv[2]), top=25), indent=2))
    else:
        print(__doc__)
