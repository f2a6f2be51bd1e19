"""Configuration, read from the environment only (``RSC_*``); see the README's configuration table."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rsc.api_version import LATEST_VERSION, ApiVersion

#: Where the embedded defaults keep their files (the SQLite store, the sandbox's state, a dev key).
VAR_DIR = Path("var")


#: The share of the message time limit a sweep starts batches in (``Settings.sweep_budget_s``), and
#: the most seconds it does, so a sweep yields its thread to other messages however long the limit.
SWEEP_SHARE_OF_TIME_LIMIT = 3 / 8
MAX_SWEEP_S = 45.0


class QueueType(StrEnum):
    CLASSIC = "classic"
    QUORUM = "quorum"


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


class WorkerLanes(StrEnum):
    """The lanes of its feature queues a worker process consumes (docs/architecture.md, "Fair sharing")."""

    ALL = "all"
    NORMAL = "normal"
    BULK = "bulk"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RSC_", extra="ignore")

    #: RabbitMQ URL (amqp://user:password@host:port/vhost).
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    #: The store: a SQLAlchemy URL; SQLite under var/ by default, postgresql://... in production.
    database_url: str = f"sqlite:///{VAR_DIR}/rsc.db"
    #: PostgreSQL connections each process keeps open (a worker needs about one per thread). Size
    #: pool and overflow against the server's max_connections (or a PgBouncer in front of it)
    #: divided by the processes of every worker group, the scheduler, the ingress and the CLI.
    db_pool_size: int = Field(default=10, ge=1)
    #: Connections a process may open beyond the pool under load, closed again when returned.
    db_max_overflow: int = Field(default=10, ge=0)
    #: LinkedIn's API base URL; by default the bundled sandbox on localhost.
    linkedin_api_url: str = "http://127.0.0.1:8090"
    #: LinkedIn mints tokens on www.linkedin.com, not on the API host; empty means "same as the API".
    linkedin_oauth_url: str = ""
    #: Timeout of every LinkedIn call, in seconds.
    linkedin_timeout_s: float = 10.0
    #: LinkedIn's API: `v2` (/v2/...), or a LinkedIn-Version YYYYMM of 202602 or later (/rest/...,
    #: with the 202602 renames). A version LinkedIn has sunset answers 426: set a current one here.
    linkedin_api_version: str = LATEST_VERSION
    #: Rest.li protocol header sent on every call (X-RestLi-Protocol-Version).
    linkedin_restli_version: str = "2.0.0"
    #: LinkedIn's budgets per customer app (reference §4), shared by every process through the store.
    linkedin_records_per_minute: int = 10_000
    #: Calls a day per customer app and endpoint family (reference §4).
    linkedin_calls_per_day: int = 100_000
    #: How many times faster than real time LinkedIn's rate windows run: 1 against LinkedIn; a
    #: sandbox started with ``--clock-scale N`` needs N here too.
    linkedin_clock_scale: float = 1.0
    #: The client counts a minute this much longer than LinkedIn does (clock skew, time in flight).
    linkedin_rate_margin: float = 0.02
    #: Share of the budgets bulk traffic (the historical backfill) may spend; the rest is kept for
    #: live changes.
    linkedin_bulk_share: float = 0.5

    #: The partner (parent) app's client id. With its secret set, `rsc tenant create` provisions each
    #: customer's app through provisionedApplications (uniqueForeignId = the tenant id) instead of
    #: taking a typed-in client id and secret, and `rsc tenant rotate-secret` rotates its secret.
    partner_client_id: str = ""
    #: The partner (parent) app's client secret; its token is used for provisionedApplications only.
    partner_client_secret: str = ""
    #: OAuth callback URLs of a provisioned customer app (comma-separated; oauth2AuthorizedCallbackUrls).
    app_callback_urls: str = ""
    #: Domains hosting the LinkedIn JS widgets of a provisioned customer app (comma-separated;
    #: validJsSdkDomains, sent without a trailing '/').
    app_js_sdk_domains: str = ""
    #: Days after which the scheduler rotates a provisioned customer app's client secret (LinkedIn
    #: recommends every 60-90 days): new secret, tokens minted with it, then the old one deleted.
    secret_rotation_days: float = Field(default=75.0, gt=0)

    #: Interface the ingress (webhook service) listens on.
    ingress_host: str = "127.0.0.1"
    #: Port the ingress listens on.
    ingress_port: int = 8080
    #: The public base URL LinkedIn reaches the ingress on; a tenant's CALLBACK_URL is built from it.
    public_base_url: str = "http://127.0.0.1:8080"
    #: Largest push body the ingress accepts; larger ones get 400.
    max_body_bytes: int = 256 * 1024
    #: Largest event (its Dramatiq message, bytes) a publisher sends and a worker accepts; a larger one
    #: is refused at publish time and dead-lettered (event_too_large) by a worker.
    max_event_bytes: int = 256 * 1024
    #: Bearer token the ATS backend sends to the ingress's profile plugin endpoints; unset: they answer 503.
    ats_api_token: str = ""

    #: Interface the LinkedIn sandbox listens on (local runs and tests).
    sandbox_host: str = "127.0.0.1"
    #: Port of the LinkedIn sandbox.
    sandbox_port: int = 8090
    #: SQLite file of the sandbox's state.
    sandbox_db: str = str(VAR_DIR / "sandbox.db")

    #: `classic` or `quorum` queues (quorum: replicated, with a delivery limit against crash loops).
    queue_type: QueueType = QueueType.CLASSIC
    #: Quorum queues only: deliveries before RabbitMQ dead-letters a message that keeps crashing workers.
    delivery_limit: int = 5

    #: Retries of transient failures before a message is dead-lettered.
    max_retries: int = 8
    #: First retry delay (ms); it doubles with each retry, up to RSC_MAX_BACKOFF_MS.
    min_backoff_ms: int = 500
    #: Kept far below RabbitMQ's consumer_timeout (30 min), see docs/operations.md.
    max_backoff_ms: int = 120_000
    #: Hard limit for one message; also far below consumer_timeout. A sweep (outbox, deletions) starts
    #: batches for 3/8 of it, at most 45 s, and leaves the rest to the batch in flight.
    time_limit_ms: int = 120_000

    #: Seconds between two archivings of the dead letters into the store (the scheduler does it);
    #: RabbitMQ drops a dead letter after seven days, the archive keeps it until replayed or purged.
    dead_letter_archive_interval_s: float = 3600.0

    #: How long the publisher waits for RabbitMQ to confirm a batch, in seconds.
    publish_confirm_timeout_s: float = 10.0
    #: Attempts of a publish (reconnecting in between) before it fails.
    publish_max_retries: int = 5
    #: Events a tenant may publish at once before the rest of its burst goes to the feature queues'
    #: bulk lanes (``<queue>.bulk``); the budget refills at RSC_BURST_EVENTS_PER_S (docs/architecture.md).
    burst_events: int = Field(default=20, ge=0)
    #: Events a second a tenant publishes to the normal lanes over time; beyond that, the bulk lanes.
    burst_events_per_s: float = Field(default=10.0, ge=0)
    #: Threads of a worker process the bulk lanes always leave to the normal lanes; the bulk lanes may
    #: occupy all the others at once (at least one). A process consuming only bulk lanes
    #: (``rsc worker --lanes bulk``) leaves none.
    bulk_lane_free_threads: int = Field(default=1, ge=0)
    #: Niceness a worker group of bulk lanes only (``rsc worker --lanes bulk``) adds to its processes:
    #: on a shared machine they yield the cores to the normal lanes' processes (0: none).
    bulk_lane_nice: int = Field(default=10, ge=0, le=19)
    #: Which lanes of its queues a worker process consumes: ``all`` (both), ``normal`` or ``bulk``;
    #: ``rsc worker --lanes`` sets it for the processes it starts.
    worker_lanes: WorkerLanes = WorkerLanes.ALL

    #: Key for encrypting tenant secrets at rest and for keyed hashes (Fernet, urlsafe base64).
    #: Unset: a development key is created under var/ and a warning is logged.
    secret_key: str = ""

    #: Log level of every process.
    log_level: str = "INFO"
    #: `json` (one object per line, for machines) or `console` (for people).
    log_format: LogFormat = LogFormat.JSON

    #: Port of the Prometheus metrics, /healthz and /readyz of a worker group or the scheduler (the
    #: ingress serves them on its own port); `--metrics-port` overrides it, and the Procfile gives
    #: each process type honcho's $PORT, so every process of `make run` serves its own.
    metrics_port: int = 9191

    #: Seconds a worker's hold lasts without renewal: on the records it claimed for one push to
    #: LinkedIn, and on a historical backfill run (renewed every sixth of it while the runner works).
    #: What a worker that died was holding waits at most this long for another.
    work_lease_s: float = Field(default=30.0, gt=0)

    #: Seconds between two scheduler ticks (outbox sweeps are requested on each tick).
    scheduler_tick_s: float = 1.0
    #: Seconds a scheduler's lead lasts without renewal (the leader renews it every tick). Two or
    #: more schedulers may run: one leads, the others stand by and take over once it runs out.
    scheduler_lease_s: float = Field(default=5.0, gt=0)
    #: Seconds between two attempts of a standby scheduler to take the lead; a dead leader is
    #: replaced within the lease and this.
    scheduler_standby_poll_s: float = Field(default=2.0, gt=0)
    #: The outbox sweep leaves records changed less than this long ago for the next sweep, so that
    #: a burst of changes to one record is pushed once, with its latest state.
    outbox_grace_s: float = 0.5
    #: A record that keeps changing is still pushed at least this often (seconds).
    outbox_max_wait_s: float = 10.0

    #: simpleJobPostings tasks: the first poll of a posting's task this many seconds after the posting,
    #: then at doubling intervals of at most RSC_JOB_TASK_POLL_MAX_INTERVAL_S.
    job_task_poll_first_s: float = Field(default=5.0, gt=0)
    #: Longest interval between two polls of a task still in progress (seconds).
    job_task_poll_max_interval_s: float = Field(default=300.0, gt=0)
    #: A task still in progress after this many polls is given up: recorded as unconfirmed (a sync
    #: problem) and not polled any more; the job's next change posts it again.
    job_task_poll_max_attempts: int = Field(default=20, ge=1)
    #: A task still in progress this many seconds after its posting is given up the same way.
    job_task_max_age_s: float = Field(default=6 * 3600.0, gt=0)

    #: A record waiting for another one it needs (an application for its job or candidate, a note for
    #: its parent) longer than this many seconds is a sync problem (`rsc sync problems`, metrics); it is
    #: still sent once what it waits for arrives.
    dependency_wait_s: float = 3600.0
    #: Days the sync ledger keeps each record's timeline entries (`rsc sync show`); the scheduler
    #: deletes older ones. An erased candidate's entries go with the candidate at once.
    sync_ledger_retention_days: float = 30.0

    #: The candidate's page in the ATS, sent to LinkedIn as externalProfileUrl ("{candidate_id}").
    ats_candidate_url_template: str = ""
    #: Status given to the application an export creates.
    export_initial_status: str = "New"

    #: InMail and prospect note polls. LinkedIn allows this many prospect-interaction calls (seatsV2,
    #: conversationEvents, mailStubs, prospectNotes together) per customer app and UTC day.
    prospect_calls_per_day: int = 100_000
    #: Share of that budget the scheduler plans to spend; the rest is headroom for retries and pages.
    prospect_budget_share: float = 0.9
    #: How far back a newly connected seat's InMails, stubs and notes are read (back-fill), in days.
    prospect_backfill_days: float = 30.0
    #: Seconds between two polls of a contract's stubs and notes (all caught-up seats in one call).
    contract_poll_interval_s: float = 60.0
    #: Bounds of a seat's InMail poll interval; in between, the budget and the seat's activity decide.
    seat_poll_min_interval_s: float = 20.0
    seat_poll_max_interval_s: float = 1800.0
    #: Seconds between two seatsV2 reads of a tenant (new seats, new users connected automatically).
    seat_refresh_interval_s: float = 900.0
    #: Seconds before a contract whose seats could not be read is read again on its own (doubling
    #: after each failure, at most RSC_SEAT_REFRESH_INTERVAL_S).
    seat_refresh_retry_s: float = 60.0
    #: Each poll re-reads this much before its watermark, for items LinkedIn lists a little late.
    poll_overlap_s: float = 30.0

    #: Seconds between two reads of a tenant's purge notices (atsPurgedExportedCandidates); LinkedIn
    #: requires at least one read every 30 days.
    purge_poll_interval_s: float = 86_400.0

    #: SMTP server for note-reply e-mails.
    smtp_host: str = "127.0.0.1"
    #: Port of the SMTP server.
    smtp_port: int = 25
    #: SMTP login (empty: no authentication).
    smtp_username: str = ""
    #: SMTP password.
    smtp_password: str = ""
    #: Upgrade the SMTP connection with STARTTLS.
    smtp_starttls: bool = False
    #: Timeout of SMTP operations, in seconds.
    smtp_timeout_s: float = 10.0
    #: Sender address of notification e-mails.
    smtp_from: str = "rsc-notifications@localhost"

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        # Plain postgresql:// URLs are what people paste; SQLAlchemy would pick psycopg2 for them.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("dead_letter_archive_interval_s")
    @classmethod
    def _archive_well_before_rabbitmq_drops(cls, value: float) -> float:
        if not 0 < value <= 86_400:
            raise ValueError("dead letters must be archived at least daily (RabbitMQ drops them in 7 days)")
        return value

    @field_validator("linkedin_api_version")
    @classmethod
    def _modelled_api_version(cls, value: str) -> str:
        return ApiVersion.parse(value).value

    @field_validator("purge_poll_interval_s")
    @classmethod
    def _purge_poll_at_least_monthly(cls, value: float) -> float:
        if not 0 < value <= 30 * 86_400:
            raise ValueError("LinkedIn requires purge notices to be read at least every 30 days (2592000 s)")
        return value

    @property
    def linkedin_api(self) -> ApiVersion:
        """The API shape and version every LinkedIn call uses."""
        return ApiVersion.parse(self.linkedin_api_version)

    @property
    def sweep_budget_s(self) -> float:
        """Seconds a sweep message (the outbox's, the deletions') starts new batches for: 3/8 of the
        message time limit (45 s of the default 120), at most 45. A lower limit shortens sweeps
        rather than cutting one off in the middle of a batch; what is left is due at the next tick."""
        return min(MAX_SWEEP_S, self.time_limit_ms / 1000 * SWEEP_SHARE_OF_TIME_LIMIT)

    @property
    def partner_configured(self) -> bool:
        """Whether the partner app's credentials are set, so customer apps are provisioned."""
        return bool(self.partner_client_id and self.partner_client_secret)

    @property
    def callback_url_list(self) -> list[str]:
        return _comma_list(self.app_callback_urls)

    @property
    def js_sdk_domain_list(self) -> list[str]:
        """The JS SDK domains, without a trailing '/' (LinkedIn refuses one)."""
        return [domain.rstrip("/") for domain in _comma_list(self.app_js_sdk_domains)]

    @property
    def oauth_url(self) -> str:
        return self.linkedin_oauth_url or self.linkedin_api_url


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between runs)."""
    get_settings.cache_clear()
