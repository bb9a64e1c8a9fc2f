"""The projection protocol, generations, and the checkpointed batch transaction.

Exactly-once, in one paragraph: a projection's effects for the events ``(p, q]`` and the move of its checkpoint
from ``p`` to ``q`` are written in one database transaction, and that transaction *starts* with a compare-and-set
on the checkpoint row (``UPDATE … SET position = q WHERE position = p``). If the row no longer says ``p`` (another
worker, or this one before a crash, already applied the batch) no row is updated and the whole transaction rolls
back: nothing is applied twice. If the process dies anywhere before COMMIT, the database discards both the
read-model writes and the checkpoint move: nothing is lost. Doing the compare-and-set first (rather than last)
also makes it a mutex on PostgreSQL: a second worker's UPDATE blocks on the row lock until the first commits,
then re-checks ``position = p``, finds it false and gives up before doing any work (READ COMMITTED re-evaluates
the WHERE clause on the updated row).

Events are read *outside* that transaction, a bounded window of positions at a time (:class:`BatchReader`), which
is safe because log positions are dense and committed in order (see ``lrs.eventlog.store``): once the head is ``h``
every event up to ``h`` is visible and immutable. Only the handler and the checkpoint write hold the (SQLite)
write lock.
"""
from __future__ import annotations

from projections.engine.batch import DEFAULT_BATCH, DEFAULT_MAX_CHARS, BatchReader, Fence, Processor, apply_batch
from projections.engine.compare import snapshot, wait_for
from projections.engine.generations import (ACTIVE, AS_OF, AS_OF_BUILDING, BUILDING, RETIRED, Checkpoint,
                                            active_generation, drop_generation, ensure_active, get_checkpoint,
                                            list_checkpoints, new_generation)
from projections.engine.group import GroupProcessor
from projections.engine.protocol import (BaseProjection, LostOwnership, Projection, StaleCheckpoint, apply_prepared,
                                         prepare_events)
from projections.engine.transactions import write_conn

__all__ = ["ACTIVE", "AS_OF", "AS_OF_BUILDING", "BUILDING", "RETIRED", "DEFAULT_BATCH", "DEFAULT_MAX_CHARS",
           "BaseProjection", "BatchReader", "Checkpoint", "Fence", "GroupProcessor", "LostOwnership", "Processor",
           "Projection", "StaleCheckpoint", "active_generation", "apply_batch", "apply_prepared", "drop_generation",
           "ensure_active", "get_checkpoint", "list_checkpoints", "new_generation", "prepare_events", "snapshot",
           "wait_for", "write_conn"]
