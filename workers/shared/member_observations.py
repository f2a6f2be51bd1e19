"""What exports and InMail stubs teach about LinkedIn members, as observations the matcher reads
(``store.members``): written by profile export and InMail sync, read by profile matching."""

from __future__ import annotations

from datetime import UTC, datetime

from linkedin.exports import ExportedCandidate
from schemas.linkedin import MailStub
from store.base import utcnow
from store.members import MemberObservation, MemberSource


def export_observation(export: ExportedCandidate) -> MemberObservation:
    """What a 1-click export teaches about its member (no e-mail or phone: exports carry none)."""
    member = export.member
    at = datetime.fromtimestamp(export.exported_at_ms / 1000, UTC) if export.exported_at_ms else utcnow()
    return MemberObservation(
        member.person_urn,
        MemberSource.EXPORT,
        at,
        first_name=member.first_name,
        last_name=member.last_name,
        profile_url=member.profile_url,
        companies=member.current_employers,
        title=member.current_title,
        location=member.location,
    )


def stub_observation(stub: MailStub) -> MemberObservation:
    """What an InMail stub teaches about its member: the contact details they chose to share."""
    return MemberObservation(
        stub.member,
        MemberSource.INMAIL_STUB,
        datetime.fromtimestamp(stub.last_modified_ms / 1000, UTC),
        first_name=stub.first_name,
        last_name=stub.last_name,
        emails=[str(e) for e in ([stub.email] if stub.email else []) + list(stub.other_emails)],
        phones=([stub.phone] if stub.phone else []) + list(stub.other_phones),
        companies=[stub.company] if stub.company else [],
        title=stub.title,
    )
