"""Seeding what lives on LinkedIn's side: members, seats, InMails, stubs, prospect notes, apps.

A scenario is one JSON object (a file at start-up, or ``POST /_sandbox/scenario`` at run time);
every section is optional and every item is upserted by its id, so posting a changed item again
updates it (a prospect note posted again with ``"active": false`` reads as deleted).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.enablement import IntegrationStatus, set_status
from sandbox.exports import add_purged
from sandbox.state import Sandbox
from sandbox.validation import CONTRACT_URN, ORGANIZATION_URN, PERSON_URN

SEAT_URN = re.compile(r"urn:li:seat:(\d+)")


class ScenarioError(ValueError):
    pass


def _need(item: dict[str, Any], name: str, section: str, pattern: re.Pattern[str] | None = None) -> Any:
    value = item.get(name)
    if value is None or (pattern is not None and not (isinstance(value, str) and pattern.fullmatch(value))):
        shape = f" matching {pattern.pattern}" if pattern is not None else ""
        raise ScenarioError(f"{section} item {json.dumps(item)[:120]} needs '{name}'{shape}")
    return value


def _seat_id(seat: str, section: str) -> int:
    match = SEAT_URN.fullmatch(seat)
    if match is None:
        raise ScenarioError(f"{section}: {seat!r} is not a seat URN (urn:li:seat:N)")
    return int(match.group(1))


def seed_member(sandbox: Sandbox, item: dict[str, Any]) -> None:
    member = _need(item, "member", "members", PERSON_URN)
    email = item.get("emailAddress")
    url = item.get("profileUrl")
    sandbox.db.execute(
        "INSERT OR REPLACE INTO members (member, email, profile_url, body) VALUES (?, ?, ?, ?)",
        (
            member,
            email.lower() if isinstance(email, str) else None,
            url.rstrip("/").lower() if isinstance(url, str) else None,
            json.dumps(item),
        ),
    )


def seed_seat(sandbox: Sandbox, item: dict[str, Any]) -> None:
    seat = _need(item, "seat", "seats")
    contract = _need(item, "contract", "seats", CONTRACT_URN)
    known: dict[str, Any] = {}
    if item.get("member"):
        row = sandbox.db.one("SELECT body FROM members WHERE member = ?", (item["member"],))
        known = json.loads(row["body"]) if row else {}
    element = {
        "id": _seat_id(seat, "seats"),
        "seat": seat,
        "contract": contract,
        "member": item.get("member"),
        "firstName": item.get("firstName", known.get("firstName")),
        "lastName": item.get("lastName", known.get("lastName")),
        "emailAddress": item.get("emailAddress", known.get("emailAddress")),
        "state": item.get("state", "ACTIVE"),
    }
    sandbox.db.execute(
        "INSERT OR REPLACE INTO seats (seat_id, contract, state, body) VALUES (?, ?, ?, ?)",
        (element["id"], contract, element["state"], json.dumps(element)),
    )


def seed_conversation_event(sandbox: Sandbox, item: dict[str, Any]) -> None:
    viewer = _need(item, "viewer", "conversationEvents", SEAT_URN)
    element = {
        "id": item.get("id") or str(uuid.uuid4()),
        "thread": _need(item, "thread", "conversationEvents"),
        "viewer": viewer,
        "author": item.get("author", viewer),
        "member": item.get("member"),
        "created": int(item.get("created", sandbox.clock.now_ms())),
        "subject": item.get("subject"),
        "body": item.get("body"),
    }
    sandbox.db.execute(
        "INSERT OR REPLACE INTO conversation_events (id, viewer, thread, created, body)"
        " VALUES (?, ?, ?, ?, ?)",
        (element["id"], viewer, element["thread"], element["created"], json.dumps(element)),
    )


def seed_mail_stub(sandbox: Sandbox, item: dict[str, Any]) -> None:
    contract = _need(item, "contract", "mailStubs", CONTRACT_URN)
    owners = _need(item, "owners", "mailStubs")
    if not isinstance(owners, list) or not owners:
        raise ScenarioError("mailStubs: 'owners' is a non-empty list of seat URNs")
    created = int(item.get("created", sandbox.clock.now_ms()))
    element = {
        "id": item.get("id") or str(uuid.uuid4()),
        "contract": contract,
        "owners": owners,
        "member": item.get("member"),
        "firstName": item.get("firstName"),
        "lastName": item.get("lastName"),
        "emailAddress": item.get("emailAddress"),
        "phoneNumber": item.get("phoneNumber"),
        "currentCompanyName": item.get("currentCompanyName"),
        "currentJobTitle": item.get("currentJobTitle"),
        "created": created,
        "lastModified": int(item.get("lastModified", created)),
    }
    sandbox.db.execute(
        "INSERT OR REPLACE INTO mail_stubs (id, contract, created, body) VALUES (?, ?, ?, ?)",
        (element["id"], contract, created, json.dumps(element)),
    )


#: A note's visibility as a scenario may spell it -> as the sandbox stores it.
VISIBILITIES = {
    "ORGANIZATION": "ORGANIZATION",
    "ANYONE_IN_ORGANIZATION": "ORGANIZATION",
    "ANYONE_IN_MY_ORGANIZATION": "ORGANIZATION",
    "PRIVATE": "PRIVATE",
    "ONLY_ME": "PRIVATE",
}


def _visibility(value: Any) -> str | None:
    """ORGANIZATION or PRIVATE from any of LinkedIn's spellings; None (JSON null): the note carries
    no visibility at all."""
    if value is None:
        return None
    word = re.sub(r"[^A-Z]+", "_", str(value).upper()).strip("_")
    if word not in VISIBILITIES:
        raise ScenarioError(
            f'prospectNotes: visibility is ORGANIZATION ("Anyone in my organization"), PRIVATE '
            f'("Only me") or null, got {value!r}'
        )
    return VISIBILITIES[word]


def seed_prospect_note(sandbox: Sandbox, item: dict[str, Any]) -> None:
    contract = _need(item, "contract", "prospectNotes", CONTRACT_URN)
    owner = _need(item, "owner", "prospectNotes", SEAT_URN)
    visibility = _visibility(item.get("visibility", "ORGANIZATION"))
    created = int(item.get("created", sandbox.clock.now_ms()))
    element = {
        "id": item.get("id") or str(uuid.uuid4()),
        "contract": contract,
        "owner": owner,
        "member": item.get("member"),
        "note": item.get("note"),
        "visibility": visibility,
        "active": bool(item.get("active", True)),
        "created": created,
        "lastModified": int(item.get("lastModified", created)),
    }
    sandbox.db.execute(
        "INSERT OR REPLACE INTO prospect_notes (id, contract, owner, last_modified, body)"
        " VALUES (?, ?, ?, ?, ?)",
        (element["id"], contract, owner, element["lastModified"], json.dumps(element)),
    )


def seed_app(sandbox: Sandbox, item: dict[str, Any]) -> None:
    """An app of an onboarded customer (its integrations ENABLED) unless ``"enabled": false``."""
    organization = item.get("organization")
    if organization is not None and not ORGANIZATION_URN.fullmatch(organization):
        raise ScenarioError(f"apps: organization must be urn:li:organization:N, got {organization!r}")
    enabled = item.get("enabled", organization is not None)
    if not isinstance(enabled, bool) or (enabled and organization is None):
        raise ScenarioError("apps: 'enabled' is true or false, and true needs an 'organization'")
    existing = sandbox.apps.get(item["clientId"]) if item.get("clientId") else None
    if existing is not None:
        app = sandbox.apps.update(
            existing,
            organization=organization,
            contracts=tuple(item.get("contracts", [])),
            callback_url=item.get("callbackUrl"),
        )
    else:
        app = sandbox.apps.create(
            client_id=item.get("clientId"),
            client_secret=item.get("clientSecret"),
            organization=organization,
            contracts=list(item.get("contracts", [])),
            callback_url=item.get("callbackUrl"),
            unique_foreign_id=item.get("uniqueForeignId"),
        )
    if enabled:
        set_status(sandbox, app, IntegrationStatus.ENABLED)
    elif existing is not None and organization is not None:
        set_status(sandbox, app, IntegrationStatus.DISABLED)


def seed_purged(sandbox: Sandbox, item: dict[str, Any]) -> None:
    add_purged(
        sandbox,
        _need(item, "organization", "purgedExportedCandidates", ORGANIZATION_URN),
        _need(item, "member", "purgedExportedCandidates", PERSON_URN),
        item.get("purgedAt"),
        item.get("exportType", "ONE_CLICK_EXPORT"),
    )


#: Section name -> seeding function, in the order they are applied (members before the seats that name them).
SECTIONS: dict[str, Callable[[Sandbox, dict[str, Any]], None]] = {
    "apps": seed_app,
    "members": seed_member,
    "seats": seed_seat,
    "conversationEvents": seed_conversation_event,
    "mailStubs": seed_mail_stub,
    "prospectNotes": seed_prospect_note,
    "purgedExportedCandidates": seed_purged,
}


def load(sandbox: Sandbox, scenario: dict[str, Any]) -> dict[str, int]:
    """Apply a scenario in one transaction; returns how many items each section had."""
    if not isinstance(scenario, dict):
        raise ScenarioError("a scenario is a JSON object of sections")
    unknown = set(scenario) - set(SECTIONS)
    if unknown:
        raise ScenarioError(f"unknown scenario section(s) {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    loaded: dict[str, int] = {}
    try:
        with sandbox.db.transaction():
            for section, seed in SECTIONS.items():
                items = scenario.get(section, [])
                if not isinstance(items, list):
                    raise ScenarioError(f"scenario section '{section}' must be a list")
                for item in items:
                    if not isinstance(item, dict):
                        raise ScenarioError(f"every item of '{section}' must be an object")
                    seed(sandbox, item)
                loaded[section] = len(items)
    except ScenarioError:
        sandbox.apps.forget_cache()  # apps created before the failure were rolled back
        raise
    return loaded


def load_file(sandbox: Sandbox, path: str) -> dict[str, int]:
    return load(sandbox, json.loads(Path(path).read_text(encoding="utf-8")))
