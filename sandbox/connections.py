"""Dropping a client's TCP connection without an answer.

ASGI gives an application no handle on its connection, and an exception only makes uvicorn send a
500. So :func:`droppable_protocol` extends uvicorn's HTTP protocol to put each connection's
transport into the request scope's ``state``, and :func:`drop` aborts that transport: the client
sees the connection reset with no status line at all, as with a real network failure.
"""

from __future__ import annotations

import asyncio
from typing import Any

#: Where the connection's transport travels in ``scope["state"]``.
TRANSPORT_KEY = "sandbox.transport"


class ConnectionDropped(RuntimeError):
    """Raised where no transport is at hand (a server other than the sandbox's own uvicorn)."""


def droppable_protocol() -> type[asyncio.Protocol]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:  # pragma: no cover - httptools is part of uvicorn[standard]
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base  # type: ignore[assignment]

    class DroppableProtocol(Base):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            # app_state is copied into every request's scope["state"]; give this connection its own.
            self.app_state = {**self.app_state, TRANSPORT_KEY: transport}

    return DroppableProtocol


async def drop(scope: dict[str, Any]) -> None:
    transport = scope.get("state", {}).get(TRANSPORT_KEY)
    if transport is None:
        raise ConnectionDropped("connection dropped by the sandbox's fault injection")
    transport.abort()
    # Let connection_lost run, so uvicorn marks the cycle disconnected and writes nothing more.
    await asyncio.sleep(0)
