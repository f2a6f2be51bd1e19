"""The list of rule violations a test reads (``GET /_sandbox/violations``), and the breaches of one
call, collected while the call is served and recorded once it is answered."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.rules import Rule

#: Violations kept (oldest dropped first); ``dropped`` counts what fell off, so none goes unseen.
MAX_VIOLATIONS = 10_000
#: Entity problems quoted in one violation's message; the rest are counted.
QUOTED_PROBLEMS = 3


@dataclass
class Violation:
    seq: int
    rule: Rule
    message: str
    method: str
    path: str
    app: str
    at: int
    #: ``seq`` of the call in the request log.
    request: int
    #: Whether the sandbox refused the call (False: LinkedIn serves it, or lenient mode did).
    refused: bool
    #: Entities of a batch that broke the rule (1 for a whole call).
    count: int

    def view(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "rule": self.rule.id,
            "section": self.rule.section,
            "message": self.message,
            "method": self.method,
            "path": self.path,
            "app": self.app,
            "at": self.at,
            "request": self.request,
            "refused": self.refused,
            "count": self.count,
        }


class Violations:
    def __init__(self, limit: int = MAX_VIOLATIONS) -> None:
        self._kept: deque[Violation] = deque(maxlen=limit)
        self._seq = 0
        self.dropped = 0

    def record(self, rule: Rule, detail: str, *, refused: bool, count: int = 1, **where: Any) -> None:
        self._seq += 1
        if len(self._kept) == self._kept.maxlen:
            self.dropped += 1
        message = f"{rule.summary} (reference {rule.section}): {detail}"
        self._kept.append(Violation(self._seq, rule, message, refused=refused, count=count, **where))

    def list(self, *, since: int = 0, rule: str = "") -> list[dict[str, Any]]:
        """Violations after ``since``; ``rule`` keeps one rule id or, ending in ``.``, a family of them."""
        return [
            v.view()
            for v in self._kept
            if v.seq > since
            and (v.rule.id == rule or (rule.endswith(".") and v.rule.id.startswith(rule)) or not rule)
        ]

    def reset(self) -> None:
        self._kept.clear()
        self.dropped = 0


@dataclass
class Breach:
    rule: Rule
    details: list[str] = field(default_factory=list)
    #: Whether the sandbox refused anything for it: the call, or one of the batch's entities.
    refused: bool = True


class Breaches:
    """The rules one call broke, one entry per rule however many entities of a batch broke it."""

    def __init__(self) -> None:
        self.found: dict[str, Breach] = {}

    def note(self, rule: Rule, detail: str, *, refused: bool = True) -> None:
        breach = self.found.setdefault(rule.id, Breach(rule, refused=False))
        breach.refused = breach.refused or (refused and rule.refuses)
        breach.details.append(detail)

    def summaries(self) -> list[tuple[Rule, str, bool, int]]:
        """(rule, detail, refused, count) for each rule broken."""
        out = []
        for breach in self.found.values():
            quoted = "; ".join(breach.details[:QUOTED_PROBLEMS])
            more = len(breach.details) - QUOTED_PROBLEMS
            detail = f"{quoted} (and {more} more)" if more > 0 else quoted
            out.append((breach.rule, detail, breach.refused, len(breach.details)))
        return out
