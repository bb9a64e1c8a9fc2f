"""The keys a statement is indexed under for the agent and activity query filters (xAPI-Communication 2.1.3)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrs.xapi.agents import agent_key, as_list


def _agent_keys(agent: Any, into: set[str]) -> None:
    # xAPI-Communication 2.1.3, "agent": "Groups that have members which match the specified Agent
    # based on their Inverse Functional Identifier ... are considered a match", so a Group indexes
    # both its own IFI (when identified) and each member's.
    if not isinstance(agent, dict):
        return
    key = agent_key(agent)
    if key is not None:
        into.add(key)
    members = agent.get("member")
    if isinstance(members, list):
        for member in members:
            key = agent_key(member)
            if key is not None:
                into.add(key)


def _context_agent_keys(context: Any, into: set[str]) -> None:
    if not isinstance(context, dict):
        return
    _agent_keys(context.get("instructor"), into)
    _agent_keys(context.get("team"), into)
    # xAPI 2.0 contextAgents/contextGroups replace instructor/team (CL x1, x2), so they are indexed
    # the same way.
    for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
        items = context.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    _agent_keys(item.get(inner), into)


def referenced_agents(stmt: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Return ``(direct, related)`` agent_key sets used to index a statement for agent queries.

    Per xAPI-Communication 2.1.3: ``direct`` serves the plain ``agent`` filter -- "the specified Agent
    or Group is the Actor or Object of the Statement", Group members included. ``related`` serves
    ``related_agents=true`` -- "the Actor, Object, Authority, Instructor, Team, or any of these
    properties in a contained SubStatement", plus xAPI 2.0 contextAgents/contextGroups; it is a
    superset of ``direct``. StatementRef targets are not followed here (the query does that).
    """
    direct: set[str] = set()
    _agent_keys(stmt.get("actor"), direct)
    obj = stmt.get("object")
    object_type = obj.get("objectType") if isinstance(obj, dict) else None
    if object_type in ("Agent", "Group"):
        _agent_keys(obj, direct)
    related = set(direct)
    _agent_keys(stmt.get("authority"), related)
    _context_agent_keys(stmt.get("context"), related)
    if object_type == "SubStatement" and isinstance(obj, dict):
        _agent_keys(obj.get("actor"), related)
        sub_obj = obj.get("object")
        if isinstance(sub_obj, dict) and sub_obj.get("objectType") in ("Agent", "Group"):
            _agent_keys(sub_obj, related)
        _context_agent_keys(obj.get("context"), related)
    return direct, related


def _context_activity_ids(context: Any, into: set[str]) -> None:
    if not isinstance(context, dict):
        return
    activities = context.get("contextActivities")
    if not isinstance(activities, dict):
        return
    for value in activities.values():
        for activity in as_list(value):
            if isinstance(activity, dict) and isinstance(activity.get("id"), str):
                into.add(activity["id"])


def _activity_id(obj: Any) -> str | None:
    if isinstance(obj, dict) and obj.get("objectType", "Activity") == "Activity":
        activity_id = obj.get("id")
        return activity_id if isinstance(activity_id, str) else None
    return None


def referenced_activities(stmt: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Return ``(direct, related)`` Activity id sets used to index a statement for activity queries.

    Per xAPI-Communication 2.1.3: ``direct`` serves ``activity`` -- "the Object of the Statement is an
    Activity with the specified id"; ``related`` serves ``related_activities=true`` -- "the Object,
    any of the context Activities, or any of those properties in a contained SubStatement"; it is a
    superset of ``direct``.
    """
    direct: set[str] = set()
    obj = stmt.get("object")
    activity_id = _activity_id(obj)
    if activity_id is not None:
        direct.add(activity_id)
    related = set(direct)
    _context_activity_ids(stmt.get("context"), related)
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        sub_id = _activity_id(obj.get("object"))
        if sub_id is not None:
            related.add(sub_id)
        _context_activity_ids(obj.get("context"), related)
    return direct, related
