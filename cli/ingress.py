"""``rsc ingress``: the webhook service LinkedIn pushes to."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from starlette.applications import Starlette


def run_ingress(
    port: int = typer.Option(None, help="Port (default RSC_INGRESS_PORT)."),
    host: str = typer.Option(None, help="Interface (default RSC_INGRESS_HOST)."),
) -> None:
    """Serve /webhooks/linkedin/{tenant}, /healthz, /readyz and /metrics."""
    from ingress import ats_views, profile_plugin, sync_views
    from ingress.app import create_app, serve
    from rsc.logs import configure_logging
    from rsc.settings import get_settings
    from store.db import get_store

    settings = get_settings()
    configure_logging(settings, process="ingress")

    def app() -> Starlette:
        store = get_store()
        return create_app(
            settings,
            store,
            extra_routes=[
                *ats_views.routes(store),
                *profile_plugin.routes(settings, store),
                *sync_views.routes(settings, store),
            ],
        )

    serve(host or settings.ingress_host, port or settings.ingress_port, app)
