"""A tenant's customer app and its client secret: provisioned with the partner app or typed in
(`rsc tenant create`), rotated without downtime (`rsc tenant rotate-secret`), shown by `rsc tenant show`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from cli import output

if TYPE_CHECKING:
    from store.tenants import Tenant
    from workers.integration_lifecycle.partner_apps import CustomerApp


def customer_app(tenant_id: str, name: str, client_id: str | None, client_secret: str | None) -> CustomerApp:
    """The tenant's app: the one typed in, else the one the partner app provisions (or finds again)."""
    from rsc.settings import get_settings
    from workers.integration_lifecycle.partner_apps import CustomerApp, provision_customer_app
    from workers.runtime.wiring import partner_linkedin

    if client_id or client_secret:
        if not (client_id and client_secret):
            raise typer.BadParameter("--client-id and --client-secret go together")
        return CustomerApp(client_id, client_secret, None)
    settings = get_settings()
    if not settings.partner_configured:
        raise typer.BadParameter(
            "pass the customer app's --client-id and --client-secret, or set RSC_PARTNER_CLIENT_ID and "
            "RSC_PARTNER_CLIENT_SECRET so that the partner app provisions it"
        )
    try:
        app, outcome = provision_customer_app(partner_linkedin(), tenant_id, name, settings)
    except Exception as exc:
        raise output.fail(
            f"provisioning the customer app of {tenant_id!r} failed: {type(exc).__name__}: {exc}; "
            "nothing was saved, run the command again once LinkedIn answers"
        ) from None
    output.say(f"customer app {app.app_urn} {outcome.value} (uniqueForeignId {tenant_id})")
    return app


def rotate_secret(tenant_id: str = typer.Argument(...)) -> None:
    """Rotate the client secret of the tenant's provisioned app without downtime: a new secret is
    created and stored, tokens are minted with it, then the old one is deleted."""
    from rsc.errors import PermanentError
    from store.db import get_store
    from store.tenants import TenantNotFound
    from workers.integration_lifecycle.secret_rotation import rotate_secret as rotate
    from workers.runtime.wiring import forget_tenant, linkedin_clients, partner_linkedin

    try:
        rotation = rotate(tenant_id, partner_linkedin(), linkedin_clients().tokens, store=get_store())
    except TenantNotFound:
        raise output.fail(f"no tenant {tenant_id!r}; create it with `rsc tenant create`") from None
    except PermanentError as exc:
        raise output.fail(f"secret of {tenant_id!r} not rotated: {exc}") from None
    finally:
        forget_tenant(tenant_id)
    deleted = ", ".join(rotation.deleted) or "none"
    output.say(
        f"secret of [bold]{tenant_id}[/bold] rotated at {rotation.rotated_at.isoformat(timespec='seconds')}: "
        f"now {rotation.secret_id}, deleted {deleted}"
    )


def secret_facts(tenant: Tenant) -> dict[str, Any]:
    """What `rsc tenant show --json` says of the app and its secret (never the secret)."""
    return {
        "app_urn": tenant.app_urn,
        "provisioned": tenant.app_urn is not None,
        "secret_id": tenant.secret_id,
        "secret_rotated_at": _iso(tenant.secret_rotated_at),
        "secret_rotation_failed_at": _iso(tenant.secret_rotation_failed_at),
        "secret_rotation_error": tenant.secret_rotation_error,
    }


def secret_rows(record: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        ("customer app", record["app_urn"] or "typed in by hand (not provisioned here)"),
        ("secret id", record["secret_id"] or "-"),
        ("secret rotated", record["secret_rotated_at"] or "never"),
    ]
    if record["secret_rotation_error"]:
        rows.append(
            (
                "secret rotation failed",
                f"{record['secret_rotation_failed_at']}: {record['secret_rotation_error']}",
            )
        )
    return rows


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None
