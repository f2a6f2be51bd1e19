"""The newcomer's path: `rsc demo` against the running pipeline onboards and enables a tenant through
LinkedIn's own INTEGRATION_STATUS_CHANGE, then shows an export arrive."""

from __future__ import annotations

from tests.e2e.pipeline import Pipeline


def test_rsc_demo_shows_an_export_arrive_in_the_store_and_in_linkedin(pipeline: Pipeline) -> None:
    pipeline.start_workers(
        "worker", "profile_export", "status_push", "integration_lifecycle", "historical_backfill"
    )
    result = pipeline.rsc("demo", "--timeout", "60")
    assert result.returncode == 0, result.stdout + result.stderr
    # Onboarded through partner provisioning: the partner app created the customer's app.
    assert "1. the partner app provisioned the customer app urn:li:developerApplication:" in result.stdout
    assert "(created)" in result.stdout
    assert "2. the customer enabled it in Recruiter; the pipeline verified it" in result.stdout
    assert "5. imported (created)" in result.stdout
    assert "6. LinkedIn shows the member as in the ATS" in result.stdout
    # Only records that sync: the job and the application reached LinkedIn, and each ledger says so.
    assert "3. job DEMO-ENG-1 published in the ATS, stored and listed on LinkedIn" in result.stdout
    assert "7. the application" in result.stdout
    ledgers = result.stdout.split("Each record's sync ledger")[1]
    shown = [line.split(None, 1)[1] for line in ledgers.splitlines() if line.startswith("record ")]
    assert [line.split()[0] for line in shown] == ["job", "export", "candidate", "application"]
    assert ledgers.count("simpleJobPostings batch upsert") == 1
    assert "atsApplications batch upsert, then its stages" in ledgers and "refused" not in ledgers
    problems = pipeline.rsc("sync", "problems", "--tenant", "demo")
    assert "no sync problems" in problems.stdout, problems.stdout + problems.stderr
    status = pipeline.rsc("tenant", "status", "demo")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "demo: enabled" in status.stdout and "NOT_NAMED" not in status.stdout
    # Running it again is harmless: the same tenant, job and a second export of the same member.
    again = pipeline.rsc("demo", "--timeout", "60")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "2. the integration is enabled already" in again.stdout
    assert "(reused)" in again.stdout
    assert "5. imported (already_applied)" in again.stdout
