"""Every actor of the pipeline, composed from the features' own ``actors`` modules.

Importing this module declares them all on the project's broker. Run with ``rsc worker --queues
<queue>`` (or ``dramatiq workers.actors --queues <queue>``). Each actor's name, queue, accepted events
or command and gating are declared once, in ``events.routes``.
"""

from __future__ import annotations

from workers.deletion_cascade.actors import (
    delete_application,
    delete_candidate,
    poll_purge_notices_actor,
    push_deletions,
)
from workers.historical_backfill.actors import run_backfill_actor
from workers.inmail_sync.actors import sync_inmail, sync_mail_stub
from workers.integration_lifecycle.actors import rotate_secret_actor, verify_integration_status
from workers.note_sync.actors import notify_note_reply, sync_prospect_note
from workers.profile_export.actors import export_profile
from workers.profile_matching.actors import match_candidate, match_members
from workers.prospect_polling.actors import (
    apply_user_event,
    poll_contract_actor,
    poll_seat_actor,
    refresh_seats_actor,
)
from workers.runtime.declare import broker, decode
from workers.status_push.actors import (
    apply_application_event,
    apply_candidate_event,
    apply_job_event,
    apply_note_event,
    poll_job_tasks_actor,
    push_outbox,
)

__all__ = [
    "apply_application_event",
    "apply_candidate_event",
    "apply_job_event",
    "apply_note_event",
    "apply_user_event",
    "broker",
    "decode",
    "delete_application",
    "delete_candidate",
    "export_profile",
    "match_candidate",
    "match_members",
    "notify_note_reply",
    "poll_contract_actor",
    "poll_job_tasks_actor",
    "poll_purge_notices_actor",
    "poll_seat_actor",
    "push_deletions",
    "push_outbox",
    "refresh_seats_actor",
    "rotate_secret_actor",
    "run_backfill_actor",
    "sync_inmail",
    "sync_mail_stub",
    "sync_prospect_note",
    "verify_integration_status",
]
