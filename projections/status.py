"""The log head and every projection's position and lag (``GET /api/v1/status``)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from lrs.eventlog.tables import events
from lrs.times import parse_time, utc_now
from projections import registry
from projections.engine import list_checkpoints
from projections.engine.tables import projection_leases


def status(engine: Engine) -> dict[str, Any]:
    """The log head and every projection generation's position and lag (events and seconds)."""
    with engine.connect() as conn:
        head_row = conn.execute(select(events.c.position, events.c.recorded_at)
                                .order_by(events.c.position.desc()).limit(1)).first()
        head = int(head_row.position) if head_row else 0
        cps = list_checkpoints(conn)
        owners = {r.name: (r.owner, r.expires_at) for r in conn.execute(select(projection_leases))}
        out = []
        now = utc_now()
        for name in sorted(set(registry.names()) | {c.name for c in cps}):
            gens = [c for c in cps if c.name == name]
            active = next((c for c in gens if c.status == "active"), None)
            item: dict[str, Any] = {"name": name, "generation": active.gen if active else None,
                                    "position": active.position if active else 0}
            item["lag"] = head - item["position"]
            lag_s = 0.0
            if item["lag"] > 0:
                first = conn.execute(select(events.c.recorded_at).where(events.c.position == item["position"] + 1)
                                     ).scalar()
                t = parse_time(first) if first else None
                lag_s = max(0.0, (now - t).total_seconds()) if t else 0.0
            item["lag_seconds"] = round(lag_s, 3)
            if name in owners:
                item["lease_owner"] = owners[name][0]
            item["builds"] = [{"generation": c.gen, "status": c.status, "position": c.position, "upto": c.upto}
                              for c in gens if c is not active]
            out.append(item)
    return {"head": head, "head_recorded_at": head_row.recorded_at if head_row else None, "projections": out}
