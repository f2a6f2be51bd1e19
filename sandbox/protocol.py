"""The two shapes' protocol rules, checked before a call may touch anything: the Rest.li protocol
header on v2, the ``LinkedIn-Version`` header and its support window on rest/, the resource a
version has, and ``x-restli-method`` on batch writes (reference §1, §1.1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.requests import Request

from sandbox.restli import ApiError
from sandbox.rules import (
    HEADER_METHOD,
    HEADER_PROTOCOL,
    HEADER_VERSION,
    VERSION_RESOURCE,
    VERSION_SUNSET,
    Rule,
)
from sandbox.shapes import (
    LATEST_VERSION,
    LOCATIONS,
    SUPPORT_MONTHS,
    VERSION_FORMAT,
    Location,
    Shape,
    months_before,
)
from sandbox.violations import Breaches

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sandbox.state import Sandbox

RESTLI_PROTOCOL_VERSION = "2.0.0"


def lift(sandbox: Sandbox, breaches: Breaches, rule: Rule, error: ApiError) -> None:
    """Raise ``error``; in lenient mode a liftable rule is only noted and the call goes on."""
    if sandbox.settings.strict or not rule.liftable:
        raise error
    breaches.note(rule, f"{error.message} (served: lenient mode)", refused=False)


def oldest_version(sandbox: Sandbox) -> int:
    """The oldest supported LinkedIn-Version: the setting, else two years before the clock's month."""
    if sandbox.settings.oldest_version is not None:
        return sandbox.settings.oldest_version
    now = datetime.fromtimestamp(sandbox.clock.now_ms() / 1000, UTC)
    return months_before(now.year * 100 + now.month, SUPPORT_MONTHS)


def check_shape(sandbox: Sandbox, location: Location, request: Request, breaches: Breaches) -> int | None:
    """The shape's header rules; answers the call's LinkedIn-Version (None on v2 and OAuth)."""
    headers = request.headers
    if location.path.startswith("/oauth/"):
        return None
    if location.shape is Shape.V2:
        protocol = headers.get("x-restli-protocol-version")
        if protocol != RESTLI_PROTOCOL_VERSION:
            lift(
                sandbox,
                breaches,
                HEADER_PROTOCOL,
                ApiError(
                    400,
                    f"v2 calls need the header X-RestLi-Protocol-Version: {RESTLI_PROTOCOL_VERSION} "
                    f"(got {protocol!r})",
                    rule=HEADER_PROTOCOL,
                ),
            )
        return None
    header = headers.get("linkedin-version")
    if header is None or not VERSION_FORMAT.fullmatch(header):
        lift(
            sandbox,
            breaches,
            HEADER_VERSION,
            ApiError(
                400,
                f"rest/ calls need the header LinkedIn-Version: YYYYMM, e.g. {LATEST_VERSION} "
                f"(got {header!r})",
                rule=HEADER_VERSION,
            ),
        )
        version = LATEST_VERSION
    else:
        version = int(header)
    oldest = oldest_version(sandbox)
    if version < oldest:
        lift(
            sandbox,
            breaches,
            VERSION_SUNSET,
            ApiError(
                426,
                f"LinkedIn-Version {version} has been sunset; the oldest supported version is {oldest} "
                f"(versions are supported for {SUPPORT_MONTHS} months). Move to a newer version",
                rule=VERSION_SUNSET,
            ),
        )
    if not location.serves(version):
        raise ApiError(404, _version_hint(location, version), rule=VERSION_RESOURCE)
    return version


def _version_hint(location: Location, version: int) -> str:
    there = [
        other.path
        for other in LOCATIONS
        if other.resource is location.resource and other.shape is Shape.REST and other.serves(version)
    ]
    served = f"; at {version} it is {there[0]}" if there else ""
    bounds = f"from {location.since}" if location.since is not None else f"up to {location.until}"
    return f"{location.path} does not exist at LinkedIn-Version {version} (it is served {bounds}){served}"


def check_restli_method(
    sandbox: Sandbox, resource: str, restli_methods: Mapping[str, str], request: Request, breaches: Breaches
) -> None:
    required = restli_methods.get(request.method)
    sent = request.headers.get("x-restli-method")
    if required is not None and (sent or "").lower() != required:
        lift(
            sandbox,
            breaches,
            HEADER_METHOD,
            ApiError(
                400,
                f"{request.method} on {resource} needs the header x-restli-method: {required} (got {sent!r})",
                rule=HEADER_METHOD,
            ),
        )
