"""Group commit: concurrent statement writes of one process share a transaction.

Every append holds the database's single writer lock, so under concurrency the time spent *inside* that lock
(taking it, reading the head, a handful of inserts, the commit's flush) caps throughput, however many threads
wait. Like PostgreSQL's own group commit, the first waiting request thread becomes the leader: it stores every
request queued at that moment in one transaction — each request's batch still its own event — and hands the
others their results. A lone request commits in its own thread, with no hand-off at all.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future

from lrs.store.statements import SaveRequest, StatementStore
from lrs.xapi.errors import XAPIError

log = logging.getLogger("lrs.store")

# A group stops growing past this many statements, so one transaction (and the lock) stays short.
MAX_GROUP_STATEMENTS = 2000
MAX_GROUP_REQUESTS = 64
# How often a waiting follower checks whether it must lead (its leader finished without taking its request).
FOLLOWER_POLL_SECONDS = 0.002


class GroupCommitter:
    """Leader/follower group commit of a process's statement writes."""

    def __init__(self, store: StatementStore) -> None:
        self.store = store
        self._pending: list[tuple[SaveRequest, Future[list[str]]]] = []
        self._mutex = threading.Lock()  # guards _pending
        self._leader = threading.Lock()  # held by the thread committing a group

    def save(self, request: SaveRequest) -> list[str]:
        """Store one request's batch (in whatever group it lands in); returns its ids or raises its error."""
        fut: Future[list[str]] = Future()
        with self._mutex:
            self._pending.append((request, fut))
        while not fut.done():
            if self._leader.acquire(blocking=False):
                try:
                    self._lead()
                finally:
                    self._leader.release()
            else:
                # Someone is committing; our request is in their group or the next. If they finish without
                # it, the loop makes us the leader.
                try:
                    fut.exception(timeout=FOLLOWER_POLL_SECONDS)
                except TimeoutError:
                    pass
        return fut.result()

    def _take_group(self) -> list[tuple[SaveRequest, Future[list[str]]]]:
        with self._mutex:
            group: list[tuple[SaveRequest, Future[list[str]]]] = []
            size = 0
            while self._pending and len(group) < MAX_GROUP_REQUESTS and (not group or size < MAX_GROUP_STATEMENTS):
                item = self._pending.pop(0)
                group.append(item)
                size += len(item[0].prepared)
            return group

    def _lead(self) -> None:
        # One group per leadership: the leader's own request is in it (it was queued before it led), and a
        # long queue is shared out among the threads waiting on it rather than served by one.
        group = self._take_group()
        if not group:
            return
        try:
            results = self.store.save_group([req for req, _ in group])
        except BaseException as e:
            if len(group) == 1:
                group[0][1].set_exception(e)
                return
            # The shared transaction failed and rolled back, so nothing of the group is stored. Validation is
            # meant to catch everything a client can get wrong before a request joins a group; if something
            # still fails, it must fail its own request only (issue 9, defect 2): store each request again in
            # a transaction of its own. Only the one that fails alone gets an error; a database outage fails
            # each of them on its own retry, as it would have without grouping.
            log.warning("group commit of %d requests failed (%s: %s); storing them one by one",
                        len(group), type(e).__name__, e)
            for req, fut in group:
                self._save_alone(req, fut)
            return
        for (_, fut), res in zip(group, results):
            _settle(fut, res)

    def _save_alone(self, req: SaveRequest, fut: Future[list[str]]) -> None:
        try:
            res = self.store.save_group([req])[0]
        except BaseException as e:  # noqa: BLE001 - handed to the request's own thread, which raises it
            fut.set_exception(e)
            return
        _settle(fut, res)


def _settle(fut: Future[list[str]], res: list[str] | XAPIError) -> None:
    if isinstance(res, XAPIError):
        fut.set_exception(res)
    else:
        fut.set_result(res)
