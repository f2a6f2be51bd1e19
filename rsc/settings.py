"""Configuration, read from the environment only (``RSC_*``); see the README's configuration table."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Where the embedded defaults keep their files (the SQLite store, the sandbox's state, a dev key).
VAR_DIR = Path("var")


class QueueType(StrEnum):
    CLASSIC = "classic"
    QUORUM = "quorum"


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RSC_", extra="ignore")

    broker_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    database_url: str = f"sqlite:///{VAR_DIR}/rsc.db"
    linkedin_api_url: str = "http://127.0.0.1:8090"
    #: LinkedIn mints tokens on www.linkedin.com, not on the API host; empty means "same as the API".
    linkedin_oauth_url: str = ""
    linkedin_timeout_s: float = 10.0
    #: Rest.li protocol header sent on every v2 call.
    linkedin_restli_version: str = "2.0.0"

    ingress_host: str = "127.0.0.1"
    ingress_port: int = 8080
    #: The public base URL LinkedIn reaches the ingress on; a tenant's CALLBACK_URL is built from it.
    public_base_url: str = "http://127.0.0.1:8080"
    max_body_bytes: int = 256 * 1024

    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8090
    sandbox_db: str = str(VAR_DIR / "sandbox.db")

    queue_type: QueueType = QueueType.CLASSIC
    #: Quorum queues only: deliveries before RabbitMQ dead-letters a message that keeps crashing workers.
    delivery_limit: int = 5

    #: Retries of transient failures before a message is dead-lettered.
    max_retries: int = 8
    min_backoff_ms: int = 500
    #: Kept far below RabbitMQ's consumer_timeout (30 min), see docs/operations.md.
    max_backoff_ms: int = 120_000
    #: Hard limit for one message; also far below consumer_timeout.
    time_limit_ms: int = 120_000

    publish_confirm_timeout_s: float = 10.0
    publish_max_retries: int = 5

    #: Key for encrypting tenant secrets at rest and for keyed hashes (Fernet, urlsafe base64).
    #: Unset: a development key is created under var/ and a warning is logged.
    secret_key: str = ""

    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.JSON

    metrics_port: int = 9191

    #: Seconds between two scheduler ticks (outbox sweeps are requested on each tick).
    scheduler_tick_s: float = 1.0
    #: The outbox sweep leaves records changed less than this long ago for the next sweep, so that
    #: a burst of changes to one record is pushed once, with its latest state.
    outbox_grace_s: float = 0.5

    #: The candidate's page in the ATS, sent to LinkedIn as externalProfileUrl ("{candidate_id}").
    ats_candidate_url_template: str = ""
    #: Status given to the application an export creates.
    export_initial_status: str = "New"

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        # Plain postgresql:// URLs are what people paste; SQLAlchemy would pick psycopg2 for them.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def oauth_url(self) -> str:
        return self.linkedin_oauth_url or self.linkedin_api_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between runs)."""
    get_settings.cache_clear()
