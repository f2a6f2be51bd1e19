"""``rsc privacy``: deletion receipts, purge notices, and the customer's decision on a notice."""

from __future__ import annotations

import json
from typing import Any

import typer

from rsc.crypto import Keyring
from rsc.settings import get_settings
from store.db import get_store

app = typer.Typer(help="Privacy: deletion receipts and LinkedIn purge notices.", no_args_is_help=True)
TENANT = typer.Option(..., "--tenant", help="Tenant id.")


def receipt_view(receipt: Any, candidate_id: str | None, keyring: Keyring) -> dict[str, Any]:
    """A receipt as printed: the candidate's own LinkedIn key is shown with the id the reader gave."""
    linkedin = []
    for entry in receipt.linkedin or []:
        shown = dict(entry)
        if shown.get("role") == "candidate" and candidate_id is not None:
            shown["key"] = candidate_id
        linkedin.append(shown)
    return {
        "receipt_id": receipt.id,
        "kind": receipt.kind,
        "state": receipt.state,
        "requested_at": receipt.requested_at.isoformat(),
        "received_at": receipt.received_at.isoformat(),
        "erased_at": receipt.erased_at.isoformat(),
        "confirmed_at": receipt.confirmed_at.isoformat() if receipt.confirmed_at else None,
        "store_rows": dict(receipt.store_rows or {}),
        "linkedin": linkedin,
        "pending_keys": sum(len(keys) for keys in receipt.pending(keyring).values()),
        "attempts": receipt.attempts,
        "next_attempt_at": receipt.next_attempt_at.isoformat() if receipt.next_attempt_at else None,
        "last_error": receipt.last_error,
    }


def _linkedin_key(entry: dict[str, Any]) -> str:
    if entry["resource"] == "atsApplications":
        return f"atsJobApplicationId={entry['key']}"
    if "key" in entry:
        return f"atsCandidateId={entry['key']}"
    return f"a LinkedIn-made candidate merged into it (key hash {entry['key_hash'][:16]}...)"


def _print(view: dict[str, Any]) -> None:
    typer.echo(f"Deletion receipt {view['receipt_id']} ({view['kind']} deleted in the ATS)")
    typer.echo(f"  requested by the ATS: {view['requested_at']}")
    typer.echo(f"  erased in this store: {view['erased_at']}")
    state = view["state"]
    if state == "pending":
        typer.echo(
            f"  state: pending: {view['pending_keys']} LinkedIn key(s) not confirmed yet, "
            f"{view['attempts']} attempt(s), next at "
            f"{view['next_attempt_at'] or 'once a push that may be in flight has ended'}"
            + (f"; last error: {view['last_error']}" if view["last_error"] else "")
        )
    else:
        typer.echo(f"  state: {state} at {view['confirmed_at']}")
    rows = view["store_rows"]
    if rows:
        typer.echo("  erased in the store (rows per table):")
        for table, count in sorted(rows.items()):
            typer.echo(f"    {table}: {count}")
    if view["linkedin"]:
        typer.echo("  LinkedIn:")
        for entry in view["linkedin"]:
            reason = f" ({entry['reason']})" if entry.get("reason") else ""
            typer.echo(
                f"    {entry['at']}  DELETE {entry['resource']}  {_linkedin_key(entry)}: "
                f"{entry['outcome']} ({entry['status']}){reason}"
            )
        typer.echo(
            "  LinkedIn deletes an application's stages, notes and interview feedback with it, and a "
            "candidate's notes with the candidate. InMails and prospect notes made in LinkedIn stay there."
        )


@app.command("receipt")
def receipt(
    record_id: str = typer.Argument(
        ..., help="The deleted candidate's id (or the application's, with --application)."
    ),
    tenant: str = TENANT,
    application: bool = typer.Option(False, "--application", help="RECORD_ID is an application id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Print the deletion receipt(s) of a candidate: what was erased where, when, and LinkedIn's answers.

    A candidate's receipts include the deletions of its applications the ATS made before.
    """
    from store.tombstones import Subject, subject_of
    from store.uow import UnitOfWork

    kind = Subject.APPLICATION if application else Subject.CANDIDATE
    store = get_store()
    subject = subject_of(store.keyring, tenant, kind, record_id)
    with UnitOfWork(tenant, store) as uow:
        found = (
            uow.deletion_receipts.of_application(subject)
            if application
            else uow.deletion_receipts.of_subject(subject)
        )
        views = [receipt_view(r, None if application else record_id, store.keyring) for r in found]
    if not views:
        typer.echo(
            f"no deletion receipt for {kind.value} {record_id!r} in tenant {tenant!r}: the ATS has not "
            f"deleted it, or the deletion was not processed yet (`rsc dlq list --queue deletion_cascade` "
            f"shows deletions that failed)",
            err=True,
        )
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(views, indent=2))
        return
    for view in views:
        _print(view)


@app.command("notices")
def notices(
    tenant: str = TENANT,
    show_all: bool = typer.Option(False, "--all", help="Also notices already decided or with no candidate."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List LinkedIn's purge notices: exported members who closed their account or were purged.

    For each open one, decide whether there is a legal basis to keep the candidate: delete it in the
    ATS (the deletion closes the notice), or record the decision with `rsc privacy keep`.
    """
    from store.purge_notices import NoticeState
    from store.uow import UnitOfWork

    with UnitOfWork(tenant, get_store()) as uow:
        rows = uow.purge_notices.find(states=None if show_all else [NoticeState.OPEN])
        cursor = uow.purge_notices.cursor()
        items = [
            {
                "notice_id": n.id,
                "candidate_id": n.candidate_id,
                "state": n.state,
                "purged_at": n.purged_at.isoformat(),
                "received_at": n.received_at.isoformat(),
                "export_type": n.export_type,
                "decided_at": n.decided_at.isoformat() if n.decided_at else None,
                "decided_by": n.decided_by,
            }
            for n in rows
        ]
        last = cursor.last_polled_at.isoformat() if cursor and cursor.last_polled_at else None
    if as_json:
        typer.echo(json.dumps({"last_polled_at": last, "notices": items}, indent=2))
        return
    typer.echo(f"purge notices last read from LinkedIn: {last or 'never'}")
    if not items:
        typer.echo("no open notices" if not show_all else "no notices")
        return
    for item in items:
        decided = f", decided {item['decided_at']} by {item['decided_by']}" if item["decided_by"] else ""
        candidate = f"candidate {item['candidate_id']}" if item["candidate_id"] else "no candidate"
        typer.echo(
            f"{str(item['notice_id'])[:16]}  {item['state']:<17} {candidate}, purged by LinkedIn "
            f"{item['purged_at']}{decided}"
        )


@app.command("keep")
def keep(
    notice: str = typer.Argument(..., help="Notice id (or the start of it, as `rsc privacy notices` shows)."),
    tenant: str = TENANT,
    by: str = typer.Option(..., "--by", help="Who decided there is a legal basis to keep the candidate."),
) -> None:
    """Record that the customer keeps the candidate of a purge notice (it has a legal basis to)."""
    from store.base import utcnow
    from store.purge_notices import NoticeState
    from store.uow import UnitOfWork

    with UnitOfWork(tenant, get_store()) as uow:
        matches = [n for n in uow.purge_notices.find(states=[NoticeState.OPEN]) if n.id.startswith(notice)]
        if len(matches) != 1:
            typer.echo(
                f"{'no' if not matches else len(matches)} open notice(s) start with {notice!r} in tenant "
                f"{tenant!r}; `rsc privacy notices --tenant {tenant}` lists the open ones",
                err=True,
            )
            raise typer.Exit(1)
        (chosen,) = matches
        chosen.state = NoticeState.KEPT.value
        chosen.decided_at = utcnow()
        chosen.decided_by = by
        uow.commit()
        candidate = chosen.candidate_id
    typer.echo(f"notice {chosen.id[:16]}: candidate {candidate} kept (decided by {by})")


@app.command("poll-notices")
def poll_notices(tenant: str = TENANT) -> None:
    """Read the tenant's purge notices from LinkedIn now (the scheduler does it every day)."""
    from schemas.commands import PurgeNoticePoll
    from store.uow import UnitOfWork
    from workers.deletion_cascade.purge_notices import poll_purge_notices
    from workers.runtime.wiring import linkedin_for

    report = poll_purge_notices(
        PurgeNoticePoll(tenant=tenant),
        UnitOfWork(tenant, get_store()),
        linkedin_for(tenant),
        settings=get_settings(),
    )
    typer.echo(f"read {report.read} notice(s) from LinkedIn: {report.new} new, {report.ignored} ignored")
