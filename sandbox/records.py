"""What the integration has synced: one table of JSON records, keyed by kind, organization and id."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sandbox.clock import ScaledClock
from sandbox.db import Database, dumps


class Kind(StrEnum):
    INTEGRATION = "integration"
    CONFIGURATION = "configuration"
    JOB = "job"
    CANDIDATE = "candidate"
    CANDIDATE_NOTE = "candidateNote"
    APPLICATION = "application"
    APPLICATION_STAGE = "applicationStage"
    APPLICATION_NOTE = "applicationNote"
    INTERVIEW_FEEDBACK = "interviewFeedback"
    ENTITY_ACL = "entityAcl"
    ENTITY_ACL_ASSIGNEE = "entityAclAssignee"


#: What goes when a record goes: LinkedIn deletes an application's stages, notes and feedback with
#: it (reference §6.3), and a candidate's notes with the candidate, but not its applications.
CASCADES: dict[Kind, tuple[Kind, ...]] = {
    Kind.APPLICATION: (Kind.APPLICATION_STAGE, Kind.APPLICATION_NOTE, Kind.INTERVIEW_FEEDBACK),
    Kind.CANDIDATE: (Kind.CANDIDATE_NOTE,),
    Kind.INTEGRATION: (Kind.CONFIGURATION,),
}


class Records:
    def __init__(self, db: Database, clock: ScaledClock) -> None:
        self._db = db
        self._clock = clock

    def get(self, kind: Kind, org: str, key: str, parent: str = "") -> dict[str, Any] | None:
        row = self._db.one(
            "SELECT body FROM records WHERE kind = ? AND org = ? AND parent = ? AND key = ?",
            (kind, org, parent, key),
        )
        return json.loads(row["body"]) if row else None

    def get_many(
        self, kind: Kind, org: str, keys: Iterable[str], parent: str = ""
    ) -> dict[str, dict[str, Any]]:
        keys = list(keys)
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = self._db.all(
            f"SELECT key, body FROM records WHERE kind = ? AND org = ? AND parent = ? AND key IN ({marks})",  # noqa: S608
            (kind, org, parent, *keys),
        )
        return {row["key"]: json.loads(row["body"]) for row in rows}

    def put(self, kind: Kind, org: str, key: str, body: dict[str, Any], parent: str = "") -> None:
        now = self._clock.now_ms()
        self._db.execute(
            "INSERT INTO records (kind, org, parent, key, body, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, org, parent, key)"
            " DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            (kind, org, parent, key, dumps(body), now, now),
        )

    def delete(
        self,
        kind: Kind,
        org: str,
        key: str,
        parent: str = "",
        *,
        client_id: str | None = None,
        cascaded_from: str | None = None,
    ) -> bool:
        """Delete one record and what cascades from it; every deleted record is logged."""
        gone = self._db.execute(
            "DELETE FROM records WHERE kind = ? AND org = ? AND parent = ? AND key = ?",
            (kind, org, parent, key),
        ).rowcount
        if not gone:
            return False
        now = self._clock.now_ms()
        self._log_deletion(kind, org, parent, key, cascaded_from=cascaded_from, client_id=client_id, at=now)
        for child_kind in CASCADES.get(kind, ()):
            for child_key in self.child_keys(child_kind, org, key):
                self._db.execute(
                    "DELETE FROM records WHERE kind = ? AND org = ? AND parent = ? AND key = ?",
                    (child_kind, org, key, child_key),
                )
                self._log_deletion(
                    child_kind,
                    org,
                    key,
                    child_key,
                    cascaded_from=f"{kind}:{key}",
                    client_id=client_id,
                    at=now,
                )
        return True

    def child_keys(self, kind: Kind, org: str, parent: str) -> list[str]:
        rows = self._db.all(
            "SELECT key FROM records WHERE kind = ? AND org = ? AND parent = ? ORDER BY key",
            (kind, org, parent),
        )
        return [row["key"] for row in rows]

    def children(self, kind: Kind, org: str, parent: str) -> dict[str, dict[str, Any]]:
        rows = self._db.all(
            "SELECT key, body FROM records WHERE kind = ? AND org = ? AND parent = ? ORDER BY key",
            (kind, org, parent),
        )
        return {row["key"]: json.loads(row["body"]) for row in rows}

    def all_of(self, kind: Kind, org: str) -> list[dict[str, Any]]:
        rows = self._db.all(
            "SELECT parent, key, body, created_at, updated_at FROM records WHERE kind = ? AND org = ?"
            " ORDER BY parent, key",
            (kind, org),
        )
        return [
            {
                "parent": r["parent"],
                "key": r["key"],
                "body": json.loads(r["body"]),
                "createdAt": r["created_at"],
                "updatedAt": r["updated_at"],
            }
            for r in rows
        ]

    def deletions(self, org: str) -> list[dict[str, Any]]:
        rows = self._db.all("SELECT * FROM deletions WHERE org = ? ORDER BY seq", (org,))
        return [
            {
                "seq": r["seq"],
                "kind": r["kind"],
                "parent": r["parent"],
                "key": r["key"],
                "cascadedFrom": r["cascaded_from"],
                "clientId": r["client_id"],
                "at": r["at"],
            }
            for r in rows
        ]

    def _log_deletion(
        self,
        kind: Kind,
        org: str,
        parent: str,
        key: str,
        *,
        cascaded_from: str | None,
        client_id: str | None,
        at: int,
    ) -> None:
        self._db.execute(
            "INSERT INTO deletions (kind, org, parent, key, cascaded_from, client_id, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, org, parent, key, cascaded_from, client_id, at),
        )
