"""Steady prospect-interaction traffic on the sandbox clock, for polling tests and benchmarks.

``PUT /_sandbox/traffic`` starts a generator that keeps adding InMail conversation events to the
named seats (and, with a share of them, a mail stub or a prospect note) at a rate given per hour of
sandbox time; ``DELETE`` stops it; ``GET`` reports what it made. Busy seats get ``busy_factor``
times the traffic of the others, as a few recruiters do most of the messaging. Items carry the
sandbox's now as their time, exactly as seeded items do.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox import scenario
from sandbox.state import Sandbox

#: Real seconds between two generator steps.
STEP_S = 0.1


@dataclass
class TrafficConfig:
    contract: str
    seats: list[str]
    #: InMail conversation events per hour of sandbox time, over all seats.
    inmails_per_hour: float = 1200.0
    #: Fraction of InMails followed by a mail stub (the member shared their details).
    stub_share: float = 0.05
    #: Fraction of InMails followed by a prospect note of the seat.
    note_share: float = 0.05
    #: Fraction of the seats that are busy, and how much more traffic each busy seat gets.
    busy_share: float = 0.2
    busy_factor: float = 16.0
    #: Members per seat the generated conversations are with.
    members_per_seat: int = 20
    seed: int | None = None


@dataclass
class TrafficStatus:
    running: bool = False
    inmails: int = 0
    stubs: int = 0
    notes: int = 0
    config: dict[str, Any] = field(default_factory=dict)


class TrafficGenerator:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.status = TrafficStatus()
        self._task: asyncio.Task[Any] | None = None

    def start(self, config: TrafficConfig) -> None:
        if not config.seats:
            raise ValueError("traffic needs at least one seat ('seats')")
        if config.inmails_per_hour <= 0:
            raise ValueError("'inmails_per_hour' must be positive")
        self.stop()
        self.status = TrafficStatus(running=True, config=asdict(config))
        self._task = self.sandbox.in_background(self._run(config))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.status.running = False

    async def _run(self, config: TrafficConfig) -> None:
        rng = random.Random(config.seed)  # noqa: S311 (traffic dice, not secrets)
        busy = int(len(config.seats) * config.busy_share)
        weights = [config.busy_factor if i < busy else 1.0 for i in range(len(config.seats))]
        clock = self.sandbox.clock
        last = clock.now_ms()
        owed = 0.0
        while True:
            await asyncio.sleep(STEP_S)
            now = clock.now_ms()
            owed += config.inmails_per_hour * (now - last) / 3_600_000
            last = now
            count = int(owed)
            owed -= count
            with self.sandbox.db.transaction():
                for seat in rng.choices(config.seats, weights, k=count):
                    self._inmail(rng, config, seat)

    def _inmail(self, rng: random.Random, config: TrafficConfig, seat: str) -> None:
        seat_id = seat.rsplit(":", 1)[-1]
        member = f"urn:li:person:g{seat_id}m{rng.randrange(config.members_per_seat)}"
        n = self.status.inmails = self.status.inmails + 1
        from_member = rng.random() < 0.5
        scenario.seed_conversation_event(
            self.sandbox,
            {
                "id": f"gen-e{n}",
                "thread": f"urn:li:messagingThread:{seat_id}-{member.rsplit(':', 1)[-1]}",
                "viewer": seat,
                "author": member if from_member else seat,
                "member": member,
                "subject": "Opportunity",
                "body": f"generated message {n}",
            },
        )
        if rng.random() < config.stub_share:
            self.status.stubs += 1
            scenario.seed_mail_stub(
                self.sandbox,
                {
                    "id": f"gen-s{self.status.stubs}",
                    "contract": config.contract,
                    "owners": [seat],
                    "member": member,
                    "firstName": "Gen",
                    "lastName": f"Member{member.rsplit('m', 1)[-1]}",
                    "emailAddress": f"{member.rsplit(':', 1)[-1]}@members.example",
                    "phoneNumber": "+1 555 0100",
                    "currentCompanyName": "Generated Co",
                    "currentJobTitle": "Engineer",
                },
            )
        if rng.random() < config.note_share:
            self.status.notes += 1
            scenario.seed_prospect_note(
                self.sandbox,
                {
                    "id": f"gen-n{self.status.notes}",
                    "contract": config.contract,
                    "owner": seat,
                    "member": member,
                    "note": f"generated note {self.status.notes}",
                    "visibility": "PRIVATE" if rng.random() < 0.3 else "ORGANIZATION",
                },
            )


def generator_of(sandbox: Sandbox) -> TrafficGenerator:
    found: TrafficGenerator | None = getattr(sandbox, "traffic", None)
    if found is None:
        found = TrafficGenerator(sandbox)
        sandbox.traffic = found  # type: ignore[attr-defined]
    return found


async def control(sandbox: Sandbox, request: Any) -> dict[str, Any]:
    """``GET``/``PUT``/``DELETE /_sandbox/traffic``."""
    generator = generator_of(sandbox)
    if request.method == "PUT":
        raw = await request.body()
        body = json.loads(raw or b"{}")
        if not isinstance(body, dict) or not body.get("contract"):
            raise ValueError("traffic needs 'contract' and 'seats'")
        known = set(TrafficConfig.__dataclass_fields__)
        unknown = set(body) - known
        if unknown:
            raise ValueError(
                f"unknown traffic setting(s) {sorted(unknown)}; known: {', '.join(sorted(known))}"
            )
        generator.start(TrafficConfig(**body))
    elif request.method == "DELETE":
        generator.stop()
    return asdict(generator.status)
