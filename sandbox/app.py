"""The ASGI app: LinkedIn's routes behind the gateway, and the control API under ``/_sandbox/``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from sandbox import control, exports, integrations, jobs, oauth, prospects, provisioning, scenario, synced
from sandbox.config import SandboxConfig
from sandbox.gateway import Audience, Endpoint, Handler, api_route
from sandbox.state import Sandbox
from sandbox.synced import SubResource, SyncedResource

CUSTOMER = Audience.CUSTOMER
BATCH_WRITES = {"PUT": "batch_update", "POST": "batch_partial_update"}


def _synced(resource: SyncedResource, name: str, family: str, *, partial_update: bool) -> Endpoint:
    handlers = {
        "GET": partial(synced.batch_get, resource=resource),
        "PUT": partial(synced.batch_update, resource=resource),
        "DELETE": partial(synced.batch_delete, resource=resource),
    }
    if partial_update:
        handlers["POST"] = partial(synced.batch_partial_update, resource=resource)
    return Endpoint(name, family, CUSTOMER, handlers, BATCH_WRITES)


def _sub(sub: SubResource, name: str, family: str) -> Endpoint:
    handlers = {
        "GET": partial(synced.sub_get, sub=sub),
        "PUT": partial(synced.sub_update, sub=sub),
        "DELETE": partial(synced.sub_delete, sub=sub),
    }
    return Endpoint(name, family, CUSTOMER, handlers, BATCH_WRITES)


def _finder(name: str, family: str, handler: Handler) -> Endpoint:
    return Endpoint(name, family, CUSTOMER, {"GET": handler})


def _application_routes(
    prefix: str, resource: SyncedResource, subs: dict[str, SubResource]
) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        api_route(
            f"{prefix}/atsApplications",
            _synced(resource, "atsApplications", "atsApplications", partial_update=False),
        ),
    ]
    for path, (sub, family) in {
        "stages": (subs["stages"], "atsApplicationStages"),
        "notes": (subs["notes"], "atsApplicationNotes"),
        "interviewFeedback": (subs["interviewFeedback"], "atsInterviewFeedback"),
    }.items():
        routes.append(
            api_route(
                f"{prefix}/atsApplications/{{key}}/{path}", _sub(sub, f"atsApplications/{path}", family)
            )
        )
    return routes


def linkedin_routes() -> list[BaseRoute]:
    prospect_family = "prospectInteractions"
    return [
        api_route(
            "/oauth/v2/accessToken",
            Endpoint("oauth/accessToken", "oauth", Audience.PUBLIC, {"POST": oauth.access_token}),
        ),
        api_route(
            "/v2/provisionedApplications",
            Endpoint(
                "provisionedApplications",
                "provisionedApplications",
                Audience.PARTNER,
                {"GET": provisioning.find, "POST": provisioning.create},
            ),
        ),
        api_route(
            "/v2/provisionedApplications/{app_urn}",
            Endpoint(
                "provisionedApplications",
                "provisionedApplications",
                Audience.PARTNER,
                {"GET": provisioning.get, "POST": provisioning.update},
            ),
        ),
        api_route(
            "/v2/atsIntegrations",
            Endpoint(
                "atsIntegrations",
                "atsIntegrations",
                CUSTOMER,
                {"GET": integrations.get, "POST": integrations.partial_update},
                BATCH_WRITES,
            ),
        ),
        api_route(
            "/v2/atsIntegrations/{key}/configurations",
            Endpoint(
                "atsIntegrations/configurations",
                "atsIntegrations",
                CUSTOMER,
                {
                    "GET": integrations.get_configurations,
                    "PUT": integrations.put_configurations,
                    "DELETE": integrations.delete_configurations,
                },
                BATCH_WRITES,
            ),
        ),
        api_route(
            "/v2/simpleJobPostings",
            Endpoint(
                "simpleJobPostings",
                "simpleJobPostings",
                CUSTOMER,
                {"POST": jobs.batch_create},
                {"POST": "batch_create"},
            ),
        ),
        api_route(
            "/v2/simpleJobPostingTasks", _finder("simpleJobPostingTasks", "simpleJobPostings", jobs.get_tasks)
        ),
        api_route(
            "/v2/atsCandidates",
            _synced(synced.CANDIDATES, "atsCandidates", "atsCandidates", partial_update=True),
        ),
        api_route(
            "/v2/atsCandidates/{key}/notes",
            _sub(synced.CANDIDATE_NOTES, "atsCandidates/notes", "atsCandidateNotes"),
        ),
        *_application_routes(
            "/v2",
            synced.APPLICATIONS,
            {
                "stages": synced.APPLICATION_STAGES,
                "notes": synced.APPLICATION_NOTES,
                "interviewFeedback": synced.INTERVIEW_FEEDBACK,
            },
        ),
        *_application_routes(
            "/rest",
            synced.REST_APPLICATIONS,
            {
                "stages": synced.REST_APPLICATION_STAGES,
                "notes": synced.REST_APPLICATION_NOTES,
                "interviewFeedback": synced.REST_INTERVIEW_FEEDBACK,
            },
        ),
        api_route(
            "/v2/exportedCandidates",
            _finder("exportedCandidates", "exportedCandidates", exports.find_exported),
        ),
        api_route(
            "/rest/exportedCandidates",
            _finder("exportedCandidates", "exportedCandidates", exports.find_exported),
        ),
        api_route(
            "/v2/atsPurgedExportedCandidates",
            _finder("atsPurgedExportedCandidates", "atsPurgedExportedCandidates", exports.find_purged),
        ),
        api_route(
            "/rest/atsPurgedExportedCandidates",
            _finder("atsPurgedExportedCandidates", "atsPurgedExportedCandidates", exports.find_purged),
        ),
        api_route("/v2/seatsV2", _finder("seatsV2", prospect_family, prospects.seats)),
        api_route(
            "/v2/conversationEvents",
            _finder("conversationEvents", prospect_family, prospects.conversation_events),
        ),
        api_route("/v2/mailStubs", _finder("mailStubs", prospect_family, prospects.mail_stubs)),
        api_route("/v2/prospectNotes", _finder("prospectNotes", prospect_family, prospects.prospect_notes)),
    ]


def create_app(config: SandboxConfig) -> Starlette:
    sandbox = Sandbox(config)
    if config.scenario:
        scenario.load_file(sandbox, config.scenario)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        try:
            yield
        finally:
            await sandbox.stop()

    app = Starlette(routes=[*linkedin_routes(), *control.ROUTES], lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
