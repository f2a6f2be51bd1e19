"""What tests assert on: call counters and the request log."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

#: Request headers the log keeps (the Authorization value itself is never kept).
LOGGED_HEADERS = ("x-restli-method", "x-restli-protocol-version", "linkedin-version", "content-type")
#: Bodies longer than this are cut in the log.
MAX_LOGGED_BODY = 256 * 1024


@dataclass
class LoggedRequest:
    seq: int
    at: int
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    app: str = "-"
    resource: str = ""
    status: int = 0
    outcome: str = "served"

    def view(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Metrics:
    def __init__(self, log_size: int) -> None:
        self._counters: dict[tuple[str, str, str, int], list[int]] = {}
        self._log: deque[LoggedRequest] = deque(maxlen=log_size or None)
        self._log_enabled = log_size > 0
        self._seq = 0

    def resize_log(self, log_size: int) -> None:
        self._log = deque(list(self._log)[-log_size:] if log_size else [], maxlen=log_size or None)
        self._log_enabled = log_size > 0

    def log_request(
        self, at: int, method: str, path: str, *, query: str, headers: Any, body: bytes
    ) -> LoggedRequest:
        self._seq += 1
        kept = {name: headers[name] for name in LOGGED_HEADERS if name in headers}
        if "authorization" in headers:
            scheme = headers["authorization"].split(" ", 1)[0]
            kept["authorization"] = f"{scheme} ***"
        entry = LoggedRequest(
            self._seq, at, method, path, query, kept, body[:MAX_LOGGED_BODY].decode("utf-8", "replace")
        )
        if self._log_enabled:
            self._log.append(entry)
        return entry

    def count(self, app: str, resource: str, method: str, status: int, records: int) -> None:
        counter = self._counters.setdefault((app, resource, method, status), [0, 0])
        counter[0] += 1
        counter[1] += records

    def counters(self) -> list[dict[str, Any]]:
        return [
            {
                "app": app,
                "resource": resource,
                "method": method,
                "status": status,
                "calls": c[0],
                "records": c[1],
            }
            for (app, resource, method, status), c in sorted(self._counters.items())
        ]

    def requests(
        self, *, limit: int | None = None, path_prefix: str = "", since: int = 0
    ) -> list[dict[str, Any]]:
        selected = [e.view() for e in self._log if e.seq > since and e.path.startswith(path_prefix)]
        return selected[-limit:] if limit else selected

    def reset_counters(self) -> None:
        self._counters.clear()

    def reset_log(self) -> None:
        self._log.clear()
