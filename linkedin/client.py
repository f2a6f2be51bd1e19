"""``LinkedInClient``: the resource families of one customer app, over one shared HTTP pool."""

from __future__ import annotations

import threading

from linkedin.applications import Applications
from linkedin.auth import AppCredentials, TokenCache
from linkedin.candidates import Candidates
from linkedin.exports import Exports
from linkedin.http import LinkedInHttp
from linkedin.integrations import Integrations
from linkedin.jobs import Jobs
from linkedin.prospects import Prospects
from linkedin.purges import PurgedCandidates
from linkedin.ratelimit import Admission, RateLimiter, Traffic
from linkedin.seats import Seats
from linkedin.transport import PooledTransport, Transport
from rsc.logs import get_logger
from rsc.settings import Settings, get_settings

log = get_logger(__name__)


class LinkedInClient:
    def __init__(self, http: LinkedInHttp, org_urn: str) -> None:
        self.http = http
        self.org_urn = org_urn
        self.exports = Exports(http)
        self.candidates = Candidates(http, org_urn)
        self.jobs = Jobs(http, org_urn)
        self.applications = Applications(http, org_urn)
        self.seats = Seats(http)
        self.prospects = Prospects(http)
        self.purged_candidates = PurgedCandidates(http)
        self.integrations = Integrations(http)


class LinkedInClients:
    """Per-process factory: one connection pool and token cache shared by every tenant's client, and the
    rate limiter every process shares through the store."""

    def __init__(
        self,
        settings: Settings | None = None,
        transport: Transport | None = None,
        limiter: Admission | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.limiter = limiter or RateLimiter.from_settings(self.settings)
        self._transport = transport or PooledTransport()
        self.tokens = TokenCache(
            self._transport, self.settings.oauth_url, timeout_s=self.settings.linkedin_timeout_s
        )
        self._clients: dict[tuple[str, str, str, Traffic], LinkedInClient] = {}
        self._lock = threading.Lock()

    def for_app(
        self, credentials: AppCredentials, org_urn: str, traffic: Traffic = Traffic.LIVE
    ) -> LinkedInClient:
        """The app's client; ``Traffic.BULK`` spends only the bulk share of the app's budgets."""
        key = (credentials.client_id, credentials.client_secret, org_urn, traffic)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                http = LinkedInHttp(
                    credentials,
                    transport=self._transport,
                    tokens=self.tokens,
                    limiter=self.limiter,
                    traffic=traffic,
                    settings=self.settings,
                )
                client = self._clients[key] = LinkedInClient(http, org_urn)
            return client

    def close(self) -> None:
        """Give back the rate-limit leases this process holds, so other processes may spend them at
        once instead of a minute later, and close the connection pool."""
        try:
            self.limiter.release()
        except Exception:
            # The store may be gone already (a worker stopping in an outage): the leases then expire.
            log.warning("could not give back the unused rate-limit leases", exc_info=True)
        finally:
            self._transport.close()
