"""Which lane the message a worker thread handles came through."""

from __future__ import annotations

from dramatiq.middleware import CurrentMessage

from events.topology import is_bulk_lane


def in_bulk_lane() -> bool:
    """True while the current thread handles a message taken from a bulk lane (or its delay queue).

    Needs Dramatiq's ``CurrentMessage`` middleware, which every worker's broker installs
    (``workers.runtime.broker``); outside a worker thread there is no current message.
    """
    message = CurrentMessage.get_current_message()
    return message is not None and is_bulk_lane(message.queue_name)
