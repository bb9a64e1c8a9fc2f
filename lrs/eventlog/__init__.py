"""The append-only, tamper-evident event log every write of the product goes through."""
from __future__ import annotations

from lrs.eventlog.store import EventStore, NewEvent, RecordedEvent, WriteTx
from lrs.eventlog.integrity import VerifyResult, verify_chain

__all__ = ["EventStore", "NewEvent", "RecordedEvent", "VerifyResult", "WriteTx", "verify_chain"]
