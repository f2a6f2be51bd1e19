"""The chaos suite's event log and the oracle computed from it.

``build_log`` makes a tenant's history as events in the order they happened (the *log*): jobs first
(an export to a job the store does not know is a permanent error by design), then a mix of ATS
candidates, applications with status changes, candidate and application notes, job renames and
closures, candidate and application deletions, 1-click exports (LinkedIn pushes), InMails and
prospect note versions. ``follow_ups`` makes what the ATS does once exported candidates exist in
its store: it deletes some of them and some of their applications (it can only name a candidate it
has seen), while late InMails about the deleted members still arrive.

``expected_state`` folds the log, in log order and by the pipeline's documented rules only, into
the final state the store and LinkedIn must hold: the newest snapshot of each record wins, every
status transition is kept, a deletion erases the record with everything of it and wins over any
event older than it, and LinkedIn items about an erased member stay erased. It never reads the
store.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.catalog import parse_event
from schemas.envelope import Event

TENANT = "acme"
ORG = "urn:li:organization:9090"
CONTRACT = "urn:li:contract:9090"
ATS_SOURCE = "ats://chaos"
POLL_SOURCE = "linkedin://chaos/poll"
#: ATS time of the first event; every ATS and LinkedIn item of the log is stamped after it, one
#: second apart, in log order (all before the run, so LinkedIn items predate any erasure).
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
STATUSES = ("Applied", "Reviewed", "Phone screen", "Onsite", "Offer", "Hired")


@dataclass(frozen=True)
class ExportPush:
    """LinkedIn's EXPORT_CANDIDATE_PROFILE push of one export (sent to the ingress, signed)."""

    push_id: str
    request_id: str
    member: str
    job_id: str


Item = Event | ExportPush


@dataclass
class ChaosLog:
    seed: int
    #: Jobs, published before anything else.
    jobs: list[Event] = field(default_factory=list)
    #: Everything else, in the order it happened (unique).
    log: list[Item] = field(default_factory=list)
    #: Member URN -> the profile LinkedIn shows for them (exports carry it).
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Export pushes by member, and which of those members the ATS deletes later.
    exports: dict[str, ExportPush] = field(default_factory=dict)
    deleted_export_members: list[str] = field(default_factory=list)
    deleted_export_applications: list[str] = field(default_factory=list)
    clock: int = 0

    def stamp(self) -> datetime:
        self.clock += 1
        return T0 + timedelta(seconds=self.clock)

    def add(self, item: Item) -> None:
        self.log.append(item)

    @property
    def unique(self) -> int:
        return len(self.jobs) + len(self.log)


def ats(kind: str, event_id: str, data: dict[str, Any]) -> Event:
    return parse_event(
        {"type": f"ats.{kind}.v1", "id": event_id, "source": ATS_SOURCE, "tenant": TENANT, "data": data}
    )


def linkedin(kind: str, event_id: str, data: dict[str, Any]) -> Event:
    return parse_event(
        {"type": f"linkedin.{kind}.v1", "id": event_id, "source": POLL_SOURCE, "tenant": TENANT, "data": data}
    )


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def member_profile(i: int) -> dict[str, Any]:
    """An exported member: names that share nothing with the ATS's candidates (no match, no merge)."""
    return {
        "member": f"urn:li:person:xm{i:05d}",
        "firstName": f"Exported{i}",
        "lastName": f"Member{i}",
        "location": "Lyon, France",
        "currentPositions": [{"companyName": f"Export Co {i % 5}", "title": "Analyst"}],
        "educations": [{"schoolName": "INSA", "degree": "MSc"}],
    }


def build_log(seed: int, scale: int) -> ChaosLog:
    """About ``1,000 * scale`` unique events, plus the follow-ups (``follow_ups``)."""
    rng = random.Random(seed)
    out = ChaosLog(seed)
    n_jobs, n_candidates, n_applications = 10 * scale, 70 * scale, 140 * scale
    n_exports, n_other_members = 80 * scale, 20 * scale

    jobs: dict[str, dict[str, Any]] = {}
    for j in range(n_jobs):
        when = out.stamp().isoformat()
        data: dict[str, Any] = {
            "job_id": f"J-{j:04d}",
            "title": f"Engineer {j}",
            "description": f"Job {j}",
            "location": {"city": "Berlin", "country_code": "DE"},
            "state": "published",
            "created_at": when,
            "modified_at": when,
        }
        jobs[data["job_id"]] = data
        out.jobs.append(ats("job.published", f"job:{data['job_id']}:1", data))
    # Jobs with an index ending in 0 or 1 take exports; they stay published (an export to a closed
    # job is refused by design). The others may be renamed and closed later.
    export_jobs = [job_id for j, job_id in enumerate(jobs) if j % 10 in (0, 1)]

    candidates: list[str] = []
    applications: dict[str, dict[str, Any]] = {}
    stories: list[list[tuple[Any, ...]]] = []  # per record, its events in order; interleaved below

    for c in range(n_candidates):
        candidate_id = f"C-{c:05d}"
        candidates.append(candidate_id)
        data = {
            "candidate_id": candidate_id,
            "first_name": f"Ada{c}",
            "last_name": f"Ats{c}",
            "emails": [f"ats.candidate{c}@example.com"],
            "phones": [{"number": f"+49 30 {c:07d}"}],
            "current_company": f"Company {c % 13}",
            "created_at": "",
            "modified_at": "",
        }
        stories.append([("candidate", candidate_id, 0, data)])
        if c % 3 == 0:
            changed = {**data, "last_name": f"Renamed{c}", "emails": [f"renamed{c}@example.org"]}
            stories[-1].append(("candidate", candidate_id, 1, changed))

    for a in range(n_applications):
        application_id = f"A-{a:05d}"
        candidate_id = rng.choice(candidates)
        job_id = f"J-{rng.randrange(n_jobs):04d}"
        applications[application_id] = {"candidate_id": candidate_id, "job_id": job_id}
        steps = rng.randint(2, 5)
        story: list[tuple[Any, ...]] = []
        for step in range(steps):
            story.append(("application", application_id, step, STATUSES[step]))
        stories.append(story)

    for n in range(50 * scale):
        note_id = f"N-{n:05d}"
        parent: tuple[str, str | None]
        if n % 3 == 0:
            application_id = rng.choice(list(applications))
            parent = (applications[application_id]["candidate_id"], application_id)
        else:
            parent = (rng.choice(candidates), None)
        story = [("note", note_id, 0, parent)]
        if n % 4 == 0:
            story.append(("note", note_id, 1, parent))
        stories.append(story)

    for job_id in jobs:
        j = int(job_id[2:])
        if job_id in export_jobs:
            continue
        story = []
        if j % 10 in (2, 5, 8):
            story.append(("job", job_id, 1, "renamed"))
        if j % 10 == 7:
            story.append(("job", job_id, 2, "closed"))
        if story:
            stories.append(story)

    export_members: list[str] = []
    for i in range(n_exports):
        profile = member_profile(i)
        out.members[profile["member"]] = profile
        export_members.append(profile["member"])
        push = ExportPush(
            push_id=f"push-{seed}-{i:05d}",
            request_id=f"req-{seed}-{i:05d}",
            member=profile["member"],
            job_id=rng.choice(export_jobs),
        )
        out.exports[profile["member"]] = push
        stories.append([("export", push)])
    other_members = [f"urn:li:person:pm{i:05d}" for i in range(n_other_members)]
    for i in range(160 * scale):
        member = rng.choice(export_members + other_members)
        stories.append([("inmail", f"E-{i:05d}", member)])
    for i in range(45 * scale):
        member = rng.choice(export_members + other_members)
        versions = 1 + (i % 4 == 0) + (i % 8 == 0)
        stories.append([("prospect_note", f"P-{i:05d}", member, v) for v in range(versions)])

    # Interleave the stories: each keeps its own order, the mix is random.
    cursors = [0] * len(stories)
    live = list(range(len(stories)))
    versions_made: dict[str, dict[str, Any]] = {}
    while live:
        k = rng.randrange(len(live))
        current = live[k]
        story_step = stories[current][cursors[current]]
        cursors[current] += 1
        if cursors[current] == len(stories[current]):
            live[k] = live[-1]
            live.pop()
        _emit(out, rng, story_step, jobs, applications, versions_made)

    # Last, the ATS deletes some candidates and some applications (possibly of deleted candidates).
    for candidate_id in rng.sample(candidates, 6 * scale):
        when = out.stamp().isoformat()
        data = {"candidate_id": candidate_id, "deleted_at": when}
        out.add(ats("candidate.deleted", f"candidate-deleted:{candidate_id}", data))
    for application_id in rng.sample(sorted(applications), 8 * scale):
        when = out.stamp().isoformat()
        data = {
            "application_id": application_id,
            "candidate_id": applications[application_id]["candidate_id"],
            "deleted_at": when,
        }
        out.add(ats("application.deleted", f"application-deleted:{application_id}", data))
    out.deleted_export_members = rng.sample(export_members, 6 * scale)
    survivors = [m for m in export_members if m not in out.deleted_export_members]
    out.deleted_export_applications = rng.sample(survivors, 2 * scale)
    return out


def _emit(
    out: ChaosLog,
    rng: random.Random,
    step: Any,
    jobs: dict[str, dict[str, Any]],
    applications: dict[str, dict[str, Any]],
    versions: dict[str, dict[str, Any]],
) -> None:
    kind = step[0]
    when = out.stamp()
    iso = when.isoformat()
    if kind == "candidate":
        _, candidate_id, version, data = step
        created = versions.get(candidate_id, {}).get("created_at", iso)
        data = {**data, "created_at": created, "modified_at": iso}
        versions[candidate_id] = data
        out.add(
            ats(
                "candidate.updated" if version else "candidate.created",
                f"cand:{candidate_id}:{version}",
                data,
            )
        )
    elif kind == "application":
        _, application_id, step_no, status = step
        base = applications[application_id]
        created = versions.get(application_id, {}).get("created_at", iso)
        transition_id = f"{application_id}-t{step_no}"
        data = {
            "application_id": application_id,
            "candidate_id": base["candidate_id"],
            "job_id": base["job_id"],
            "status": status,
            "source": "Career site",
            "created_at": created,
            "modified_at": iso,
            "revision": step_no,
            "transition": {"transition_id": transition_id, "status": status, "changed_at": iso},
        }
        versions[application_id] = data
        kind_name = "application.created" if step_no == 0 else "application.status_changed"
        out.add(ats(kind_name, f"app:{application_id}:{step_no}", data))
    elif kind == "note":
        _, note_id, version, (candidate_id, application_id) = step
        created = versions.get(note_id, {}).get("created_at", iso)
        data = {
            "note_id": note_id,
            "candidate_id": candidate_id,
            "application_id": application_id,
            "text": f"Note {note_id} v{version}",
            "author": {"first_name": "Rita", "last_name": "Recruiter"},
            "created_at": created,
            "modified_at": iso,
        }
        versions[note_id] = data
        kind_name = "candidate_note.updated" if version else "candidate_note.created"
        out.add(ats(kind_name, f"note:{note_id}:{version}", data))
    elif kind == "job":
        _, job_id, version, change = step
        data = {**jobs[job_id], "modified_at": iso}
        if change == "renamed":
            data["title"] = f"Senior engineer {job_id}"
        else:
            data["state"] = "closed"
        jobs[job_id] = data
        out.add(
            ats("job.closed" if change == "closed" else "job.updated", f"job:{job_id}:{version + 1}", data)
        )
    elif kind == "export":
        out.add(step[1])
    elif kind == "inmail":
        _, event_id, member = step
        seat = f"urn:li:seat:{9000 + rng.randrange(4)}"
        data = {
            "event_id": event_id,
            "thread": f"urn:li:messagingThread:{member.rsplit(':', 1)[1]}",
            "viewer": seat,
            "author": rng.choice([seat, member]),
            "member": member,
            "created_ms": _ms(when),
            "subject": "Hello",
            "body": f"Message {event_id}",
        }
        out.add(linkedin("inmail.received", f"inmail:{event_id}", data))
    elif kind == "prospect_note":
        _, note_id, member, version = step
        created = versions.get(note_id, {}).get("created_ms", _ms(when))
        data = {
            "note_id": note_id,
            "contract": CONTRACT,
            "owner": f"urn:li:seat:{9000 + int(note_id[2:]) % 4}",
            "member": member,
            "text": f"Prospect {note_id} v{version}",
            "visibility": "PRIVATE" if int(note_id[2:]) % 3 == 0 else "ORGANIZATION",
            "active": version < 2,
            "created_ms": created,
            "last_modified_ms": _ms(when),
        }
        versions[note_id] = data
        out.add(linkedin("prospect_note.changed", f"pnote:{note_id}:{version}", data))


def follow_ups(log: ChaosLog, exported: dict[str, tuple[str, str]]) -> list[Item]:
    """What the ATS and LinkedIn send once the exports are in the store.

    ``exported``: member URN -> (candidate id, application id) as the ATS reads them from the store.
    The ATS deletes some exported candidates and some applications of others; LinkedIn's polls
    still deliver InMails written (long) before about the deleted members.
    """
    items: list[Item] = []
    for member in log.deleted_export_members:
        candidate_id, _ = exported[member]
        data = {"candidate_id": candidate_id, "deleted_at": log.stamp().isoformat()}
        items.append(ats("candidate.deleted", f"candidate-deleted:{candidate_id}", data))
    for member in log.deleted_export_applications:
        candidate_id, application_id = exported[member]
        data = {
            "application_id": application_id,
            "candidate_id": candidate_id,
            "deleted_at": log.stamp().isoformat(),
        }
        items.append(ats("application.deleted", f"application-deleted:{application_id}", data))
    for n, member in enumerate(log.deleted_export_members):
        inmail: dict[str, Any] = {
            "event_id": f"LATE-{n:05d}",
            "thread": f"urn:li:messagingThread:{member.rsplit(':', 1)[1]}",
            "viewer": "urn:li:seat:9000",
            "author": member,
            "member": member,
            "created_ms": _ms(T0 + timedelta(seconds=n)),
            "subject": "Late",
            "body": "A reply written before the deletion, polled after it",
        }
        items.append(linkedin("inmail.received", f"inmail:LATE-{n:05d}", inmail))
    return items


@dataclass
class Expected:
    """The final state, keyed the way the checks read the store and LinkedIn."""

    #: job id -> (title, state)
    jobs: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: ATS candidate id -> (first name, last name, e-mails)
    candidates: dict[str, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)
    #: application id -> (candidate id, job id, status, stage history [(transition id, status)])
    applications: dict[str, tuple[str, str, str, tuple[tuple[str, str], ...]]] = field(default_factory=dict)
    #: exported member -> (first name, last name, job id of its application, None once deleted)
    exported: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    #: ATS note id -> (candidate id, application id or None, text)
    notes: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    #: InMail id -> member
    inmails: dict[str, str] = field(default_factory=dict)
    #: prospect note id -> (member, active, text or None)
    prospect_notes: dict[str, tuple[str, bool, str | None]] = field(default_factory=dict)
    deleted_candidates: set[str] = field(default_factory=set)
    deleted_applications: set[str] = field(default_factory=set)
    erased_members: set[str] = field(default_factory=set)
    #: Deletion events (receipts), and inbox rows per consumer.
    deletions: int = 0
    inbox: dict[str, int] = field(default_factory=dict)


#: Which inbox (consumer) records each kind of event; ``ingress`` records each export push.
CONSUMERS = {
    "job": "status_push",
    "candidate": "status_push",
    "application": "status_push",
    "candidate_note": "candidate_notes",
    "inmail": "inmail_sync",
    "prospect_note": "note_sync",
}


def expected_state(log: ChaosLog, follow: list[Item], export_ids: dict[str, tuple[str, str]]) -> Expected:
    """Fold the unique events, in log order, into the final state (the oracle)."""
    want = Expected()
    snapshots: dict[tuple[str, str], tuple[tuple[int, int], dict[str, Any]]] = {}
    stages: dict[str, dict[str, str]] = {}
    inbox: dict[str, int] = {}
    exports: dict[str, ExportPush] = {}
    prospect: dict[str, tuple[int, dict[str, Any]]] = {}

    def newest(family: str, key: str, data: dict[str, Any]) -> None:
        order = (_ms(datetime.fromisoformat(data["modified_at"])), data.get("revision", 0))
        held = snapshots.get((family, key))
        if held is None or held[0] < order:
            snapshots[(family, key)] = (order, data)

    for item in [*log.jobs, *log.log, *follow]:
        if isinstance(item, ExportPush):
            exports[item.member] = item
            inbox["ingress"] = inbox.get("ingress", 0) + 1
            inbox["profile_export"] = inbox.get("profile_export", 0) + 1
            continue
        data = item.model_dump(mode="json")["data"]
        family = item.type.split(".")[1]
        if item.type.endswith(".deleted.v1"):
            want.deletions += 1
            inbox["deletion_cascade"] = inbox.get("deletion_cascade", 0) + 1
            if family == "candidate":
                want.deleted_candidates.add(data["candidate_id"])
            else:
                want.deleted_applications.add(data["application_id"])
            continue
        consumer = CONSUMERS[family]
        inbox[consumer] = inbox.get(consumer, 0) + 1
        if family == "candidate":  # matched too, once the store holds it (or it was deleted)
            inbox["profile_match"] = inbox.get("profile_match", 0) + 1
        if family in ("job", "candidate", "application", "candidate_note"):
            key = data[{"candidate_note": "note_id"}.get(family, f"{family}_id")]
            newest(family, key, data)
            if family == "application" and data.get("transition"):
                transition = data["transition"]
                stages.setdefault(key, {})[transition["transition_id"]] = transition["status"]
        elif family == "inmail":
            want.inmails[data["event_id"]] = data["member"]
        elif family == "prospect_note":
            held_note = prospect.get(data["note_id"])
            if held_note is None or held_note[0] < data["last_modified_ms"]:
                prospect[data["note_id"]] = (data["last_modified_ms"], data)
    want.inbox = inbox

    # Deletions: an exported candidate takes its member (InMails, prospect notes) with it.
    deleted_exports = {m for m, (cid, _) in export_ids.items() if cid in want.deleted_candidates}
    want.erased_members = deleted_exports
    for (family, key), (_, data) in snapshots.items():
        if family == "job":
            want.jobs[key] = (data["title"], data["state"])
        elif family == "candidate" and key not in want.deleted_candidates:
            want.candidates[key] = (data["first_name"], data["last_name"], tuple(data["emails"]))
        elif family == "application":
            gone = key in want.deleted_applications or data["candidate_id"] in want.deleted_candidates
            if not gone:
                history = tuple(sorted(stages[key].items()))
                want.applications[key] = (data["candidate_id"], data["job_id"], data["status"], history)
    for (family, key), (_, data) in snapshots.items():
        if family == "candidate_note":
            parent_gone = data["candidate_id"] in want.deleted_candidates or (
                data["application_id"] is not None and data["application_id"] not in want.applications
            )
            if not parent_gone:
                want.notes[key] = (data["candidate_id"], data["application_id"], data["text"])
    for member, push in exports.items():
        if member in deleted_exports:
            continue
        profile = log.members[member]
        kept = export_ids[member][1] not in want.deleted_applications
        want.exported[member] = (profile["firstName"], profile["lastName"], push.job_id if kept else None)
    want.inmails = {i: m for i, m in want.inmails.items() if m not in deleted_exports}
    for note_id, (_, data) in prospect.items():
        if data["member"] not in deleted_exports:
            text = data["text"] if data["active"] else None
            want.prospect_notes[note_id] = (data["member"], data["active"], text)
    return want
