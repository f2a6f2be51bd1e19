"""LinkedIn's own matches of a synced candidate, as the sandbox computes them: the seeded members with
one of the candidate's e-mail addresses or its profile URL, however they are cased."""

from __future__ import annotations

from sandbox.scenario import load
from sandbox.state import Sandbox
from sandbox.synced import matched_members


def test_members_are_matched_by_email_or_profile_url(sandbox: Sandbox) -> None:
    load(
        sandbox,
        {
            "members": [
                {"member": "urn:li:person:ada", "emailAddress": "ada@example.com"},
                {"member": "urn:li:person:bob", "profileUrl": "https://www.linkedin.com/in/bob/"},
                {"member": "urn:li:person:eve", "emailAddress": "eve@example.com"},
            ]
        },
    )
    assert matched_members(sandbox, {"emailAddresses": ["ADA@example.com"]}) == ["urn:li:person:ada"]
    by_url = {"linkedInProfileUrl": "https://www.LinkedIn.com/in/bob"}
    assert matched_members(sandbox, by_url) == ["urn:li:person:bob"]
    both = {"emailAddresses": ["eve@example.com"], "linkedInProfileUrl": "https://www.linkedin.com/in/bob/"}
    assert matched_members(sandbox, both) == ["urn:li:person:bob", "urn:li:person:eve"]
    assert matched_members(sandbox, {"emailAddresses": []}) == []
