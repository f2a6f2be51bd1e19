"""The newcomer's path: `rsc demo` against the running pipeline shows an export arrive."""

from __future__ import annotations

from tests.e2e.pipeline import Pipeline


def test_rsc_demo_shows_an_export_arrive_in_the_store_and_in_linkedin(pipeline: Pipeline) -> None:
    pipeline.start_workers("worker", "profile_export", "status_push")
    result = pipeline.rsc("demo", "--timeout", "60")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4. imported (created)" in result.stdout
    assert "5. LinkedIn shows the member as in the ATS" in result.stdout
    # Running it again is harmless: the same tenant, job and a second export of the same member.
    again = pipeline.rsc("demo", "--timeout", "60")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "4. imported (already_applied)" in again.stdout
