"""``rsc candidate``: a candidate as an ATS user sees it, the activity feed, and undoing merges."""

from __future__ import annotations

import json

import typer

app = typer.Typer(help="Candidates: show, activity feed, unmerge.", no_args_is_help=True)
TENANT = typer.Option(..., "--tenant", help="Tenant id.")


@app.command("show")
def show(
    candidate_id: str = typer.Argument(..., help="Candidate id."),
    tenant: str = TENANT,
    as_user: str = typer.Option(None, "--as", help="ATS user whose view to show (notes need it)."),
) -> None:
    """Print the candidate as JSON: applications, InMails, contact consent, and the notes the user may see."""
    from store.candidate_view import ViewError, candidate_view
    from store.uow import UnitOfWork

    try:
        view = candidate_view(UnitOfWork(tenant), candidate_id, as_user)
    except ViewError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(view, indent=2, ensure_ascii=False))


@app.command("feed")
def feed(
    tenant: str = TENANT,
    as_user: str = typer.Option(..., "--as", help="ATS user whose activity feed to show."),
    limit: int = typer.Option(50, min=1, max=500),
) -> None:
    """Print the "Anyone in my organization" notes the user sees in the activity feed, newest first."""
    from store.candidate_view import ViewError, activity_feed
    from store.uow import UnitOfWork

    try:
        items = activity_feed(UnitOfWork(tenant), as_user, limit)
    except ViewError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(items, indent=2, ensure_ascii=False))


@app.command("unmerge")
def unmerge(
    candidate_id: str = typer.Argument(..., help="The merged-away candidate, or the one it was merged into."),
    tenant: str = TENANT,
) -> None:
    """Undo a merge: both candidates get back their applications, person URN and fields."""
    from store.uow import UnitOfWork
    from workers.inmail_sync.candidate_merge import NothingToUnmerge
    from workers.inmail_sync.candidate_merge import unmerge as undo

    with UnitOfWork(tenant) as uow:
        try:
            record = undo(uow, candidate_id)
        except NothingToUnmerge as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        uow.commit()
    typer.echo(
        f"unmerged: {record.source_candidate_id} and {record.target_candidate_id} are separate again "
        f"({len(record.moved.get('applications', []))} application(s) moved back)"
    )
