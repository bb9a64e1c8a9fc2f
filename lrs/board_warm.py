"""Keeping the Board's report computed ahead of the request (``LRS_BOARD_PRECOMPUTE``).

At 5,000 staff a report costs seconds of computation (a semester's digests, four programs, thirteen charts, a
PDF). With the setting on, a daemon thread of the web process keeps the report of the current school year, the
current semester and the last few periods asked for (each as HTML and PDF) made for the read models' latest state
(:func:`lrs.board.board_document` keeps what it made, per log state): once the log has been quiet for one
interval (``LRS_BOARD_PRECOMPUTE_INTERVAL`` seconds), whatever state the read models reached is computed once. A
request at that state is then answered from what was made; a request at a newer state is computed as usual.

Started by the first request to ``/reports/board`` in a process (nothing runs in processes nobody asks), one per
process; it stops after repeated failures (the database gone).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from datetime import date
from typing import Any

log = logging.getLogger("lrs.board")

_LOCK = threading.Lock()
_WARMERS: dict[int, Warmer] = {}


class Warmer:
    """One process's background maker of Board reports for one app."""

    def __init__(self, app: Any, interval: float, keep: int = 4) -> None:
        self.app = app
        self.interval = max(1.0, interval)
        self.keep = keep
        self.periods: OrderedDict[tuple[date, date, str, str], None] = OrderedDict()
        self._lock = threading.Lock()
        self._seen: Any = None
        self.made = 0
        self.thread = threading.Thread(target=self._run, name="lrs-board-warmer", daemon=True)

    def want(self, lo: date, hi: date, label: str, granularity: str) -> None:
        """Keep this period's report made (the most recent ``keep`` periods asked for)."""
        with self._lock:
            self.periods[(lo, hi, label, granularity)] = None
            self.periods.move_to_end((lo, hi, label, granularity))
            while len(self.periods) > self.keep:
                self.periods.popitem(last=False)

    def _standard(self, version: Any) -> list[tuple[date, date, str, str]]:
        """This school year and its semesters begun by today (with the catalog's semester split)."""
        from lrs.board import resolve
        from projections.evaluation.periods import PeriodError, school_year_of

        settings = self.app.extensions["lrs"].settings
        start = str(settings.get("SCHOOL_YEAR_START") or "07-01")
        m, d = (int(x) for x in start.split("-"))
        first = school_year_of(date.today(), (m, d))
        out = []
        for name in (f"{first}-{(first + 1) % 100:02d}", f"{first}-{(first + 1) % 100:02d}-S1",
                     f"{first}-{(first + 1) % 100:02d}-S2"):
            try:
                lo, hi, label = resolve(version, settings, name, None, None)
            except PeriodError:
                continue
            if lo <= date.today():
                out.append((lo, hi, label, "month"))
        return out

    def warm_once(self) -> bool:
        """Make every wanted report for the current state if the log was quiet since the last look; True if it
        made something."""
        from lrs.api.listing import read_scope
        from lrs.board import board_document, read_models
        from projections.evaluation import queries as ev_q

        settings = self.app.extensions["lrs"].settings
        with self.app.test_request_context("/reports/board"):
            with read_scope(read_models()) as scope:
                state = ev_q.state_key(scope)
                quiet = state == self._seen
                self._seen = state
                if not quiet:
                    return False  # still moving: look again next interval
                with self._lock:
                    wanted = list(dict.fromkeys([*self._standard(ev_q.current_catalog(scope)), *self.periods]))
                for lo, hi, label, granularity in wanted:
                    for pdf in (False, True):
                        board_document(scope, settings, lo, hi, label, pdf=pdf, granularity=granularity)
        self.made += 1
        return True

    def _run(self) -> None:
        failures = 0
        while failures < 3:
            time.sleep(self.interval)
            try:
                self.warm_once()
                failures = 0
            except Exception:  # noqa: BLE001 - a background helper must not die silently, nor loop on errors
                failures += 1
                log.warning("the Board report warmer failed (%d of 3)", failures, exc_info=True)
        log.warning("the Board report warmer stopped after repeated failures")


def warmer_for(app: Any) -> Warmer | None:
    """This process's warmer of ``app`` (started on first use), or None when LRS_BOARD_PRECOMPUTE is off."""
    settings = app.extensions["lrs"].settings
    if not settings.get("BOARD_PRECOMPUTE"):
        return None
    with _LOCK:
        w = _WARMERS.get(id(app))
        if w is None:
            w = _WARMERS[id(app)] = Warmer(app, float(settings.get("BOARD_PRECOMPUTE_INTERVAL") or 30))
            w.thread.start()
        return w
