"""An ATS's history of jobs, candidates and applications as events, and the LinkedIn state it must
end in: what the status-push scenarios publish and check."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.catalog import parse_event
from schemas.envelope import Event

T0 = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
STATUSES = (
    "Applied",
    "Reviewed",
    "Phone screen",
    "Assessment",
    "Onsite",
    "Debrief",
    "Reference check",
    "Offer",
    "Negotiation",
    "Offer accepted",
    "Hired",
)


def _iso(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _ms(minutes: float) -> int:
    return int((T0 + timedelta(minutes=minutes)).timestamp() * 1000)


@dataclass
class AtsHistory:
    tenant: str
    events: list[Event] = field(default_factory=list)
    #: The final snapshot of each record, as the ATS holds it at the end.
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    applications: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Every transition of each application, in the order they happened: (id, status, epoch ms).
    transitions: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    duplicates: int = 0

    def add(self, kind: str, data: dict[str, Any], version: int) -> None:
        record_id = next(v for k, v in data.items() if k.endswith("_id"))
        self.events.append(
            parse_event(
                {
                    "type": f"ats.{kind}.v1",
                    "id": f"{kind}:{record_id}:{version}",
                    "source": "ats://scenario",
                    "tenant": self.tenant,
                    "data": data,
                }
            )
        )


def build_history(
    *,
    tenant: str = "acme",
    jobs: int = 100,
    candidates: int = 1000,
    applications: int = 3000,
    changes: int = 10,
    duplicates: float = 0.1,
    seed: int = 1,
) -> AtsHistory:
    """Jobs (a fifth closed at the end, a tenth renamed), candidates (a third renamed later) and
    applications with ``changes`` status changes each; shuffled, with ``duplicates`` of them twice."""
    rng = random.Random(seed)
    history = AtsHistory(tenant)
    for j in range(jobs):
        job_id = f"J-{j:04d}"
        data: dict[str, Any] = {
            "job_id": job_id,
            "title": f"Engineer {j}",
            "description": f"Job {j}: builds things",
            "location": {"city": "Berlin", "country_code": "DE"},
            "state": "published",
            "created_at": _iso(0),
            "modified_at": _iso(1),
        }
        history.add("job.published", data, 1)
        if j % 10 == 3:
            data = {**data, "title": f"Senior engineer {j}", "modified_at": _iso(2 + rng.random() * 100)}
            history.add("job.updated", data, 2)
        if j % 5 == 0:
            data = {**data, "state": "closed", "modified_at": _iso(200 + rng.random() * 100)}
            history.add("job.closed", data, 3)
        history.jobs[job_id] = data
    for c in range(candidates):
        candidate_id = f"C-{c:05d}"
        data = {
            "candidate_id": candidate_id,
            "first_name": f"First{c}",
            "last_name": f"Last{c}",
            "emails": [f"person{c}@example.com"],
            "phones": [{"number": f"+49 30 {c:07d}"}] if c % 2 else [],
            "current_company": f"Company {c % 37}",
            "created_at": _iso(0),
            "modified_at": _iso(1),
        }
        history.add("candidate.created", data, 1)
        if c % 3 == 0:
            data = {
                **data,
                "last_name": f"Married{c}",
                "emails": [f"person{c}@example.org", f"person{c}@example.com"],
                "modified_at": _iso(5 + rng.random() * 500),
            }
            history.add("candidate.updated", data, 2)
        history.candidates[candidate_id] = data
    for a in range(applications):
        application_id = f"A-{a:05d}"
        start = rng.random() * 60
        base: dict[str, Any] = {
            "application_id": application_id,
            "candidate_id": f"C-{rng.randrange(candidates):05d}",
            "job_id": f"J-{rng.randrange(jobs):04d}",
            "source": rng.choice(["Referral", "Career site", "Agency"]),
            "created_at": _iso(start),
        }
        steps = []
        at = start
        for step in range(changes + 1):
            at += 0 if step == 0 else 1 + rng.random() * 30
            status = STATUSES[step % len(STATUSES)]
            transition_id = f"{application_id}-{step:02d}"
            steps.append((transition_id, status, _ms(at)))
            data = {
                **base,
                "status": status,
                "modified_at": _iso(at),
                "revision": step,
                "transition": {"transition_id": transition_id, "status": status, "changed_at": _iso(at)},
            }
            history.add("application.created" if step == 0 else "application.status_changed", data, step)
        history.applications[application_id] = data
        history.transitions[application_id] = steps
    twice = rng.sample(history.events, int(len(history.events) * duplicates))
    history.duplicates = len(twice)
    history.events += twice
    rng.shuffle(history.events)
    return history


def differences(history: AtsHistory, remote: dict[str, list[dict[str, Any]]]) -> list[str]:
    """How LinkedIn's records (the sandbox's inspection lists) differ from the ATS's final state."""
    problems: list[str] = []
    jobs = {j["externalJobPostingId"]: j for j in remote["jobs"]}
    candidates = {c["atsCandidateId"]: c for c in remote["candidates"]}
    applications = {a["atsJobApplicationId"]: a for a in remote["applications"]}
    for name, want, have in (
        ("jobs", history.jobs, jobs),
        ("candidates", history.candidates, candidates),
        ("applications", history.applications, applications),
    ):
        if set(want) != set(have):
            missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
            problems.append(f"{name}: {len(missing)} missing (e.g. {missing[:3]}), {len(extra)} extra")
    for job_id, job in history.jobs.items():
        got = jobs.get(job_id)
        state = "CLOSED" if job["state"] == "closed" else "LISTED"
        if got and (got["state"], got["title"]) != (state, job["title"]):
            problems.append(
                f"job {job_id}: {got['state']} {got['title']!r}, expected {state} {job['title']!r}"
            )
    for candidate_id, candidate in history.candidates.items():
        got = candidates.get(candidate_id)
        names = (candidate["first_name"], candidate["last_name"], candidate["emails"])
        if got and (got["firstName"], got["lastName"], got["emailAddresses"]) != names:
            problems.append(f"candidate {candidate_id} differs")
    for application_id, application in history.applications.items():
        got = applications.get(application_id)
        if got is None:
            continue
        candidate = history.candidates[application["candidate_id"]]
        fields: dict[str, Any] = {
            "atsCandidateId": application["candidate_id"],
            "atsJobPostingId": application["job_id"],
            "atsJobPostingName": history.jobs[application["job_id"]]["title"],
            "firstName": candidate["first_name"],
            "lastName": candidate["last_name"],
            "candidateEmail": candidate["emails"][0],
            "source": application["source"],
            "atsLastModifiedAt": history.transitions[application_id][-1][2],
        }
        wrong = sorted(k for k, v in fields.items() if got.get(k) != v)
        if wrong:
            problems.append(f"application {application_id}: {wrong} differ")
        stages = sorted(got["stages"].items(), key=lambda item: (item[1]["atsCreatedAt"], item[0]))
        have_history = [(key, stage["stage"], stage["atsCreatedAt"]) for key, stage in stages]
        if have_history != history.transitions[application_id]:
            problems.append(
                f"application {application_id}: stage history {len(have_history)} stages, not as in the ATS"
            )
    return problems
