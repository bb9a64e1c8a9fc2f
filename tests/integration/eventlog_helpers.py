"""Writers for the event-log race test, shared by its threads and by the OS processes it starts.

Run as a script (``python eventlog_helpers.py URL WRITER COUNT``) it opens its own engine on ``URL``, prints
``ready``, waits for a line on standard input (so every writer starts at once), appends ``COUNT`` events
through :class:`lrs.eventlog.EventStore` and prints ``done``.
"""
from __future__ import annotations

import sys
import time
from itertools import cycle

from lrs.eventlog import EventStore, NewEvent

# Mix single-event and multi-event appends, so dense positions are checked for batches too.
BATCH_SIZES = (1, 3)
EVENT_TYPE = "test.race"


def append_numbered(store: EventStore, writer: str, count: int) -> None:
    """Append events ``{"writer": writer, "n": 0..count-1}`` in order, each batch in a transaction of its own."""
    n = 0
    sizes = cycle(BATCH_SIZES)
    while n < count:
        size = min(next(sizes), count - n)
        store.append([NewEvent(EVENT_TYPE, f"writer:{writer}", {"writer": writer, "n": n + i})
                      for i in range(size)])
        n += size
        # Give the other writers a turn: on a loaded 2-core machine a writer that never sleeps can finish
        # before the others start, and a race that never overlaps proves nothing.
        time.sleep(0.001)


def main(argv: list[str]) -> int:
    url, writer, count = argv[1], argv[2], int(argv[3])
    from lrs.db import make_engine

    engine = make_engine(url)
    try:
        store = EventStore(engine)
        store.head()  # connect before reporting ready, so start-up cost is not inside the race
        print("ready", flush=True)
        sys.stdin.readline()
        append_numbered(store, writer, count)
        print("done", flush=True)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
