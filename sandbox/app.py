"""The ASGI app: LinkedIn's routes in both shapes behind the gateway, and the control API under
``/_sandbox/``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from sandbox import (
    acls,
    control,
    exports,
    integrations,
    jobs,
    oauth,
    prospects,
    provisioning,
    scenario,
    synced,
)
from sandbox.config import SandboxConfig
from sandbox.gateway import Audience, Endpoint, Handler, api_route
from sandbox.shapes import LOCATIONS, Location, Resource, resource_name
from sandbox.state import Sandbox
from sandbox.synced import SubResource, SyncedResource

BATCH_WRITES = {"PUT": "batch_update", "POST": "batch_partial_update"}
#: Writes of ATS data: authorised only once the customer enabled the integration (§3.2 step 5).
SYNC_WRITES = frozenset({"PUT", "POST"})

#: Rate-limit family of each resource: calls a day are counted per app and family (§4), whatever
#: the shape; the four prospect-interaction APIs share one budget.
FAMILIES: dict[Resource, str] = {
    Resource.OAUTH: "oauth",
    Resource.PROVISIONED_APPS: "provisionedApplications",
    Resource.PROVISIONED_APP: "provisionedApplications",
    Resource.APP_SECRETS: "provisionedApplications",
    Resource.APP_SECRET: "provisionedApplications",
    Resource.INTEGRATIONS: "atsIntegrations",
    Resource.CONFIGURATIONS: "atsIntegrations",
    Resource.JOB_POSTINGS: "simpleJobPostings",
    Resource.JOB_TASKS: "simpleJobPostings",
    Resource.CANDIDATES: "atsCandidates",
    Resource.CANDIDATE_NOTES: "atsCandidateNotes",
    Resource.APPLICATIONS: "atsApplications",
    Resource.APPLICATION_STAGES: "atsApplicationStages",
    Resource.APPLICATION_NOTES: "atsApplicationNotes",
    Resource.INTERVIEW_FEEDBACK: "atsInterviewFeedback",
    Resource.EXPORTED: "exportedCandidates",
    Resource.PURGED: "atsPurgedExportedCandidates",
    Resource.SEATS: "prospectInteractions",
    Resource.CONVERSATION_EVENTS: "prospectInteractions",
    Resource.MAIL_STUBS: "prospectInteractions",
    Resource.PROSPECT_NOTES: "prospectInteractions",
    Resource.ENTITY_ACLS: "atsEntityAcls",
    Resource.ENTITY_ACL_ASSIGNEES: "atsEntityAclAssignees",
}


def _synced(location: Location, resource: SyncedResource, *, partial_update: bool) -> Endpoint:
    handlers: dict[str, Handler] = {
        "GET": partial(synced.batch_get, resource=resource),
        "PUT": partial(synced.batch_update, resource=resource),
        "DELETE": partial(synced.batch_delete, resource=resource),
    }
    if partial_update:
        handlers["POST"] = partial(synced.batch_partial_update, resource=resource)
    return _endpoint(location, handlers, BATCH_WRITES, gated=SYNC_WRITES)


def _acls(location: Location, *, assignees: bool) -> Endpoint:
    handlers: dict[str, Handler] = {
        method: partial(handler, dialect=location.dialect, assignees=assignees)
        for method, handler in (("GET", acls.find), ("PUT", acls.batch_update), ("DELETE", acls.batch_delete))
    }
    return _endpoint(location, handlers, {"PUT": "batch_update"}, gated=frozenset({"PUT"}))


def _sub(location: Location, sub: SubResource) -> Endpoint:
    handlers: dict[str, Handler] = {
        "GET": partial(synced.sub_get, sub=sub),
        "PUT": partial(synced.sub_update, sub=sub),
        "DELETE": partial(synced.sub_delete, sub=sub),
    }
    return _endpoint(location, handlers, BATCH_WRITES, gated=SYNC_WRITES)


def _endpoint(
    location: Location,
    handlers: dict[str, Handler],
    restli_methods: dict[str, str] | None = None,
    *,
    audience: Audience = Audience.CUSTOMER,
    gated: frozenset[str] = frozenset(),
) -> Endpoint:
    return Endpoint(
        resource_name(location.path),
        FAMILIES[location.resource],
        audience,
        handlers,
        restli_methods or {},
        gated,
        location,
    )


#: Resources served by one GET handler, in every dialect alike.
_READS: dict[Resource, Handler] = {
    Resource.JOB_TASKS: jobs.get_tasks,
    Resource.EXPORTED: exports.find_exported,
    Resource.PURGED: exports.find_purged,
    Resource.SEATS: prospects.seats,
    Resource.CONVERSATION_EVENTS: prospects.conversation_events,
    Resource.MAIL_STUBS: prospects.mail_stubs,
    Resource.PROSPECT_NOTES: prospects.prospect_notes,
}

#: What the partner (parent) app calls, with its own token only (§1, §3.1, §1.1).
_PARTNER: dict[Resource, dict[str, Handler]] = {
    Resource.PROVISIONED_APPS: {"GET": provisioning.find, "POST": provisioning.create},
    Resource.PROVISIONED_APP: {"GET": provisioning.get, "POST": provisioning.update},
    Resource.APP_SECRETS: {"GET": provisioning.list_secrets, "POST": provisioning.create_secret},
    Resource.APP_SECRET: {"DELETE": provisioning.delete_secret},
}

#: Sub-resources of a synced record (notes, stages, feedback), by the dialect's store.
_SUBRESOURCES = {
    Resource.CANDIDATE_NOTES: synced.candidate_notes,
    Resource.APPLICATION_STAGES: synced.application_stages,
    Resource.APPLICATION_NOTES: synced.application_notes,
    Resource.INTERVIEW_FEEDBACK: synced.interview_feedback,
}


def endpoint_for(location: Location) -> Endpoint:
    """The endpoint serving ``location``: its resource's handlers in the location's dialect."""
    dialect = location.dialect
    resource = location.resource
    if resource in _READS:
        return _endpoint(location, {"GET": _READS[resource]})
    if resource in _PARTNER:
        return _endpoint(location, _PARTNER[resource], audience=Audience.PARTNER)
    if resource in _SUBRESOURCES:
        return _sub(location, _SUBRESOURCES[resource](dialect))
    match resource:
        case Resource.OAUTH:
            return _endpoint(location, {"POST": oauth.access_token}, audience=Audience.PUBLIC)
        case Resource.INTEGRATIONS:
            handlers: dict[str, Handler] = {
                "GET": partial(integrations.get, dialect=dialect),
                "POST": partial(integrations.partial_update, dialect=dialect),
            }
            return _endpoint(location, handlers, BATCH_WRITES)
        case Resource.CONFIGURATIONS:
            handlers = {
                "GET": partial(integrations.get_configurations, dialect=dialect),
                "PUT": partial(integrations.put_configurations, dialect=dialect),
                "DELETE": partial(integrations.delete_configurations, dialect=dialect),
            }
            return _endpoint(location, handlers, BATCH_WRITES)
        case Resource.JOB_POSTINGS:
            return _endpoint(
                location, {"POST": jobs.batch_create}, {"POST": "batch_create"}, gated=frozenset({"POST"})
            )
        case Resource.ENTITY_ACLS | Resource.ENTITY_ACL_ASSIGNEES:
            return _acls(location, assignees=resource is Resource.ENTITY_ACL_ASSIGNEES)
        case Resource.CANDIDATES:
            return _synced(location, synced.candidates(dialect), partial_update=True)
        case Resource.APPLICATIONS:
            return _synced(location, synced.applications(dialect), partial_update=False)
    raise ValueError(f"no endpoint serves {resource}")


#: Answers every other path under LinkedIn's prefixes: 404, recorded as a path LinkedIn does not serve.
UNKNOWN = Endpoint("unknown", "unknown", Audience.CUSTOMER, {})


def linkedin_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [api_route(endpoint_for(location)) for location in LOCATIONS]
    routes += [api_route(UNKNOWN, f"/{prefix}/{{path:path}}") for prefix in ("v2", "rest")]
    return routes


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
