"""``/xapi/activities`` (the canonical Activity object) and ``/xapi/agents`` (the Person object)."""
from __future__ import annotations

from flask import Blueprint, Response

from lrs.api.context import lrs_services
from lrs.api.documents import activity_id_param, agent_param, check_params, json_response
from lrs.api.xrequest import begin
from lrs.store.activities import get_activity, person_for_agent
from lrs.xapi.errors import XAPIError

bp = Blueprint("activities_agents", __name__)

# Activity definitions are descriptive metadata every xAPI client may read. The Person object can link several
# identifiers of one person, so it needs a read-everything scope (Communication 2.4: "SHOULD require the
# connecting credentials have increased, explicitly given permissions").
ACTIVITY_READ_SCOPES = ("statements/read", "statements/read/mine", "statements/write", "all/read", "state",
                        "profile", "define")
AGENT_READ_SCOPES = ("statements/read", "all/read")


# POST is routed only so that the 1.0.3 alternate request syntax (POST ?method=GET) reaches the view.
@bp.route("/xapi/activities", methods=["GET", "HEAD", "POST"])
def activities_resource() -> Response:
    """The complete Activity object the LRS holds for ``activityId`` (xAPI Communication 2.5).

    An Activity the LRS has never seen still gets ``{"objectType": "Activity", "id": ...}`` with 200: a SHOULD*
    in 1.0.3 and a SHALL in 2.0, so both versions answer the same way.
    """
    xr = begin()
    if xr.method != "GET":
        raise XAPIError(f"{xr.method} is not allowed on the Activities resource", 405)
    xr.principal_.require(*ACTIVITY_READ_SCOPES)
    check_params(xr, {"activityId"}, "Activities")
    activity_id = activity_id_param(xr)
    with lrs_services().engine.connect() as conn:
        return json_response(get_activity(conn, activity_id))


@bp.route("/xapi/agents", methods=["GET", "HEAD", "POST"])
def agents_resource() -> Response:
    """The Person object for ``agent`` (xAPI Communication 2.4); the agent must be an Agent, not a Group."""
    xr = begin()
    if xr.method != "GET":
        raise XAPIError(f"{xr.method} is not allowed on the Agents resource", 405)
    xr.principal_.require(*AGENT_READ_SCOPES)
    check_params(xr, {"agent"}, "Agents")
    agent, _ = agent_param(xr, allow_group=False)
    with lrs_services().engine.connect() as conn:
        return json_response(person_for_agent(conn, agent))
