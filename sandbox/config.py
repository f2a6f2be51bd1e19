"""Start-up options of the sandbox; most of them can be changed at run time through ``/_sandbox/``."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from sandbox.shapes import VERSION_FORMAT

#: LinkedIn's partner limits (reference §4): records a minute per customer app, calls a day per
#: customer app and endpoint family, entities in one batch call.
RECORDS_PER_MINUTE = 10_000
CALLS_PER_DAY = 100_000
MAX_BATCH = 100


@dataclass
class RateLimits:
    #: ``None`` lifts the limit; counting (and the per-window maximum) goes on either way.
    records_per_minute: int | None = RECORDS_PER_MINUTE
    calls_per_day: int | None = CALLS_PER_DAY
    enforce: bool = True


@dataclass
class FaultSettings:
    """Injected failures. Every faulted call is answered before it reaches a resource: no effect."""

    #: Fraction of calls answered 500 or 503.
    error_rate: float = 0.0
    #: Fraction of calls answered 429 (LinkedIn's "infrastructure protection" throttling).
    throttle_rate: float = 0.0
    #: Real seconds a throttled call is told to wait.
    throttle_retry_after_s: int = 1
    #: Fraction of calls whose TCP connection is closed without an answer.
    drop_rate: float = 0.0
    #: Added to every call in scope, in real milliseconds: ``latency_ms + uniform(0, jitter)``.
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    #: Only calls whose path starts with this are faulted ("" = every API call).
    path_prefix: str = ""


@dataclass
class Settings:
    """Behaviour switches that tests change at run time (``PUT /_sandbox/settings``)."""

    #: Lifetime of an access token, in sandbox seconds (LinkedIn: about 30 minutes).
    token_ttl_s: int = 1800
    #: Sandbox seconds before a simpleJobPostings task leaves IN_PROGRESS (SUCCEEDED or FAILED).
    job_task_delay_s: float = 2.0
    #: Fraction of simpleJobPostings tasks that end FAILED (decided per task from its id).
    job_task_failure_rate: float = 0.0
    #: The message a failed task carries.
    job_task_failure_message: str = "the job posting could not be processed"
    #: Push delivery: retries after the first attempt, and the exponential backoff in real seconds.
    push_retries: int = 6
    push_backoff_s: float = 1.0
    push_backoff_max_s: float = 60.0
    push_timeout_s: float = 5.0
    #: Entities allowed in one batch call.
    max_batch: int = MAX_BATCH
    #: Requests kept in the request log (oldest dropped first); 0 turns the log off.
    request_log_size: int = 5000
    #: Refuse every call the reference says LinkedIn refuses. Off (``--lenient``), calls that break a
    #: liftable rule (headers, versions, enablement, batch size, window length) are served; every
    #: breach is recorded as a violation either way.
    strict: bool = True
    #: The oldest ``LinkedIn-Version`` served (YYYYMM); older ones are sunset (426). None: the
    #: versions of the last two years of the sandbox clock.
    oldest_version: int | None = None
    #: A token minted while the app holds one with more than this many sandbox seconds left (at most
    #: half a token's lifetime) is recorded as a wasted token: LinkedIn asks for one token, reused.
    token_reuse_left_s: int = 300
    #: Reject fields the reference does not list (LinkedIn's Rest.li schemas are strict).
    strict_fields: bool = True
    #: Reject an application whose atsJobPostingId is not a job synced by the same organization.
    require_known_job: bool = False
    #: Validate a CALLBACK_URL with a challenge GET as soon as it is set.
    validate_callbacks: bool = True
    #: Serve conversation events, mail stubs, prospect notes and seats in other plausible shapes than
    #: the sandbox's own (fields the reference does not document; ``sandbox.shapes``).
    undocumented_shapes: bool = False

    def update(self, changes: dict[str, Any]) -> None:
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise KeyError(f"unknown setting '{name}'; known settings: {', '.join(sorted(known))}")
            if name == "oldest_version":
                self.oldest_version = version_setting(value)
                continue
            setattr(self, name, _coerce(getattr(self, name), value, name))


def version_setting(value: Any) -> int | None:
    """``oldest_version``: null, or a LinkedIn-Version as YYYYMM (string or number)."""
    if value is None:
        return None
    text = str(value)
    if isinstance(value, bool) or not VERSION_FORMAT.fullmatch(text):
        raise ValueError(f"setting 'oldest_version' takes null or a LinkedIn-Version YYYYMM, got {value!r}")
    return int(text)


def _coerce(current: Any, value: Any, name: str) -> Any:
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError(f"setting '{name}' takes true or false, got {value!r}")
        return value
    if isinstance(current, int | float) and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError(f"setting '{name}' takes a number, got {value!r}")
    return type(current)(value)


@dataclass
class SandboxConfig:
    db_path: str
    parent_client_id: str = "parent-client"
    parent_client_secret: str = "parent-secret"  # noqa: S105 (the documented sandbox default)
    clock_scale: float = 1.0
    #: Sandbox time at start-up, epoch ms (default: the real time).
    clock_start_ms: int | None = None
    #: Scenario file (JSON) loaded at start-up.
    scenario: str | None = None
    #: Seed for the fault dice and generated ids (tests pass one for reproducible runs).
    seed: int | None = None
    settings: Settings = field(default_factory=Settings)
    limits: RateLimits = field(default_factory=RateLimits)
    faults: FaultSettings = field(default_factory=FaultSettings)

    @classmethod
    def from_options(cls, db_path: str, **options: Any) -> SandboxConfig:
        """Build a config from flat keyword options, as ``serve()`` and the CLI pass them."""
        config = cls(db_path=db_path)
        groups: list[Any] = [config, config.settings, config.limits, config.faults]
        for name, value in options.items():
            owner = next((g for g in groups if name in {f.name for f in fields(g)}), None)
            if owner is None:
                raise TypeError(f"unknown sandbox option '{name}'")
            setattr(owner, name, value)
        return config
