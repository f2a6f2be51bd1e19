"""``rsc sandbox``: the bundled LinkedIn sandbox server."""

from __future__ import annotations

import typer


def run_sandbox(
    port: int = typer.Option(None, help="Port (default RSC_SANDBOX_PORT)."),
    host: str = typer.Option(None, help="Interface (default RSC_SANDBOX_HOST)."),
) -> None:
    """Run the LinkedIn sandbox: a local HTTP server that behaves like LinkedIn's RSC partner API."""
    raise typer.Exit(code=2)
