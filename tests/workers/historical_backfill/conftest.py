"""The backfill runs on an enabled integration: the integration lifecycle's fixtures serve its tests."""

from tests.workers.integration_lifecycle.conftest import bulk, clients, linkedin, publisher, sandbox

__all__ = ["bulk", "clients", "linkedin", "publisher", "sandbox"]
