"""``rsc candidate``: a candidate as an ATS user sees it, the activity feed, and undoing merges."""

from __future__ import annotations

import json

import typer

from cli import output
from store.db import get_store

app = typer.Typer(help="Candidates: show, activity feed, unmerge.", no_args_is_help=True)
TENANT = typer.Option(..., "--tenant", help="Tenant id.")


_JSON_HELP = "One line of JSON, for machines (the default is indented JSON)."


def _print(value: object, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(value, ensure_ascii=False, default=str))
    else:
        typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def resolve_candidate(tenant: str, given: str) -> str:
    """The candidate ``given`` names: itself, or the one candidate whose id starts with it."""
    from sqlalchemy import select

    from store.candidates import Candidate
    from store.uow import UnitOfWork

    with UnitOfWork(tenant, get_store()) as uow:
        ids = list(
            uow.session.scalars(
                select(Candidate.id)
                .where(Candidate.tenant_id == tenant, Candidate.id.startswith(given, autoescape=True))
                .order_by(Candidate.id)
                .limit(6)
            )
        )
    if given in ids or not ids:
        return given
    if len(ids) == 1:
        return ids[0]
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    raise output.fail(f"{len(ids)} candidates start with {given!r} ({shown}); give more of the id")


@app.command("show")
def show(
    candidate_id: str = typer.Argument(..., help="Candidate id, or a prefix of it only one candidate has."),
    tenant: str = TENANT,
    as_user: str = typer.Option(None, "--as", help="ATS user whose view to show (notes need it)."),
    as_json: bool = typer.Option(False, "--json", help=_JSON_HELP),
) -> None:
    """Print the candidate as JSON: applications, InMails, contact consent, and the notes the user may see."""
    from store.candidate_view import ViewError, candidate_view
    from store.uow import UnitOfWork

    try:
        view = candidate_view(
            UnitOfWork(tenant, get_store()), resolve_candidate(tenant, candidate_id), as_user
        )
    except ViewError as exc:
        raise output.fail(str(exc)) from None
    _print(view, as_json)


@app.command("feed")
def feed(
    tenant: str = TENANT,
    as_user: str = typer.Option(..., "--as", help="ATS user whose activity feed to show."),
    limit: int = typer.Option(50, min=1, max=500),
    as_json: bool = typer.Option(False, "--json", help=_JSON_HELP),
) -> None:
    """Print the "Anyone in my organization" notes the user sees in the activity feed, newest first."""
    from store.candidate_view import ViewError, activity_feed
    from store.uow import UnitOfWork

    try:
        items = activity_feed(UnitOfWork(tenant, get_store()), as_user, limit)
    except ViewError as exc:
        raise output.fail(str(exc)) from None
    _print(items, as_json)


@app.command("unmerge")
def unmerge(
    candidate_id: str = typer.Argument(..., help="The merged-away candidate, or the one it was merged into."),
    tenant: str = TENANT,
) -> None:
    """Undo a merge: both candidates get back their applications, person URN and fields."""
    from store.uow import UnitOfWork
    from workers.shared.candidate_merge import NothingToUnmerge
    from workers.shared.candidate_merge import unmerge as undo

    with UnitOfWork(tenant, get_store()) as uow:
        try:
            record = undo(uow, candidate_id)
        except NothingToUnmerge as exc:
            raise output.fail(str(exc)) from None
        uow.commit()
    typer.echo(
        f"unmerged: {record.source_candidate_id} and {record.target_candidate_id} are separate again "
        f"({len(record.moved.get('applications', []))} application(s) moved back)"
    )
