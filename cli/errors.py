"""The mistakes a person running ``rsc`` makes, told in one line of error instead of a traceback.

Commands report the mistakes they foresee themselves (``output.fail``); what is left is caught once,
around the whole command line: a store that cannot be reached or is not migrated, a tenant that does
not exist, a setting with a value it cannot take. Anything else is a defect and keeps its traceback.
"""

from __future__ import annotations


def user_error(exc: BaseException) -> str | None:
    """The one line to print for ``exc`` when it is a person's mistake, else None."""
    from pydantic import ValidationError
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from store.tenants import TenantNotFound

    if isinstance(exc, OperationalError | ProgrammingError):
        cause = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        return (
            f"the store (RSC_DATABASE_URL) cannot be used ({cause}): check that it is reachable and "
            f"migrated (`rsc db upgrade`)"
        )
    if isinstance(exc, TenantNotFound):
        return str(exc)
    if isinstance(exc, ValidationError) and exc.title == "Settings":
        # Names and rules only: a value may be a secret.
        fields = "; ".join(f"RSC_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        return f"a setting is not valid: {fields}"
    return None
