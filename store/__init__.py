"""The shared candidate store: SQLAlchemy 2 models, repositories and the unit of work.

PostgreSQL in production, SQLite as the embedded default; the same contract tests run on both.
Every tenant-owned row carries ``tenant_id`` and a tenant-bound session cannot read or write
another tenant's rows (see ``store.tenancy``).
"""
