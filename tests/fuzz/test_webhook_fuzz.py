"""The webhook endpoint, fuzzed through the ASGI app on both stores and the real RabbitMQ: random
bodies, headers, signatures and tenants never get a 5xx; every refusal is answered with its
documented status and recorded in ``rejections`` with its reason; valid pushes sent in between are all
accepted and enqueued exactly once."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from events.publisher import Publisher
from ingress.app import create_app
from ingress.pushes import PushType
from ingress.signature import challenge_response, sign
from rsc.settings import get_settings
from schemas.envelope import Event
from store.db import Store, get_store
from store.uow import OpsUnitOfWork
from tests.fuzz.strategies import fuzz_settings, garbage
from tests.helpers import ORG, create_tenant, drain

SECRETS = {"acme": "acme-secret", "beta": "beta-secret"}

#: The documented answer to each refusal (docs/architecture.md, ingress/app.py).
STATUS_OF = {
    "unknown_tenant": 404,
    "bad_signature": 401,
    "malformed_body": 400,
    "schema_violation": 400,
    "unknown_push_type": 400,
    "body_too_large": 400,
}


class RecordingPublisher(Publisher):
    """The real publisher (confirms from RabbitMQ), keeping the events it was asked to publish."""

    def __init__(self, url: str) -> None:
        super().__init__(url, settings=get_settings())
        self.events: list[Event] = []

    def publish(self, event: Event, *, strict: bool = False, bulk: bool = False) -> None:
        self.events.append(event)
        super().publish(event, strict=strict, bulk=bulk)


@dataclass
class Push:
    """One request to the callback URL and the answer it must get."""

    tenant_path: str
    body: bytes
    headers: list[tuple[str, str]]
    #: A refusal's reason code, or None for a push that must be accepted (or, if repeated, a duplicate).
    refusal: str | None
    #: Where the refusal is unclear (a random body signed correctly), any of these.
    allowed: frozenset[str] = field(default_factory=frozenset)
    recorded_tenant: str | None = None


_push_ids = itertools.count()


def _push_body(push_type: str, push_id: str, **extra: Any) -> bytes:
    body = {"id": push_id, "type": push_type, "requestId": f"req-{push_id}", "integrationContext": ORG}
    return json.dumps({**body, **extra}).encode()


def _signed(secret: str, body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "application/json"), ("X-LI-Signature", sign(secret, body))]


@st.composite
def valid_pushes(draw: st.DrawFn) -> Push:
    """A push LinkedIn would send, with a push id never used before."""
    tenant = draw(st.sampled_from(sorted(SECRETS)))
    push_id = f"fuzz-{next(_push_ids)}-{draw(st.text(min_size=1, max_size=20))}"
    extra = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "createdAt": st.integers(0, 4_102_444_800_000),
                "surprise": st.text(max_size=10),
            },
        )
    )
    body = _push_body(draw(st.sampled_from(list(PushType))), push_id, **extra)
    if draw(st.booleans()):  # LinkedIn may sign the escaped Unicode form of the payload
        escaped = json.dumps(json.loads(body), separators=(",", ":")).encode()
        return Push(tenant, body, [("X-LI-Signature", sign(SECRETS[tenant], escaped))], None)
    return Push(tenant, body, _signed(SECRETS[tenant], body), None)


_push_fields = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(list(PushType)) | st.text(max_size=120) | st.integers() | st.none(),
        "eventType": st.sampled_from(list(PushType)) | st.text(max_size=5),
        "requestId": st.text(max_size=250) | st.integers() | st.lists(st.integers(), max_size=2),
        "id": st.text(max_size=250) | st.none() | st.integers(),
        "createdAt": st.integers() | st.floats() | st.text(max_size=15),
        "integrationContext": st.text(max_size=30) | st.integers() | st.none(),
    },
)

#: Bodies LinkedIn never sends: garbage, JSON that is not a push, push-like objects with odd values.
random_bodies = st.one_of(
    garbage.map(lambda raw: raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")),
    _push_fields.map(lambda fields: json.dumps(fields).encode()),
    st.just(b"x" * 300_000),
)


@st.composite
def signed_random_bodies(draw: st.DrawFn) -> Push:
    tenant = draw(st.sampled_from(sorted(SECRETS)))
    body = draw(random_bodies)
    allowed = frozenset(STATUS_OF) - {"unknown_tenant", "bad_signature"}
    return Push(tenant, body, _signed(SECRETS[tenant], body), "", allowed, tenant)


@st.composite
def badly_signed_pushes(draw: st.DrawFn) -> Push:
    """A valid push whose signature is wrong, missing, repeated or made with another tenant's secret."""
    tenant = draw(st.sampled_from(sorted(SECRETS)))
    body = _push_body(draw(st.sampled_from(list(PushType))), f"forged-{next(_push_ids)}")
    other = next(t for t in SECRETS if t != tenant)
    good = sign(SECRETS[tenant], body)
    signature = draw(
        st.one_of(
            st.just(sign(SECRETS[other], body)),
            st.just(sign(SECRETS[tenant], body + b" ")),
            st.just(good.upper()),
            st.just(good.removeprefix("hmacsha256=")),
            st.just("sha256=" + good.removeprefix("hmacsha256=")),
            st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=100),
            st.from_regex(r"hmacsha256=[0-9a-f]{64}", fullmatch=True),
        ).filter(lambda s: s != good)
    )
    how = draw(st.sampled_from(["wrong", "missing", "repeated", "repeated_good_last", "repeated_good_first"]))
    headers = [("Content-Type", "application/json")]
    if how == "wrong":
        headers.append(("X-LI-Signature", signature))
    elif how == "repeated":
        headers += [("X-LI-Signature", signature), ("x-li-signature", signature)]
    elif how == "repeated_good_last":
        headers += [("X-LI-Signature", signature), ("X-LI-Signature", good)]
    elif how == "repeated_good_first":
        headers += [("X-LI-Signature", good), ("X-LI-Signature", signature)]
    return Push(tenant, body, headers, "bad_signature", recorded_tenant=tenant)


@st.composite
def unknown_tenant_pushes(draw: st.DrawFn) -> Push:
    """A push signed with a real tenant's secret, sent to a callback URL of no tenant."""
    tenant = draw(
        st.text(min_size=1, max_size=80)
        .filter(lambda t: t not in SECRETS and "/" not in t and t not in (".", ".."))
        .map(lambda t: quote(t, safe=""))
    )
    body = _push_body("EXPORT_CANDIDATE_PROFILE", f"lost-{next(_push_ids)}")
    return Push(tenant, body, _signed(SECRETS["acme"], body), "unknown_tenant")


#: Found by this test; each once answered 500 (or, the last, was accepted on its first signature).
_NESTED = b"[" * 100_000
_FOUND = [
    Push("acme", _NESTED, _signed("acme-secret", _NESTED), "malformed_body", recorded_tenant="acme"),
    Push("acme", _NESTED, _signed("beta-secret", _NESTED), "bad_signature", recorded_tenant="acme"),
    Push(
        "acme",
        _push_body("EXPORT_CANDIDATE_PROFILE", "late", createdAt=10**20),
        _signed("acme-secret", _push_body("EXPORT_CANDIDATE_PROFILE", "late", createdAt=10**20)),
        "schema_violation",
        recorded_tenant="acme",
    ),
    Push(
        "acme",
        _push_body("EXPORT_CANDIDATE_PROFILE", "nul\x00"),
        _signed("acme-secret", _push_body("EXPORT_CANDIDATE_PROFILE", "nul\x00")),
        "schema_violation",
        recorded_tenant="acme",
    ),
    Push("%00", _push_body("EXPORT_CANDIDATE_PROFILE", "p"), _signed("acme-secret", b"{}"), "unknown_tenant"),
    Push(
        "acme",
        _push_body("EXPORT_CANDIDATE_PROFILE", "two"),
        [
            ("X-LI-Signature", sign("acme-secret", _push_body("EXPORT_CANDIDATE_PROFILE", "two"))),
            ("X-LI-Signature", "hmacsha256=" + "0" * 64),
        ],
        "bad_signature",
        recorded_tenant="acme",
    ),
]

pushes = st.one_of(valid_pushes(), signed_random_bodies(), badly_signed_pushes(), unknown_tenant_pushes())


@dataclass
class Ledger:
    """What the endpoint accepted: event ids per tenant, each of which must be enqueued once."""

    accepted: Counter[tuple[str, str]] = field(default_factory=Counter)


IngressUnderTest = tuple[TestClient, RecordingPublisher]


@pytest.fixture
def ingress(store: Store, rabbit: str) -> Iterator[IngressUnderTest]:
    for tenant, secret in SECRETS.items():
        create_tenant(tenant, client_id=f"{tenant}-client", client_secret=secret)
    publisher = RecordingPublisher(rabbit)
    with TestClient(create_app(store=store, publisher=publisher)) as client:
        yield client, publisher
    publisher.close()


def rejection_count() -> int:
    with OpsUnitOfWork(get_store()) as ops:
        return len(ops.rejections.list(limit=100_000))


def newest_rejection() -> tuple[str | None, str, str, int | None]:
    with OpsUnitOfWork(get_store()) as ops:
        (newest,) = ops.rejections.list(limit=1)
        return newest.tenant_id, newest.reason_code, newest.reason, newest.http_status


def send(client: TestClient, publisher: RecordingPublisher, push: Push, ledger: Ledger) -> None:
    rejections_before, published_before = rejection_count(), len(publisher.events)
    response = client.post(f"/webhooks/linkedin/{push.tenant_path}", content=push.body, headers=push.headers)
    assert response.status_code < 500, response.text
    answer = response.json()
    if response.status_code == 200:
        assert push.refusal in (None, ""), answer
        published = publisher.events[published_before:]
        if answer["status"] == "accepted":
            (event,) = published
            assert event.id == answer["eventId"]
            assert event.tenant == push.tenant_path
            ledger.accepted[(event.tenant, event.id)] += 1
        else:
            assert answer["status"] == "duplicate"
            assert published == []
        assert rejection_count() == rejections_before
        return
    code = answer["error"]
    if push.refusal:
        assert code == push.refusal, answer
    else:
        assert code in push.allowed, answer
    assert response.status_code == STATUS_OF[code]
    assert answer["reason"]
    assert len(publisher.events) == published_before, "a refused push enqueues nothing"
    assert rejection_count() == rejections_before + 1, "every refusal is recorded"
    tenant, recorded_code, reason, status = newest_rejection()
    assert (tenant, recorded_code, status) == (push.recorded_tenant, code, response.status_code)
    assert reason == answer["reason"]


def test_random_pushes_never_crash_and_valid_ones_are_enqueued_once(
    ingress: IngressUnderTest, rabbit: str
) -> None:
    client, publisher = ingress
    ledger = Ledger()

    @fuzz_settings(examples=15)
    @given(batch=st.lists(pushes, min_size=1, max_size=6), repeat=st.booleans())
    @example(batch=_FOUND, repeat=False)
    def run(batch: list[Push], repeat: bool) -> None:
        for push in batch:
            send(client, publisher, push, ledger)
            if repeat and push.refusal is None:
                send(client, publisher, push, ledger)  # LinkedIn retries: a duplicate, not a second event

    run()

    assert ledger.accepted, "the run sent valid pushes"
    assert set(ledger.accepted.values()) == {1}, "each accepted push is published once"
    enqueued = Counter(
        (body["kwargs"]["event"]["tenant"], body["kwargs"]["event"]["id"])
        for queue in ("profile_export", "integration_lifecycle")
        for body, _ in drain(rabbit, queue)
    )
    assert enqueued == ledger.accepted


@fuzz_settings(examples=20)
@given(code=st.text(max_size=200))
@example(code="")
def test_the_challenge_is_answered_for_any_code(ingress: IngressUnderTest, code: str) -> None:
    client, _ = ingress
    response = client.get("/webhooks/linkedin/acme", params={"challengeCode": code})
    if not code:
        assert response.status_code == 400
        return
    assert response.status_code == 200
    expected = challenge_response("acme-secret", code)
    assert response.json() == {"challengeCode": code, "challengeResponse": expected}
