"""The store contract of the prospect readers, on SQLite and PostgreSQL alike: contracts (the read
rule, seat-read failures and retries, replacing the set), parked items, the contact lists of stubs
and the visibility as LinkedIn sent it; and migration 0003 over rows written before it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from schemas.linkedin import NoteVisibility, ProspectNote
from store.base import utcnow
from store.contracts import all_contracts
from store.db import Store, get_store, reset_stores
from store.integrations import IntegrationStatus, IntegrationType
from store.mail_stubs import MailStubRecord
from store.migrate import schema_drift, upgrade
from store.parked_items import ParkedState, waiting_counts
from store.tenants import Tenant, TenantStatus
from store.uow import OpsUnitOfWork, UnitOfWork
from tests.helpers import create_tenant
from tests.infra import fresh_database, postgres_server

C10, C11, C12 = "urn:li:contract:10", "urn:li:contract:11", "urn:li:contract:12"


def observe(store: Store, contract: str, status: IntegrationStatus, tenant: str = "acme") -> None:
    with UnitOfWork(tenant, store) as uow:
        uow.integrations.observe(IntegrationType.CSA_API, contract, status, modified_ms=None)
        uow.commit()


def test_a_contract_is_read_only_while_its_csa_api_integration_is_enabled(store: Store) -> None:
    create_tenant("acme")
    create_tenant("beta", status=TenantStatus.PENDING)
    with UnitOfWork("acme", store) as uow:
        for contract in (C10, C11, C12):
            uow.contracts.add(contract)
        uow.commit()
    with UnitOfWork("beta", store) as uow:
        uow.contracts.add(C10)
        uow.commit()
    observe(store, C10, IntegrationStatus.ENABLED)
    observe(store, C11, IntegrationStatus.DISABLED)
    observe(store, C10, IntegrationStatus.ENABLED, tenant="beta")  # a pending tenant reads nothing
    with UnitOfWork("acme", store) as uow:
        assert uow.contracts.read() == [C10]
        assert uow.contracts.is_read(C10) and not uow.contracts.is_read(C12)
    with store.session(None) as session:
        assert all_contracts(session) == [("acme", C10)]

    with OpsUnitOfWork(get_store()) as ops:
        tenant = ops.session.get(Tenant, "acme")
        assert tenant is not None
        tenant.legacy_csa = True
        ops.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.contracts.read() == [C10, C12]  # legacy: all but the one LinkedIn reports disabled
    with store.session(None) as session:
        assert all_contracts(session) == [("acme", C10), ("acme", C12)]


def test_a_failed_seat_read_is_recorded_retried_when_due_and_cleared_by_a_read(store: Store) -> None:
    create_tenant("acme")
    now = utcnow()
    with UnitOfWork("acme", store) as uow:
        uow.contracts.add(C10)
        uow.contracts.add(C11)
        uow.commit()
    observe(store, C10, IntegrationStatus.ENABLED)
    observe(store, C11, IntegrationStatus.ENABLED)
    with UnitOfWork("acme", store) as uow:
        assert uow.contracts.seats_failed(C10, "linkedin_rejected: 403", now + timedelta(seconds=60)) == 1
        assert uow.contracts.seats_failed(C10, "linkedin_rejected: 403", now + timedelta(seconds=120)) == 2
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.contracts.retries_due(now + timedelta(seconds=119)) == []
        assert uow.contracts.retries_due(now + timedelta(seconds=120)) == [C10]
        uow.contracts.hold_retries([C10], now + timedelta(seconds=240))
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.contracts.retries_due(now + timedelta(seconds=200)) == []
        (failed,) = [s for s in uow.contracts.states() if s.seats_error]
        assert (failed.urn, failed.seats_failures, failed.seats_error) == (C10, 2, "linkedin_rejected: 403")
        uow.contracts.seats_read(C10)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        row = uow.contracts.get(C10)
        assert row is not None and row.seats_read_at is not None
        assert (row.seats_error, row.seats_failed_at, row.seats_failures, row.seats_retry_at) == (
            None,
            None,
            0,
            None,
        )
    observe(store, C10, IntegrationStatus.DISABLED)
    with UnitOfWork("acme", store) as uow:
        uow.contracts.seats_failed(C10, "x", now)
        uow.commit()
        assert uow.contracts.retries_due(now + timedelta(hours=1)) == []  # not read: not retried


def test_replacing_the_contracts_adds_and_removes(store: Store) -> None:
    with UnitOfWork("acme", store) as uow:
        uow.contracts.add(C10)
        uow.contracts.add(C11)
        assert uow.contracts.replace([C11, C12]) == ([C12], [C10])
        assert uow.contracts.replace([C11, C12]) == ([], [])
        assert not uow.contracts.remove(C10)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.contracts.urns() == [C11, C12]


def test_an_item_parked_twice_is_one_row_until_it_is_replayed_or_dropped(store: Store) -> None:
    item = {"id": "M1", "emailAddress": "ada@example.com"}
    asked = {"kind": "mailStubs", "contract": C10, "seats": ["urn:li:seat:501"], "start_ms": 1, "end_ms": 2}
    with UnitOfWork("acme", store) as uow:
        key = uow.parked_items.park(
            kind="mailStubs",
            item=item,
            asked=asked,
            reason_code="no_member",
            reason="first",
            item_id="M1",
            member_urn=None,
        )
        again = uow.parked_items.park(
            kind="mailStubs",
            item=dict(item),
            asked=asked,
            reason_code="invalid_field",
            reason="second",
            item_id="M1",
            member_urn=None,
        )
        other = uow.parked_items.park(
            kind="prospectNotes",
            item=item,
            asked=asked,
            reason_code="no_time",
            reason="x",
            item_id="M1",
            member_urn="urn:li:person:ada",
        )
        uow.commit()
    assert key == again != other
    with UnitOfWork("acme", store) as uow:
        row = uow.parked_items.get(key[:10])
        assert row is not None and row.item == item
        assert (row.times_parked, row.reason_code, row.reason) == (2, "invalid_field", "second")
        assert [r.key for r in uow.parked_items.waiting(kind="mailStubs")] == [key]
        assert [r.key for r in uow.parked_items.waiting(reason_code="no_time")] == [other]
        assert uow.parked_items.count_waiting() == 2
        uow.parked_items.replayed(row)
        uow.commit()
    with UnitOfWork("beta", store) as uow:
        assert uow.parked_items.get(key) is None  # another tenant's
    with store.session(None) as session:
        counts = waiting_counts(session)
        assert [(c.tenant_id, c.kind, c.reason_code, c.count) for c in counts] == [
            ("acme", "prospectNotes", "no_time", 1)
        ]
    with UnitOfWork("acme", store) as uow:
        replayed = uow.parked_items.get(key)
        assert replayed is not None and replayed.state == ParkedState.REPLAYED and replayed.replayed_at
        assert uow.parked_items.drop(other) and not uow.parked_items.drop(other)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        assert uow.parked_items.count_waiting() == 0


def test_a_stub_keeps_every_shared_contact_and_a_note_the_visibility_linkedin_sent(store: Store) -> None:
    note = ProspectNote(
        note_id="P1",
        contract=C10,
        owner="urn:li:seat:501",
        visibility=NoteVisibility.PRIVATE,
        visibility_sent="Only me",
        active=True,
        created_ms=1,
        last_modified_ms=1,
    )
    with UnitOfWork("acme", store) as uow:
        uow.mail_stubs.add(
            MailStubRecord(
                id="M1",
                member_urn="urn:li:person:ada",
                contract=C10,
                owners=["urn:li:seat:501"],
                email="ada@example.com",
                other_emails=["ada@work.example"],
                phone="+1 555 0100",
                other_phones=["+1 555 0101"],
                consented_at=utcnow(),
                created_ms=1,
                last_modified_ms=1,
            )
        )
        assert uow.prospect_notes.apply(note)
        uow.commit()
    with UnitOfWork("acme", store) as uow:
        record = uow.mail_stubs.get("M1")
        assert record is not None
        assert record.emails == ["ada@example.com", "ada@work.example"]
        assert record.phones == ["+1 555 0100", "+1 555 0101"]
        stored = uow.prospect_notes.get("P1")
        assert stored is not None and (stored.visibility, stored.visibility_sent) == ("PRIVATE", "Only me")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/migrating.db"
        return
    with postgres_server() as server, fresh_database(server) as url:
        yield url


def test_migration_0003_keeps_the_rows_written_before_it(empty_database: str) -> None:
    upgrade(get_store(empty_database), "0002")
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO recruiter_contracts (tenant_id, urn, added_at) VALUES ('acme', :u, :t)"),
            {"u": C10, "t": utcnow().replace(tzinfo=None)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO mail_stubs (tenant_id, id, member_urn, contract, owners, email, consented_at,"
                " created_ms, last_modified_ms, stored_at) VALUES ('acme', 'M1', 'urn:li:person:ada', :c,"
                " '[\"urn:li:seat:501\"]', 'ada@example.com', :t, 1, 1, :t)"
            ),
            {"c": C10, "t": utcnow().replace(tzinfo=None)},
        )
    engine.dispose()
    reset_stores()
    upgrade(get_store(empty_database))
    store = get_store(empty_database)
    assert schema_drift(store.engine) == []
    with UnitOfWork("acme", store) as uow:
        row = uow.contracts.get(C10)
        assert row is not None and row.seats_failures == 0 and row.seats_error is None
        stub = uow.mail_stubs.get("M1")
        assert stub is not None and stub.emails == ["ada@example.com"] and stub.other_phones == []
    store.engine.dispose()
    reset_stores()
