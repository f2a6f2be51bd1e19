"""``LinkedInClient``: the resource families of one customer app, over one shared HTTP pool."""

from __future__ import annotations

import threading
from collections.abc import Callable

from linkedin.acls import Acls
from linkedin.applications import Applications
from linkedin.auth import AppCredentials, TokenCache
from linkedin.candidates import Candidates
from linkedin.exports import Exports
from linkedin.http import MAX_INLINE_WAIT_S, LinkedInHttp
from linkedin.integrations import Integrations
from linkedin.jobs import Jobs
from linkedin.prospects import Prospects
from linkedin.provisioning import ProvisionedApplications
from linkedin.purges import PurgedCandidates
from linkedin.ratelimit import Admission, RateLimiter, RateLimits, Traffic
from linkedin.seats import Seats
from linkedin.sequencing import BatchSequencer, process_holder
from linkedin.transport import PooledTransport, Transport
from rsc.logs import get_logger
from rsc.settings import Settings
from store.db import Store

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
        self.acls = Acls(http, org_urn)


class LinkedInClients:
    """Per-process factory: one connection pool shared by every tenant's client, and what every process
    shares through the store: the rate limiter, the tokens and the turns of batch calls."""

    def __init__(
        self,
        settings: Settings,
        store: Callable[[], Store],
        *,
        transport: Transport | None = None,
        limiter: Admission | None = None,
    ) -> None:
        self.settings = settings
        self.limiter = limiter or RateLimiter(RateLimits.from_settings(self.settings), store)
        self._transport = transport or PooledTransport()
        #: Names this process's token claims and batch leases in the store.
        self.holder = process_holder()
        timeout_s = self.settings.linkedin_timeout_s
        self.tokens = TokenCache(
            self._transport,
            self.settings.oauth_url,
            store=store,
            timeout_s=timeout_s,
            holder=self.holder,
            clock_scale=self.settings.linkedin_clock_scale,
        )
        # A batch call's longest duration: its connect and read timeouts.
        self.sequencer = BatchSequencer(
            store, call_s=2 * timeout_s, max_wait_s=MAX_INLINE_WAIT_S, holder=self.holder
        )
        self._clients: dict[tuple[str, str, str, Traffic], LinkedInClient] = {}
        self._partners: dict[tuple[str, str], ProvisionedApplications] = {}
        self._lock = threading.Lock()

    def _http(self, credentials: AppCredentials, traffic: Traffic) -> LinkedInHttp:
        return LinkedInHttp(
            credentials,
            transport=self._transport,
            tokens=self.tokens,
            limiter=self.limiter,
            sequencer=self.sequencer,
            traffic=traffic,
            settings=self.settings,
        )

    def for_app(
        self, credentials: AppCredentials, org_urn: str, traffic: Traffic = Traffic.LIVE
    ) -> LinkedInClient:
        """The app's client; ``Traffic.BULK`` spends only the bulk share of the app's budgets."""
        key = (credentials.client_id, credentials.client_secret, org_urn, traffic)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = LinkedInClient(self._http(credentials, traffic), org_urn)
            return client

    def for_partner(self, credentials: AppCredentials) -> ProvisionedApplications:
        """The partner (parent) app's calls: provisioning customer apps and managing their secrets."""
        key = (credentials.client_id, credentials.client_secret)
        with self._lock:
            partner = self._partners.get(key)
            if partner is None:
                partner = self._partners[key] = ProvisionedApplications(self._http(credentials, Traffic.LIVE))
            return partner

    def close(self) -> None:
        """Give back the rate-limit leases and the batch turns this process holds, so other processes
        may have them at once instead of when they expire, and close the connection pool."""
        try:
            self.sequencer.close()
            self.limiter.release()
        except Exception:
            # The store may be gone already (a worker stopping in an outage): the leases then expire.
            log.warning("could not give back the unused rate-limit leases", exc_info=True)
        finally:
            self._transport.close()
