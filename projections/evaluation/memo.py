"""A small, thread-safe memo of what the evaluation read side computed, keyed by the log state it was computed
from (each read model's generation and position, the period, the settings that matter).

A read model's rows at one generation and position never change (a batch moves rows and checkpoint in one
transaction), so the figures computed from them can be reused as they are: the Board report's HTML and then its PDF,
or one ``GET /api/v1/programs/{program}/evaluation`` per program, load and evaluate a period once, not once each.
When the worker applies anything, the positions change and so does every key.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """The ``size`` most recently used values by key; :meth:`get` computes a missing one outside the lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # two threads may both compute it; the figures are the same, the last one is kept
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
