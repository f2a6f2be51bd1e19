"""``rsc match``: candidate-to-LinkedIn matching in bulk, manual links that stick, the review list."""

from __future__ import annotations

import getpass
import json

import typer

from cli import output
from rsc.settings import get_settings
from store.db import get_store

app = typer.Typer(help="Profile plugin matching: run, link, unlink, review, show.", no_args_is_help=True)
TENANT = typer.Option(..., "--tenant", help="Tenant id.")
BY = typer.Option(None, "--by", help="Who decides (recorded); default: the operating-system user.")
NO_PUSH = typer.Option(False, "--no-push", help="Leave it to the outbox sweep instead of pushing now.")


def _known_tenant(tenant: str) -> None:
    from store.uow import OpsUnitOfWork

    with OpsUnitOfWork(get_store()) as ops:
        if ops.tenants.get(tenant) is None:
            raise output.fail(f"no tenant {tenant!r}; create it with `rsc tenant create`")


def _fail(exc: Exception) -> typer.Exit:
    return output.fail(str(exc))


@app.command("run")
def run(
    tenant: str = TENANT,
    linkedin: bool = typer.Option(
        False,
        "--linkedin",
        help="First read LinkedIn's own matches (matchedMembers) of every synced candidate.",
    ),
    batch: int = typer.Option(1000, min=1, max=10_000, help="Candidates written per transaction."),
) -> None:
    """Match every candidate of the tenant against every LinkedIn member it knows."""
    from store.db import get_store
    from workers.profile_matching.bulk import match_tenant
    from workers.runtime.wiring import linkedin_for

    _known_tenant(tenant)
    client = linkedin_for(tenant) if linkedin else None
    report = match_tenant(get_store(), tenant, linkedin=client, batch=batch)
    output.table(
        None,
        ("candidates", "members", "linked", "review", "unmatched", "links changed", "seconds"),
        [
            (
                f"{report.candidates:,}",
                f"{report.members:,}",
                f"{report.by_status.get('linked', 0):,}",
                f"{report.by_status.get('review', 0):,}",
                f"{report.by_status.get('unmatched', 0):,}",
                f"{report.links_changed:,}",
                f"{report.seconds:.1f}",
            )
        ],
    )
    if linkedin:
        output.say(f"LinkedIn's matches read for {report.linkedin_checked:,} synced candidates")
    output.say("manual decisions were kept; `rsc match review --tenant T` lists the doubtful cases")


@app.command("link")
def link(
    candidate_id: str = typer.Argument(..., help="The ATS candidate id."),
    person_urn: str = typer.Argument(..., help="The member, urn:li:person:<id>."),
    tenant: str = TENANT,
    by: str = BY,
    no_push: bool = NO_PUSH,
) -> None:
    """Link a candidate to a member by hand; the matcher never undoes it; LinkedIn is told."""
    from rsc.errors import PermanentError
    from store.uow import UnitOfWork
    from workers.profile_matching.member_links import link_manually

    _known_tenant(tenant)
    try:
        change = link_manually(
            UnitOfWork(tenant, get_store()), candidate_id, person_urn, by or getpass.getuser()
        )
    except PermanentError as exc:
        raise _fail(exc) from None
    if not change.changed:
        output.say(f"candidate {candidate_id} was already linked to {person_urn} by hand; nothing changed")
        return
    output.say(f"candidate {candidate_id} linked to {person_urn} (was: {change.previous_urn or 'none'})")
    _push(tenant, candidate_id, no_push)


@app.command("unlink")
def unlink(
    candidate_id: str = typer.Argument(..., help="The ATS candidate id."),
    tenant: str = TENANT,
    by: str = BY,
    no_push: bool = NO_PUSH,
) -> None:
    """Unlink a candidate by hand; the matcher will not link it again until a person links it."""
    from rsc.errors import PermanentError
    from store.uow import UnitOfWork
    from workers.profile_matching.member_links import unlink_manually

    _known_tenant(tenant)
    try:
        change = unlink_manually(UnitOfWork(tenant, get_store()), candidate_id, by or getpass.getuser())
    except PermanentError as exc:
        raise _fail(exc) from None
    if not change.changed:
        output.say(f"candidate {candidate_id} was already unlinked by hand; nothing changed")
        return
    output.say(f"candidate {candidate_id} unlinked (was: {change.previous_urn or 'none'})")
    _push(tenant, candidate_id, no_push)


def _push(tenant: str, candidate_id: str, no_push: bool) -> None:
    from store.uow import UnitOfWork
    from workers.profile_matching.member_links import push_link
    from workers.runtime.wiring import linkedin_for

    if no_push:
        output.say("LinkedIn learns it from the outbox sweep")
        return
    report = push_link(
        UnitOfWork(tenant, get_store()), linkedin_for(tenant), candidate_id, settings=get_settings()
    )
    if report is not None and candidate_id in report.synced:
        output.say("LinkedIn updated (manualMatchedMember)")
    elif report is not None and candidate_id in report.rejected:
        output.say(f"[yellow]LinkedIn refused it[/yellow]: {report.rejected[candidate_id]}")
    else:
        output.say("LinkedIn could not take it now; the outbox sweep pushes it")


@app.command("review")
def review(
    tenant: str = TENANT,
    limit: int = typer.Option(50, min=1, max=500),
    after: str = typer.Option(None, "--after", help="Continue after this candidate id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the candidates the matcher would not decide alone, with the members and reasons."""
    from dataclasses import asdict

    from store.uow import UnitOfWork
    from workers.profile_matching.profile_view import review_list

    _known_tenant(tenant)
    with UnitOfWork(tenant, get_store()) as uow:
        items = review_list(uow, limit=limit, after=after)
    if as_json:
        typer.echo(json.dumps([asdict(i) for i in items], indent=2, ensure_ascii=False))
        return
    rows = []
    for item in items:
        for n, member in enumerate(item.considered[:3]):
            name = " ".join(p for p in (member.first_name, member.last_name) if p)
            why = item.review_reason or ""
            if item.merge_with:
                why = f"{why}: merge with {item.merge_with}?"
            rows.append(
                (
                    item.candidate_id if n == 0 else "",
                    why if n == 0 else "",
                    member.person_urn,
                    name,
                    f"{member.score:.2f}" if member.score is not None else "",
                    member.reason or "",
                    ", ".join(member.evidence),
                )
            )
    output.table(None, ("candidate", "why", "member", "name", "score", "reason", "evidence"), rows)
    output.say(f"{len(items)} candidate(s); link one with `rsc match link --tenant {tenant} CANDIDATE URN`")


@app.command("show")
def show(
    candidate_id: str = typer.Argument(..., help="The ATS candidate id, or a prefix only one has."),
    tenant: str = TENANT,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Print the linked profile URL (the plugin's "View Profile"), or the candidate members with scores."""
    from cli.candidate import resolve_candidate
    from store.uow import UnitOfWork
    from workers.profile_matching.profile_view import profile_view

    _known_tenant(tenant)
    candidate_id = resolve_candidate(tenant, candidate_id)
    with UnitOfWork(tenant, get_store()) as uow:
        view = profile_view(uow, candidate_id)
    if view is None:
        raise output.fail(f"no candidate {candidate_id!r} in tenant {tenant!r}")
    if as_json:
        typer.echo(json.dumps(view.to_json(), indent=2, ensure_ascii=False))
        return
    output.say(f"candidate {candidate_id}: [bold]{view.standing.value}[/bold]")
    if view.link is not None:
        source = view.link_source.value if view.link_source else ""
        decided = f", by {view.decided_by} at {view.decided_at:%Y-%m-%d %H:%M}" if view.decided_at else ""
        output.say(f"  View Profile: {view.link.profile_url or '(profile URL not known yet)'}")
        output.say(f"  member {view.link.person_urn} ({source}{decided})")
        if view.link.reason_text:
            output.say(f"  why: {view.link.reason_text} (score {view.link.score:.2f})")
    elif view.decided_by:
        output.say(f"  unlinked by {view.decided_by} at {view.decided_at:%Y-%m-%d %H:%M}")
    if view.considered and view.link is None:
        output.table(
            None,
            ("member", "name", "company", "title", "score", "reason", "evidence"),
            [
                (
                    member.person_urn,
                    " ".join(p for p in (member.first_name, member.last_name) if p),
                    ", ".join(member.companies),
                    member.title or "",
                    f"{member.score:.2f}" if member.score is not None else "",
                    member.reason_text or "",
                    ", ".join(member.evidence),
                )
                for member in view.considered
            ],
        )
    if view.history:
        output.say("history:")
        for entry in view.history:
            change = f"{entry.previous_urn or 'none'} -> {entry.person_urn or 'none'}"
            output.say(f"  {entry.at:%Y-%m-%d %H:%M:%S} {entry.action} {change} by {entry.actor}")
