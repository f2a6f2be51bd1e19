"""``rsc ingress``: the webhook service LinkedIn pushes to."""

from __future__ import annotations

import typer


def run_ingress(
    port: int = typer.Option(None, help="Port (default RSC_INGRESS_PORT)."),
    host: str = typer.Option(None, help="Interface (default RSC_INGRESS_HOST)."),
) -> None:
    """Serve /webhooks/linkedin/{tenant}, /healthz, /readyz and /metrics."""
    from ingress import ats_views, profile_plugin, sync_views
    from ingress.app import create_app, serve
    from rsc.logs import configure_logging
    from rsc.settings import get_settings

    settings = get_settings()
    configure_logging(get_settings(), process="ingress")
    serve(
        host or settings.ingress_host,
        port or settings.ingress_port,
        lambda: create_app(
            extra_routes=[*ats_views.routes(), *profile_plugin.routes(), *sync_views.routes()]
        ),
    )
